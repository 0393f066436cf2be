"""Alignment writers: write, re-read with an independent parser, compare (one contract suite)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from termalign.align.aligner import Alignment
from termalign.align.beads import Bead
from termalign.align.costs import AlignConfig
from termalign.align.outputs import WRITERS, write_alignment
from termalign.align.outputs.html import render
from termalign.kernel.errors import ConfigError

TRICKY = 'Fish & chips <b>bold</b> "quoted" \t tab'


def _alignment() -> Alignment:
    beads = (
        Bead(
            ("b0.s0",),
            ("b0.s0",),
            "现在是1月27日星期一。",
            "It's Monday, January 27.",
            0.93,
            "b0",
            False,
            "1-1",
        ),
        Bead(("b1.s0", "b1.s1"), ("b1.s0",), "甲；乙。", TRICKY, 0.31, "b1", True, "2-1"),
        Bead(("b2.s0",), (), "这是一张图片。", "", 0.05, "b2", True, "1-0"),
        Bead((), ("b3.s0",), "", "— Someone (@someone) <script>alert(1)</script>", 0.04, "b3", True, "0-1"),
    )
    config = AlignConfig()
    return Alignment(beads, "doc.zh.md", "doc.en.md", "zh", "en", config, {"tool": "termalign", "band": "20"})


@pytest.fixture()
def alignment() -> Alignment:
    return _alignment()


def test_tmx_is_read_back_by_translate_toolkit(tmp_path: Path, alignment: Alignment) -> None:
    out = tmp_path / "a.tmx"
    write_alignment(alignment, out)
    store = tmxfile(out.read_bytes(), sourcelanguage="zh-Hans", targetlanguage="en")
    units = store.units
    assert len(units) == 2  # 1-0 and 0-1 beads are not translation units
    assert units[0].source == "现在是1月27日星期一。"
    assert units[0].target == "It's Monday, January 27."
    assert units[1].target == TRICKY


def test_tmx_header_and_unit_properties(tmp_path: Path, alignment: Alignment) -> None:
    out = tmp_path / "a.tmx"
    write_alignment(alignment, out)
    root = etree.parse(str(out)).getroot()
    header = root.find("header")
    assert header is not None and header.get("srclang") == "zh-Hans"
    header_props = {p.get("type"): p.text for p in header.findall("prop")}
    assert header_props["x-tool"] == "termalign" and header_props["x-band"] == "20"
    tu = root.findall("body/tu")[1]
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props == {
        "x-score": "0.3100",
        "x-source-ids": "b1.s0 b1.s1",
        "x-target-ids": "b1.s0",
        "x-block": "b1",
        "x-kind": "2-1",
        "x-flagged": "yes",
    }
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tu.findall("tuv")]
    assert langs == ["zh-Hans", "en"]


def test_jsonl_round_trip(tmp_path: Path, alignment: Alignment) -> None:
    out = tmp_path / "a.jsonl"
    write_alignment(alignment, out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(alignment.beads)
    for record, bead in zip(records, alignment.beads, strict=True):
        assert record == {
            "source": bead.source,
            "target": bead.target,
            "score": bead.score,
            "source_ids": list(bead.source_ids),
            "target_ids": list(bead.target_ids),
            "block": bead.block_id,
            "kind": bead.kind,
            "flagged": bead.flagged,
        }


def test_tsv_round_trip(tmp_path: Path, alignment: Alignment) -> None:
    out = tmp_path / "a.tsv"
    write_alignment(alignment, out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == len(alignment.beads)
    assert rows[0]["source"] == "现在是1月27日星期一。"
    assert rows[1]["source_ids"] == "b1.s0 b1.s1" and rows[1]["kind"] == "2-1" and rows[1]["flagged"] == "1"
    assert "\t" not in rows[1]["target"] and rows[1]["target"].startswith("Fish & chips <b>bold</b>")
    assert rows[2]["target"] == "" and rows[2]["target_ids"] == ""


def test_html_is_well_formed_and_escaped(tmp_path: Path, alignment: Alignment) -> None:
    out = tmp_path / "a.html"
    write_alignment(alignment, out)
    text = out.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(text)
    rows = doc.xpath("//tbody/tr")
    assert len(rows) == len(alignment.beads)
    assert len(doc.xpath("//tr[contains(@class, 'flagged')]")) == 3
    assert len(doc.xpath("//tr[contains(@class, 'unaligned')]")) == 2
    assert len(doc.xpath("//span[@class='missing']")) == 2
    assert not doc.xpath("//script")  # the text's <script> stayed text
    assert "<script>alert(1)</script>" in doc.text_content()
    assert "<b>bold</b>" in rows[1].text_content()
    summary = doc.xpath("//dl[@class='summary']")[0].text_content()
    assert "Flagged" in summary and "Unaligned" in summary
    assert render(alignment).startswith("<!DOCTYPE html>")


def test_unknown_extension_is_a_config_error(tmp_path: Path, alignment: Alignment) -> None:
    with pytest.raises(ConfigError, match=r"\.docx"):
        write_alignment(alignment, tmp_path / "a.docx")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_writes_are_atomic_and_replace_old_files(tmp_path: Path, alignment: Alignment, suffix: str) -> None:
    out = tmp_path / "sub" / f"a{suffix}"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    write_alignment(alignment, out)
    assert out.read_text(encoding="utf-8") != "old"
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary files left behind
