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
    srx = CliRunner().invoke(cli, [*args, "--tmx-srx", "omegat"])  # implies --tmx-markup text
    assert srx.exit_code == 0, srx.output
    assert read_tmx(out).header_properties["x-layout"] == "segments=sentence markup=text srx=omegat"
    bad = CliRunner().invoke(cli, [*args, "--tmx-srx", str(tmp_path / "none.srx")])
    assert bad.exit_code != 0 and "no SRX rules" in bad.output and "Traceback" not in bad.output


# --- units cut by SRX rules, as the CAT tool cuts its segments ---------------------------------

SRX_ZH = (
    "**所以这很糟糕吗？**\n\n"
    "我写了!我也读了。蒸馏是一种训练方法，它把大模型的知识传给小模型。\n\n"
    "> 混合专家模型很便宜。\n>\n> 它们也很快。\n"
)
SRX_EN = (
    "**So is this bad?**\n\n"
    "I did! I read it too. Distillation is a training method. It passes a big model's knowledge on.\n\n"
    "> Mixture of experts models are cheap.\n>\n> They are fast too.\n"
)


def test_srx_rules_cut_spans_without_the_whitespace_around() -> None:
    from termalign.align.srx import srx_rules

    rules = srx_rules("omegat")
    text = "**所以这很糟糕吗？**\n我写了!我也读了。“好。”对"
    assert [text[a:b] for a, b in rules.cut(text, "zh-Hans")] == [
        "**所以这很糟糕吗？",  # a stop breaks before closing markup,
        "**\n我写了!我也读了。",  # an ASCII '!' with no space after does not, nor one before a quote
        "“好。”对",
    ]
    english = "I met Mr. Smith, e.g. here. **Is it?** Yes.\nNo"
    assert [english[a:b] for a, b in rules.cut(english, "en")] == [
        "I met Mr. Smith, e.g. here.",
        "**Is it?** Yes.",
        "No",
    ]


def test_unknown_or_broken_srx_rules_are_one_sentence(tmp_path: Path) -> None:
    import pytest

    from termalign.align.srx import srx_rules
    from termalign.kernel.errors import ConfigError, DocumentError

    with pytest.raises(ConfigError, match="no SRX rules 'nope.srx'"):
        srx_rules("nope.srx")
    broken = tmp_path / "broken.srx"
    broken.write_text("<srx><body>", encoding="utf-8")
    with pytest.raises(DocumentError, match="cannot read the SRX rules"):
        srx_rules(str(broken))
    with pytest.raises(ConfigError, match="markup 'text'"):
        TmxLayout("sentence", "codes", "omegat")


def _srx_alignment() -> Alignment:
    return align_documents(
        read_string(SRX_ZH, path="s.zh.md", fmt="markdown", lang="zh"),
        read_string(SRX_EN, path="s.en.md", fmt="markdown", lang="en"),
    )


def test_srx_units_are_the_cat_segments_with_their_translation() -> None:
    alignment = _srx_alignment()
    units = {u.source: u for u in layout_units(alignment, TmxLayout("sentence", "text", "omegat"))}
    # '？' breaks before the closing '**': the markup rides with the text, its own segment is empty
    assert units["**所以这很糟糕吗？"].target == "**So is this bad?**"
    assert units["**"].target == "" and units["**"].prop("x-cut") == "markup"
    # one CAT segment over two of our sentences: both translations
    assert units["我写了!我也读了。"].target == "I did! I read it too."
    assert units["我写了!我也读了。"].prop("x-cut") == "group"
    # the line prefixes between two sentences go to the second one
    assert units[">\n> 它们也很快。"].target == ">\n> They are fast too."
    assert units["> 混合专家模型很便宜。"].target == "> Mixture of experts models are cheap."


def test_srx_units_pair_a_joined_bead_only_when_both_sides_cut_alike() -> None:
    alignment = _srx_alignment()
    joined = [b for b in alignment.beads if "蒸馏" in b.source][0]
    units = layout_units(alignment, TmxLayout("sentence", "text", "omegat"))
    sources = {u.source: u for u in units}
    assert len(joined.target_ids) == 2  # 1-2 bead: one zh segment, the two en sentences
    assert sources["蒸馏是一种训练方法，它把大模型的知识传给小模型。"].target == (
        "Distillation is a training method. It passes a big model's knowledge on."
    )
    # every unit's source is a segment of the file as the rules cut it, never a piece of one
    from termalign.align.srx import srx_rules

    rules = srx_rules("omegat")
    segments = {para[a:b] for para in SRX_ZH.split("\n\n") for a, b in rules.cut(para, "zh-Hans")}
    assert {u.source for u in units} <= segments


def test_a_group_of_several_segments_is_paired_only_by_equal_counts() -> None:
    from termalign.align.outputs.tmx import _pair
    from termalign.align.srx import srx_rules

    rules = srx_rules("omegat")
    assert _pair(["第一句。", "第二句。"], "One. Two.", rules, "en") == [
        ("第一句。", "One.", "counted"),
        ("第二句。", "Two.", "counted"),
    ]
    assert _pair(["第一句。", "第二句。"], "One and two.", rules, "en") == []  # no guess
    assert _pair(["整段。"], "The whole.", rules, "en") == [("整段。", "The whole.", "group")]
