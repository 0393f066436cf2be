"""The caching engine layer: keys, hits, SQLite persistence, batching of misses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from termalign.kernel.errors import ConfigError
from termalign.translator.cache import CachedEngine
from termalign.translator.engine import Engine
from termalign.translator.identity import IdentityEngine
from termalign.translator.terms import TermAwareTranslator


def test_is_an_engine_with_the_wrapped_signature() -> None:
    inner = IdentityEngine()
    cached = CachedEngine(inner)
    assert isinstance(cached, Engine)
    assert cached.signature == inner.signature and cached.model_id == "identity"


def test_memory_cache_hits_and_key_parts() -> None:
    inner = IdentityEngine()
    cached = CachedEngine(inner)
    first = cached.translate_batch(["甲", "乙"])
    again = cached.translate_batch(["乙", "甲", "丙"])
    assert [h.best.text for h in again] == ["乙", "甲", "丙"] and first[0].best.text == "甲"
    assert (cached.hits, cached.misses, inner.segments) == (2, 3, 3)
    assert inner.batches == 2  # the one miss of the second call went in one batch
    # instruction, prefix and n are part of the key
    cached.translate_batch(["甲"], instructions=["glossary"])
    cached.translate_batch(["甲"], target_prefixes=["X"])
    cached.translate_batch(["甲"], num_hypotheses=2)
    assert cached.misses == 6 and cached.stats.size == 6


def test_repeats_inside_one_batch_are_decoded_once() -> None:
    inner = IdentityEngine()
    cached = CachedEngine(inner)
    out = cached.translate_batch(["甲", "甲", "乙"])
    assert [h.best.text for h in out] == ["甲", "甲", "乙"] and inner.segments == 2


def test_signature_change_misses() -> None:
    a, b = CachedEngine(IdentityEngine("one")), CachedEngine(IdentityEngine("two"))
    assert a.key("甲", None, None, 1) != b.key("甲", None, None, 1)


def test_sqlite_cache_persists_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.sqlite"
    with CachedEngine(IdentityEngine(), path) as cached:
        cached.translate_batch(["蒸馏很重要。"], instructions=["Terminology: 蒸馏 → distillation"])
    inner = IdentityEngine()
    with CachedEngine(inner, path) as cached:
        [result] = cached.translate_batch(["蒸馏很重要。"], instructions=["Terminology: 蒸馏 → distillation"])
        assert result.best.text == "蒸馏很重要。" and result.best.score == 0.0
        assert inner.segments == 0 and cached.hits == 1 and cached.stats.size == 1
    rows = sqlite3.connect(path).execute("SELECT COUNT(*) FROM translations").fetchone()
    assert rows == (1,)


def test_unwritable_cache_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError):
        CachedEngine(IdentityEngine(), blocker / "cache.sqlite").translate_batch(["甲"])


def test_translator_rerun_is_served_from_the_cache() -> None:
    inner = IdentityEngine()
    translator = TermAwareTranslator(CachedEngine(inner))
    first = translator.translate(["第一句。", "第二句。"])
    calls = inner.segments
    second = translator.translate(["第一句。", "第二句。"])
    assert first == second and inner.segments == calls
