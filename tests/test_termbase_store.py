"""The SQLite working store: real SQLite files, real conflicts, real transactions."""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
from termbase_samples import sample_entries

from termalign.kernel.errors import TermbaseError
from termalign.termbase import Entry, Status, Termbase, export_entries, load_termbase
from termalign.termbase.store import SCHEMA_VERSION
from termalign.termbase.validate import TermbaseProblems

CURATED = Path(__file__).resolve().parents[1] / "corpora" / "deepseek" / "termbase.tsv"


def _no_ids(entries: list[Entry]) -> list[Entry]:
    return [replace(e, id=None) for e in entries]


@pytest.fixture
def store(tmp_path: Path):
    with Termbase.open(tmp_path / "terms.sqlite") as tb:
        tb.add_many(sample_entries())
        yield tb


def test_file_store_uses_wal_foreign_keys_and_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "tb.sqlite"
    with Termbase.open(path) as tb:
        tb.add(Entry("蒸馏", "distillation"))
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()
    with Termbase.open(path, create=False) as tb:
        assert tb._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert tb.get("蒸馏") is not None and len(tb) == 1


def test_entries_survive_a_reopen_exactly(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    with Termbase.open(path) as tb:
        tb.add_many(sample_entries())
    with Termbase.open(path) as tb:
        stored = tb.entries()
    assert all(e.id is not None for e in stored)
    assert sorted(_no_ids(stored), key=lambda e: e.source) == sorted(sample_entries(), key=lambda e: e.source)


def test_get_finds_preferred_and_variant_source_terms(store: Termbase) -> None:
    assert store.get("知识蒸馏") == store.get("蒸馏")
    assert store.get("知识蒸馏").target == "distillation"  # type: ignore[union-attr]
    assert store.get("无此术语") is None
    assert "混合专家模型" in store and "mixture of experts" not in store


def test_add_conflicting_rendering_raises_and_changes_nothing(store: Termbase) -> None:
    before = store.hash()
    with pytest.raises(TermbaseError, match="知识蒸馏.*variant of '蒸馏'.*distillation"):
        store.add(Entry("知识蒸馏", "knowledge refining"))
    assert store.hash() == before


def test_add_same_rendering_merges_into_the_existing_entry(store: Termbase) -> None:
    merged = store.add(
        Entry("蒸馏", "Distillation", source_variants=("模型蒸馏",), forbidden=("distilling",))
    )
    assert merged.id == store.get("蒸馏").id  # type: ignore[union-attr]
    assert merged.source_variants == ("知识蒸馏", "模型蒸馏")
    assert merged.forbidden == ("distilling",)
    assert merged.status is Status.APPROVED and len(store) == 5


def test_add_rejects_an_invalid_entry(store: Termbase) -> None:
    with pytest.raises(TermbaseError, match="both accepted and forbidden"):
        store.add(Entry("新词", "word", forbidden=("Word",)))
    with pytest.raises(TermbaseError, match="empty target"):
        store.add(Entry("新词", " "))


def test_update_replaces_and_checks_other_entries(store: Termbase) -> None:
    entry = store.get("推理模型")
    assert entry is not None
    updated = store.update(replace(entry, target="reasoning LLM", status=Status.APPROVED))
    assert store.get("推理模型") == updated and updated.id == entry.id
    with pytest.raises(TermbaseError, match="belongs to the entry for '推理'"):
        store.update(replace(updated, source_variants=("推理",)))
    with pytest.raises(TermbaseError, match="no entry"):
        store.update(Entry("不存在", "nothing"))


def test_remove_by_source_or_id_cascades(store: Termbase) -> None:
    removed = store.remove("混合专家模型")
    assert removed.source == "混合专家" and store.get("混合专家") is None
    assert (
        store._db.execute("SELECT count(*) FROM target WHERE entry_id = ?", (removed.id,)).fetchone()[0] == 0
    )
    some = store.entries()[0]
    store.remove(some.id)  # type: ignore[arg-type]
    assert len(store) == 3
    with pytest.raises(TermbaseError, match="no entry"):
        store.remove("混合专家")


def test_entries_filter_and_find(store: Termbase) -> None:
    assert {e.source for e in store.entries(Status.APPROVED)} == {"蒸馏", "混合专家"}
    assert {e.source for e in store.entries("deprecated")} == {"负载均衡"}
    assert [e.source for e in store.find("MOE")] == ["混合专家"]
    assert [e.source for e in store.find("推理", enforce=False)] == ["推理"]
    assert [e.source for e in store.entries()] == sorted(e.source for e in sample_entries())


def test_hash_depends_on_content_only(tmp_path: Path) -> None:
    entries = sample_entries()
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    with Termbase.memory(entries) as a, Termbase.open(tmp_path / "b.sqlite") as b:
        b.add_many(shuffled)
        assert a.hash() == b.hash() and len(a.hash()) == 64
        b.update(replace(b.get("推理"), note="changed"))  # type: ignore[arg-type]
        assert a.hash() != b.hash()


def test_add_many_is_all_or_nothing_unless_skip_bad(store: Termbase) -> None:
    batch = [Entry("新词", "new word"), Entry("蒸馏", "distilling"), Entry("推理", "deduction")]
    with pytest.raises(TermbaseProblems) as info:
        store.add_many(batch, lines=[2, 3, 4])
    assert [p.line for p in info.value.problems] == [3, 4]
    assert store.get("新词") is None
    added, problems = store.add_many(batch, skip_bad=True)
    assert [e.source for e in added] == ["新词"] and len(problems) == 2


def test_matcher_is_rebuilt_after_a_change(store: Termbase) -> None:
    assert store.matcher().find("新词") == []
    store.add(Entry("新词", "new word"))
    assert [h.term for h in store.matcher().find("一个新词")] == ["新词"]


def test_rejects_foreign_and_newer_databases(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(TermbaseError, match="not a termalign termbase"):
        Termbase.open(other)
    newer = tmp_path / "newer.sqlite"
    Termbase.open(newer).close()
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    with pytest.raises(TermbaseError, match="newer"):
        Termbase.open(newer)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(TermbaseError, match="garbage.db"):
        Termbase.open(garbage)
    with pytest.raises(TermbaseError, match="does not exist"):
        Termbase.open(tmp_path / "missing.sqlite", create=False)


def test_load_termbase_reads_exchange_files_and_sqlite(tmp_path: Path) -> None:
    tsv = tmp_path / "terms.tsv"
    export_entries(sample_entries(), tsv)
    with load_termbase(tsv) as from_tsv:
        assert from_tsv.path is None and len(from_tsv) == 5
        db = tmp_path / "terms.sqlite"
        with Termbase.open(db) as stored:
            stored.add_many(from_tsv.entries())
        with load_termbase(db) as from_db:
            assert from_db.hash() == from_tsv.hash()
    with pytest.raises(TermbaseError, match="does not exist"):
        load_termbase(tmp_path / "missing.tsv")


@pytest.mark.skipif(not CURATED.exists(), reason="the curated termbase is not there yet")
def test_the_curated_termbase_loads_fast_and_clean() -> None:
    start = time.perf_counter()
    with load_termbase(CURATED) as tb:
        tb.matcher()
        assert len(tb) > 0
    assert time.perf_counter() - start < 0.8
