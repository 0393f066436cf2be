"""Term matching: Traditional text, longest match, English renderings."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from termbase_samples import sample_entries

from termalign.termbase import Entry, TermMatcher, find_forbidden, find_targets
from termalign.termbase.matcher import match_view

ENTRIES = sample_entries() + [Entry("MoE", "MoE"), Entry("推理成本", "inference cost")]
MATCHER = TermMatcher(ENTRIES)


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.term) for h in MATCHER.find(text)]


def test_traditional_text_finds_simplified_terms_at_original_offsets() -> None:
    text = "我們用知識蒸餾和蒸餾訓練混合專家模型。"
    assert _found(text) == [("知識蒸餾", "知识蒸馏"), ("蒸餾", "蒸馏"), ("混合專家模型", "混合专家模型")]
    hit = MATCHER.find(text)[0]
    assert hit.entry.source == "蒸馏" and (hit.start, hit.end) == (3, 7)


def test_longest_match_wins_and_hits_do_not_overlap() -> None:
    assert _found("推理模型的推理成本低于推理") == [
        ("推理模型", "推理模型"),
        ("推理成本", "推理成本"),
        ("推理", "推理"),
    ]
    assert [h.entry.enforce for h in MATCHER.find("推理")] == [False]


def test_latin_terms_need_word_edges_and_fold_width_and_case() -> None:
    assert _found("MoE模型与ｍｏｅ") == [("MoE", "MoE"), ("ｍｏｅ", "MoE")]
    assert _found("xMoE 和 MoEs") == []


def test_view_keeps_length() -> None:
    text = "蒸餾 ＭｏＥ İstanbul「引號」"
    assert len(match_view(text)) == len(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["蒸馏", "推理", "推理模型", "混合專家", "模型", "的", "MoE", " ", "a", "成本"]),
        max_size=30,
    )
)
def test_hits_are_ordered_disjoint_and_match_their_term(pieces: list[str]) -> None:
    text = "".join(pieces)
    hits = MATCHER.find(text)
    for earlier, later in zip(hits, hits[1:], strict=False):
        assert earlier.end <= later.start
    for hit in hits:
        assert match_view(text[hit.start : hit.end]) == match_view(hit.term)
        assert hit.term in hit.entry.source_terms


def test_matching_a_long_text_is_fast() -> None:
    matcher = TermMatcher([Entry(f"术语{k}号", f"term {k}") for k in range(2000)] + ENTRIES)
    text = "这是一段关于推理模型和知识蒸馏的长文本，术语17号也在其中。" * 4000  # ~120k characters
    start = time.perf_counter()
    hits = matcher.find(text)
    assert time.perf_counter() - start < 1.5
    assert len(hits) == 3 * 4000


def _spans(text: str, entry: Entry) -> list[str]:
    return [text[s.start : s.end] for s in find_targets(text, entry)]


def test_english_matching_ignores_case_hyphens_and_plurals() -> None:
    balancing = Entry("负载均衡", "load balancing")
    text = "Load-Balancing, load balancing, LOAD BALANCING and loadbalancing"
    assert _spans(text, balancing) == ["Load-Balancing", "load balancing", "LOAD BALANCING", "loadbalancing"]
    moe = ENTRIES[1]
    text = "Mixtures-of-Experts beat one mixture of experts; MoEs and the MoE's router"
    assert _spans(text, moe) == ["Mixtures-of-Experts", "mixture of experts", "MoEs", "MoE's"]
    assert _spans("strategies and a strategy", Entry("策略", "strategy")) == ["strategies", "strategy"]


def test_english_matching_respects_word_boundaries_and_other_inflections() -> None:
    distillation = ENTRIES[0]
    assert _spans("distilled and distillations", distillation) == ["distillations"]
    assert _spans("MoEx or xMoE or MoE模型", ENTRIES[1]) == ["MoE"]
    found = find_targets("knowledge distillation", distillation)
    assert [(s.start, s.end, s.term) for s in found] == [(0, 22, "knowledge distillation")]


def test_forbidden_renderings_are_found_outside_accepted_ones() -> None:
    entry = Entry("语言模型", "large language model", forbidden=("language model", "LM"))
    text = "A large language model is not a Language-Model or an LM."
    assert [(text[s.start : s.end], s.term) for s in find_forbidden(text, entry)] == [
        ("Language-Model", "language model"),
        ("LM", "LM"),
    ]
    assert find_forbidden("mixed experts", ENTRIES[1])[0].term == "mixed experts"
