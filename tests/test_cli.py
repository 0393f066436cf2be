"""The front door: --version, --help everywhere, errors as one sentence, exit codes."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.kernel.version import __version__


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += _all_commands(command, path)
    return found


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_every_command_has_help(runner: CliRunner) -> None:
    commands = _all_commands(cli)
    assert ("align",) in commands and ("run",) in commands
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        assert (cli.get_command(click.Context(cli), path[0]).help or "").strip(), path


def test_missing_file_is_one_sentence(runner: CliRunner, tmp_path: Path) -> None:
    other = tmp_path / "en.md"
    other.write_text("Hello there. How are you?\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["align", str(tmp_path / "nope.md"), str(other), "-o", str(tmp_path / "a.tmx")]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "nope.md" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_output_extension(runner: CliRunner, tmp_path: Path) -> None:
    zh = tmp_path / "zh.md"
    en = tmp_path / "en.md"
    zh.write_text("你好。今天天气很好。\n", encoding="utf-8")
    en.write_text("Hello. The weather is fine today.\n", encoding="utf-8")
    result = runner.invoke(cli, ["align", str(zh), str(en), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code != 0
    assert ".docx" in result.output
    assert "Traceback" not in result.output


def test_align_writes_every_format(runner: CliRunner, tmp_path: Path) -> None:
    zh = tmp_path / "zh.md"
    en = tmp_path / "en.md"
    zh.write_text("**这是什么？**\n\n这是一个测试。我们在2025年写了它。\n", encoding="utf-8")
    en.write_text("**What is this?**\n\nThis is a test. We wrote it in 2025.\n", encoding="utf-8")
    outs = [tmp_path / f"a.{ext}" for ext in ("tmx", "jsonl", "tsv", "html")]
    args = ["align", str(zh), str(en)]
    for out in outs:
        args += ["-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    for out in outs:
        assert out.stat().st_size > 0
    assert "2025" in (tmp_path / "a.tsv").read_text(encoding="utf-8")


def test_run_with_missing_data_dir(runner: CliRunner, tmp_path: Path) -> None:
    manifest = Path(__file__).resolve().parents[1] / "corpora" / "deepseek" / "corpus.toml"
    result = runner.invoke(
        cli, ["--data-dir", str(tmp_path / "nowhere"), "run", str(manifest), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code != 0
    assert "TERMALIGN_DATA" in result.output
    assert "Traceback" not in result.output


def test_bad_manifest(runner: CliRunner, tmp_path: Path) -> None:
    manifest = tmp_path / "corpus.toml"
    manifest.write_text('[[documents]]\nid = "a"\npath = "a.txt"\nrole = "weird"\n', encoding="utf-8")
    result = runner.invoke(
        cli, ["--data-dir", str(tmp_path), "run", str(manifest), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "lacks lang" in result.output and "weird" in result.output
