"""DeepL glossaries: headerless CSV (2 or 4 columns) or TSV (2 columns), one source term a row.

DeepL's glossary upload takes ``source,target`` rows, in CSV optionally with the
two language codes as third and fourth columns (``蒸馏,distillation,zh,en``);
each source term may appear once.  termalign writes every source term (the
preferred one and its variants) with the preferred rendering — 4 columns in a
``.csv``, 2 in a ``.tsv`` — and, as DeepL applies every row it is given,
**never a forbidden rendering nor a deprecated entry**.  Target variants,
status, notes and the rest have no column (:meth:`DeeplFormat.round_trip`).

A ``.csv``/``.tsv`` whose first row has 2 or 4 cells and is not a header (a
row of lowercase column names such as ``source,target``) is read as a DeepL
glossary, or any file with ``--format deepl``; rows whose language
columns are the other way round (``en,zh``) are swapped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from termalign.termbase.formats.base import (
    Format,
    Languages,
    atomic_write,
    glossary_entries,
    read_utf8,
    refuse_comment_terms,
)
from termalign.termbase.model import Entry
from termalign.termbase.validate import Draft, Problem, sort_key

__all__ = ["DeeplFormat"]

_TAB_SUFFIXES = (".tsv", ".tab")
_HEADER_WORD = re.compile(r"^[a-z][a-z_]*$")


def _delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() in _TAB_SUFFIXES else ","


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


class DeeplFormat(Format):
    name = "deepl"
    # chosen by name, or by content for a headerless .csv/.tsv (see claims)
    extensions: ClassVar[tuple[str, ...]] = ()
    sniffed: ClassVar[tuple[str, ...]] = (".csv", ".tsv")
    description = "DeepL glossary: headerless CSV (source,target[,src,tgt]) or TSV; forbidden left out"

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() not in self.sniffed or not path.is_file():
            return False
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                first = next((line for line in handle if line.strip() and not line.startswith("#")), "")
        except (OSError, UnicodeDecodeError):
            return False
        head = [c.strip() for c in next(csv.reader([first], delimiter=_delimiter(path)), [])]
        # a row of lowercase column names (``term,translation``) is some other file's header:
        # leave it to the CSV reader, which names what is wrong with it
        return len(head) in (2, 4) and not all(_HEADER_WORD.match(c) for c in head)

    def round_trip(self, entries: Iterable[Entry]) -> list[Entry]:
        kept = [Entry(term, e.target) for e in glossary_entries(entries) for term in e.source_terms]
        return sorted(kept, key=sort_key)

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        refuse_comment_terms(entries, "a DeepL glossary")
        delimiter = _delimiter(path)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        codes = [] if delimiter == "\t" else [_primary(langs.source), _primary(langs.target)]
        for entry in glossary_entries(entries):
            for term in entry.source_terms:
                writer.writerow([term, entry.target, *codes])
        atomic_write(path, buffer.getvalue().encode("utf-8"))

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        reader = csv.reader(io.StringIO(read_utf8(path), newline=""), delimiter=_delimiter(path))
        drafts: list[Draft] = []
        problems: list[Problem] = []
        wanted, swapped = (
            (_primary(langs.source), _primary(langs.target)),
            (_primary(langs.target), _primary(langs.source)),
        )
        end = 0
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in row) or row[0].startswith("#"):
                continue
            if len(row) not in (2, 4):
                problems.append(Problem(line, f"{len(row)} fields (a DeepL glossary row has 2 or 4)"))
                continue
            source, target = row[0], row[1]
            if len(row) == 4:
                codes = (_primary(row[2]), _primary(row[3]))
                if codes == swapped:
                    source, target = target, source
                elif codes != wanted:
                    problems.append(
                        Problem(line, f"languages {row[2]},{row[3]} are not {wanted[0]},{wanted[1]}")
                    )
                    continue
            drafts.append(Draft(line=line, source=source, target=target))
        return drafts, problems
