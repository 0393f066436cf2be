"""`termalign batch --ray` without Ray installed says so in one sentence; its options are checked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from tests.batch_samples import write_corpus

_register()


def test_ray_missing_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if not installed
    manifest = write_corpus(tmp_path / "corpus", docs=1)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "corpus" / "data"), "batch", str(manifest), "--ray",
               "--model", "tiny", "--models-dir", str(tmp_path / "models"), "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--ray needs Ray, which is not installed: pip install 'termalign[ray]'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ray", "http://x", "--workers", "1"], "--ray takes local, auto or ray://host:port"),
        (["--ray", "--workers", "0"], "--workers must be at least 1"),
        (["--ray", "--server", "http://127.0.0.1:9"], "--ray and --server cannot be combined"),
    ],
)
def test_ray_options_are_checked(tmp_path: Path, args: list[str], message: str) -> None:
    manifest = write_corpus(tmp_path / "corpus", docs=1)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "corpus" / "data"), "batch", str(manifest), *args,
               "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in result.output
