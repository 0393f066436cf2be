"""TMX layouts for CAT tools: sentence / paragraph / both units, markup as codes or as the file's text."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from termalign.align.aligner import Alignment, align_documents
from termalign.align.outputs.tmx import TmxLayout, layout_units, write
from termalign.align.reader import read_string
from termalign.align.tmx import read_tmx
from termalign.cli import _register, cli

ZH = (
    "# 蒸馏是什么？\n\n"
    "蒸馏是一种训练方法。它把**大模型**的知识传给小模型。\n\n"
    "> 混合专家模型很便宜。\n> 它们也[很快](https://example.org/fast)。\n\n"
    "- 第一点很重要。\n- 第二点也重要。\n"
)
EN = (
    "# What is distillation?\n\n"
    "Distillation is a training method. It passes a **big model**'s knowledge to a small model.\n\n"
    "> Mixture of experts models are cheap.\n> They are [fast](https://example.org/fast) too.\n\n"
    "- The first point matters.\n- The second point matters too.\n"
)


def _alignment() -> Alignment:
    return align_documents(
        read_string(ZH, path="doc.zh.md", fmt="markdown", lang="zh"),
        read_string(EN, path="doc.en.md", fmt="markdown", lang="en"),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_text_units_are_the_files_own_characters_and_tile_each_paragraph() -> None:
    units = layout_units(_alignment(), TmxLayout("sentence", "text"))
    assert [u.source for u in units] == [
        "# 蒸馏是什么？",
        "蒸馏是一种训练方法。",
        "它把**大模型**的知识传给小模型。",
        "> 混合专家模型很便宜。",
        "> 它们也[很快](https://example.org/fast)。",
        "- 第一点很重要。",
        "- 第二点也重要。",
    ]
    for unit in units:
        assert unit.source in ZH and unit.target in EN  # literal: markup, URLs and line prefixes kept
    # the cuts of a paragraph put together give the paragraph back (only whitespace between them)
    assert _squash("".join(u.source for u in units)) == _squash(ZH)
    assert _squash("".join(u.target for u in units)) == _squash(EN)
    assert units[5].target == "- The first point matters."


def test_paragraph_units_pair_paragraphs_and_say_segtype_paragraph(tmp_path: Path) -> None:
    out = tmp_path / "doc.tmx"
    write(_alignment(), out, TmxLayout("both", "text"))
    header = etree.parse(str(out)).getroot().find("header")
    assert header is not None and header.get("segtype") == "paragraph"
    units = read_tmx(out).units
    paragraphs = [u for u in units if u.prop("x-kind") == "paragraph"]
    assert [u.source for u in paragraphs] == [p.strip() for p in ZH.split("\n\n")]
    assert [u.target for u in paragraphs] == [p.strip() for p in EN.split("\n\n")]
    assert units[: len(paragraphs)] == tuple(paragraphs)  # paragraphs first, sentences after
    assert len(units) == len(paragraphs) + 7


def test_paragraph_units_with_codes_join_the_visible_text() -> None:
    units = layout_units(_alignment(), TmxLayout("paragraph", "codes"))
    assert units[1].source == "蒸馏是一种训练方法。它把大模型的知识传给小模型。"
    assert units[1].target.startswith("Distillation is a training method. It passes a big model")


def test_a_paragraph_whose_sentences_go_to_two_paragraphs_gets_no_paragraph_unit() -> None:
    zh = "蒸馏是一种训练方法。它把大模型的知识传给小模型。\n\n第二段。\n"
    en = (
        "Distillation is a training method.\n\n"
        "It passes a big model's knowledge to a small model.\n\nAnother.\n"
    )
    alignment = align_documents(
        read_string(zh, path="a.zh.md", fmt="markdown", lang="zh"),
        read_string(en, path="a.en.md", fmt="markdown", lang="en"),
    )
    assert [len(b.source_ids) for b in alignment.beads[:2]] == [1, 1]  # one zh paragraph, two en ones
    units = layout_units(alignment, TmxLayout("both", "text"))
    assert "蒸馏是一种训练方法。它把大模型的知识传给小模型。" not in {u.source for u in units}
    assert {"蒸馏是一种训练方法。", "它把大模型的知识传给小模型。"} <= {u.source for u in units}


def test_default_layout_is_sentence_units_with_inline_codes(tmp_path: Path) -> None:
    out = tmp_path / "doc.tmx"
    write(_alignment(), out)
    root = etree.parse(str(out)).getroot()
    assert root.find("header").get("segtype") == "sentence"  # type: ignore[union-attr]
    assert root.find(".//bpt") is not None
    assert "蒸馏是一种训练方法。" in {u.source for u in read_tmx(out).units}


def test_align_cli_writes_the_layout_asked_for(tmp_path: Path) -> None:
    _register()
    (tmp_path / "doc.zh.md").write_text(ZH, encoding="utf-8")
    (tmp_path / "doc.en.md").write_text(EN, encoding="utf-8")
    out, jsonl = tmp_path / "doc.tmx", tmp_path / "doc.jsonl"
    docs = [str(tmp_path / "doc.zh.md"), str(tmp_path / "doc.en.md")]
    args = ["align", *docs, "-o", str(out), "-o", str(jsonl)]
    result = CliRunner().invoke(cli, [*args, "--tmx-segments", "both", "--tmx-markup", "text"])
    assert result.exit_code == 0, result.output
    assert jsonl.is_file()
    sources = {u.source for u in read_tmx(out).units}
    assert "它把**大模型**的知识传给小模型。" in sources and "# 蒸馏是什么？" in sources
    assert read_tmx(out).header_properties["x-layout"] == "segments=both markup=text"
