"""The main job end to end: align, termbase, translate (batch) and evaluate, on a tiny corpus.

The corpus is written here (never the real articles) and the model is the tiny
real qwen2 model built in the test session, so the whole wiring runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.translator.install import install_model
from termalign.translator.tiny import write_tiny_qwen2_gguf

ZH = "**这是什么？**\n\n这是一个测试。我们在2025年用蒸馏写了它。\n\n**为什么？**\n\n因为芯片禁令很重要。\n"
EN = (
    "**What is this?**\n\nThis is a test. We wrote it in 2025 with distillation.\n\n"
    "**Why?**\n\nBecause the chip ban matters.\n"
)
TODO = "---\ntitle: '蒸馏的故事'\n---\n\n蒸馏是一种方法。[链接](https://example.org/a)很有用。\n"
MANIFEST = """
[corpus]
name = "tiny"
source_lang = "zh"
target_lang = "en"

[[documents]]
id = "faq-zh"
path = "tiny/faq.zh.md"
lang = "zh"
format = "markdown"
role = "parallel-source"
parallel = "faq-en"

[[documents]]
id = "faq-en"
path = "tiny/faq.en.md"
lang = "en"
format = "markdown"
role = "reference"
parallel = "faq-zh"

[[documents]]
id = "story"
path = "tiny/story.txt"
lang = "zh"
format = "markdown"
role = "to-translate"

[termbase]
path = "termbase.tsv"
"""
TERMBASE = (
    "source\ttarget\tstatus\tsource_variants\ttarget_variants\tforbidden\tpos\tdomain\tenforce\tnote\tprovenance\n"
    "蒸馏\tdistillation\tapproved\t\t\t\tnoun\tai\ttrue\t\ttiny×2\n"
    "芯片禁令\tchip ban\tapproved\t\t\t\tnoun\tpolicy\ttrue\t\ttiny×1\n"
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-run")
    install_model(write_tiny_qwen2_gguf(folder / "tiny.gguf").path, folder / "models")
    return folder / "models"


def _corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data" / "tiny"
    data.mkdir(parents=True)
    (data / "faq.zh.md").write_text(ZH, encoding="utf-8")
    (data / "faq.en.md").write_text(EN, encoding="utf-8")
    (data / "story.txt").write_text(TODO, encoding="utf-8")
    manifest_dir = tmp_path / "manifest"
    manifest_dir.mkdir()
    (manifest_dir / "corpus.toml").write_text(MANIFEST, encoding="utf-8")
    (manifest_dir / "termbase.tsv").write_text(TERMBASE, encoding="utf-8")
    return manifest_dir / "corpus.toml"


def test_main_job_writes_every_output(models_dir: Path, tmp_path: Path) -> None:
    _register()
    manifest = _corpus(tmp_path)
    out = tmp_path / "out"
    args = ["--data-dir", str(tmp_path / "data"), "run", str(manifest), "-o", str(out)]
    args += ["--model", "tiny", "--models-dir", str(models_dir)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    for name in (
        "faq.tmx",
        "faq.html",
        "terms.csv",
        "termbase.po",
        "report.json",
        "report.html",
        "eval.json",
    ):
        assert (out / name).stat().st_size > 0, name
    translated = (out / "story.en.md").read_text(encoding="utf-8")
    assert translated.startswith("---\ntitle: ")  # front matter kept
    assert "](https://example.org/a)" in translated  # the link URL survives whatever the model says
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["numbers"]["beads"] >= 3
    assert "translate" in run["seconds"] and "evaluate" in run["seconds"]
    assert {"evaluate model", "evaluate model+termbase+tm"} <= set(run["seconds"])  # timed on their own
    evaluation = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert set(evaluation["systems"]) == {"model", "model+termbase+tm"}
    assert evaluation["segments"] >= 3


def test_main_job_without_model_is_one_sentence(tmp_path: Path) -> None:
    _register()
    manifest = _corpus(tmp_path)
    args = ["--data-dir", str(tmp_path / "data"), "run", str(manifest), "-o", str(tmp_path / "out")]
    args += ["--model", "absent", "--models-dir", str(tmp_path / "models")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "termalign model install absent" in result.output
    assert "Traceback" not in result.output
