"""Cutting a free-text item into sentences and putting its translations back together."""

from __future__ import annotations

import pytest

from termalign.translator.records import SegmentIssue, SegmentRecord, TermUse
from termalign.translator.split import join_translations, merge_records, split_text


def test_a_paragraph_is_cut_into_sentences_and_joined_with_spaces() -> None:
    split = split_text("  第一句。第二句！\n第三句？  ", "zh")
    assert split.sentences == ["第一句。", "第二句！", "第三句？"]
    joined = join_translations(split, ["One.", "Two!", "Three?"])
    assert joined == "  One. Two!\nThree?  "  # line breaks and outer whitespace kept


def test_closing_tags_after_a_full_stop_stay_with_their_sentence() -> None:
    split = split_text("<g1>第一句。</g1><g2>第二句。</g2><x3/>", "zh")
    assert split.sentences == ["<g1>第一句。</g1>", "<g2>第二句。</g2><x3/>"]


def test_join_refuses_a_wrong_number_of_translations_and_keeps_text_without_sentences() -> None:
    split = split_text("第一句。第二句。", "zh")
    with pytest.raises(ValueError, match="1 translations for 2 sentences"):
        join_translations(split, ["One."])
    blank = split_text("   ", "zh")
    assert blank.spans == () and join_translations(blank, []) == "   "


def test_merge_records_keeps_every_term_issue_and_the_most_machine_made_origin() -> None:
    use = TermUse("蒸馏", "distillation", True)
    issue = SegmentIssue("term-missing", "error", "missing", "中芯国际")
    parts = [
        SegmentRecord("0", "蒸馏。", "Distillation.", "tm-exact", 1.0, terms=(use,), attempts=0),
        SegmentRecord("1", "中芯国际。", "Xintiandi.", "mt-repaired", -0.5, issues=(issue,), attempts=2,
                      notes=("repaired: re-prompt",)),
    ]  # fmt: skip
    merged = merge_records("7", "蒸馏。中芯国际。", "Distillation. Xintiandi.", parts)
    assert (merged.id, merged.origin, merged.attempts, merged.score) == ("7", "mt-repaired", 2, 0.25)
    assert merged.terms == (use,) and merged.issues == (issue,) and merged.notes == ("repaired: re-prompt",)
    assert merge_records("8", " ", " ", []).origin == "copy"


def test_a_fragment_without_words_stays_with_the_sentence_before() -> None:
    split = split_text("今天的会议讨论了成本。（3）", "zh")
    assert split.sentences == ["今天的会议讨论了成本。（3）"]
    assert (
        join_translations(split, ["Today's meeting discussed costs. (3)"])
        == "Today's meeting discussed costs. (3)"
    )
    assert split_text("（3）", "zh").sentences == ["（3）"]  # alone, it is kept as it is
