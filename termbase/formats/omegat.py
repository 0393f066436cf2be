"""OmegaT glossaries: UTF-8 tab-separated ``.txt`` without a header (what OmegaT reads as is).

One line per pair OmegaT should offer — ``source<TAB>target<TAB>comment``:

* the preferred source term with the preferred rendering; the comment is the
  curator's note (line breaks become spaces);
* the same source term with each accepted target variant (empty comment);
* each source variant with the preferred rendering, comment ``variant of <term>``.

A glossary has no way to mark a rendering as wrong: OmegaT offers every line as
a suggestion.  So **forbidden renderings are never written, nor are entries
whose status is deprecated**; status, part of speech, domain, provenance and
enforcement are not kept either (:meth:`OmegatFormat.round_trip` says exactly
what comes back).  On import, lines starting with ``#`` are comments, repeated
source terms add target variants, ``variant of X`` lines add source variants to
X, and every entry comes in as a candidate.
"""

from __future__ import annotations

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

__all__ = ["OmegatFormat"]

_VARIANT = re.compile(r"^variant of (?P<head>.+)$")


def _comment(text: str) -> str:
    return " ".join(text.split())


class OmegatFormat(Format):
    name = "omegat"
    extensions: ClassVar[tuple[str, ...]] = (".txt", ".utf8")
    description = "OmegaT glossary: tab-separated source, target, comment; no header (forbidden left out)"

    def round_trip(self, entries: Iterable[Entry]) -> list[Entry]:
        kept = [
            Entry(
                e.source,
                e.target,
                source_variants=e.source_variants,
                target_variants=e.target_variants,
                note=_comment(e.note),
            )
            for e in glossary_entries(entries)
        ]
        return sorted(kept, key=sort_key)

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        refuse_comment_terms(entries, "an OmegaT glossary")
        lines: list[str] = []
        for entry in glossary_entries(entries):
            lines.append(f"{entry.source}\t{entry.target}\t{_comment(entry.note)}")
            lines.extend(f"{entry.source}\t{variant}\t" for variant in entry.target_variants)
            lines.extend(
                f"{variant}\t{entry.target}\tvariant of {entry.source}" for variant in entry.source_variants
            )
        atomic_write(path, "".join(f"{line}\n" for line in lines).encode("utf-8"))

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        drafts: dict[str, Draft] = {}
        variants: list[tuple[int, str, str, str]] = []  # (line, variant, target, head)
        problems: list[Problem] = []
        for number, raw in enumerate(read_utf8(path).splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            cells = raw.split("\t")
            if len(cells) < 2 or len(cells) > 3:
                problems.append(
                    Problem(number, f"{len(cells)} tab-separated fields (expected source, target, comment)")
                )
                continue
            source, target, comment = (
                cells[0].strip(),
                cells[1].strip(),
                (cells[2] if len(cells) > 2 else "").strip(),
            )
            variant_of = _VARIANT.match(comment)
            if variant_of:
                variants.append((number, source, target, variant_of.group("head").strip()))
            elif source in drafts:
                draft = drafts[source]
                if target != draft.target and target not in draft.target_variants:
                    draft.target_variants += (target,)
            else:
                drafts[source] = Draft(line=number, source=source, target=target, note=comment)
        for number, variant, target, head in variants:
            if head in drafts:
                drafts[head].source_variants += (variant,)
            else:  # the head term is not in this glossary: the variant stands on its own
                drafts[variant] = Draft(line=number, source=variant, target=target)
        return list(drafts.values()), problems
