"""Candidate recall: spans the extractor used to lose (own texts)."""

from __future__ import annotations

from termalign.termbase.extract import AlignedPair
from termalign.termbase.terms import TermConfig, extract_terms, side_statistics

ADMISSION = [
    AlignedPair(
        "启用 DefaultStorageClass 准入控制器。", "Enable the DefaultStorageClass admission controller.", "1"
    ),
    AlignedPair(
        "DefaultStorageClass 准入控制器添加字段。", "The DefaultStorageClass admission controller adds.", "2"
    ),
    AlignedPair("节点很多。", "There are many nodes.", "a:3"),
    AlignedPair("节点很忙。", "The node is busy.", "a:4"),
]


def test_a_span_opened_by_a_name_does_not_discount_the_term_inside():
    _, en, _, _ = side_statistics(ADMISSION, TermConfig())
    _, en_old, _, _ = side_statistics(ADMISSION, TermConfig(name_parents=False))
    assert en.count["admission controller"] == en_old.count["admission controller"] == 2
    assert en_old.termhood["admission controller"] == 0  # C-value: only ever inside the longer span
    assert en.termhood["admission controller"] > 0  # the name makes an instance, not a longer term
    found = [c for c in extract_terms(ADMISSION) if c.kind == "term"]
    assert any(c.source == "准入控制器" and c.target == "admission controller" for c in found)


def test_a_capitalised_plain_word_is_not_a_name_opening_a_span():
    pairs = [
        AlignedPair("这是顿悟时刻。", "This is the Aha moment.", "m:1"),
        AlignedPair("顿悟时刻来了。", "The Aha moment came.", "m:2"),
    ]
    _, en, _, _ = side_statistics(pairs, TermConfig())
    assert en.termhood.get("moment", 0.0) == 0  # "Aha" has no capital inside: still one longer term


def test_compatibility_ideographs_are_han_in_glosses_and_dictionary_words():
    from termalign.termbase.marked import pair_marks
    from termalign.termbase.termhood import _CJK_WORD

    # U+FA11 is a unified ideograph in the compatibility block: NFKC keeps it as it is
    marks = pair_marks("作者山\ufa11（Yamazaki）说。", "The author Yamazaki said.")
    assert ("作者山\ufa11", "yamazaki") in marks.glosses and marks.marked("山\ufa11", "Yamazaki")
    assert _CJK_WORD.match("山\ufa11") and _CJK_WORD.match("\uf900\ufaff")  # a headword jieba may lack
    assert not _CJK_WORD.match("山a") and not _CJK_WORD.match("山")
