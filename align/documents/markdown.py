"""Markdown documents: the reader (blocks with offsets) and the inline-markup tokenizer.

The block reader is :func:`termalign.align.markdown_reader.parse_markdown`
(markdown-it-py); the inline tokenizer walks markdown-it's inline tokens
alongside the raw source so every piece keeps its exact raw span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePath
from typing import TYPE_CHECKING

from termalign.align.documents.base import DocumentFormat, InlinePiece, Misaligned, PieceKind
from termalign.align.documents.html import html_tag_piece
from termalign.align.documents.writeback import rebuild
from termalign.align.markdown_reader import parse_markdown
from termalign.align.textmap import Parsed

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["FORMAT", "markdown_pieces"]

_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
# Sniffing only (the reader parses properly): any of these marks a markdown file.
_MARKDOWN_HINTS = re.compile(
    r"^(?:---\s*$|#{1,6}\s|\s{0,3}>|\s{0,3}(?:[-*+]|\d{1,9}[.)])\s|\s{0,3}<[a-zA-Z!/]"
    r"|Markdown Content:\s*$|\s{0,3}(?:```|~~~))"
    r"|\*\*\S|\]\([^)\s]*\)|`[^`\n]+`",
    re.MULTILINE,
)


def _parse(text: str, path: str) -> Parsed:
    del path
    return parse_markdown(text)


def _claims(path: str, text: str) -> bool:
    """A markdown file name, or markup seen in the text."""
    return PurePath(path).suffix.lower() in _SUFFIXES or bool(_MARKDOWN_HINTS.search(text))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # text_join would fold escapes and entities back into plain text; keep them apart.
    return MarkdownIt("commonmark").enable("strikethrough").disable("text_join")


class _MdWalker:
    """Walk markdown-it inline tokens while advancing a cursor over the raw source."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0
        self.pieces: list[InlinePiece] = []

    def expect(self, s: str) -> str:
        if not self.src.startswith(s, self.pos):
            raise Misaligned(f"expected {s!r} at {self.pos}")
        self.pos += len(s)
        return s

    def since(self, start: int) -> str:
        return self.src[start : self.pos]

    def skip(self, chars: str) -> None:
        while self.pos < len(self.src) and self.src[self.pos] in chars:
            self.pos += 1

    def add(self, kind: PieceKind, raw: str, name: str = "") -> None:
        self.pieces.append(InlinePiece(kind, raw, name))

    def walk(self, tokens: Sequence[Token]) -> None:
        i = 0
        while i < len(tokens):
            i = self.step(tokens, i)

    def step(self, tokens: Sequence[Token], i: int) -> int:
        tok = tokens[i]
        kind = tok.type
        if kind == "text":
            self.add("text", self.expect(tok.content))
        elif kind == "softbreak":
            self.add("text", self.line_break())
        elif kind == "hardbreak":
            self.add("atom", self.line_break(), "md:br")
        elif kind == "text_special":
            self.add("atom", self.expect(tok.markup), f"md:{tok.info}")
        elif kind == "code_inline":
            self.add("atom", self.code_span(tok.markup), "md:code")
        elif kind == "html_inline":
            self.pieces.append(html_tag_piece(self.expect(tok.content)))
        elif kind == "image":
            start = self.pos
            self.expect("![")
            saved, self.pieces = self.pieces, []
            self.walk(tok.children or [])
            self.pieces = saved
            self.link_tail()
            self.add("atom", self.since(start), "md:image")
        elif kind == "link_open" and tok.markup in ("autolink", "linkify"):
            return self.autolink(tokens, i)
        elif kind == "link_open":
            self.add("open", self.expect("["), "md:link")
        elif kind == "link_close":
            start = self.pos
            self.link_tail()
            self.add("close", self.since(start), "md:link")
        elif kind.endswith(("_open", "_close")) and tok.markup:
            role: PieceKind = "open" if kind.endswith("_open") else "close"
            self.add(role, self.expect(tok.markup), "md:" + kind.rsplit("_", 1)[0])
        else:
            raise Misaligned(f"unexpected token {kind}")
        return i + 1

    def line_break(self) -> str:
        start = self.pos
        self.skip(" ")
        if self.src.startswith("\\", self.pos):
            self.pos += 1
        if self.src.startswith("\r\n", self.pos):
            self.pos += 2
        else:
            self.expect("\n")
        self.skip(" \t")
        return self.since(start)

    def code_span(self, fence: str) -> str:
        start = self.pos
        self.expect(fence)
        search = self.pos
        while True:
            found = self.src.find(fence, search)
            if found < 0:
                raise Misaligned("unclosed code span")
            run_end = found
            while run_end < len(self.src) and self.src[run_end] == "`":
                run_end += 1
            if run_end - found == len(fence):
                self.pos = run_end
                return self.since(start)
            search = run_end

    def link_tail(self) -> None:
        """Consume ``](destination "title")`` with markdown-it's own helpers."""
        from markdown_it.helpers import parseLinkDestination, parseLinkTitle

        self.expect("](")
        end = len(self.src)
        self.skip(" \t\r\n")
        if self.pos < end and self.src[self.pos] != ")":
            dest = parseLinkDestination(self.src, self.pos, end)
            if dest.ok:
                self.pos = dest.pos
                self.skip(" \t\r\n")
                title = parseLinkTitle(self.src, self.pos, end)
                if title.ok:
                    self.pos = title.pos
                    self.skip(" \t\r\n")
        self.expect(")")

    def autolink(self, tokens: Sequence[Token], i: int) -> int:
        start = self.pos
        self.expect("<")
        close = self.src.find(">", self.pos)
        if close < 0:
            raise Misaligned("unclosed autolink")
        self.pos = close + 1
        self.add("atom", self.since(start), "md:autolink")
        j = i + 1
        while j < len(tokens) and tokens[j].type != "link_close":
            j += 1
        return j + 1


def markdown_pieces(raw: str) -> list[InlinePiece]:
    tokens = _markdown().parseInline(raw)
    walker = _MdWalker(raw)
    walker.walk(tokens[0].children or [] if tokens else [])
    if walker.pos != len(raw):
        raise Misaligned("source left over")
    return walker.pieces


FORMAT = DocumentFormat(
    name="markdown",
    description="CommonMark with front matter, quotes, lists, inline markup and HTML blocks",
    suffixes=_SUFFIXES,
    output_suffix=".md",
    parse=_parse,
    claims=_claims,
    write_back=rebuild,
    inline=markdown_pieces,
    stray_delimiters=True,
)
