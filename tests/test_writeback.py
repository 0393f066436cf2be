"""Writing translations back: identity is byte for byte, markup and front matter survive."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.documents.writeback import (
    front_matter_span,
    identity_translations,
    rebuild,
    replace_front_matter,
    translate_front_matter,
)
from termalign.kernel.errors import ConfigError, DocumentError
from termalign.translator.identity import IdentityEngine
from termalign.translator.markup import PLACEHOLDER_RE, protect, restore


def make_doc(text: str, blocks: list[list[str]], fmt: str = "markdown") -> Document:
    """A Document whose sentences are the given raw strings, found in order in ``text``."""
    cursor = 0
    built: list[Block] = []
    for b, raws in enumerate(blocks):
        sentences = []
        for k, raw in enumerate(raws):
            start = text.index(raw, cursor)
            cursor = start + len(raw)
            sentences.append(Sentence(f"b{b}.s{k}", raw, start, cursor))
        built.append(Block(f"b{b}", BlockKind.PARAGRAPH, sentences[0].start, cursor, tuple(sentences)))
    return Document(path="t.md", text=text, lang="zh", blocks=tuple(built), format=fmt)


MARKDOWN_DOC = """---
title: "模型蒸馏"
summary: 一篇关于蒸馏的短文
date: 2025-01-02
tags: [a, b]
---

# 什么是**蒸馏**？

> 蒸馏是一种方法。它把[大模型](https://e.org/big "Big")的知识传给小模型。

![示意图](img/distill.png)

- 第一项\\-说明。
- 使用 `train.py` 训练。
"""
MARKDOWN_BLOCKS = [
    ["什么是**蒸馏**？"],
    ["蒸馏是一种方法。", '它把[大模型](https://e.org/big "Big")的知识传给小模型。'],
    ["第一项\\-说明。"],
    ["使用 `train.py` 训练。"],
]

HTML_DOC = """<!DOCTYPE html>
<html><head><title>蒸馏</title></head>
<body>
<h1>什么是<em>蒸馏</em>？</h1>
<p>蒸馏是一种方法。它把<a href="https://e.org/big?a=1&amp;b=2">大模型</a>的知识传给小模型。<br>
<img src="x.png" alt="图"></p>
</body></html>
"""
HTML_BLOCKS = [
    ["什么是<em>蒸馏</em>？"],
    ["蒸馏是一种方法。", '它把<a href="https://e.org/big?a=1&amp;b=2">大模型</a>的知识传给小模型。'],
]


def fake_translate(raw: str, fmt: str) -> str:
    """Protect, 'translate' (words → X, placeholders kept), restore."""
    p = protect(raw, fmt)
    pieces = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(p.text):
        pieces.append(re.sub(r"\w+", "X", p.text[pos : m.start()]))
        pieces.append(m.group())
        pos = m.end()
    pieces.append(re.sub(r"\w+", "X", p.text[pos:]))
    r = restore("".join(pieces), p)
    assert r.ok
    return r.text


@pytest.mark.parametrize(
    ("text", "blocks", "fmt"), [(MARKDOWN_DOC, MARKDOWN_BLOCKS, "markdown"), (HTML_DOC, HTML_BLOCKS, "html")]
)
def test_identity_is_byte_for_byte(text: str, blocks: list[list[str]], fmt: str) -> None:
    doc = make_doc(text, blocks, fmt)
    assert rebuild(doc, identity_translations(doc), join_space=False) == text
    assert rebuild(doc, {}) == text


@pytest.mark.parametrize(
    ("text", "blocks", "fmt"), [(MARKDOWN_DOC, MARKDOWN_BLOCKS, "markdown"), (HTML_DOC, HTML_BLOCKS, "html")]
)
def test_identity_engine_through_the_whole_stack(text: str, blocks: list[list[str]], fmt: str) -> None:
    doc = make_doc(text, blocks, fmt)
    protected = [protect(text[s.start : s.end], fmt) for s in doc.sentences]
    outputs = IdentityEngine().translate_batch([p.text for p in protected])
    restored = [restore(h.best.text, p) for h, p in zip(outputs, protected, strict=True)]
    assert all(r.ok for r in restored)
    translations = {s.id: r.text for s, r in zip(doc.sentences, restored, strict=True)}
    assert rebuild(doc, translations, join_space=False) == text


def test_translation_keeps_links_images_and_everything_outside_sentences() -> None:
    doc = make_doc(MARKDOWN_DOC, MARKDOWN_BLOCKS)
    out = rebuild(doc, {s.id: fake_translate(doc.text[s.start : s.end], "markdown") for s in doc.sentences})
    assert out.startswith(MARKDOWN_DOC[: MARKDOWN_DOC.index("# ")])  # front matter untouched
    assert "# X**X**？\n" in out
    assert '[X](https://e.org/big "Big")' in out
    assert "\n![示意图](img/distill.png)\n" in out
    assert "- X\\-X。\n" in out and "`train.py`" in out
    assert "> X。 X" in out  # the no-space join rule


def test_html_translation_keeps_tags_and_attributes() -> None:
    doc = make_doc(HTML_DOC, HTML_BLOCKS, "html")
    out = rebuild(doc, {s.id: fake_translate(doc.text[s.start : s.end], "html") for s in doc.sentences})
    assert '<a href="https://e.org/big?a=1&amp;b=2">X</a>' in out
    assert "<h1>X<em>X</em>？</h1>" in out
    assert out.endswith('<br>\n<img src="x.png" alt="图"></p>\n</body></html>\n')


def test_join_space_rule() -> None:
    doc = make_doc("甲。乙。丙。\n丁。", [["甲。", "乙。", "丙。"], ["丁。"]])
    both = {"b0.s0": "A.", "b0.s1": "B.", "b1.s0": "D."}
    assert rebuild(doc, both) == "A. B.丙。\nD."
    assert rebuild(doc, both, join_space=False) == "A.B.丙。\nD."
    assert rebuild(doc, {"b0.s0": "A. ", "b0.s1": "B."}) == "A. B.丙。\n丁。"  # no double space


def test_unknown_ids_and_overlapping_spans_are_errors() -> None:
    doc = make_doc("甲。乙。", [["甲。", "乙。"]])
    with pytest.raises(DocumentError, match="b9.s9"):
        rebuild(doc, {"b9.s9": "x", "b0.s0": "A."})
    bad = Document(
        "t",
        "abc",
        "en",
        (Block("b0", BlockKind.PARAGRAPH, 0, 3, (Sentence("b0.s0", "", 0, 2), Sentence("b0.s1", "", 1, 3))),),
    )
    with pytest.raises(DocumentError, match="overlaps"):
        rebuild(bad, {})


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=0, max_size=5), st.text(min_size=1, max_size=8)), min_size=1, max_size=8
    ),
    st.text(max_size=5),
)
def test_identity_property_on_random_layouts(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(gap + sent for gap, sent in parts) + tail
    cursor, sentences = 0, []
    for k, (gap, sent) in enumerate(parts):
        start = cursor + len(gap)
        cursor = start + len(sent)
        sentences.append(Sentence(f"b0.s{k}", sent, start, cursor))
    doc = Document("t", text, "zh", (Block("b0", BlockKind.PARAGRAPH, 0, cursor, tuple(sentences)),))
    assert rebuild(doc, identity_translations(doc), join_space=False) == text


# ------------------------------------------------------------ front matter


def test_front_matter_title_and_summary_translated_and_valid() -> None:
    doc = make_doc(MARKDOWN_DOC, MARKDOWN_BLOCKS)
    names = {"模型蒸馏": 'Model "distillation"', "一篇关于蒸馏的短文": "A short note: on distillation"}
    out = translate_front_matter(doc, names.__getitem__)
    span = front_matter_span(out)
    assert span is not None
    data = yaml.safe_load(out[span[0] : span[1]])
    assert data["title"] == 'Model "distillation"' and data["summary"] == "A short note: on distillation"
    assert 'title: "Model \\"distillation\\""\n' in out  # double quotes kept
    assert "summary: " in out and "date: 2025-01-02\ntags: [a, b]\n---\n" in out
    assert out[span[1] :] == MARKDOWN_DOC[MARKDOWN_DOC.index("---\n\n#") :]


def test_front_matter_quoting_styles_and_block_scalars() -> None:
    text = "---\ntitle: '甲'\nsummary: >\n  乙\n  丙\nother: 丁\n---\nbody\n"
    out = replace_front_matter(text, lambda s: f"it's {s}")
    assert "title: 'it''s 甲'\n" in out
    assert "summary: it's 乙 丙\n" in out
    assert out.endswith("other: 丁\n---\nbody\n")
    assert yaml.safe_load(out.split("---\n")[1])["summary"] == "it's 乙 丙"


def test_front_matter_plain_value_needing_quotes_is_quoted() -> None:
    out = replace_front_matter("---\ntitle: 甲\n---\n", lambda s: "#1: [x]")
    assert out == '---\ntitle: "#1: [x]"\n---\n'


def test_no_front_matter_is_unchanged() -> None:
    text = "# 标题\n\n正文。\n"
    assert replace_front_matter(text, str.upper) == text


def test_front_matter_with_crlf_keeps_line_endings() -> None:
    text = "---\r\ntitle: 甲\r\nsummary: 乙\r\n---\r\nbody\r\n"
    assert replace_front_matter(text, lambda s: "T") == "---\r\ntitle: T\r\nsummary: T\r\n---\r\nbody\r\n"


# ------------------------------------------------------- with the real reader

SAMPLES = [
    ("sample.md", MARKDOWN_DOC),
    (
        "sample.md",
        "# 标题\n\n第一句。第二句**加粗**。第三句见[链接](https://e.org/a_b)。\n\n"
        "1. 项目\\-一。\n2. 项目二。\n",
    ),
    ("sample.html", HTML_DOC),
]


@pytest.mark.parametrize(("path", "text"), SAMPLES)
def test_reader_documents_round_trip(path: str, text: str) -> None:
    reader = pytest.importorskip("termalign.align.reader")
    doc = reader.read_string(text, path=path)
    assert doc.sentences, "the reader found no sentences"
    assert rebuild(doc, identity_translations(doc), join_space=False) == text
    protected = {s.id: protect(doc.text[s.start : s.end], doc.format) for s in doc.sentences}
    restored = {sid: restore(p.text, p) for sid, p in protected.items()}
    assert all(r.ok for r in restored.values())
    assert rebuild(doc, {sid: r.text for sid, r in restored.items()}, join_space=False) == text


@pytest.mark.parametrize(("path", "text"), SAMPLES)
def test_reader_documents_translated_keep_urls(path: str, text: str) -> None:
    reader = pytest.importorskip("termalign.align.reader")
    doc = reader.read_string(text, path=path)
    out = rebuild(doc, {s.id: fake_translate(doc.text[s.start : s.end], doc.format) for s in doc.sentences})
    for url in re.findall(r"https://[\w./?=&;-]+", text):
        assert url in out
    for image in ("img/distill.png", 'src="x.png"'):
        assert (image in text) == (image in out)


def test_identity_engine_meets_the_engine_protocol() -> None:
    from termalign.translator.engine import Engine

    engine = IdentityEngine()
    assert isinstance(engine, Engine)
    out = engine.translate_batch(["甲。", "乙。"], target_prefixes=[None, "Pre "], num_hypotheses=3)
    assert [h.best.text for h in out] == ["甲。", "Pre 乙。"]
    assert engine.signature["model_id"] == engine.model_id == "identity"
    assert (engine.batches, engine.segments) == (1, 2)
    with pytest.raises(ConfigError):
        engine.translate_batch(["x"], instructions=["a", "b"])
