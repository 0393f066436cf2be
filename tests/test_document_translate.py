"""Whole documents: identity is byte for byte; markup, links, images, code and front matter survive."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from termalign.align.document import Document
from termalign.align.reader import read_document, read_string
from termalign.termbase.model import Entry, Status
from termalign.termbase.store import Termbase
from termalign.translator.document import assemble, plan_segments, translate_document
from termalign.translator.engine import Hypotheses, Hypothesis, per_segment
from termalign.translator.identity import IdentityEngine
from termalign.translator.markup import PLACEHOLDER_RE
from termalign.translator.terms import TermAwareTranslator, TranslateConfig

MARKDOWN = """---
title: "蒸馏的故事"
summary: 一篇关于模型蒸馏的短文
date: 2025-01-02
tags: [a, b]
---

# 什么是**蒸馏**？

![示意图](https://example.org/img/distill.png)

蒸馏是一种方法。它把[大模型](https://example.org/big "Big")的知识传给小模型。

> 使用 `train.py` 训练学生模型。

- 第一项：**重要**的说明。
- DeepSeek-V3
"""

PLAIN = "第一段的第一句。第一段的第二句。\n\n第二段只有一句。\n\nOpenAI o1\n第三段，没有空行分隔。\n"

HTML_IN_MARKDOWN = """<!--1738414025000-->
[专访：模型为何能够脱颖而出](https://example.org/zh/a-1)
------

<div><i>  作者<br>2025-02-01T12:20:12.008Z</i></div><img src="https://example.org/x.jpg" width="100%"><div><small style="color: #999;">这是一张图片的说明。</small></div><p><strong>记者：有人称它为“神秘力量”。您怎么看？</strong></p><p>专家：我认为完全有可能。<a href="https://example.org/p?a=1&amp;b=2" target="_blank">这里</a>有更多<em>细节</em>。</p>
"""  # noqa: E501 - 004's body is one long line of HTML, kept as such

HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


class ShoutEngine:
    """A real engine that upper-cases the text and turns each run of Chinese into ``WORD``.

    Upper-casing also turns ``<g1>`` into ``<G1>``: restore must accept that.
    """

    @property
    def model_id(self) -> str:
        return "shout"

    @property
    def signature(self) -> dict[str, Any]:
        return {"engine": "shout", "model": "shout"}

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        per_segment(instructions, len(segments), "instructions")
        return [
            Hypotheses(s, (Hypothesis(HAN_RUN.sub("WORD", s.upper()).strip(), 0.0, 1),)) for s in segments
        ]


def identity(doc: Document) -> str:
    # The listed glossary, amounts as written: the identity engine ignores instructions but would
    # echo whatever is written into the source.
    config = TranslateConfig(term_injection="list", term_repair="demand", inline_numbers=False)
    return translate_document(doc, TermAwareTranslator(IdentityEngine(), _termbase(), config=config)).text


def _termbase() -> Termbase:
    return Termbase.memory([Entry("蒸馏", "distillation", status=Status.APPROVED)])


@pytest.mark.parametrize(
    ("text", "fmt"),
    [(MARKDOWN, "markdown"), (PLAIN, "text"), (HTML_IN_MARKDOWN, "markdown"), ("\ufeff" + PLAIN, "text")],
)
def test_identity_reproduces_the_document_byte_for_byte(text: str, fmt: str) -> None:
    doc = read_string(text, path="doc.md", fmt=fmt)
    assert identity(doc) == doc.text
    assert doc.text == text.removeprefix("\ufeff")


def test_crlf_identity(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    path.write_bytes(MARKDOWN.replace("\n", "\r\n").encode("utf-8"))
    doc = read_document(path)
    assert identity(doc).encode("utf-8") == path.read_bytes()


def test_plan_keeps_sentences_without_chinese_as_copies() -> None:
    doc = read_string(MARKDOWN, path="doc.md")
    planned = plan_segments(doc)
    copies = [s.raw for s in planned if s.copy]
    assert copies == ["DeepSeek-V3"]
    heading = next(s for s in planned if "什么是" in s.raw)
    assert heading.protected.text == "什么是<g1>蒸馏</g1>？"


def test_markup_links_images_code_and_front_matter_with_a_translating_engine() -> None:
    doc = read_string(MARKDOWN, path="doc.md")
    result = translate_document(doc, TermAwareTranslator(ShoutEngine(), config=TranslateConfig(repair=False)))
    out = result.text
    assert "# WORD**WORD**？" in out
    assert "![示意图](https://example.org/img/distill.png)" in out  # image untouched
    assert '[WORD](https://example.org/big "Big")' in out  # link text translated, URL kept
    assert "`train.py`" in out and out.count("> ") >= 1  # code span and quote kept
    assert "- WORD：**WORD**WORD。" in out and "- DeepSeek-V3" in out
    assert "WORD。 WORD" in out  # sentences of one block joined with a space
    front = yaml.safe_load(out.split("---")[1])
    assert front == {"title": "WORD", "summary": "WORD", "date": doc_date(), "tags": ["a", "b"]}
    assert result.restore_problems == ()
    assert result.summary["origins"] == {"copy": 1, "mt": len(result.records) - 1}
    assert result.targets and all(not PLACEHOLDER_RE.search(t) for t in result.targets.values())


def doc_date() -> Any:
    return yaml.safe_load("d: 2025-01-02")["d"]


def test_html_tags_and_attributes_survive() -> None:
    doc = read_string(HTML_IN_MARKDOWN, path="004.md")
    out = translate_document(
        doc, TermAwareTranslator(ShoutEngine(), config=TranslateConfig(repair=False))
    ).text
    for tag in re.findall(r"<[^>]+>", HTML_IN_MARKDOWN):
        assert tag in out, tag
    assert "[WORD：WORD](https://example.org/zh/a-1)" in out
    assert "2025-02-01T12:20:12.008Z" in out and not HAN_RUN.search(out.split("\n", 1)[1])


def test_assemble_reports_lost_placeholders_and_keeps_the_url() -> None:
    doc = read_string("请看[这篇文章](https://example.org/a)。\n", path="a.md")
    [seg] = plan_segments(doc)
    from termalign.translator.records import SegmentRecord

    record = SegmentRecord(seg.id, seg.protected.text, "Please read this article.", "mt", 0.0)
    assembled = assemble(doc, {seg.id: record})
    assert "https://example.org/a" in assembled.text
    assert [p.missing for p in assembled.restore_problems] == [("md:link",)]


DATA = Path(os.environ.get("TERMALIGN_DATA", Path(__file__).resolve().parents[2] / "shared" / "corpora"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_identity_round_trip_on_the_real_corpus(name: str) -> None:
    found = sorted((DATA / "deepseek").glob(f"{name}_*.txt"))
    if not found:
        pytest.skip(f"corpus file {name} not found under {DATA}")
    doc = read_document(found[0])
    assert identity(doc).encode("utf-8") == found[0].read_bytes().removeprefix(b"\xef\xbb\xbf")
