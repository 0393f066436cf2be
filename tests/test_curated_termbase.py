"""The committed DeepSeek termbase: loads cleanly, is curated, and carries its evidence."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from termalign.termbase.formats import import_entries
from termalign.termbase.matcher import TermMatcher, find_forbidden, find_targets
from termalign.termbase.model import Status

TERMBASE = Path(__file__).resolve().parents[1] / "corpora" / "deepseek" / "termbase.tsv"


@pytest.fixture(scope="module")
def entries():
    return import_entries(TERMBASE).entries


def test_loads_in_under_a_second():
    start = time.perf_counter()
    result = import_entries(TERMBASE)
    assert time.perf_counter() - start < 1.0
    assert result.problems == ()


def test_at_least_60_approved_entries(entries):
    approved = [e for e in entries if e.status is Status.APPROVED]
    assert len(approved) >= 60
    assert len(entries) >= 90


def test_no_duplicate_source_terms(entries):
    counts = Counter(term for e in entries for term in e.source_terms)
    assert [t for t, n in counts.items() if n > 1] == []


DOCUMENTS = {
    "deepseek/faq",
    "deepseek/huyong",
    "deepseek/shockwave",
    "deepseek/huyong-plain",
    "deepseek/dw-interview",
}


def test_every_approved_entry_has_corpus_provenance(entries):
    """Approved entries come from the aligned FAQ, or (names the MT got wrong) from a corpus article."""
    from_faq = 0
    for entry in entries:
        if entry.status is Status.APPROVED:
            assert entry.provenance, entry.source
            assert all(p.source in DOCUMENTS and p.count > 0 for p in entry.provenance), entry.source
            if any(p.source == "deepseek/faq" for p in entry.provenance):
                from_faq += 1
            else:
                assert entry.forbidden, f"{entry.source}: an article-only entry records the MT error it fixes"
        assert entry.note or entry.pos, entry.source
    assert from_faq >= 0.95 * sum(e.status is Status.APPROVED for e in entries)


def test_measured_mt_errors_are_forbidden(entries):
    by_source = {e.source: e for e in entries}
    assert "Xintiandi" in by_source["中芯国际"].forbidden
    assert "mixed experts" in by_source["混合专家"].forbidden
    assert by_source["1100亿"].target == "110 billion"
    assert find_forbidden("about 1.1 billion parameters", by_source["1100亿"])
    assert not find_forbidden("about 110 billion parameters", by_source["1100亿"])


def test_ambiguous_reasoning_inference_is_not_enforced(entries):
    by_source = {e.source: e for e in entries}
    assert by_source["推理"].enforce is False
    hits = TermMatcher(entries).find("推理模型的推理成本和边缘推理")
    assert [h.entry.target for h in hits] == ["reasoning model", "inference cost", "edge inference"]


def test_chain_of_thought_variants_and_traditional_script(entries):
    matcher = TermMatcher(entries)
    for text in ("思维链", "推理链思维", "链式思维", "思維鏈"):
        (hit,) = matcher.find(text)
        assert hit.entry.source == "思维链"
        assert find_targets("emergent chain-of-thought", hit.entry)
    (hit,) = matcher.find("蒸餾")
    assert hit.entry.target == "distillation"
