"""``termalign translate`` end to end with a tiny real model installed into a temporary cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from termalign.align.tmx import TranslationUnit, read_tmx, write_tmx
from termalign.cli import _register, cli
from termalign.translator.install import install_model
from termalign.translator.tiny import write_tiny_qwen2_gguf

DOC = """---
title: "蒸馏的故事"
date: 2025-01-02
---

# 什么是**蒸馏**？

![示意图](https://example.org/img/distill.png)

蒸馏是一种训练方法。它把[大模型](https://example.org/big)的知识传给小模型。
"""
TERMBASE = (
    "source\ttarget\tstatus\tsource_variants\ttarget_variants\tforbidden\tpos\tdomain\tenforce\tnote\tprovenance\n"
    "蒸馏\tdistillation\tapproved\t\tdistilled\t\tnoun\tai\ttrue\t\t\n"
)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-cli")
    tiny = write_tiny_qwen2_gguf(folder / "tiny.gguf")
    install_model(tiny.path, folder / "models")
    return folder / "models"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC, encoding="utf-8")
    termbase = tmp_path / "tb.tsv"
    termbase.write_text(TERMBASE, encoding="utf-8")
    tm = tmp_path / "tm.tmx"
    unit = TranslationUnit("蒸馏是一种训练方法。", "Distillation is a training method.")
    write_tmx(tm, [unit], source_lang="zh", target_lang="en")
    return doc, termbase, tm


def test_translate_writes_document_tmx_and_report(
    runner: CliRunner, models_dir: Path, tmp_path: Path
) -> None:
    doc, termbase, tm = _inputs(tmp_path)
    out, run_tmx, report = tmp_path / "out" / "doc.en.md", tmp_path / "run.tmx", tmp_path / "report.json"
    args = ["translate", str(doc), "-o", str(out), "--model", "tiny", "--models-dir", str(models_dir)]
    args += ["--termbase", str(termbase), "--tm", str(tm), "--tmx", str(run_tmx), "--report", str(report)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "term accuracy" in result.output and "tm-exact" in result.output

    text = out.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: ") and "date: 2025-01-02\n---\n\n# " in text
    assert "\n![示意图](https://example.org/img/distill.png)\n" in text
    assert "Distillation is a training method." in text  # exact TM match reused
    assert "](https://example.org/big)" in text
    assert yaml.safe_load(text.split("---")[1])["date"] is not None

    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["signature"]["engine"]["model"].startswith("tiny@")
    assert len(data["signature"]["termbase"]) == 64
    origins = {s["id"]: s["origin"] for s in data["segments"]}
    assert "tm-exact" in origins.values() and "fm.title" in origins
    assert data["summary"]["segments"] == len(data["segments"])
    assert data["summary"]["terms_expected"] >= 3

    tmx = read_tmx(run_tmx, source_lang="zh")
    assert tmx.header_properties["x-model"].startswith("tiny@")
    assert tmx.header_properties["x-termbase"] == data["signature"]["termbase"]
    assert tmx.signature is not None and str(tmx.signature) == data["signature_text"]
    assert tmx.signature["engine.sampling_topk"] == "1" and tmx.signature["tool"] == "termalign"
    units = {u.source: u for u in tmx.units}
    assert units["蒸馏是一种训练方法。"].prop("x-origin") == "tm-exact"
    link = next(u for u in tmx.units if u.source.startswith("它把"))
    assert "](https://example.org/big)" in link.target  # restored raw markup, not placeholders


def test_cache_makes_a_rerun_decode_nothing(runner: CliRunner, models_dir: Path, tmp_path: Path) -> None:
    doc, _, _ = _inputs(tmp_path)
    cache = tmp_path / "cache.sqlite"
    args = ["translate", str(doc), "--model", "tiny", "--models-dir", str(models_dir), "--cache", str(cache)]
    first = runner.invoke(cli, [*args, "-o", str(tmp_path / "a.md")])
    second = runner.invoke(cli, [*args, "-o", str(tmp_path / "b.md")])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()
    assert "segment attempts (cache hits)" in second.output


def test_missing_model_is_one_sentence(runner: CliRunner, tmp_path: Path) -> None:
    doc, _, _ = _inputs(tmp_path)
    args = [
        "translate",
        str(doc),
        "-o",
        str(tmp_path / "x.md"),
        "--model",
        "nope",
        "--models-dir",
        str(tmp_path),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "model 'nope' is not installed; run `termalign model install nope`" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.md").exists()


def test_fast_picks_the_small_model(runner: CliRunner, tmp_path: Path) -> None:
    doc, _, _ = _inputs(tmp_path)
    result = runner.invoke(
        cli, ["translate", str(doc), "-o", str(tmp_path / "x.md"), "--fast", "--models-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "qwen2.5-coder-0.5b" in result.output


class _UpperEngineTranslator:
    """A server-side translator whose output is recognisable: the source wrapped in ``EN(...)``."""

    signature = {"engine": {"engine": "marker", "model": "marker@1"}}

    def translate(self, segments, *, ids=None, exclude=None, progress=None):  # type: ignore[no-untyped-def]
        from termalign.translator.records import SegmentRecord

        names = ids or [str(k) for k in range(len(segments))]
        return [SegmentRecord(n, s, f"EN({s})", "mt", 0.5) for n, s in zip(names, segments, strict=True)]


def test_translate_through_a_server_keeps_the_markup(runner: CliRunner, tmp_path: Path) -> None:
    from termalign.translator.server import ServerConfig, ServerThread, create_app

    doc, _, _ = _inputs(tmp_path)
    out, report = tmp_path / "out.md", tmp_path / "report.json"
    app = create_app(lambda: {None: _UpperEngineTranslator()}, ServerConfig(warmup=False))
    with ServerThread(app) as server:
        result = runner.invoke(
            cli, ["translate", str(doc), "-o", str(out), "--server", server.url, "--report", str(report)]
        )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "EN(蒸馏是一种训练方法。)" in text
    assert "(https://example.org/big)" in text and "![示意图](https://example.org/img/distill.png)" in text
    assert text.startswith("---\n") and "date: 2025-01-02" in text
    data = json.loads(report.read_text("utf-8"))
    assert data["signature"]["remote"] == server.url.rstrip("/")
    assert data["signature"]["server"]["engine"]["model"] == "marker@1"
    assert {s["origin"] for s in data["segments"]} >= {"mt"}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--server", "http://127.0.0.1:9", "--tm", "TM"], "--tm cannot be used with --server"),
        (["--server", "http://127.0.0.1:9", "--model", "x", "--fast"], "--model, --fast cannot be used"),
        (["--server-termbase", "deepseek"], "give --server URL too"),
    ],
)
def test_translate_server_option_conflicts_are_one_sentence(
    runner: CliRunner, tmp_path: Path, extra: list[str], fragment: str
) -> None:
    doc, _, tm = _inputs(tmp_path)
    args = [str(tm) if a == "TM" else a for a in extra]
    result = runner.invoke(cli, ["translate", str(doc), "-o", str(tmp_path / "o.md"), *args])
    assert result.exit_code == 2
    assert fragment in result.output


def test_translate_with_an_unreachable_server_says_so(runner: CliRunner, tmp_path: Path) -> None:
    doc, _, _ = _inputs(tmp_path)
    result = runner.invoke(
        cli, ["translate", str(doc), "-o", str(tmp_path / "o.md"), "--server", "http://127.0.0.1:9"]
    )
    assert result.exit_code != 0
    assert "cannot reach the translation server at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o.md").exists()
