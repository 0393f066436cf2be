"""One composition, one settings object: a setting reaches the engine from all five commands.

The tiny model is installed for real; the engine registry's ``generator`` line
is pointed at a recording engine (an identity engine that keeps the
``EngineConfig`` it was opened with), so each command's settings can be read
back after it ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.translator import engine as engine_module
from termalign.translator.engine import EngineConfig
from termalign.translator.identity import IdentityEngine
from termalign.translator.install import InstalledModel
from tests.batch_samples import install_tiny, write_corpus
from tests.test_run_main_job import _corpus

OPENED: list[EngineConfig] = []


class RecordingEngine(IdentityEngine):
    """An identity engine that remembers the settings it was opened with."""

    def __init__(self, config: EngineConfig, model_id: str) -> None:
        super().__init__(model_id)
        self.config = config

    @classmethod
    def from_model(cls, model: InstalledModel, config: EngineConfig) -> RecordingEngine:
        OPENED.append(config)
        return cls(config, model.model_id)

    @property
    def signature(self) -> dict[str, Any]:
        return {**super().signature, "beam_size": self.config.beam_size}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_tiny(tmp_path_factory.mktemp("stack") / "models")


@pytest.fixture(autouse=True)
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(engine_module.ENGINES, "generator", f"{__name__}:RecordingEngine")
    from termalign.translator import server

    monkeypatch.setattr(server, "serve_app", lambda *_, **__: None)  # serve: open the stack, do not listen
    OPENED.clear()
    _register()
    yield


def _commands(tmp: Path, models: Path) -> dict[str, list[str]]:
    """Each of the five translating commands, ready to run on small inputs in ``tmp``."""
    doc = tmp / "doc.md"
    doc.write_text("# 标题\n\n今天的会议讨论了开源模型的成本。\n", encoding="utf-8")
    batch_manifest = write_corpus(tmp / "batch", docs=1)
    run_manifest = _corpus(tmp / "run")
    reference = tmp / "ref.jsonl"
    reference.write_text(
        json.dumps({"source": "这是一个测试。", "target": "This is a test."}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    model = ["--model", "tiny", "--models-dir", str(models)]
    return {
        "translate": ["translate", str(doc), "-o", str(tmp / "doc.en.md"), *model],
        "batch": ["--data-dir", str(tmp / "batch" / "data"), "batch", str(batch_manifest),
                  "-o", str(tmp / "batch-out"), *model],
        "serve": ["serve", *model],
        "run": ["--data-dir", str(tmp / "run" / "data"), "run", str(run_manifest), "-o",
                str(tmp / "run-out"), "--eval-limit", "2", *model],
        "eval": ["eval", str(tmp / "hyp.txt"), str(reference), "--translate", *model],
    }  # fmt: skip


def _invoke(args: list[str], **kwargs: Any) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False, **kwargs)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["translate", "batch", "serve", "run", "eval"])
def test_a_flag_reaches_the_engine(command: str, tmp_path: Path, models: Path) -> None:
    args = _commands(tmp_path, models)[command]
    _invoke([*args, "--beam-size", "3", "--max-new-tokens", "17"])
    assert OPENED and {(c.beam_size, c.max_new_tokens) for c in OPENED} == {(3, 17)}


@pytest.mark.parametrize("command", ["translate", "batch", "serve", "run", "eval"])
def test_a_config_file_value_reaches_the_engine(command: str, tmp_path: Path, models: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[decoding]\nbeam_size = 4\nmax_new_tokens = 21\n", encoding="utf-8")
    _invoke(["--config", str(config), *_commands(tmp_path, models)[command]])
    assert OPENED and {(c.beam_size, c.max_new_tokens) for c in OPENED} == {(4, 21)}


@pytest.mark.parametrize("command", ["translate", "batch", "serve", "run", "eval"])
def test_flag_beats_env_beats_file(command: str, tmp_path: Path, models: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[decoding]\nbeam_size = 4\nmax_new_tokens = 21\n", encoding="utf-8")
    args = ["--config", str(config), *_commands(tmp_path, models)[command], "--beam-size", "2"]
    _invoke(args, env={"TERMALIGN_MAX_NEW_TOKENS": "30", "TERMALIGN_BEAM_SIZE": "5"})
    assert OPENED and {(c.beam_size, c.max_new_tokens) for c in OPENED} == {(2, 30)}


def test_termalign_toml_in_the_working_directory_is_read(
    tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = _commands(tmp_path, models)
    (tmp_path / "termalign.toml").write_text('[decoding]\nbeam_size = 6\n[terms]\nterm_injection = "list"\n')
    monkeypatch.chdir(tmp_path)
    _invoke([*commands["translate"], "--report", str(tmp_path / "report.json")])
    assert [c.beam_size for c in OPENED] == [6]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["signature"]["config"]["term_injection"] == "list"  # the terms table reaches the layer


def test_the_manifest_sits_between_config_file_and_default(tmp_path: Path, models: Path) -> None:
    decoding = "[translate.decoding]\nbeam_size = 7\nmax_new_tokens = 9\n"
    manifest = write_corpus(tmp_path, docs=1, translate=decoding)
    config = tmp_path / "settings.toml"
    config.write_text("[decoding]\nbeam_size = 4\n", encoding="utf-8")
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data"), "batch", str(manifest),
            "-o", str(tmp_path / "out"), "--model", "tiny", "--models-dir", str(models)]  # fmt: skip
    _invoke(args)
    assert [(c.beam_size, c.max_new_tokens) for c in OPENED] == [(4, 9)]


def test_run_parses_the_manifest_and_imports_the_termbase_once(
    tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    from termalign import pipeline
    from termalign.termbase import store

    args = _commands(tmp_path, models)["run"]
    manifest = Path(args[3])
    parsed: list[str] = []
    loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parsed.append(text) or loads(text))
    imported: list[Path] = []
    load_termbase = store.load_termbase

    def counting(path: Path, *a: Any, **k: Any) -> Any:
        imported.append(Path(path))
        return load_termbase(path, *a, **k)

    monkeypatch.setattr(pipeline, "load_termbase", counting)
    _invoke(args)
    assert parsed.count(manifest.read_text(encoding="utf-8")) == 1
    assert len(imported) == 1 and imported[0].name == "termbase.tsv"


@pytest.mark.parametrize("command", ["serve", "run"])
def test_commands_that_need_a_local_model_refuse_a_server(command: str, tmp_path: Path, models: Path) -> None:
    args = [*_commands(tmp_path, models)[command], "--server", "http://127.0.0.1:9"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "needs a local model" in result.output and "flag" in result.output
    assert not OPENED


def test_eval_refuses_model_options_without_translate(tmp_path: Path, models: Path) -> None:
    args = [a for a in _commands(tmp_path, models)["eval"] if a != "--translate"]
    result = CliRunner().invoke(cli, [*args, "--beam-size", "2"])
    assert (
        result.exit_code == 2
        and "--model, --models-dir, --beam-size cannot be used without --translate" in (result.output)
    )


def test_ray_workers_get_the_same_settings(tmp_path: Path) -> None:
    from termalign.commands.ray_options import ray_runner
    from termalign.kernel.settings import load_config_file, resolve_settings
    from termalign.translator.distributed import RayConfig
    from termalign.translator.stack import engine_config, translate_config

    config = tmp_path / "settings.toml"
    config.write_text('[decoding]\nmax_new_tokens = 21\n[terms]\nterm_injection = "list"\n', encoding="utf-8")
    settings = resolve_settings(flags={"decoding.beam_size": 3}, file=load_config_file(config))
    recipe = ray_runner(RayConfig(), settings, termbase=None, memories=[], source_lang="zh").recipe
    on_worker = recipe.settings(tmp_path)
    assert engine_config(on_worker) == engine_config(settings)  # beam 3 and 21 new tokens on every worker
    assert translate_config(on_worker) == translate_config(settings)
