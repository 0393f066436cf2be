"""Termbase exchange formats: one module per format behind :class:`~termbase.formats.base.Format`.

``FORMATS`` maps a format name to its instance; files are matched by extension
(:func:`format_for`).  :func:`import_entries` reads a file, validates every
row with the shared rules of :mod:`termbase.validate` and reports *all*
problems at once; :func:`export_entries` writes entries in canonical order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from termalign.kernel.errors import TermbaseError
from termalign.termbase.formats.base import DEFAULT_LANGUAGES, Format, Languages
from termalign.termbase.formats.csv import CsvFormat
from termalign.termbase.formats.deepl import DeeplFormat
from termalign.termbase.formats.omegat import OmegatFormat
from termalign.termbase.formats.po import PoFormat
from termalign.termbase.formats.tbx import Tbx3Format, TbxFormat
from termalign.termbase.formats.tmx import TmxFormat
from termalign.termbase.formats.tsv import TsvFormat
from termalign.termbase.model import Entry
from termalign.termbase.validate import Problem, build_entries, raise_problems

__all__ = [
    "FORMATS",
    "Format",
    "Languages",
    "ImportResult",
    "format_for",
    "import_entries",
    "export_entries",
]

FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        TsvFormat(),
        CsvFormat(),
        TbxFormat(),
        Tbx3Format(),
        TmxFormat(),
        PoFormat(),
        OmegatFormat(),
        DeeplFormat(),
    )
}

# old names still accepted: "tbx2" was the TBX 2008 dialect, which is now plain "tbx"
ALIASES = {"tbx2": "tbx"}


@dataclass(frozen=True)
class ImportResult:
    """The good entries of a file (with their line numbers) and every problem found."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    lines: tuple[int | None, ...]  # parallel to ``entries``
    path: Path


def format_for(path: str | Path, name: str | None = None, *, reading: bool = False) -> Format:
    """The format called ``name``, else (when ``reading``) one that recognises the file's content
    (a headerless ``.csv`` is a DeepL glossary), else the one that claims the file's extension."""
    if name is not None:
        name = ALIASES.get(name, name)
        if name not in FORMATS:
            raise TermbaseError(f"unknown termbase format {name!r}; known: {', '.join(FORMATS)}")
        return FORMATS[name]
    for fmt in FORMATS.values() if reading else ():
        if fmt.claims(Path(path)):
            return fmt
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = sorted(ext for fmt in FORMATS.values() for ext in fmt.extensions)
    raise TermbaseError(
        f"cannot tell the termbase format from the extension {suffix or '(none)'!r}; "
        f"use one of {', '.join(known)}",
        path=path,
    )


def import_entries(
    path: str | Path,
    *,
    format: str | None = None,
    skip_bad: bool = False,
    langs: Languages = DEFAULT_LANGUAGES,
) -> ImportResult:
    """Read and validate a termbase file.

    Any problem raises one :class:`~termbase.validate.TermbaseProblems` naming
    every bad row with its line, and nothing is returned; with ``skip_bad`` the
    good rows come back and the problems are listed in the result instead.
    """
    path = Path(path)
    drafts, problems = format_for(path, format, reading=True).read(path, langs)
    pairs, more = build_entries(drafts)
    problems = sorted([*problems, *more], key=lambda p: (p.line is None, p.line or 0))
    if not skip_bad:
        raise_problems(problems, path=path, action="nothing imported")
    return ImportResult(
        entries=tuple(e for _, e in pairs),
        problems=tuple(problems),
        lines=tuple(line for line, _ in pairs),
        path=path,
    )


def export_entries(
    entries: Iterable[Entry],
    path: str | Path,
    *,
    format: str | None = None,
    langs: Languages = DEFAULT_LANGUAGES,
) -> None:
    """Write entries to ``path`` in the format its extension (or ``format``) names, atomically."""
    format_for(path, format).export(entries, path, langs)
