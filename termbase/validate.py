"""Checks shared by every import path: one :class:`Draft` per row, validated into an :class:`Entry`.

Format readers turn a file into drafts (plain strings, nothing interpreted yet)
plus the problems they met while parsing; :func:`build_entries` then validates
every draft and the cross-row rules (a source term used twice) and returns the
good entries with *all* problems, each carrying its line number
(docs/architecture.md: all problems at once).  Nothing here raises until :func:`raise_problems` is asked to.

This module also owns the small text codecs the text formats share: the
multi-value separator, booleans and provenance strings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from termalign.kernel.errors import TermbaseError
from termalign.termbase.model import STATUSES, Entry, Provenance, Status

__all__ = [
    "Problem",
    "Draft",
    "TermbaseProblems",
    "check_entry",
    "build_entries",
    "raise_problems",
    "join_multi",
    "split_multi",
    "parse_bool",
    "format_bool",
    "parse_provenance",
    "sort_key",
    "content_hash",
    "entry_to_dict",
    "MULTI_SEPARATOR",
    "POS_ALIASES",
]

MULTI_SEPARATOR = " | "
# other spellings of a part of speech (TBX's names): read as the short form, refused when stored
POS_ALIASES = {"propernoun": "propn", "adjective": "adj", "adverb": "adv"}
_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}
_PROVENANCE = re.compile(r"^(?P<source>.*?)×(?P<count>\d+)(?: (?P<example>.*))?$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (``line`` is 1-based in the file, None if unknown)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class TermbaseProblems(TermbaseError):
    """A :class:`TermbaseError` that also carries every :class:`Problem` found."""

    def __init__(self, message: str, problems: Sequence[Problem], *, path: str | Path | None = None):
        self.problems = tuple(problems)
        super().__init__(message, path=path)


@dataclass
class Draft:
    """One row as read from a file, before validation; every field is still text."""

    line: int | None
    source: str
    target: str
    status: str = ""
    source_variants: tuple[str, ...] = ()
    target_variants: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    pos: str = ""
    domain: str = ""
    note: str = ""
    enforce: str = ""
    provenance: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


# -- text codecs -----------------------------------------------------------------------------------


def join_multi(values: Iterable[str]) -> str:
    r"""Join values with `` | ``; a literal ``|`` is written ``\|`` and a backslash ``\\``."""
    return MULTI_SEPARATOR.join(v.replace("\\", "\\\\").replace("|", "\\|") for v in values)


def split_multi(text: str) -> tuple[str, ...]:
    """Inverse of :func:`join_multi`; surrounding spaces of each value are dropped, empties skipped."""
    values: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == "|":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return tuple(v.strip() for v in values if v.strip())


def parse_bool(text: str, default: bool = True) -> bool | None:
    """``yes/no/true/false/1/0`` (any case); empty gives ``default``; anything else None."""
    value = text.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_provenance(text: str) -> Provenance:
    """Inverse of ``str(Provenance)``: ``source×count[ example]``; a bare string is a source seen once."""
    match = _PROVENANCE.match(text.strip())
    if match is None:
        return Provenance(text.strip())
    return Provenance(match["source"], int(match["count"]), match["example"] or "")


# -- validation ------------------------------------------------------------------------------------


# what str.splitlines() (and so PO comments, editors, line-based tools) treats as a line break
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _bad_char(value: str, *, newline_ok: bool = False) -> str | None:
    """Why ``value`` cannot be stored in every format (control character, line separator...), or None."""
    for char in value:
        code = ord(char)
        if char == "\n" and newline_ok:
            continue
        if char in _LINE_BREAKS:
            return f"contains a line break (U+{code:04X})"
        if code < 0x20 or 0x7F <= code < 0xA0:
            return "contains a tab" if char == "\t" else f"contains a control character (U+{code:04X})"
        if 0xD800 <= code < 0xE000:
            return f"contains a lone surrogate (U+{code:04X})"
        if code in (0xFFFE, 0xFFFF):
            return f"contains the non-character U+{code:04X}"
    return None


def _bad_text(value: str, *, newline_ok: bool = False) -> str | None:
    if value != value.strip():
        return "has leading or trailing spaces"
    if newline_ok and any(line != line.rstrip() for line in value.split("\n")):
        return "has a line ending in spaces"  # a PO comment line loses them (polib strips each line)
    return _bad_char(value, newline_ok=newline_ok)


def _check_fields(entry: Entry) -> list[str]:
    """Curation fields and provenance: text every format can hold and read back unchanged."""
    problems: list[str] = []
    for label, value, newline_ok in (
        ("part of speech", entry.pos, False),
        ("domain", entry.domain, False),
        ("note", entry.note, True),
    ):
        why = _bad_text(value, newline_ok=newline_ok)
        if why:
            problems.append(f"the {label} {why}")
    if entry.pos.lower() in POS_ALIASES:
        problems.append(f"the part of speech {entry.pos!r} is written {POS_ALIASES[entry.pos.lower()]!r}")
    for record in entry.provenance:
        for label, value in (("source", record.source), ("example", record.example)):
            why = _bad_text(value)
            if why:
                problems.append(f"the provenance {label} {value!r} {why}")
        if "×" in record.source:
            problems.append(f"the provenance source {record.source!r} contains ×, which separates the count")
        if record.count < 0:
            problems.append(f"the provenance count of {record.source!r} is negative")
    for key, value in entry.extra.items():
        why = _bad_char(str(key)) or _bad_char(str(value))
        if why:
            problems.append(f"the column {key!r} {why}")
    return problems


def check_entry(entry: Entry) -> list[str]:
    """Everything wrong with one entry on its own, as short phrases (empty list: fine)."""
    problems: list[str] = []
    if not entry.source.strip():
        problems.append("empty source term")
    if not entry.target.strip():
        problems.append("empty target rendering")
    for label, values, first in (
        ("source term", entry.source_terms, 1),  # the preferred ones are checked above when empty
        ("target", entry.accepted_targets, 1),
        ("forbidden rendering", entry.forbidden, 0),
    ):
        for k, value in enumerate(values):
            why = _bad_text(value)
            if not value.strip():
                if k >= first:  # an empty variant would vanish on the way through a file
                    problems.append(f"an empty {label}{' variant' if first else ''}")
            elif why:
                problems.append(f"{label} {value!r} {why}")
    problems.extend(_check_fields(entry))
    if len(set(entry.source_terms)) != len(entry.source_terms):
        problems.append(f"a source variant of {entry.source!r} repeats a source term")
    for label, values in (
        ("target rendering", entry.accepted_targets),
        ("forbidden rendering", entry.forbidden),
    ):
        if len(set(values)) != len(values):  # exactly: case variants (FLOPs, flops) are legitimate
            problems.append(f"a {label} of {entry.source!r} is repeated")
    accepted = {t.casefold() for t in entry.accepted_targets}
    clash = [f for f in entry.forbidden if f.casefold() in accepted]
    if clash:
        problems.append(f"{', '.join(map(repr, clash))} is both accepted and forbidden for {entry.source!r}")
    return problems


def _draft_to_entry(draft: Draft) -> tuple[Entry | None, list[str]]:
    problems: list[str] = []
    status_text = draft.status.strip().lower() or Status.CANDIDATE.value
    if status_text not in STATUSES:
        problems.append(f"bad status {draft.status!r} (use {', '.join(STATUSES)})")
    enforce = parse_bool(draft.enforce)
    if enforce is None:
        problems.append(f"bad enforce value {draft.enforce!r} (use yes or no)")
    entry = Entry(
        source=draft.source.strip(),
        target=draft.target.strip(),
        source_variants=tuple(v.strip() for v in draft.source_variants if v.strip()),
        target_variants=tuple(v.strip() for v in draft.target_variants if v.strip()),
        forbidden=tuple(v.strip() for v in draft.forbidden if v.strip()),
        status=Status(status_text) if status_text in STATUSES else Status.CANDIDATE,
        pos=POS_ALIASES.get(draft.pos.strip().lower(), draft.pos.strip()),
        domain=draft.domain.strip(),
        note=draft.note.strip(),
        enforce=bool(enforce) if enforce is not None else True,
        provenance=tuple(parse_provenance(p) for p in draft.provenance if p.strip()),
        extra=dict(draft.extra),
    )
    problems.extend(check_entry(entry))
    return (None if problems else entry), problems


def build_entries(drafts: Iterable[Draft]) -> tuple[list[tuple[int | None, Entry]], list[Problem]]:
    """Validate drafts into (line, entry) pairs; report every problem, including source terms used twice."""
    entries: list[tuple[int | None, Entry]] = []
    problems: list[Problem] = []
    owner: dict[str, tuple[int | None, Entry]] = {}  # source term -> (line, entry)
    for draft in drafts:
        entry, messages = _draft_to_entry(draft)
        problems.extend(Problem(draft.line, m) for m in messages)
        if entry is None:
            continue
        clashes = [(term, *owner[term]) for term in entry.source_terms if term in owner]
        if clashes:
            term, line, other = clashes[0]
            where = f"line {line}" if line is not None else "another entry"
            if other.target.casefold() == entry.target.casefold():
                problems.append(Problem(draft.line, f"{term!r} repeats {where}"))
            else:
                problems.append(
                    Problem(
                        draft.line,
                        f"{term!r} is already on {where} with a different rendering "
                        f"({other.target!r}, here {entry.target!r})",
                    )
                )
            continue
        for term in entry.source_terms:
            owner[term] = (draft.line, entry)
        entries.append((draft.line, entry))
    return entries, problems


def raise_problems(problems: Sequence[Problem], *, path: str | Path | None, action: str) -> None:
    """Raise one :class:`TermbaseProblems` naming every problem, if there are any."""
    if not problems:
        return
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    details = "; ".join(str(p) for p in problems)
    raise TermbaseProblems(f"{count}, {action}: {details}", problems, path=path)


# -- canonical order and hash ----------------------------------------------------------------------


def sort_key(entry: Entry) -> tuple[str, str, str]:
    """Deterministic order for exports: by source term (case-folded, then exact), then target."""
    return (entry.source.casefold(), entry.source, entry.target)


def entry_to_dict(entry: Entry, *, with_id: bool = True) -> dict[str, object]:
    """A JSON-ready dict of the entry (for ``--json`` output, reports and hashing)."""
    data: dict[str, object] = {"id": entry.id} if with_id else {}
    return data | {
        "source": entry.source,
        "target": entry.target,
        "source_variants": list(entry.source_variants),
        "target_variants": list(entry.target_variants),
        "forbidden": list(entry.forbidden),
        "status": entry.status.value,
        "pos": entry.pos,
        "domain": entry.domain,
        "note": entry.note,
        "enforce": entry.enforce,
        "provenance": [[p.source, p.count, p.example] for p in entry.provenance],
    }


def content_hash(entries: Iterable[Entry]) -> str:
    """sha256 (hex) of the entries' content, independent of ids, storage and input order."""
    payload = [entry_to_dict(e, with_id=False) for e in sorted(entries, key=sort_key)]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()
