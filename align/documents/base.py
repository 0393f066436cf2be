"""What a document format provides: the one shared interface of the document registry.

A format reads a file's text into the document model (blocks of sentences with
offsets into the original text), tokenizes a sentence's inline markup for
protection around an engine call, and writes translations back into the
original text.  ``termalign.align.documents.REGISTRY`` holds one
:class:`DocumentFormat` per format; adding a format is one module and one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from termalign.align.document import Document
    from termalign.align.textmap import Parsed

__all__ = ["DocumentFormat", "InlinePiece", "Misaligned", "PieceKind", "WriteBack"]

PieceKind = Literal["text", "open", "close", "atom"]


class WriteBack(Protocol):
    """The document text with each sentence id in ``translations`` replaced by its translation.

    ``origins`` says where each translation came from (``mt``, ``tm-exact``, ...); a format
    that can record it does (XLIFF's state qualifier), the others ignore it.
    """

    def __call__(
        self,
        doc: Document,
        translations: Mapping[str, str],
        *,
        join_space: bool = True,
        origins: Mapping[str, str] | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class InlinePiece:
    """One stretch of a sentence's raw source: text, or markup that opens, closes or stands alone."""

    kind: PieceKind
    raw: str
    name: str = ""  # what the markup is, for reports: "md:link", "html:a", ...


class Misaligned(Exception):
    """An inline tokenizer could not tile the raw source exactly (protection falls back)."""


def _text_only(raw: str) -> list[InlinePiece]:
    return [InlinePiece("text", raw)]


@dataclass(frozen=True)
class DocumentFormat:
    """One document format: how to recognise, read, tokenize inline markup and write back.

    ``parse(text, path)`` returns the reader's :class:`~termalign.align.textmap.Parsed`
    blocks (offsets into ``text``); ``claims(path, text)`` says whether an unnamed
    file is of this format (the registry asks formats in order);
    ``inline(raw)`` splits one sentence's raw source into pieces that tile it
    (raising :class:`Misaligned` when it cannot); ``write_back(doc, translations)``
    is the document text with translated sentences in place.
    """

    name: str
    description: str
    suffixes: tuple[str, ...]
    output_suffix: str
    parse: Callable[[str, str], Parsed]
    claims: Callable[[str, str], bool]
    write_back: WriteBack
    inline: Callable[[str], list[InlinePiece]] = _text_only
    # Whether stray emphasis delimiters and brackets in text are markup (markdown's
    # sentences can cut "**bold**" apart) rather than literal characters.
    stray_delimiters: bool = False
