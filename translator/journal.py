"""A crash-safe journal of finished segments for resumable batch runs.

One SQLite file (WAL, ``synchronous=FULL``) holds one row per
``(document, segment id, signature)`` with the segment's
:class:`~translator.records.SegmentRecord` as JSON.  Rows are committed once
per engine batch, so a run killed at any moment (``kill -9`` included) loses
at most the batch in flight, and a rerun redoes nothing already committed.

The row also keeps the source text the record was made from: if a document
changed since, the stored record no longer matches and the segment is redone.
The signature is the translator's reproducibility signature (model and hash,
termbase hash, decoding settings) serialised canonically, so changing any of
them starts those segments afresh without deleting the old rows.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from termalign.kernel.errors import TermalignError
from termalign.translator.records import SegmentRecord

__all__ = ["Journal", "JournalError", "signature_key", "JOURNAL_FORMAT"]

JOURNAL_FORMAT = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
    document TEXT NOT NULL,
    segment TEXT NOT NULL,
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    record TEXT NOT NULL,
    batch INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (document, segment, signature)
);
CREATE TABLE IF NOT EXISTS signatures (key TEXT PRIMARY KEY, signature TEXT NOT NULL);
"""


class JournalError(TermalignError):
    """The journal file is unreadable or not a termalign journal (rerun with --restart)."""


def signature_key(signature: Mapping[str, Any]) -> str:
    """A short stable key for a signature mapping (sha256 of its canonical JSON)."""
    text = json.dumps(signature, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Journal:
    """Finished segments of batch runs; open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._batch = self._next_batch()

    @classmethod
    def open(cls, path: str | Path, *, restart: bool = False) -> Journal:
        """Open (or create) the journal at ``path``; ``restart`` deletes any old one first.

        A corrupt or foreign file raises :class:`JournalError` in one sentence.
        """
        path = Path(path)
        if restart:
            remove_journal(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal ({exc})", path=path) from exc
        try:
            _prepare(connection)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise JournalError(
                f"the journal is corrupt ({exc}); rerun with --restart to start a fresh one", path=path
            ) from exc
        except JournalError as exc:
            connection.close()
            raise JournalError(exc.message, path=path) from exc
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _next_batch(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(batch), 0) FROM segments").fetchone()
        return int(row[0]) + 1

    def finished(self, document: str, signature: str) -> dict[str, tuple[str, SegmentRecord]]:
        """``{segment id: (source, record)}`` already done for ``document`` under ``signature``."""
        rows = self._db.execute(
            "SELECT segment, source, record FROM segments WHERE document = ? AND signature = ?",
            (document, signature),
        ).fetchall()
        try:
            return {seg: (source, SegmentRecord.from_dict(json.loads(rec))) for seg, source, rec in rows}
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(
                f"the journal holds an unreadable record ({exc}); rerun with --restart", path=self.path
            ) from exc

    def record(self, signature: str, rows: Iterable[tuple[str, SegmentRecord, str]]) -> int:
        """Store ``(document, record, source)`` rows in one transaction; returns the batch number."""
        batch, now = self._batch, time.time()
        data = [
            (doc, rec.id, signature, source, json.dumps(rec.to_dict(), ensure_ascii=False), batch, now)
            for doc, rec, source in rows
        ]
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)", data)
        self._batch += 1
        return batch

    def remember_signature(self, key: str, signature: Mapping[str, Any]) -> None:
        """Keep the full signature behind ``key`` so a report can show it later."""
        text = json.dumps(signature, sort_keys=True, ensure_ascii=False, default=str)
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?)", (key, text))

    def counts(self) -> dict[str, int]:
        """Rows per document (all signatures)."""
        rows = self._db.execute("SELECT document, COUNT(*) FROM segments GROUP BY document").fetchall()
        return {doc: int(n) for doc, n in rows}

    def rows(self) -> list[tuple[str, str, str, int, float]]:
        """Every ``(document, segment, signature, batch, created)``, for tests and audits."""
        return [
            (d, s, g, int(b), float(c))
            for d, s, g, b, c in self._db.execute(
                "SELECT document, segment, signature, batch, created FROM segments ORDER BY rowid"
            )
        ]

    def _transaction(self) -> _Tx:
        return _Tx(self._db, self.path)


class _Tx:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rollback on error); SQLite errors become JournalError."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db, self.path = db, path

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: object) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                raise JournalError(f"cannot commit to the journal ({error})", path=self.path) from error
            return
        self.db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise JournalError(f"cannot write to the journal ({exc})", path=self.path) from exc


def _prepare(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    check = db.execute("PRAGMA quick_check").fetchone()
    if check is None or check[0] != "ok":
        raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:
        raise JournalError("the file is an SQLite database but not a termalign journal; use --restart")
    db.executescript(_SCHEMA)
    row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    if row is None:
        db.execute("INSERT INTO meta VALUES ('format', ?)", (str(JOURNAL_FORMAT),))
    elif row[0] != str(JOURNAL_FORMAT):
        raise JournalError(f"the journal has format {row[0]}, this version writes {JOURNAL_FORMAT}")


def remove_journal(path: Path) -> None:
    """Delete a journal and its WAL side files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
