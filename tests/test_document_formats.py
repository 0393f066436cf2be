"""The contract every registered document format keeps (one suite, run on each format).

A format added to ``termalign.align.documents.REGISTRY`` must bring samples here;
the suite then checks detection, valid offsets, a byte-for-byte identity write-back
and an exact protect/restore round trip of every sentence's inline markup.
"""

from __future__ import annotations

import re

import pytest

from termalign.align.documents import REGISTRY, detect_format, format_names, get_format
from termalign.align.documents.writeback import identity_translations
from termalign.align.reader import read_string
from termalign.kernel.errors import ConfigError, DocumentError
from termalign.translator.markup import protect, restore

# format name -> (file name used for detection, sample texts); every registered format needs an entry.
SAMPLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "markdown": (
        "doc.md",
        (
            "---\ntitle: 测试\n---\n# 标题\n\n这是**第一句**。这是[第二句](https://example.com)。\n\n"
            "> 引用的话。\n\n- 列表项一。\n- 列表项二，含 `code`。\n",
            'A line with *emphasis* and a [link](http://x.org "t").  Second sentence here.\n\n'
            "```python\nprint('code is kept')\n```\n\n1. First item.\n2. Second item.\n",
        ),
    ),
    "html": (
        "page.html",
        (
            "<!DOCTYPE html><html><body><h1>标题</h1><p>第一句。<b>第二句</b>有<a href='x'>链接</a>。</p>"
            "<ul><li>项目&amp;一。</li></ul></body></html>",
            "<p>One sentence.<br>Another one with <em>stress</em> &copy; 2024.</p>\n<pre>kept</pre>\n",
        ),
    ),
    "lines": (
        "sentences.txt",
        (
            "第一句。\n第二句，没有空行。\n1. 这是一句，不是列表项。\n",
            "1. The team leader spoke first.\nThen, the value of 5 was set.\n- A third line ends here.\n",
        ),
    ),
    "xliff": (
        "doc.xlf",
        (
            '<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
            '<file original="a" source-language="zh" datatype="plaintext"><body>\n'
            '<trans-unit id="1"><source>第一句 &amp; <g id="1">粗体</g>。</source></trans-unit>\n'
            '<trans-unit id="2"><source><x id="1"/>见<bpt id="2">&lt;b&gt;</bpt>论文<ept id="2">&lt;/b&gt;'
            "</ept>。</source><target>旧的</target></trans-unit>\n</body></file></xliff>\n",
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">'
            '<file id="f"><unit id="u"><segment><source>One <pc id="1">bold</pc> word<ph id="2"/>.'
            "</source></segment></unit></file></xliff>\n",
        ),
    ),
    "text": (
        "notes.txt",
        (
            "第一行。第二句。\n\n第二段的内容。\n",
            "Plain text, with * and _ and [brackets] that are not markup.\nSecond line.\n",
        ),
    ),
}


def test_every_registered_format_has_samples() -> None:
    assert set(SAMPLES) == set(REGISTRY), "a new document format must add its samples to SAMPLES"
    assert format_names() == tuple(REGISTRY)
    assert format_names()[-1] == "text"  # the fallback claims everything, so it is asked last


CASES = [(name, text) for name, (_, texts) in SAMPLES.items() for text in texts]


@pytest.mark.parametrize(("name", "text"), CASES)
def test_detected_from_its_file_name(name: str, text: str) -> None:
    assert detect_format(SAMPLES[name][0], text) == name


@pytest.mark.parametrize(("name", "text"), CASES)
def test_offsets_are_valid_and_in_order(name: str, text: str) -> None:
    doc = read_string(text, fmt=name, path=SAMPLES[name][0])
    assert doc.format == name
    assert doc.sentences, "every sample has at least one sentence"
    previous_end = 0
    for sentence in sorted(doc.sentences, key=lambda s: s.start):
        assert 0 <= previous_end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end].strip(), "a sentence spans some text"
        previous_end = sentence.end


@pytest.mark.parametrize(("name", "text"), CASES)
def test_identity_write_back_is_byte_for_byte(name: str, text: str) -> None:
    doc = read_string(text, fmt=name, path=SAMPLES[name][0])
    # join_space=False: the identity "translation" is in the source language, which may be Chinese.
    written = get_format(name).write_back(doc, identity_translations(doc), join_space=False)
    if name == "xliff":  # bilingual: the write-back is the targets; outside them the file is unchanged
        assert re.findall(r"<target\b[^>]*>(.*?)</target>", written) == re.findall(
            r"<source\b[^>]*>(.*?)</source>", text
        )
        written = re.sub(r"\s*<target\b[^>]*>.*?</target>", "", written)
        text = re.sub(r"\s*<target\b[^>]*>.*?</target>", "", text)
        text, written = (re.sub(r'\s(state|subState)="[^"]*"', "", t) for t in (text, written))
    assert written == text
    assert get_format(name).write_back(doc, {}) == doc.text


@pytest.mark.parametrize(("name", "text"), CASES)
def test_inline_markup_round_trips_through_placeholders(name: str, text: str) -> None:
    doc = read_string(text, fmt=name, path=SAMPLES[name][0])
    for sentence in doc.sentences:
        raw = text[sentence.start : sentence.end]
        pieces = get_format(name).inline(raw)
        assert "".join(p.raw for p in pieces) == raw, "the inline pieces tile the source"
        protected = protect(raw, name)
        restored = restore(protected.text, protected)
        assert restored.ok and restored.text == raw


def test_write_back_replaces_only_the_translated_sentence() -> None:
    text = SAMPLES["markdown"][1][0]
    doc = read_string(text, fmt="markdown", path="doc.md")
    first = min(doc.sentences, key=lambda s: s.start)
    out = get_format("markdown").write_back(doc, {first.id: "TRANSLATED"})
    assert out == text[: first.start] + "TRANSLATED" + text[first.end :]


def test_unknown_format_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown document format 'docx'"):
        get_format("docx")
    with pytest.raises(DocumentError, match="unknown document format"):
        read_string("x", fmt="docx")


def test_plain_text_stray_delimiters_are_text_not_markup() -> None:
    raw = "Plain text, with * and _ and [brackets] that are not markup."
    assert protect(raw, "text").placeholders == ()
    assert protect("A **bold** word.", "markdown").placeholders
