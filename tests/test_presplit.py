"""Pre-split alignment: the 'lines' reader, bead shapes, per-pair lengths, scorers, calibration."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.aligner import align_documents, similarity_named
from termalign.align.anchors import transliterated_names
from termalign.align.beads import bead_counts
from termalign.align.costs import PRESPLIT_BEAD_TYPES, AlignConfig
from termalign.align.dictionary import load_cedict
from termalign.align.documents import detect_format
from termalign.align.dp import align_along, align_spans
from termalign.align.gold import IndexScore, calibration, index_beads, parse_index_gold
from termalign.align.lengths import LengthModel, ratio_from_totals, refine_on_beads, shrink, window_pairs
from termalign.align.lexicon import (
    LexiconSimilarity,
    WordEvidence,
    WordTable,
    cedict_table,
    en_tokens,
    train_model1,
    zh_tokens,
)
from termalign.align.reader import read_string
from termalign.align.similarity import chrf

ZH_LINES = (
    "老王是村里的木匠。\n"
    "他每天早上六点起床，先喝一杯茶。\n"
    "1. 第一条规矩：不许迟到。\n"
    "然后他去工作。\n"
    "晚上他回家。\n"
)
EN_LINES = (
    "Old Wang was the village carpenter.\n"
    "He got up at six every morning.\n"
    "First he drank a cup of tea.\n"
    "1. The first rule: never be late.\n"
    "Then he went to work.\n"
    "In the evening he went home.\n"
)


def test_one_sentence_per_line_is_detected_as_lines_not_a_markdown_list() -> None:
    assert detect_format("a.en", EN_LINES) == "lines"
    assert detect_format("a.zh", ZH_LINES) == "lines"
    assert detect_format("a.md", EN_LINES) == "markdown"  # the file name wins
    # Blank lines, or several sentences on a line, make it ordinary text.
    assert detect_format("a.txt", "One line.\n\nAnother paragraph.\nA third.\n") != "lines"
    paragraphs = "One. Two sentences here.\nThree. And four.\nFive. Six.\n"
    assert detect_format("a.txt", paragraphs) == "text"


def test_the_lines_reader_keeps_each_line_as_one_sentence() -> None:
    doc = read_string(
        "Mr. Smith arrived. He sat down.\nShort one.\nLast line here.\n", fmt="lines", lang="en"
    )
    assert [s.text for s in doc.sentences] == [
        "Mr. Smith arrived. He sat down.",
        "Short one.",
        "Last line here.",
    ]
    assert index_beads([], doc, doc) == []


def _toy_cost(lengths_s: list[int], lengths_t: list[int]):
    def cost(i0: int, i1: int, j0: int, j1: int) -> float:
        a, b = sum(lengths_s[i0:i1]), sum(lengths_t[j0:j1])
        return abs(a - b) / (1 + a + b) + 0.3 * ((i1 - i0) + (j1 - j0))

    return cost


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 30), min_size=1, max_size=25),
    st.lists(st.integers(1, 30), min_size=1, max_size=25),
    st.integers(1, 6),
)
def test_presplit_beads_are_monotonic_cover_every_sentence_once_and_stay_within_shape(
    src: list[int], tgt: list[int], width: int
) -> None:
    cost = _toy_cost(src, tgt)
    first = align_spans(len(src), len(tgt), cost, PRESPLIT_BEAD_TYPES, width)
    for spans in (first, align_along(len(src), len(tgt), cost, PRESPLIT_BEAD_TYPES, first, width)):
        i = j = 0
        for span in spans:
            assert (span.i0, span.j0) == (i, j)  # monotonic and contiguous: each sentence exactly once
            assert (span.i1 - span.i0, span.j1 - span.j0) in PRESPLIT_BEAD_TYPES
            assert max(span.i1 - span.i0, span.j1 - span.j0) <= 4
            i, j = span.i1, span.j1
        assert (i, j) == (len(src), len(tgt))


def _only(shape: tuple[int, int]):
    return lambda i0, i1, j0, j1: 0.0 if (i1 - i0, j1 - j0) == shape else 5.0


def test_the_dp_can_emit_every_presplit_shape() -> None:
    for a, b in PRESPLIT_BEAD_TYPES:
        if a and b:
            spans = align_spans(a, b, _only((a, b)), PRESPLIT_BEAD_TYPES, 4)
            assert [(s.i1 - s.i0, s.j1 - s.j0) for s in spans] == [(a, b)]


def test_presplit_mode_aligns_a_one_to_two_bead_across_lines() -> None:
    zh = read_string(ZH_LINES, lang="zh", path="t.zh")
    en = read_string(EN_LINES, lang="en", path="t.en")
    result = align_documents(zh, en)
    assert result.mode == "pre-split"
    lines = index_beads(result.beads, zh, en)
    assert ((0,), (0,)) in lines and ((4,), (5,)) in lines
    # The long second line is translated by two English lines: a bead with one line is impossible.
    assert any(1 in s and {1, 2} <= set(t) for s, t in lines)


def test_length_ratio_comes_from_the_pair() -> None:
    zh = ["中文句子五" * 2] * 40
    en = ["x" * 50] * 40  # 50 / 10 = 5 English characters per Chinese character
    ratio = ratio_from_totals(zh, en, zh_source=True, zh_target=False, default=3.16)
    assert ratio == pytest.approx(50 / 10, rel=0.01)
    assert shrink(5.0, 3.16, 300) == pytest.approx(5.0, rel=0.06)
    assert 3.16 < shrink(5.0, 3.16, 2) < 3.6  # a few sentences say little
    assert shrink(5.0, 3.16, 0) == pytest.approx(3.16)


def test_refinement_is_robust_to_a_few_wrong_beads() -> None:
    good = [(float(s), 4.0 * s + d) for s, d in zip(range(10, 60), [3, -3, 2, -2, 0] * 10, strict=True)]
    bad = [(10.0, 400.0), (50.0, 5.0)]
    model = refine_on_beads(good + bad, LengthModel(3.16, 7.0))
    assert model.origin == "beads" and model.ratio == pytest.approx(4.0, rel=0.2)
    assert model.variance < 5.0  # the median ignores the two outliers
    assert refine_on_beads(good[:3], LengthModel(3.16, 7.0)).origin == "config"  # too few beads


def test_windows_undo_the_shrinking_a_first_pass_causes() -> None:
    # A first pass cuts between neighbours where the lengths fit: here each bead hands half of
    # its length error to the next one, which halves the spread of single beads.  Sums over
    # three beads do not depend on the cuts inside them and see nearly the true spread again.
    rng = random.Random(7)
    errors = [rng.gauss(0.0, 12.0) for _ in range(900)]
    true = [(20.0, 80.0 + e) for e in errors]
    passed = [(20.0, 80.0 + e / 2 + (errors[k - 1] / 2 if k else 0.0)) for k, e in enumerate(errors)]
    assert window_pairs([(1.0, 2.0)] * 7, 3) == [(3.0, 6.0), (4.0, 8.0)]  # the tail joins the last window
    truth = refine_on_beads(true, LengthModel(4.0, 7.0)).variance
    single = refine_on_beads(passed, LengthModel(4.0, 7.0)).variance
    windowed = refine_on_beads(window_pairs(passed, 3), LengthModel(4.0, 7.0)).variance
    assert single < 0.65 * truth
    assert 0.7 * truth < windowed < 1.3 * truth


# Three Chinese sentences and their translations; every word of the table below is in them.
WORDS_ZH = [["老", "王", "喝", "茶"], ["他", "去", "工作"], ["晚上", "他", "回家"]]
WORDS_EN = [["old", "wang", "drank", "tea"], ["went", "work"], ["eveni", "went", "home"]]
WORDS_TABLE = {
    "老": {"old": 1.0},
    "王": {"wang": 1.0},
    "喝": {"drank": 0.5, "drink": 0.5},
    "茶": {"tea": 1.0},
    "去": {"went": 0.5, "go": 0.5},
    "工作": {"work": 1.0},
    "晚上": {"eveni": 0.5, "night": 0.5},
    "回家": {"home": 1.0},
}


def _evidence(mix: float = 0.3) -> WordEvidence:
    backward: dict[str, dict[str, float]] = {}
    for z, row in WORDS_TABLE.items():
        for e in row:
            backward.setdefault(e, {})[z] = 1.0
    return WordEvidence(WORDS_ZH, WORDS_EN, WordTable(WORDS_TABLE, backward), mix)


def test_word_evidence_prefers_the_true_beads() -> None:
    words = _evidence()
    true = words.cost(0, 1, 0, 1) + words.cost(1, 2, 1, 2)
    assert words.cost(0, 1, 0, 1) < 0  # a translation is better explained than by chance
    assert words.cost(0, 1, 1, 2) > words.cost(0, 1, 0, 1)
    # An English sentence moved into the wrong bead costs; so does joining two right beads.
    assert words.cost(0, 1, 0, 2) + words.cost(1, 2, 2, 2) > true
    assert words.cost(0, 2, 0, 2) > true
    assert words.cost(0, 1, 0, 0) == 0.0  # an empty side has no evidence; its prior pays


def test_word_evidence_fits_the_share_of_translated_words() -> None:
    words = _evidence(0.3)
    right = words.fit_mix([(0, 1, 0, 1), (1, 2, 1, 2), (2, 3, 2, 3)])
    wrong = words.fit_mix([(0, 1, 1, 2), (1, 2, 2, 3), (2, 3, 0, 1)])
    assert right > 0.5 > wrong  # nearly every word of these beads is a translation
    assert words.with_mix(right).cost(0, 1, 0, 1) < words.cost(0, 1, 0, 1)


def test_cedict_table_covers_words_characters_and_latin() -> None:
    index = load_cedict()
    table = cedict_table(["蒸馏", "门", "gpu", "的"], index)
    assert "disti" in table.forward["蒸馏"] and "door" in table.forward["门"]
    assert table.forward["gpu"] == {"gpu": 1.0}
    assert "蒸馏" in table.backward["disti"]


def test_pinyin_names_become_anchors_where_they_match_in_place() -> None:
    # 沙 is the surname Sha, 瑞山 reads ruishan; 也 is a surname Ye as well as "also", but it occurs
    # all over the Chinese text while "Ye" occurs once: no anchor for it.
    read = {"沙": ("sha", True), "瑞": ("rui", False), "山": ("shan", False), "也": ("ye", True)}

    def readings(char: str, surname: bool) -> frozenset[str]:
        found = read.get(char)
        return frozenset({found[0]}) if found and (found[1] or not surname) else frozenset()

    zh = ["天黑了。"] * 20
    en = ["It got dark."] * 20
    zh[0], en[0] = "沙瑞山来了。", "Sha Ruishan came."
    zh[10], en[10] = "沙瑞山走了。", "Sha left."  # a sentence-initial name counts once known
    zh[11], en[11] = "他说。", "So Sha said."
    for k in (3, 8, 13, 18):
        zh[k] = "他也笑了。"
    en[3] = "He smiled, and so did Ye."
    zh_names, en_names = transliterated_names(zh, en, readings)
    assert zh_names[0] == {"w:sha", "w:ruishan"} and en_names[0] == {"w:sha", "w:ruishan"}
    assert zh_names[10] == {"w:sha", "w:ruishan"} and en_names[10] == en_names[11] == {"w:sha"}
    assert not any(zh_names[k] for k in (3, 8, 13, 18)) and not en_names[3]
    assert load_cedict().readings("沙", True) == {"sha"} and "ye" in load_cedict().readings("叶")


def test_model1_learns_a_name_from_the_pair() -> None:
    pairs = [
        (["韦", "小", "宝", "走"], ["trink", "walke"]),
        (["韦", "小", "宝", "笑"], ["trink", "laugh"]),
        (["他", "走"], ["walke"]),
        (["他", "笑"], ["laugh"]),
    ] * 3
    table = train_model1(pairs)
    assert table.best_for_e("trink", ["宝"]) > table.best_for_e("walke", ["宝"])
    assert table.best_for_e("walke", ["走"]) > 0.4


def test_lexicon_similarity_prefers_the_translation() -> None:
    index = load_cedict()
    zh = read_string(ZH_LINES, lang="zh", path="t.zh")
    en = read_string(EN_LINES, lang="en", path="t.en")
    first = align_documents(zh, en).beads
    score = LexiconSimilarity(index).bind(zh.sentences, en.sentences, first)
    right = score([zh.sentences[0]], [en.sentences[0]])
    wrong = score([zh.sentences[0]], [en.sentences[4]])
    assert 0.0 <= wrong < right <= 1.0
    assert "carpe" in en_tokens("The carpenter")
    assert zh_tokens("木匠Wang", index)[-1] == "wang"
    assert similarity_named("lexicon", zh, en, AlignConfig()) is not None


def test_chrf_is_one_for_identical_text_and_zero_for_disjoint() -> None:
    assert chrf("the cat sat", "the cat sat") == pytest.approx(1.0)
    assert chrf("aaaa", "bbbb") == 0.0


def test_calibration_counts_right_beads_above_and_wrong_beads_below() -> None:
    c = calibration([(0.9, True), (0.8, True), (0.7, False), (0.2, False), (0.1, True)])
    assert (c.high, c.high_right, c.low, c.low_wrong) == (3, 2, 2, 1)
    assert c.high_precision == pytest.approx(2 / 3) and c.flag_precision == pytest.approx(0.5)


def test_index_gold_strict_and_lax_scores() -> None:
    gold = parse_index_gold("[0]:[0]\n[1]:[1,2]\n[]:[3]\n")
    score = IndexScore()
    score.add([((0,), (0,)), ((1,), (1,)), ((), (2,)), ((), (3,))], gold)
    # strict: 2 of 4 system beads right, 1 of 2 gold beads (non-empty) found
    assert score.strict_f1 == pytest.approx(2 * 0.5 * 0.5 / 1.0)
    assert score.lax_f1 > score.strict_f1
    assert math.isclose(IndexScore().strict_f1, 0.0)


def test_the_cli_table_and_the_html_page_count_flagged_beads_the_same_way() -> None:
    zh = read_string(ZH_LINES, lang="zh", path="t.zh")
    en = read_string(
        EN_LINES + "An extra line nobody translated, long enough to stand alone.\n", lang="en", path="t.en"
    )
    result = align_documents(zh, en)
    counts = bead_counts(result.beads)
    assert counts.flagged == len(result.flagged)  # 1-0/0-1 beads included, as on the HTML page


def test_bead_posteriors_split_the_mass_between_equal_alternatives() -> None:
    from termalign.align.beads import Span
    from termalign.align.dp import bead_posteriors

    # 1 source, 2 targets: "1-2" costs 1.0; "1-1 then 0-1" costs 0.5 + 0.5; nothing else.
    costs = {(0, 1, 0, 2): 1.0, (0, 1, 0, 1): 0.5, (1, 1, 1, 2): 0.5}
    one, two = bead_posteriors(costs, 1, 2, [Span(0, 1, 0, 1), Span(1, 1, 1, 2)])
    assert one == pytest.approx(0.5) and two == pytest.approx(0.5)
    (only,) = bead_posteriors(
        {(0, 1, 0, 2): 1.0, (0, 1, 0, 1): 9.0, (1, 1, 1, 2): 9.0}, 1, 2, [Span(0, 1, 0, 2)]
    )
    assert only > 0.99
    # A higher temperature spreads the mass: the same bead is less certain.
    (warm,) = bead_posteriors(
        {(0, 1, 0, 2): 1.0, (0, 1, 0, 1): 9.0, (1, 1, 1, 2): 9.0}, 1, 2, [Span(0, 1, 0, 2)], temperature=10.0
    )
    assert 0.5 < warm < only


# --- the small fixes of issue 11, on texts written for the tests ---------------------------------


def test_a_rust_macro_bang_in_chinese_is_no_sentence_end() -> None:
    from termalign.align.segment import segment

    text = "使用 vec! 宏创建向量。然后用 println!宏打印。"
    assert [text[s:e] for s, e in segment(text, "zh")] == [
        "使用 vec! 宏创建向量。",
        "然后用 println!宏打印。",
    ]
    assert len(segment("太好了!我们走吧。", "zh")) == 2  # after a Chinese character "!" still ends a sentence


def test_english_boundaries_after_a_number_and_a_lone_capital() -> None:
    from termalign.align.segment import segment

    for text, first in (
        ("Set the value of 5. Then, run the program again.", "Set the value of 5."),
        ("We call the parameter F. The F type is generic.", "We call the parameter F."),
    ):
        spans = segment(text, "en")
        assert len(spans) == 2 and text[spans[0][0] : spans[0][1]] == first
    assert len(segment("J. R. R. Tolkien wrote it.", "en")) == 1  # initials before a name stay


def test_an_mdbook_listing_caption_is_read_as_text() -> None:
    text = (
        'Intro.\n\n<Listing number="1-1" file-name="main.rs" caption="Printing a greeting">\n\n'
        "```rust\nfn main() {}\n```\n\n</Listing>\n"
    )
    doc = read_string(text, fmt="markdown", lang="en", path="ch01.md")
    caption = [b for b in doc.blocks if b.text == "Printing a greeting"]
    assert (
        caption and text[caption[0].sentences[0].start : caption[0].sentences[0].end] == "Printing a greeting"
    )


def test_a_sentence_bead_across_a_block_boundary_pays_for_it() -> None:
    from termalign.align.costs import BeadCost, UnitFeatures

    units = [UnitFeatures(10.0), UnitFeatures(10.0)]
    same = BeadCost(units, [UnitFeatures(62.0)], AlignConfig(), zh_side="", source_blocks=[0, 0])
    across = BeadCost(units, [UnitFeatures(62.0)], AlignConfig(), zh_side="", source_blocks=[0, 1])
    assert across(0, 2, 0, 1) == pytest.approx(same(0, 2, 0, 1) + AlignConfig().w_cross)
    assert across(0, 1, 0, 1) == pytest.approx(same(0, 1, 0, 1))  # inside one block: no charge


@pytest.mark.parametrize("similarity", ["none", "lexicon"])
def test_cli_align_with_format_and_similarity(tmp_path, similarity: str) -> None:
    from click.testing import CliRunner

    from termalign.cli import _register, cli

    _register()
    zh, en = tmp_path / "a.md", tmp_path / "b.md"  # named markdown, but forced to be read as lines
    zh.write_text(ZH_LINES, encoding="utf-8")
    en.write_text(EN_LINES, encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = CliRunner().invoke(
        cli, ["align", str(zh), str(en), "-o", str(out), "--format", "lines", "--similarity", similarity]
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) >= 5 and "1. The first rule" in out.read_text(encoding="utf-8")
