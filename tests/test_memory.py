"""Translation memory: exact and fuzzy lookup, script folding, leave-one-out, TMX loading."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from termalign.align.tmx import TranslationUnit, write_tmx
from termalign.kernel.errors import ConfigError, DocumentError
from termalign.translator.memory import MemoryConfig, TmEntry, TranslationMemory, normalize_key


def small_memory() -> TranslationMemory:
    tm = TranslationMemory(source_lang="zh")
    tm.add("模型蒸馏是一种压缩方法。", "Model distillation is a compression method.", "a#1")
    tm.add("模型蒸馏是一种训练方法。", "Model distillation is a training method.", "a#2")
    tm.add("推理成本很高。", "Inference cost is high.", "a#3")
    tm.add("完全无关的句子在这里出现。", "An unrelated sentence appears here.", "a#4")
    return tm


def test_exact_match_on_normalised_key() -> None:
    tm = small_memory()
    matches = tm.lookup("  推理成本很高。 ")
    assert matches[0].kind == "exact" and matches[0].score == 1.0
    assert matches[0].target == "Inference cost is high." and matches[0].origin == "a#3"
    # NFKC: full-width letters and ideographic space fold to their plain forms.
    tm.add("ＧＰＵ\u3000很贵", "GPUs are expensive", "b#1")
    assert tm.lookup("GPU 很贵")[0].kind == "exact"


def test_fuzzy_ranking_is_by_score_then_deterministic() -> None:
    tm = small_memory()
    matches = tm.lookup("模型蒸馏是一种压缩的方法。", min_score=0.5)
    assert [m.origin for m in matches[:2]] == ["a#1", "a#2"]
    assert all(m.kind == "fuzzy" for m in matches)
    assert matches[0].score > matches[1].score >= 0.5
    expected = fuzz.ratio("模型蒸馏是一种压缩的方法。", "模型蒸馏是一种压缩方法。") / 100
    assert matches[0].score == pytest.approx(expected)
    assert "a#4" not in [m.origin for m in matches]
    assert tm.lookup("模型蒸馏是一种压缩的方法。", min_score=0.5) == matches


def test_exact_comes_before_fuzzy_and_limit_applies() -> None:
    tm = small_memory()
    matches = tm.lookup("模型蒸馏是一种压缩方法。", min_score=0.5, limit=2)
    assert [(m.kind, m.origin) for m in matches] == [("exact", "a#1"), ("fuzzy", "a#2")]
    assert tm.lookup("模型蒸馏是一种压缩方法。", limit=0) == []
    assert tm.lookup("模型蒸馏是一种压缩方法。", min_score=1.0, limit=5)[0].kind == "exact"
    assert len(tm.lookup("模型蒸馏是一种压缩方法。", min_score=1.0, limit=5)) == 1


def test_traditional_input_finds_simplified_entry() -> None:
    tm = small_memory()
    matches = tm.lookup("模型蒸餾是一種壓縮方法。")
    assert matches[0].kind == "exact" and matches[0].origin == "a#1"
    assert matches[0].source == "模型蒸馏是一种压缩方法。"  # the stored text, not the key


def test_non_chinese_memory_does_not_fold_script_but_may_fold_case() -> None:
    tm = TranslationMemory(source_lang="en", config=MemoryConfig(casefold=True))
    tm.add("The Model", "Das Modell", "x")
    assert tm.lookup("the   model")[0].kind == "exact"
    assert normalize_key("蒸餾", simplify=False) == "蒸餾"


def test_leave_one_out_excludes_the_segment_itself() -> None:
    tm = small_memory()
    hits = tm.lookup("模型蒸馏是一种压缩方法。", exclude=lambda e: e.origin == "a#1", min_score=0.5)
    assert hits[0].origin == "a#2" and hits[0].kind == "fuzzy"
    seen: list[TmEntry] = []

    def spy(entry: TmEntry) -> bool:
        seen.append(entry)
        return False

    tm.lookup("推理成本很高。", exclude=spy)
    assert any(e.origin == "a#3" for e in seen)


def test_identical_pairs_reported_once_and_empty_ignored() -> None:
    tm = TranslationMemory(source_lang="zh")
    tm.add("甲乙丙。", "ABC.", "x#1")
    tm.add("甲乙丙。", "ABC.", "x#2")
    tm.add("甲乙丙。", "A B C.", "x#3")
    tm.add("   ", "nothing", "x#4")
    tm.add("丁", "  ", "x#5")
    assert len(tm) == 3
    assert [(m.target, m.origin) for m in tm.lookup("甲乙丙。")] == [("A B C.", "x#3"), ("ABC.", "x#1")]
    # leave-one-out by origin still finds the identical twin from another place
    assert tm.lookup("甲乙丙。", exclude=lambda e: e.origin == "x#1")[1].origin == "x#2"


def test_bad_min_score_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        small_memory().lookup("x", min_score=0.0)


def test_from_tmx(tmp_path: Path) -> None:
    first = tmp_path / "first.tmx"
    write_tmx(
        first,
        [
            TranslationUnit("推理成本很高。", "Inference cost is high.", tuid="u7"),
            TranslationUnit("模型蒸馏是一种压缩方法。", "Model distillation is a compression method."),
        ],
        source_lang="zh-CN",
        target_lang="en",
    )
    second = tmp_path / "second.tmx"
    write_tmx(
        second,
        [TranslationUnit("思維鏈很有用。", "Chain of thought helps.")],
        source_lang="zh-TW",
        target_lang="en",
    )
    tm = TranslationMemory.from_tmx([first, second], source_lang="zh")
    assert len(tm) == 3
    assert tm.lookup("推理成本很高。")[0].origin == "first.tmx#u7"
    assert tm.lookup("模型蒸馏是一种压缩方法。")[0].origin == "first.tmx#2"
    assert tm.lookup("思维链很有用。")[0].target == "Chain of thought helps."
    german = tmp_path / "de.tmx"
    write_tmx(german, [TranslationUnit("甲。", "A.")], source_lang="zh", target_lang="de")
    with pytest.raises(DocumentError, match="different target languages"):
        TranslationMemory.from_tmx([first, german], source_lang="zh")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="甲乙丙丁戊己庚辛abc ", min_size=1, max_size=12), min_size=1, max_size=30),
    st.text(alphabet="甲乙丙丁戊己庚辛abc ", min_size=1, max_size=12),
    st.sampled_from([0.5, 0.75, 0.9]),
)
def test_length_prefilter_loses_nothing(sources: list[str], query: str, min_score: float) -> None:
    tm = TranslationMemory(source_lang="zh")
    for k, source in enumerate(sources):
        tm.add(source, f"t{k}", f"o{k}")
    got = {(m.source, m.target) for m in tm.lookup(query, min_score=min_score, limit=1000)}
    q = tm.key(query)
    if not q:
        assert got == set()
        return
    brute = {
        (e.source, e.target)
        for e in tm.entries
        if tm.key(e.source) == q or fuzz.ratio(q, tm.key(e.source)) >= min_score * 100
    }
    assert got == brute


def test_ten_thousand_entries_stay_fast() -> None:
    rng = random.Random(7)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    tm = TranslationMemory(source_lang="zh")
    for k in range(10_000):
        tm.add("".join(rng.choices(alphabet, k=rng.randint(8, 40))), f"t{k}", f"o{k}")
    queries = [tm.entries[rng.randrange(10_000)].source for _ in range(50)]
    tm.lookup(queries[0])  # builds the length index
    start = time.perf_counter()
    for q in queries:
        assert all(m.source != q for m in tm.lookup(q, exclude=lambda e, q=q: e.source == q))  # type: ignore[misc]
    per_lookup = (time.perf_counter() - start) / len(queries)
    assert per_lookup < 0.05, f"{per_lookup * 1000:.1f} ms per lookup"
