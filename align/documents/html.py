"""HTML documents: the reader (block-level structure, offsets) and inline-tag tokenizing.

A file that is not named ``.html`` but asked for as HTML may open with markdown
lines (the corpus's 004: a markdown link title, "------", then an HTML body).
Parsed as HTML those would show their markup as text, so the markdown reader
takes such a file and hands its HTML blocks to the HTML reader.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import PurePath

from termalign.align.documents.base import DocumentFormat, InlinePiece, PieceKind
from termalign.align.documents.writeback import rebuild
from termalign.align.html_reader import parse_html
from termalign.align.markdown_reader import parse_markdown
from termalign.align.textmap import Parsed

__all__ = ["FORMAT", "VOID_TAGS", "html_pieces", "html_tag_piece"]

_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_VOID = "area base br col embed hr img input link meta param source track wbr"
VOID_TAGS = frozenset(_VOID.split())


def _parse(text: str, path: str) -> Parsed:
    if PurePath(path).suffix.lower() not in _SUFFIXES and _starts_with_markdown(text):
        return parse_markdown(text)
    return parse_html(text)


def _starts_with_markdown(text: str) -> bool:
    body = re.sub(r"\A(?:\s*<!--.*?-->)*\s*", "", text[:65536], flags=re.DOTALL)
    return bool(body) and not body.startswith("<")


def _claims(path: str, text: str) -> bool:
    """``.html``/``.htm``/``.xhtml``, or any file that opens as a full HTML page."""
    return PurePath(path).suffix.lower() in _SUFFIXES or bool(_HTML_START.match(text[:4096]))


class _HtmlScanner(HTMLParser):
    """Record where each HTML construct starts; raw spans run to the next start."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.events: list[tuple[tuple[int, int], PieceKind, str]] = []

    def _mark(self, kind: PieceKind, name: str = "") -> None:
        self.events.append((self.getpos(), kind, name))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark("atom" if tag in VOID_TAGS else "open", f"html:{tag}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark("atom", f"html:{tag}")

    def handle_endtag(self, tag: str) -> None:
        self._mark("close", f"html:{tag}")

    def handle_data(self, data: str) -> None:
        self._mark("text")

    def handle_entityref(self, name: str) -> None:
        self._mark("atom", "html:entity")

    handle_charref = handle_entityref

    def handle_comment(self, data: str) -> None:
        self._mark("atom", "html:comment")

    def handle_decl(self, decl: str) -> None:
        self._mark("atom", "html:decl")

    def handle_pi(self, data: str) -> None:
        self._mark("atom", "html:pi")

    def unknown_decl(self, data: str) -> None:
        self._mark("atom", "html:decl")


def html_pieces(raw: str) -> list[InlinePiece]:
    scanner = _HtmlScanner()
    scanner.feed(raw)
    scanner.close()
    line_starts = [0]
    for index, ch in enumerate(raw):
        if ch == "\n":
            line_starts.append(index + 1)
    marks = [(line_starts[line - 1] + col, kind, name) for (line, col), kind, name in scanner.events]
    if not marks or marks[0][0] > 0:
        marks.insert(0, (0, "text", ""))
    pieces: list[InlinePiece] = []
    for k, (start, kind, name) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(raw)
        if end > start:
            pieces.append(InlinePiece(kind, raw[start:end], name))
    return pieces


def html_tag_piece(raw: str) -> InlinePiece:
    """Classify one inline HTML tag found inside markdown."""
    pieces = html_pieces(raw)
    if len(pieces) == 1 and pieces[0].kind != "text":
        return pieces[0]
    return InlinePiece("atom", raw, "html")


FORMAT = DocumentFormat(
    name="html",
    description="an HTML page (block elements are blocks; inline tags are protected)",
    suffixes=_SUFFIXES,
    output_suffix=".md",  # the corpus keeps HTML articles inside markdown files
    parse=_parse,
    claims=_claims,
    write_back=rebuild,
    inline=html_pieces,
)
