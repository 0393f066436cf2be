"""``termalign term extract`` and ``termalign term check`` through the real CLI."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.align.tmx import TranslationUnit, write_tmx
from termalign.cli import _register, cli
from termalign.termbase.formats import export_entries
from termalign.termbase.model import Entry, Status

PAIRS = [
    ("蒸馏是一种训练方法。", "Distillation is a training method."),
    ("我们用蒸馏训练学生模型。", "We use distillation to train the student model."),
    ("蒸馏很便宜。", "Distillation is cheap."),
    ("芯片禁令禁止了芯片。", "The chip ban prohibited chips."),
    ("芯片禁令没有禁止H800。", "The chip ban did not prohibit the H800."),
    ("H800的内存带宽更低。", "The H800 has lower memory bandwidth."),
    ("中芯国际有1100亿美元。", "Xintiandi has $1.1 billion."),
]


@pytest.fixture(scope="module", autouse=True)
def registered():
    _register()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    tmx = tmp_path / "aligned.tmx"
    units = [TranslationUnit(s, t, (("source_ids", f"b{k}.s0"),)) for k, (s, t) in enumerate(PAIRS)]
    write_tmx(tmx, units, source_lang="zh", target_lang="en")
    termbase = tmp_path / "tb.tsv"
    export_entries(
        [
            Entry("蒸馏", "distillation", status=Status.APPROVED, provenance=()),
            Entry("中芯国际", "SMIC", forbidden=("Xintiandi",), status=Status.APPROVED),
        ],
        termbase,
    )
    src, tgt = tmp_path / "src.md", tmp_path / "tgt.md"
    src.write_text("蒸馏很便宜。\n\n中芯国际很大。\n", encoding="utf-8")
    tgt.write_text("Distillation is cheap.\n\nXintiandi is big.\n", encoding="utf-8")
    return {"tmx": tmx, "tb": termbase, "src": src, "tgt": tgt, "dir": tmp_path}


def test_extract_writes_csv_and_prints_json(files):
    out = files["dir"] / "cands.csv"
    result = CliRunner().invoke(cli, ["term", "extract", str(files["tmx"]), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert printed == rows
    assert ("蒸馏", "distillation") in {(r["source"], r["target"]) for r in rows}


def test_extract_table_and_top(files):
    out = files["dir"] / "cands.csv"
    result = CliRunner().invoke(
        cli, ["term", "extract", str(files["tmx"]), "-o", str(out), "--top", "2", "--min-count", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "candidates" in result.output
    with out.open(encoding="utf-8", newline="") as handle:
        kinds = Counter(row["kind"] for row in csv.DictReader(handle))
    assert kinds["term"] == 2 and kinds["name"] <= 2  # --top N keeps N of each kind


def test_extract_missing_input_is_one_clear_error(files):
    result = CliRunner().invoke(cli, ["term", "extract", str(files["dir"] / "nope.tmx"), "-o", "x.csv"])
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_check_tmx_json(files):
    result = CliRunner().invoke(
        cli, ["term", "check", str(files["tmx"]), "--termbase", str(files["tb"]), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    summary = report["summary"]
    assert (summary["expected"], summary["used"], summary["forbidden"]) == (4, 3, 1)
    assert summary["by_check"] == {"term-missing": 1, "forbidden-term": 1, "number-mismatch": 1}
    assert [s["id"] for s in report["segments"]] == ["b6.s0"]


def test_check_table_and_strict(files):
    args = ["term", "check", str(files["tmx"]), "--termbase", str(files["tb"])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "term accuracy" in result.output and "75.0%" in result.output
    assert CliRunner().invoke(cli, [*args, "--strict"]).exit_code == 1
    only = CliRunner().invoke(cli, [*args, "--check", "untranslated", "--strict", "--json"])
    assert only.exit_code == 0 and json.loads(only.output)["summary"]["by_check"] == {}


def test_check_two_documents(files):
    result = CliRunner().invoke(
        cli, ["term", "check", str(files["src"]), str(files["tgt"]), "--termbase", str(files["tb"]), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["segments"] == 2 and summary["forbidden"] == 1


def test_check_needs_aligned_file_or_two_documents(files):
    result = CliRunner().invoke(cli, ["term", "check", str(files["src"]), "--termbase", str(files["tb"])])
    assert result.exit_code == 2
    assert "aligned" in result.output
    bad = CliRunner().invoke(
        cli, ["term", "check", str(files["tmx"]), "--termbase", str(files["tb"]), "--check", "nope"]
    )
    assert bad.exit_code == 2 and "unknown check" in bad.output
