"""The one small interface every exchange format implements.

:meth:`Format.export` sorts and validates, then calls the format's ``_write``;
:meth:`Format.read` checks the file exists, then calls ``_read``, which turns
the file into :class:`~termbase.validate.Draft` rows plus parse problems.  The
shared validation in :mod:`termbase.validate` does the rest, identically for
every format.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from termalign.kernel.atomic import atomic_write_bytes
from termalign.kernel.errors import TermbaseError
from termalign.termbase.model import Entry, Status
from termalign.termbase.validate import Draft, Problem, check_entry, raise_problems, sort_key

__all__ = [
    "Format",
    "Languages",
    "DEFAULT_LANGUAGES",
    "atomic_write",
    "read_utf8",
    "check_xml_encoding",
    "glossary_entries",
]


@dataclass(frozen=True)
class Languages:
    """Source and target language codes written into (and looked for in) bilingual formats."""

    source: str = "zh-Hans"
    target: str = "en"


DEFAULT_LANGUAGES = Languages()


class Format(ABC):
    """A termbase file format: a name, its extensions, a writer and a reader."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    description: ClassVar[str]

    def export(
        self, entries: Iterable[Entry], path: str | Path, langs: Languages = DEFAULT_LANGUAGES
    ) -> None:
        """Write ``entries`` to ``path`` in canonical order, atomically."""
        ordered = sorted(entries, key=sort_key)
        problems = [Problem(None, f"{e.source!r}: {m}") for e in ordered for m in check_entry(e)]
        raise_problems(problems, path=path, action="nothing was written")
        self._write(ordered, Path(path), langs)

    def read(
        self, path: str | Path, langs: Languages = DEFAULT_LANGUAGES
    ) -> tuple[list[Draft], list[Problem]]:
        """Parse ``path`` into drafts and the problems met on the way (validation comes later)."""
        path = Path(path)
        if not path.is_file():
            raise TermbaseError("the termbase file does not exist", path=path)
        return self._read(path, langs)

    def claims(self, path: Path) -> bool:
        """True if an existing file's content says it is in this format (checked before extensions).

        Only formats that share an extension with another one look; the rest say no.
        """
        return False

    def round_trip(self, entries: Iterable[Entry]) -> list[Entry]:
        """The entries an export then re-import of ``entries`` gives back, in canonical order.

        Lossless formats give back everything; a glossary format that has no place
        for status, variants or forbidden renderings says here what it keeps, and
        the shared contract suite holds it to that.
        """
        return sorted(entries, key=sort_key)

    @abstractmethod
    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None: ...

    @abstractmethod
    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]: ...


def glossary_entries(entries: Iterable[Entry]) -> list[Entry]:
    """What a glossary that cannot mark a rendering as wrong may carry.

    Such a file (OmegaT's, DeepL's) offers every line as a suggestion, so
    deprecated entries are left out and forbidden renderings dropped.
    """
    return [replace(e, forbidden=()) for e in entries if e.status is not Status.DEPRECATED]


def atomic_write(path: Path, data: bytes) -> None:
    """Write a termbase file atomically (see :mod:`termalign.atomic`)."""
    atomic_write_bytes(path, data, error=TermbaseError)


_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TermbaseError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc


def read_utf8(path: Path) -> str:
    """The file's text; a file that is not UTF-8 is one clear error naming the file and line."""
    return _decode_utf8(path, _read_bytes(path))


def check_xml_encoding(path: Path) -> None:
    """An XML file that says (or by default is) UTF-8 but is not: the same clear error as for text.

    Files declaring another encoding, or starting with a UTF-16 byte order mark,
    are left to the XML parser.
    """
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    declared = _XML_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    if declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        _decode_utf8(path, data)


def _decode_utf8(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TermbaseError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); "
            "re-save it as UTF-8",
            path=path,
            line=line,
        ) from exc


def refuse_comment_terms(entries: Iterable[Entry], what: str) -> None:
    """Refuse source terms starting with ``#``: headerless glossaries read such a line as a comment."""
    comments = sorted(
        term
        for entry in glossary_entries(entries)
        for term in (entry.source, *entry.source_variants)
        if term.lstrip().startswith("#")
    )
    if comments:
        raise TermbaseError(
            f"{what} cannot hold a source term starting with '#' (the line is read as a comment): "
            f"{', '.join(repr(t) for t in comments[:5])}; export to another format"
        )
