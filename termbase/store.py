"""The SQLite working store of a termbase.

One row per concept in ``entry``; its source terms (preferred and variants) in
``source_term``, where a term is the primary key, so a source term belongs to
one entry only; its renderings in ``target`` (kind preferred, variant or
forbidden); where they were seen in ``provenance``.  WAL journalling, foreign
keys on, ``PRAGMA user_version`` holds the schema version, and every change runs
in one transaction.

The committed, curated form of a termbase is the diffable TSV file
(:mod:`termbase.formats.tsv`); :func:`load_termbase` reads that (or any other
exchange format) into an in-memory store.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from termalign.kernel.errors import TermbaseError
from termalign.termbase.model import Entry, Provenance, Status
from termalign.termbase.validate import Problem, check_entry, content_hash, raise_problems, sort_key

if TYPE_CHECKING:
    from termalign.termbase.matcher import TermMatcher

__all__ = [
    "Termbase",
    "load_termbase",
    "edit_termbase",
    "save_in_place",
    "SCHEMA_VERSION",
    "SQLITE_EXTENSIONS",
]

SCHEMA_VERSION = 1
_BUSY_TIMEOUT_S = 60.0  # a writer waits this long for another process's transaction
SQLITE_EXTENSIONS = (".sqlite", ".sqlite3", ".db")

_SCHEMA = """
CREATE TABLE entry (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('candidate', 'approved', 'deprecated')),
    pos TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    enforce INTEGER NOT NULL DEFAULT 1 CHECK (enforce IN (0, 1)),
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE source_term (
    term TEXT PRIMARY KEY CHECK (term <> ''),
    entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
    preferred INTEGER NOT NULL CHECK (preferred IN (0, 1)),
    position INTEGER NOT NULL
);
CREATE INDEX source_term_entry ON source_term(entry_id);
CREATE UNIQUE INDEX source_term_one_preferred ON source_term(entry_id) WHERE preferred = 1;
CREATE TABLE target (
    entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('preferred', 'variant', 'forbidden')),
    position INTEGER NOT NULL,
    term TEXT NOT NULL CHECK (term <> ''),
    PRIMARY KEY (entry_id, kind, position)
);
CREATE UNIQUE INDEX target_one_preferred ON target(entry_id) WHERE kind = 'preferred';
CREATE TABLE provenance (
    entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    example TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (entry_id, position)
);
"""


class Termbase:
    """A termbase in SQLite.  Use :meth:`open` or :meth:`memory`, ideally as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None = None) -> None:
        self._db = connection
        self.path = path
        self._revision = 0
        self._matcher: tuple[int, TermMatcher] | None = None
        self._prepare()

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Termbase:
        """Open (or create) the SQLite termbase at ``path``."""
        path = Path(path)
        if not create and not path.exists():
            raise TermbaseError("the termbase does not exist", path=path)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise TermbaseError(f"cannot open the termbase ({exc})", path=path) from exc
        try:
            return cls(connection, path)
        except BaseException:
            connection.close()
            raise

    @classmethod
    def memory(cls, entries: Iterable[Entry] = ()) -> Termbase:
        """A throwaway in-memory termbase, optionally filled with ``entries``."""
        termbase = cls(sqlite3.connect(":memory:", isolation_level=None))
        entries = list(entries)
        if entries:
            termbase.add_many(entries)
        return termbase

    def _prepare(self) -> None:
        db = self._db
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            if self.path is not None:
                self._wal()
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                version = self._create_schema()
            if version > SCHEMA_VERSION:
                raise TermbaseError(
                    f"the termbase has schema version {version}, newer than this termalign "
                    f"understands ({SCHEMA_VERSION}); upgrade termalign",
                    path=self.path,
                )
        except sqlite3.DatabaseError as exc:
            raise TermbaseError(f"not a usable SQLite termbase ({exc})", path=self.path) from exc

    def _wal(self) -> None:
        """Switch to WAL.  The switch needs a moment alone with the file and does not wait for
        it (SQLite's busy handler is not asked), so a process opening a termbase another one is
        creating retries until the busy timeout."""
        deadline = time.monotonic() + _BUSY_TIMEOUT_S
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _create_schema(self) -> int:
        """Create the tables in a new file; returns the schema version found or made.

        The version is read again inside the write lock: two processes opening one
        new file at once must not both create the tables.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if tables:
                    raise TermbaseError("this SQLite file is not a termalign termbase", path=self.path)
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                version = SCHEMA_VERSION
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return version

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Termbase:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Termbase]:
        """One ``BEGIN IMMEDIATE`` transaction around a read-modify-write (``get`` then ``update``).

        The write lock is taken at the start, so another process editing the
        same SQLite file waits instead of overwriting what this one read.
        """
        with self._transaction():
            yield self

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction; nested use becomes a savepoint, so a failed inner step can be undone alone."""
        if self._db.in_transaction:
            self._db.execute("SAVEPOINT step")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK TO step")
                self._db.execute("RELEASE step")
                raise
            self._db.execute("RELEASE step")
            self._revision += 1  # the matcher of a long transaction must see its own edits
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self._revision += 1

    # -- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM entry").fetchone()[0])

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._owner(term) is not None

    def _owner(self, term: str) -> int | None:
        row = self._db.execute("SELECT entry_id FROM source_term WHERE term = ?", (term,)).fetchone()
        return None if row is None else int(row[0])

    def _load(self, ids: Sequence[int] | None = None) -> list[Entry]:
        where, args = (
            ("", ()) if ids is None else (f" WHERE {{col}} IN ({','.join('?' * len(ids))})", tuple(ids))
        )
        rows = self._db.execute(
            "SELECT id, status, pos, domain, note, enforce, extra FROM entry" + where.format(col="id"), args
        ).fetchall()
        sources: dict[int, list[tuple[int, int, str]]] = {}
        for entry_id, preferred, position, term in self._db.execute(
            "SELECT entry_id, preferred, position, term FROM source_term" + where.format(col="entry_id"), args
        ):
            sources.setdefault(entry_id, []).append((-preferred, position, term))
        targets: dict[int, dict[str, list[tuple[int, str]]]] = {}
        for entry_id, kind, position, term in self._db.execute(
            "SELECT entry_id, kind, position, term FROM target" + where.format(col="entry_id"), args
        ):
            targets.setdefault(entry_id, {}).setdefault(kind, []).append((position, term))
        provenance: dict[int, list[tuple[int, Provenance]]] = {}
        for entry_id, position, source, count, example in self._db.execute(
            "SELECT entry_id, position, source, count, example FROM provenance"
            + where.format(col="entry_id"),
            args,
        ):
            provenance.setdefault(entry_id, []).append((position, Provenance(source, count, example)))
        entries = []
        for entry_id, status, pos, domain, note, enforce, extra in rows:
            terms = [t for _, _, t in sorted(sources.get(entry_id, []))]
            kinds = targets.get(entry_id, {})

            def ordered(kind: str, kinds: dict[str, list[tuple[int, str]]] = kinds) -> tuple[str, ...]:
                return tuple(t for _, t in sorted(kinds.get(kind, [])))

            entries.append(
                Entry(
                    source=terms[0],
                    target=ordered("preferred")[0],
                    source_variants=tuple(terms[1:]),
                    target_variants=ordered("variant"),
                    forbidden=ordered("forbidden"),
                    status=Status(status),
                    pos=pos,
                    domain=domain,
                    note=note,
                    enforce=bool(enforce),
                    provenance=tuple(p for _, p in sorted(provenance.get(entry_id, []), key=lambda x: x[0])),
                    id=entry_id,
                    extra=json.loads(extra),
                )
            )
        return sorted(entries, key=sort_key)

    def get(self, term: str) -> Entry | None:
        """The entry that has ``term`` as its preferred or variant source term, else None."""
        entry_id = self._owner(term)
        return None if entry_id is None else self._load([entry_id])[0]

    def get_id(self, entry_id: int) -> Entry | None:
        found = self._load([entry_id])
        return found[0] if found else None

    def entries(self, status: Status | str | None = None) -> list[Entry]:
        """All entries in the canonical order (by source term), optionally of one status."""
        entries = self._load()
        if status is None:
            return entries
        wanted = Status(status)
        return [e for e in entries if e.status is wanted]

    def find(
        self,
        query: str = "",
        *,
        status: Status | str | None = None,
        domain: str | None = None,
        enforce: bool | None = None,
    ) -> list[Entry]:
        """Entries whose source terms or renderings (any kind) contain ``query``, case-insensitively."""
        needle = query.casefold()
        found = []
        for entry in self.entries(status):
            if domain is not None and entry.domain != domain:
                continue
            if enforce is not None and entry.enforce != enforce:
                continue
            haystack = (*entry.source_terms, *entry.accepted_targets, *entry.forbidden)
            if not needle or any(needle in text.casefold() for text in haystack):
                found.append(entry)
        return found

    def hash(self) -> str:
        """Stable sha256 of the content (not of ids or storage); goes into output signatures."""
        return content_hash(self.entries())

    def matcher(self) -> TermMatcher:
        """A :class:`~termbase.matcher.TermMatcher` over all entries, rebuilt only after a change."""
        from termalign.termbase.matcher import TermMatcher

        if self._matcher is None or self._matcher[0] != self._revision:
            self._matcher = (self._revision, TermMatcher(self.entries()))
        return self._matcher[1]

    # -- writing -----------------------------------------------------------------------------------

    def add(self, entry: Entry) -> Entry:
        """Store a new entry and return it with its id.

        If its source terms already belong to one entry with the same preferred
        rendering, the two are merged (see :func:`merge_entries`).  A source term
        stored with a different rendering is a conflict: :class:`TermbaseError`.
        """
        _check(entry)
        with self._transaction():
            owners = self._owners(entry.source_terms)
            if not owners:
                return self._insert(entry)
            existing = self._conflict_free(entry, owners)
            merged = merge_entries(existing, entry)
            _check(merged)
            self._delete(existing.id)  # type: ignore[arg-type]
            return self._insert(merged, existing.id)

    def add_many(
        self, entries: Iterable[Entry], *, skip_bad: bool = False, lines: Sequence[int | None] | None = None
    ) -> tuple[list[Entry], list[Problem]]:
        """Add entries in one transaction; report every conflict at once.

        Without ``skip_bad`` any problem undoes the whole batch and raises; with
        it, the good entries are kept and the problems returned.
        """
        added: list[Entry] = []
        problems: list[Problem] = []
        with self._transaction():
            for k, entry in enumerate(entries):
                try:
                    added.append(self.add(entry))
                except TermbaseError as exc:
                    problems.append(Problem(lines[k] if lines else None, exc.message))
            if not skip_bad:
                raise_problems(problems, path=self.path, action="nothing was added")
        return added, problems

    def update(self, entry: Entry) -> Entry:
        """Replace the stored entry with the same id (or, without an id, the same source term)."""
        _check(entry)
        with self._transaction():
            entry_id = entry.id if entry.id is not None else self._owner(entry.source)
            if entry_id is None or self.get_id(entry_id) is None:
                raise TermbaseError(f"no entry for {entry.source!r} to update", path=self.path)
            owners = self._owners(entry.source_terms) - {entry_id}
            if owners:
                other = self._load(sorted(owners))[0]
                raise TermbaseError(
                    f"cannot update {entry.source!r}: a source term belongs to the entry "
                    f"for {other.source!r} ({other.target!r})",
                    path=self.path,
                )
            self._delete(entry_id)
            return self._insert(entry, entry_id)

    def remove(self, key: int | str) -> Entry:
        """Remove the entry with this id or source term; return what was removed."""
        with self._transaction():
            entry = self.get_id(key) if isinstance(key, int) else self.get(key)
            if entry is None or entry.id is None:
                raise TermbaseError(f"no entry for {key!r} to remove", path=self.path)
            self._delete(entry.id)
            return entry

    def _owners(self, terms: Iterable[str]) -> set[int]:
        owners = set()
        for term in terms:
            owner = self._owner(term)
            if owner is not None:
                owners.add(owner)
        return owners

    def _conflict_free(self, entry: Entry, owners: set[int]) -> Entry:
        """The one stored entry ``entry`` may merge into, or a conflict error."""
        stored = self._load(sorted(owners))
        for other in stored:
            if other.target.casefold() != entry.target.casefold() or len(stored) > 1:
                term = next(t for t in entry.source_terms if t in other.source_terms)
                where = "" if term == other.source else f" as a variant of {other.source!r}"
                raise TermbaseError(
                    f"conflict: {term!r} is already in the termbase{where} rendered {other.target!r}, "
                    f"not {entry.target!r}",
                    path=self.path,
                )
        return stored[0]

    def _insert(self, entry: Entry, entry_id: int | None = None) -> Entry:
        db = self._db
        cursor = db.execute(
            "INSERT INTO entry (id, status, pos, domain, note, enforce, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                entry.status.value,
                entry.pos,
                entry.domain,
                entry.note,
                int(entry.enforce),
                json.dumps(entry.extra, ensure_ascii=False, sort_keys=True),
            ),
        )
        new_id = int(cursor.lastrowid if entry_id is None else entry_id)  # type: ignore[arg-type]
        db.executemany(
            "INSERT INTO source_term (term, entry_id, preferred, position) VALUES (?, ?, ?, ?)",
            [(t, new_id, int(k == 0), k) for k, t in enumerate(entry.source_terms)],
        )
        targets = [("preferred", 0, entry.target)]
        targets += [("variant", k, t) for k, t in enumerate(entry.target_variants)]
        targets += [("forbidden", k, t) for k, t in enumerate(entry.forbidden)]
        db.executemany(
            "INSERT INTO target (entry_id, kind, position, term) VALUES (?, ?, ?, ?)",
            [(new_id, kind, k, t) for kind, k, t in targets],
        )
        db.executemany(
            "INSERT INTO provenance (entry_id, position, source, count, example) VALUES (?, ?, ?, ?, ?)",
            [(new_id, k, p.source, p.count, p.example) for k, p in enumerate(entry.provenance)],
        )
        return replace(entry, id=new_id)

    def _delete(self, entry_id: int) -> None:
        self._db.execute("DELETE FROM entry WHERE id = ?", (entry_id,))


def _check(entry: Entry) -> None:
    problems = check_entry(entry)
    if problems:
        raise TermbaseError(f"invalid entry {entry.source!r}: {'; '.join(problems)}")


def _union(first: Sequence[str], second: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    seen = {v.casefold() for v in (*first, *exclude)}
    extra = []
    for value in second:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            extra.append(value)
    return (*first, *extra)


def merge_entries(existing: Entry, new: Entry) -> Entry:
    """Fold ``new`` into ``existing`` (same concept, same preferred rendering).

    Variants, forbidden renderings and provenance are united (the stored order
    first); curation fields of ``existing`` win unless empty; a candidate takes
    the newer status, so importing an approved list approves.
    """
    provenance = list(existing.provenance)
    for p in new.provenance:
        same = [k for k, q in enumerate(provenance) if (q.source, q.example) == (p.source, p.example)]
        if same:
            k = same[0]
            provenance[k] = replace(provenance[k], count=max(provenance[k].count, p.count))
        else:
            provenance.append(p)
    return replace(
        existing,
        source_variants=_union(existing.source_variants, new.source_terms, exclude=(existing.source,)),
        target_variants=_union(existing.target_variants, new.accepted_targets, exclude=(existing.target,)),
        forbidden=_union(existing.forbidden, new.forbidden),
        status=new.status if existing.status is Status.CANDIDATE else existing.status,
        pos=existing.pos or new.pos,
        domain=existing.domain or new.domain,
        note=existing.note or new.note,
        provenance=tuple(provenance),
        extra={**new.extra, **existing.extra},
    )


def load_termbase(path: str | Path, *, create: bool = False) -> Termbase:
    """Open a ``.sqlite``/``.db`` termbase directly, or import any exchange format into memory.

    Imports are strict: a file with any bad row raises one error naming them all.
    """
    from termalign.termbase.formats import import_entries

    path = Path(path)
    if path.suffix.lower() in SQLITE_EXTENSIONS:
        return Termbase.open(path, create=create)
    if not path.exists():
        if create:
            return Termbase.memory()
        raise TermbaseError("the termbase does not exist", path=path)
    result = import_entries(path)
    termbase = Termbase.memory()
    try:
        termbase.add_many(result.entries, lines=result.lines)
    except TermbaseError as exc:
        termbase.close()
        raise TermbaseError(exc.message, path=path) from exc
    return termbase


@contextmanager
def edit_termbase(path: str | Path, *, create: bool = False) -> Iterator[Termbase]:
    """A termbase to change, safe against other processes editing the same file.

    SQLite: the whole block is one ``BEGIN IMMEDIATE`` transaction (committed if
    the block ends normally).  Any other format: the file is locked (an advisory
    lock, see :func:`termalign.kernel.atomic.locked`), read into memory, and —
    if the block ends normally — written back in its own format (a TSV/CSV touching
    only the changed rows, :func:`save_in_place`), atomically,
    keeping its permissions and writing through a symbolic link; the lock is
    held from the read to the write, so no acknowledged edit is lost.
    """
    from termalign.kernel.atomic import locked
    from termalign.termbase.formats import format_for

    path = Path(path)
    if path.suffix.lower() in SQLITE_EXTENSIONS:
        with Termbase.open(path, create=create) as store, store.transaction():
            yield store
        return
    format_for(path)  # an unknown extension fails before any work is done
    with locked(path, error=TermbaseError), load_termbase(path, create=create) as store:
        yield store
        save_in_place(path, store.entries())  # only the changed rows of a TSV/CSV move


def save_in_place(path: str | Path, entries: Iterable[Entry]) -> None:
    """Write ``entries`` back to the termbase file at ``path``, touching only the rows that changed.

    For a TSV/CSV file every unchanged row keeps its bytes and its place, a
    changed row is rewritten where it was, a removed one goes, and a new one is
    inserted before the first row that sorts after it (or appended, when the
    file keeps its own order), so a one-entry edit is a one-line diff.  Other
    formats (and a file whose columns would change) are written whole, in
    canonical order.
    """
    import csv
    import io

    from termalign.termbase.formats import FORMATS, export_entries, format_for, import_entries
    from termalign.termbase.formats._delimited import COLUMNS, DelimitedFormat, cells_of

    path = Path(path)
    entries = [replace(e, id=None) for e in entries]
    fmt = format_for(path)
    if not isinstance(fmt, DelimitedFormat) or not path.exists() or fmt is not FORMATS.get(fmt.name):
        export_entries(entries, path)
        return
    before = import_entries(path)
    extra = sorted({key for e in entries for key in e.extra} - set(COLUMNS))
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter, strict=True)
    lines = text.splitlines(keepends=True)
    header = next(reader, None)
    while header is not None and (not any(c.strip() for c in header) or header[0].lstrip().startswith("#")):
        header = next(reader, None)  # blank and comment rows before the header stay as they are
    if header is None or [c.strip().lower() for c in header[len(COLUMNS) :]] != extra:
        export_entries(entries, path)  # the columns change: a whole rewrite is the honest diff
        return
    spans: dict[int, tuple[int, int]] = {}  # first line of a row -> (first, last) line, 1-based
    end = reader.line_num
    for _ in reader:
        spans[end + 1] = (end + 1, reader.line_num)
        end = reader.line_num
    old = {line: replace(e, id=None) for e, line in zip(before.entries, before.lines, strict=True) if line}
    wanted = {e.source: e for e in entries}
    fresh = sorted((e for e in entries if e.source not in {o.source for o in old.values()}), key=sort_key)
    keys = [sort_key(old[k]) for k in sorted(old)]
    in_order = keys == sorted(keys)  # a sorted file stays sorted; a curated order gets new rows at the end

    def row(entry: Entry) -> str:
        buffer = io.StringIO(newline="")
        cells = cells_of(entry)
        csv.writer(buffer, delimiter=fmt.delimiter, lineterminator="\n").writerow(
            [cells[c] for c in COLUMNS] + [entry.extra.get(c, "") for c in extra]
        )
        return buffer.getvalue()

    out: list[str] = []
    line = 1
    while line <= len(lines):
        first, last = spans.get(line, (line, line))
        entry = old.get(first)
        if entry is not None:
            while in_order and fresh and sort_key(fresh[0]) < sort_key(entry):
                out.append(row(fresh.pop(0)))
            new = wanted.get(entry.source)
            if new == entry:
                out.extend(lines[first - 1 : last])
            elif new is not None:
                out.append(row(new))
        else:
            out.extend(lines[first - 1 : last])
        line = last + 1
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    out.extend(row(e) for e in fresh)
    from termalign.termbase.formats.base import atomic_write

    atomic_write(path, "".join(out).encode("utf-8"))
