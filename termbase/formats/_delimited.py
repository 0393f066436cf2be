r"""Delimited text termbases (TSV and CSV): the diffable form of a curated termbase.

Layout (one header row, then one row per concept, rows sorted by source term):

* ``source`` — preferred source term (required, first column);
* ``target`` — preferred rendering (required, second column);
* ``status`` — ``candidate`` (when empty), ``approved`` or ``deprecated``;
* ``source_variants`` — other source spellings (multi-valued);
* ``target_variants`` — other accepted renderings (multi-valued);
* ``forbidden`` — renderings that must not be used (multi-valued);
* ``pos`` — part of speech (``noun``, ``verb``, ``propn``, ...);
* ``domain`` — subject field;
* ``enforce`` — ``true`` (when empty) or ``false`` (ambiguous: matched, never
  forced); ``yes``/``no`` and ``1``/``0`` are read too;
* ``note`` — free text for curators and translators;
* ``provenance`` — where the rendering was seen (multi-valued), each
  ``source×count[ example]``.

Multi-valued cells separate values with `` | `` (space, bar, space); a literal
``|`` inside a value is written ``\|`` and a backslash ``\\``.  Quoting is the
``csv`` module's (a cell with the delimiter, a quote or a line break is quoted,
quotes doubled), so spreadsheets read the files as they are.  Columns after
``source`` and ``target`` may come in any order or be left out; unknown columns
are kept (``Entry.extra``) and written back after the known ones.  Rows whose
first cell starts with ``#`` before the header are comments.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from termalign.termbase.formats.base import Format, Languages, atomic_write, read_utf8
from termalign.termbase.model import Entry
from termalign.termbase.validate import Draft, Problem, format_bool, join_multi, split_multi

__all__ = ["DelimitedFormat", "COLUMNS", "cells_of"]

COLUMNS = (
    "source",
    "target",
    "status",
    "source_variants",
    "target_variants",
    "forbidden",
    "pos",
    "domain",
    "enforce",
    "note",
    "provenance",
)
_MULTI = frozenset({"source_variants", "target_variants", "forbidden", "provenance"})


def _cells(entry: Entry) -> dict[str, str]:
    return {
        "source": entry.source,
        "target": entry.target,
        "status": entry.status.value,
        "source_variants": join_multi(entry.source_variants),
        "target_variants": join_multi(entry.target_variants),
        "forbidden": join_multi(entry.forbidden),
        "pos": entry.pos,
        "domain": entry.domain,
        "enforce": format_bool(entry.enforce),
        "note": entry.note,
        "provenance": join_multi(str(p) for p in entry.provenance),
    }


cells_of = _cells  # the cells of one entry's row, by column name (used for minimal-diff edits)


class DelimitedFormat(Format):
    """Shared reader and writer; subclasses only set the delimiter."""

    delimiter: ClassVar[str]

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        extra = sorted({key for e in entries for key in e.extra} - set(COLUMNS))
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\n")
        writer.writerow((*COLUMNS, *extra))
        for entry in entries:
            cells = _cells(entry)
            writer.writerow([cells[c] for c in COLUMNS] + [entry.extra.get(c, "") for c in extra])
        atomic_write(path, buffer.getvalue().encode("utf-8"))

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        text = read_utf8(path)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
        drafts: list[Draft] = []
        problems: list[Problem] = []
        header: list[str] | None = None
        end = 0
        while True:
            line = end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(Problem(reader.line_num, f"unreadable row ({exc})"))
                break
            end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if row[0].lstrip().startswith("#"):
                    continue
                header = [cell.strip().lower() for cell in row]
                bad = _check_header(header)
                if bad:
                    return [], [Problem(line, bad)]
                continue
            if len(row) > len(header):
                problems.append(Problem(line, f"{len(row)} fields, but the header names {len(header)}"))
                continue
            drafts.append(_draft(line, dict(zip(header, row, strict=False))))
        if header is None:
            problems.append(Problem(1, f"no header row (expected {self.delimiter.join(COLUMNS[:2])}, ...)"))
        return drafts, problems


def _check_header(header: list[str]) -> str | None:
    if header[:2] != ["source", "target"]:
        return f"the header must start with source and target, not {', '.join(header[:2])}"
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated or "" in header:
        return f"the header repeats or leaves empty a column name ({', '.join(repeated) or 'empty'})"
    return None


def _draft(line: int, cells: dict[str, str]) -> Draft:
    def multi(column: str) -> tuple[str, ...]:
        return split_multi(cells.get(column, ""))

    return Draft(
        line=line,
        source=cells.get("source", ""),
        target=cells.get("target", ""),
        status=cells.get("status", ""),
        source_variants=multi("source_variants"),
        target_variants=multi("target_variants"),
        forbidden=multi("forbidden"),
        pos=cells.get("pos", ""),
        domain=cells.get("domain", ""),
        note=cells.get("note", ""),
        enforce=cells.get("enforce", ""),
        provenance=multi("provenance"),
        extra={k: v for k, v in cells.items() if k not in COLUMNS and v},
    )
