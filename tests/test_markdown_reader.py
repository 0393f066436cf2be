"""The markdown reader: structure, metadata, visible text and offsets into the source."""

from __future__ import annotations

from doc_invariants import check_offsets
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align import BlockKind, Document, read_string


def md(text: str, lang: str | None = None) -> Document:
    doc = read_string(text, fmt="markdown", lang=lang)
    check_offsets(doc)
    return doc


def raw(doc: Document, sent_index: int) -> str:
    s = doc.sentences[sent_index]
    return doc.text[s.start : s.end]


FRONT = """---
title: '一篇测试文章'
date: 2025-01-31
summary: "摘要在这里"
tags:
  - a
---
**这是一个问题吗?**

是的!这是回答。
"""


def test_front_matter_is_metadata_not_blocks() -> None:
    doc = md(FRONT)
    assert doc.metadata == {"title": "一篇测试文章", "date": "2025-01-31", "summary": "摘要在这里"}
    assert [b.kind for b in doc.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH]
    assert doc.blocks[0].start == FRONT.index("**这是")
    assert [s.text for s in doc.blocks[1].sentences] == ["是的!", "这是回答。"]


def test_broken_front_matter_does_not_crash() -> None:
    doc = md("---\ntitle: [unclosed\n  : : :\n---\nBody text here.\n")
    assert doc.metadata == {}
    assert [b.text for b in doc.blocks] == ["Body text here."]


def test_scrape_header_is_metadata() -> None:
    text = (
        "Title: A Test Page\n\nURL Source: https://example.com/page/\n\n"
        "Published Time: 2025-01-27T14:05:14+00:00\n\nMarkdown Content:\n"
        "**Why is this here?**\n\nBecause it is. Really.\n"
    )
    doc = md(text)
    assert doc.metadata == {
        "title": "A Test Page",
        "url": "https://example.com/page/",
        "published": "2025-01-27T14:05:14+00:00",
    }
    assert [b.kind for b in doc.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH]
    assert [s.text for s in doc.sentences] == ["Why is this here?", "Because it is.", "Really."]


def test_headings_quotes_and_lists() -> None:
    text = (
        "# Title\n\nPara.\n\n> Quote one.\n>\n> > Deeper quote.\n\n- item one\n  - nested item\n1. ordered\n"
    )
    doc = md(text)
    kinds = [(b.kind, b.depth, b.text) for b in doc.blocks]
    assert kinds == [
        (BlockKind.HEADING, 0, "Title"),
        (BlockKind.PARAGRAPH, 0, "Para."),
        (BlockKind.QUOTE, 1, "Quote one."),
        (BlockKind.QUOTE, 2, "Deeper quote."),
        (BlockKind.LIST_ITEM, 1, "item one"),
        (BlockKind.LIST_ITEM, 2, "nested item"),
        (BlockKind.LIST_ITEM, 1, "ordered"),
    ]
    assert [b.id for b in doc.blocks] == [f"b{i}" for i in range(7)]


def test_links_code_and_raw_slices() -> None:
    text = "**Bold start.** I wrote about `R1` [last week](https://example.com/a_(b)). Then more."
    doc = md(text)
    first, second, third = doc.sentences
    assert (first.text, second.text, third.text) == (
        "Bold start.",
        "I wrote about R1 last week.",
        "Then more.",
    )
    assert raw(doc, 0) == "**Bold start.**"
    assert raw(doc, 1) == "I wrote about `R1` [last week](https://example.com/a_(b))."
    assert second.urls == ("https://example.com/a_(b)",) and second.codes == ("R1",)
    assert doc.blocks[0].urls == ("https://example.com/a_(b)",)
    assert doc.blocks[0].kind is BlockKind.PARAGRAPH  # not entirely bold
    assert second.id == "b0.s1"


def test_sentence_boundary_inside_bold_splits_the_markup() -> None:
    doc = md("**现在是星期一。你为什么还没写?**")
    assert doc.blocks[0].kind is BlockKind.HEADING
    assert [raw(doc, 0), raw(doc, 1)] == ["**现在是星期一。", "你为什么还没写?**"]


def test_escapes_are_visible_characters() -> None:
    doc = md("Both `R1` and `R1`\\-Zero matter &amp; more.")
    assert doc.sentences[0].text == "Both R1 and R1-Zero matter & more."
    assert doc.sentences[0].codes == ("R1",)


def test_images_are_recorded_and_image_only_paragraphs_give_no_block() -> None:
    text = "![图片](/img/a.png)\n\nText with ![x](b.png) an image.\n"
    doc = md(text)
    assert [b.text for b in doc.blocks] == ["Text with an image."]
    assert [text[s:e] for s, e in doc.images] == ["![图片](/img/a.png)", "![x](b.png)"]


def test_html_blocks_are_delegated() -> None:
    text = "[标题](https://example.com/x)\n------\n\n<!--123-->\n<p><strong>问题是什么？</strong></p><p>回答。</p>\n"
    doc = md(text)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.HEADING, "标题"),
        (BlockKind.HEADING, "问题是什么？"),
        (BlockKind.PARAGRAPH, "回答。"),
    ]
    assert raw(doc, 1) == "<strong>问题是什么？</strong>"


def test_soft_breaks_join_chinese_without_space_and_english_with_one() -> None:
    doc = md("第一行\n第二行。\n\nline one\nline two.\n")
    assert [b.text for b in doc.blocks] == ["第一行第二行。", "line one line two."]


def test_norm_is_simplified_and_folded_for_chinese() -> None:
    doc = md("這是繁體（測試），好嗎？")
    assert doc.lang == "zh" and doc.script == "Hant"
    assert doc.sentences[0].text == "這是繁體（測試），好嗎？"
    assert doc.sentences[0].norm == "这是繁体(测试),好吗?"
    assert md("Plain English.").sentences[0].norm == ""


def test_crlf_offsets() -> None:
    text = "---\r\ntitle: x\r\n---\r\n> Quoted line one\r\n> continues here. Second.\r\n\r\nLast.\r\n"
    doc = md(text)
    assert [s.text for s in doc.sentences] == ["Quoted line one continues here.", "Second.", "Last."]
    assert raw(doc, 0) == "Quoted line one\r\n> continues here."


def test_table_cells() -> None:
    doc = md("| a | a |\n|---|---|\n| cell one | cell two |\n")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.TABLE_CELL, "a"),
        (BlockKind.TABLE_CELL, "a"),
        (BlockKind.TABLE_CELL, "cell one"),
        (BlockKind.TABLE_CELL, "cell two"),
    ]
    assert doc.blocks[1].start == 6


_FRAGMENTS = [
    "文字",
    "text",
    "。",
    ". ",
    "! ",
    "？",
    "**",
    "*",
    "`code`",
    "[link](http://x.y/z)",
    "![i](p.png)",
    "\\-",
    "&amp;",
    " ",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "# ",
    "<b>",
    "</b>",
    "U.S. ",
    "3.5",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join))
def test_offsets_invariant_on_random_markdown(text: str) -> None:
    md(text)
