"""The HTML reader: blocks, kinds, links, images, entities and tolerance of broken markup."""

from __future__ import annotations

import time

import pytest
from doc_invariants import check_offsets

from termalign.align import BlockKind, Document, read_string

# Built like a news-site export: a comment, a byline with <br>, an image, a
# caption in <small>, bold questions, answers with links, an italic notice.
PAGE = (
    "<!--1700000000000-->\n"
    '<div><i>  作者<br>2025-02-01T12:00:00.000Z</i></div><img src="https://img.example/a.jpg" width="100%">'
    '<div><small style="color: #999;">图片说明文字。</small></div>'
    "<p><strong>记者：这是第一个问题吗？还有补充。</strong></p>"
    '<p>回答的第一句。<a href="https://example.com/x" rel="ArticleRef">链接文字</a>在这里。第三句</p>'
    "<p>。</p><p><em>版权声明在此。</em></p><br><hr>"
    '<div>更多：<br><a href="https://feed.example" target="_blank">https://feed.example</a><br></div>'
)


def html(text: str, **kwargs: str) -> Document:
    doc = read_string(text, fmt="html", **kwargs)
    check_offsets(doc)
    return doc


def test_news_page_structure() -> None:
    doc = html(PAGE, path="page.html")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, "作者 2025-02-01T12:00:00.000Z"),
        (BlockKind.CAPTION, "图片说明文字。"),
        (BlockKind.HEADING, "记者：这是第一个问题吗？ 还有补充。"),
        (BlockKind.PARAGRAPH, "回答的第一句。 链接文字在这里。 第三句"),
        (BlockKind.PARAGRAPH, "版权声明在此。"),
        (BlockKind.PARAGRAPH, "更多： https://feed.example"),
    ]
    assert doc.lang == "zh" and doc.format == "html"
    assert [PAGE[s:e] for s, e in doc.images] == ['<img src="https://img.example/a.jpg" width="100%">']


def test_sentence_spans_cover_inline_markup() -> None:
    doc = html(PAGE)
    answer = doc.blocks[3]
    raws = [doc.text[s.start : s.end] for s in answer.sentences]
    assert raws == [
        "回答的第一句。",
        '<a href="https://example.com/x" rel="ArticleRef">链接文字</a>在这里。',
        "第三句",
    ]
    assert answer.sentences[1].urls == ("https://example.com/x",)
    assert answer.urls == ("https://example.com/x",)
    question = doc.blocks[2]
    assert doc.text[question.start : question.end].startswith("<strong>记者")
    assert doc.text[question.start : question.end].endswith("</strong>")


def test_br_is_a_sentence_boundary() -> None:
    doc = html(PAGE)
    assert [s.text for s in doc.blocks[0].sentences] == ["作者", "2025-02-01T12:00:00.000Z"]


def test_entities_and_code() -> None:
    doc = html("<p>Fish &amp; chips cost &#36;5. Use <code>pip install</code> now.</p>")
    assert [s.text for s in doc.sentences] == ["Fish & chips cost $5.", "Use pip install now."]
    assert doc.sentences[1].codes == ("pip install",)


def test_lists_headings_quotes_tables() -> None:
    doc = html(
        "<h2>Title here</h2><ul><li>one<ul><li>two</li></ul></li></ul>"
        "<blockquote><p>Quoted.</p><blockquote>Deeper.</blockquote></blockquote>"
        "<table><tr><td>cell</td></tr></table><figure><figcaption>A caption.</figcaption></figure>"
    )
    assert [(b.kind, b.depth, b.text) for b in doc.blocks] == [
        (BlockKind.HEADING, 0, "Title here"),
        (BlockKind.LIST_ITEM, 1, "one"),
        (BlockKind.LIST_ITEM, 2, "two"),
        (BlockKind.QUOTE, 1, "Quoted."),
        (BlockKind.QUOTE, 2, "Deeper."),
        (BlockKind.TABLE_CELL, 0, "cell"),
        (BlockKind.CAPTION, 0, "A caption."),
    ]


def test_scripts_styles_and_comments_are_not_text() -> None:
    doc = html(
        "<style>p { color: red; }</style><script>var a = '<p>x</p>';</script>"
        "<p>Visible<!-- hidden --> text.</p>"
    )
    assert [b.text for b in doc.blocks] == ["Visible text."]


@pytest.mark.parametrize(
    "text",
    [
        "<p>one<p>two<div>three",
        "<p>unclosed <b>bold and <a href='x'>link",
        "<div><p>text</div></p></span></b>",
        "<p>text <div",
        "<p>text <!-- never closed",
        "</p></div>stray end tags first. Then text.",
        "<p>a &unknown; &#xZZ; & b</p>",
    ],
)
def test_broken_markup_does_not_crash(text: str) -> None:
    started = time.perf_counter()
    doc = html(text)
    assert time.perf_counter() - started < 1.0
    assert doc.blocks


def test_unclosed_paragraphs_become_separate_blocks() -> None:
    doc = html("<p>one<p>two<div>three")
    assert [b.text for b in doc.blocks] == ["one", "two", "three"]


def test_markdown_preamble_before_html_body() -> None:
    text = "<!--1-->\n[标题文字](https://example.com/t)\n------\n\n<div>正文内容。</div><p><strong>问题？</strong></p>\n"
    doc = read_string(text, path="article.txt", fmt="html")
    check_offsets(doc)
    assert doc.format == "html"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.HEADING, "标题文字"),
        (BlockKind.PARAGRAPH, "正文内容。"),
        (BlockKind.HEADING, "问题？"),
    ]
