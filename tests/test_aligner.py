"""The two-level aligner on small hand-written Chinese/English documents."""

from __future__ import annotations

import pytest

from termalign.align.aligner import align_documents, text_length
from termalign.align.costs import AlignConfig
from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.reader import read_string
from termalign.kernel.errors import AlignmentError

ZH = """**英伟达的股价为什么下跌？**

2024年11月，英伟达发布了新的芯片。这款芯片的价格是3万美元，比上一代贵50%。分析师认为需求仍然很强。

![图片](/images/chart.png)

这是一张图表，展示了过去五年的价格。

> 微软表示，他们将在2025年投资800亿美元建设数据中心，用于训练人工智能模型。

**你同意吗？**

我不这么认为。市场总是过度反应。

另外，我下周会写一篇关于[芯片禁令](https://example.com/chip-ban)的文章。
"""

EN = """**Why did Nvidia's stock price fall?**

In November 2024, Nvidia released a new chip. The chip costs $30,000; that is 50% more than the \
previous generation. Analysts believe demand remains strong.

> Microsoft said it would invest $80 billion in 2025 building data centers to train artificial \
intelligence models.

**Do you agree?**

I don't think so. The market always overreacts.

Also, next week I will write about the [chip ban](https://example.com/chip-ban).
"""


@pytest.fixture(scope="module")
def alignment():
    zh = read_string(ZH, path="toy.zh.md", lang="zh", fmt="markdown")
    en = read_string(EN, path="toy.en.md", lang="en", fmt="markdown")
    return zh, en, align_documents(zh, en)


def _pairs(alignment) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    return [(b.source_ids, b.target_ids) for b in alignment.beads]


def _ids(doc: Document, needle: str) -> str:
    return next(s.id for s in doc.sentences if needle in s.text)


def test_every_sentence_appears_once_in_order(alignment) -> None:
    zh, en, result = alignment
    source = [i for b in result.beads for i in b.source_ids]
    target = [i for b in result.beads for i in b.target_ids]
    assert source == [s.id for s in zh.sentences]
    assert target == [s.id for s in en.sentences]


def test_expected_beads(alignment) -> None:
    zh, en, result = alignment
    pairs = _pairs(result)
    assert ((_ids(zh, "为什么下跌"),), (_ids(en, "Why did"),)) in pairs
    assert ((_ids(zh, "2024年11月"),), (_ids(en, "In November"),)) in pairs
    assert ((_ids(zh, "3万美元"),), (_ids(en, "$30,000"),)) in pairs
    assert ((_ids(zh, "微软"),), (_ids(en, "Microsoft"),)) in pairs
    assert ((_ids(zh, "下周"),), (_ids(en, "next week"),)) in pairs


def test_unmatched_paragraph_becomes_a_one_to_zero_bead(alignment) -> None:
    zh, _, result = alignment
    lonely = _ids(zh, "图表")
    bead = next(b for b in result.beads if lonely in b.source_ids)
    assert bead.kind == "1-0" and bead.target_ids == () and bead.is_unaligned
    # Its score says how sure the aligner is that it has no counterpart (a posterior, not a flag).
    assert 0.0 <= bead.score <= 1.0


def test_scores_and_metadata(alignment) -> None:
    zh, en, result = alignment
    assert all(0.0 <= b.score <= 1.0 for b in result.beads)
    assert all(b.flagged == (b.score < result.config.flag_threshold) for b in result.beads)
    numbers = next(b for b in result.beads if _ids(zh, "3万美元") in b.source_ids)
    assert not numbers.flagged  # shared numbers and dictionary words: a confident bead
    assert result.source_lang == "zh" and result.target_lang == "en"
    assert result.signature["tool"] == "termalign"
    # The length ratio is estimated from the pair and the signature says so.
    assert result.length_model is not None and result.length_model.origin in ("totals", "beads")
    assert result.signature["length_ratio"] == str(result.length_model.ratio)
    assert result.signature["length_model"].startswith(f"c={result.length_model.ratio:.3f}")
    assert all(b.block_id for b in result.beads)
    # Chinese text is joined without spaces, English with one.
    assert numbers.target.count("  ") == 0


def test_blocks_are_aligned_first(alignment) -> None:
    _, _, result = alignment
    assert ((), ()) not in result.block_beads
    assert any(src and not tgt for src, tgt in result.block_beads)  # the image caption paragraph


def test_extra_scorer_can_override_lexical_evidence() -> None:
    zh = read_string("甲。乙。\n", lang="zh", fmt="text")
    en = read_string("Alpha one. Beta two.\n", lang="en", fmt="text")

    def crossed(src, tgt) -> float:
        # Claims the first Chinese sentence translates the second English one.
        return 1.0 if [s.text for s in src] == ["甲。"] and [t.text for t in tgt] == ["Beta two."] else 0.0

    plain = align_documents(zh, en)
    assert [b.kind for b in plain.beads] == ["1-1", "1-1"]
    forced = align_documents(zh, en, AlignConfig(w_extra=40.0), scorers=[crossed])
    assert any(b.source == "甲。" and b.target == "Beta two." for b in forced.beads)
    assert forced.signature["scorers"] == "crossed"


def test_reverse_direction_and_no_dictionary() -> None:
    zh = read_string(ZH, lang="zh", fmt="markdown")
    en = read_string(EN, lang="en", fmt="markdown")
    result = align_documents(en, zh, AlignConfig(use_dictionary=False))
    target = [i for b in result.beads for i in b.target_ids]
    assert target == [s.id for s in zh.sentences]
    assert result.signature["dictionary"] == "none"


def test_one_side_empty() -> None:
    en = read_string("Just one sentence here.\n", lang="en", fmt="text")
    empty = Document("empty.md", "", "zh", ())
    result = align_documents(empty, en)
    assert [b.kind for b in result.beads] == ["0-1"]
    with pytest.raises(AlignmentError):
        align_documents(empty, Document("e.md", "", "en", ()))


def test_hand_built_documents_align() -> None:
    def doc(lang: str, texts: list[str]) -> Document:
        sentences = tuple(Sentence(f"b0.s{k}", t, k * 10, k * 10 + 5) for k, t in enumerate(texts))
        return Document(f"{lang}.txt", "", lang, (Block("b0", BlockKind.PARAGRAPH, 0, 50, sentences),))

    zh = doc("zh", ["DeepSeek 发布了 R1。", "它的训练成本是557.6万美元。"])
    en = doc("en", ["DeepSeek released R1.", "Its training cost was $5.576 million."])
    result = align_documents(zh, en)
    assert [(b.source_ids, b.target_ids) for b in result.beads] == [
        (("b0.s0",), ("b0.s0",)),
        (("b0.s1",), ("b0.s1",)),
    ]


def test_text_length_counts_latin_in_chinese_at_the_english_rate() -> None:
    assert text_length("模型 R1", True, 2.0) == pytest.approx(2 + 2 / 2.0)
    assert text_length("a b c", False, 2.0) == 3.0
