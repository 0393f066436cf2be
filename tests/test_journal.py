"""The batch journal: real SQLite in WAL mode, one row per (document, segment, signature)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from termalign.translator.journal import Journal, JournalError, signature_key
from termalign.translator.records import SegmentIssue, SegmentRecord, TermUse


def _record(seg_id: str, target: str = "hello") -> SegmentRecord:
    return SegmentRecord(
        seg_id, "你好", target, "mt", -0.5,
        terms=(TermUse("模型", "model", True),), issues=(SegmentIssue("untranslated", "warning", "m"),),
    )  # fmt: skip


def test_records_round_trip_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal.open(path) as journal:
        batch = journal.record("sig", [("doc", _record("b0.s0"), "你好"), ("doc", _record("b0.s1"), "再见")])
        assert batch == 1
        assert journal.record("other", [("doc", _record("b0.s0", "hi"), "你好")]) == 2
        mode = journal._db.execute("PRAGMA journal_mode").fetchone()[0]
        sync = journal._db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 2)  # 2 = FULL
    with Journal.open(path) as journal:
        done = journal.finished("doc", "sig")
        assert set(done) == {"b0.s0", "b0.s1"}
        assert done["b0.s1"] == ("再见", _record("b0.s1"))
        assert journal.finished("doc", "other")["b0.s0"][1].target == "hi"
        assert journal.finished("nope", "sig") == {}
        assert journal.counts() == {"doc": 3}
        # batch numbers continue after a reopen, so rows show which run wrote them
        assert journal.record("sig", [("doc2", _record("x"), "x")]) == 3


def test_same_key_is_replaced_not_duplicated(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as journal:
        journal.record("s", [("d", _record("a", "one"), "src")])
        journal.record("s", [("d", _record("a", "two"), "src")])
        assert journal.counts() == {"d": 1}
        assert journal.finished("d", "s")["a"][1].target == "two"


def test_corrupt_file_is_reported_and_restart_recovers(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal.open(path) as journal:
        journal.record("s", [("d", _record("a"), "src")])
    data = bytearray(path.read_bytes())
    data[:100] = b"garbage!" * 12 + b"garb"
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError) as info:
        Journal.open(path)
    message = str(info.value)
    assert "corrupt" in message and "--restart" in message and str(path) in message
    assert "\n" not in message
    with Journal.open(path, restart=True) as journal:
        assert journal.counts() == {}


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(JournalError, match="not a termalign journal"):
        Journal.open(path)


def test_signature_key_is_stable_and_order_free() -> None:
    assert signature_key({"a": 1, "b": [1, 2]}) == signature_key({"b": [1, 2], "a": 1})
    assert signature_key({"a": 1}) != signature_key({"a": 2})
