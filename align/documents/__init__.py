"""The document registry: one module per document format, one line each in :data:`REGISTRY`.

Every format module in this package defines ``FORMAT`` (a
:class:`~termalign.align.documents.base.DocumentFormat`): how to recognise a file
of that format, read it into the document model with offsets, tokenize a
sentence's inline markup, and write translations back.  The readers, the markup
protection and the batch runner all go through :func:`get_format`, so adding a
format is one module here and one line below; the contract test suite
(``tests/test_document_formats.py``) runs on every registered format.
"""

from __future__ import annotations

from termalign.align.documents import html, lines, markdown, text, xliff_document
from termalign.align.documents.base import DocumentFormat, InlinePiece, Misaligned
from termalign.kernel.errors import ConfigError

__all__ = [
    "REGISTRY",
    "DocumentFormat",
    "InlinePiece",
    "Misaligned",
    "detect_format",
    "format_names",
    "get_format",
]

# Order matters for detection: the first format that claims an unnamed file wins.
REGISTRY: dict[str, DocumentFormat] = {
    xliff_document.FORMAT.name: xliff_document.FORMAT,  # .xlf/.xliff, or an OASIS <xliff> root
    html.FORMAT.name: html.FORMAT,
    lines.FORMAT.name: lines.FORMAT,  # before markdown: "1. The team leader..." lines are sentences
    markdown.FORMAT.name: markdown.FORMAT,
    text.FORMAT.name: text.FORMAT,  # last: claims everything
}


def format_names() -> tuple[str, ...]:
    """The registered format names, in detection order."""
    return tuple(REGISTRY)


def get_format(name: str) -> DocumentFormat:
    """The registered format called ``name``; an unknown name is a :class:`ConfigError`."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"unknown document format {name!r} (expected one of {', '.join(REGISTRY)})"
        ) from None


def detect_format(path: str, text: str) -> str:
    """The name of the first registered format that claims ``path`` with content ``text``."""
    for fmt in REGISTRY.values():
        if fmt.claims(path, text):
            return fmt.name
    return "text"
