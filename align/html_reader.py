"""HTML documents and HTML blocks inside markdown.

lxml gives no character offsets, so this uses the standard library's
``html.parser.HTMLParser`` (a real, forgiving HTML tokenizer) with ``getpos()``
to locate each tag, text run and entity in the source.  Block-level elements
(p, div, li, h1-h6, blockquote, td, …) delimit blocks; inline elements become
markup pieces.  Comments, images, scripts and styles are never text.
Unclosed or stray tags are tolerated: an end tag closes the nearest open
element of that name, and a block-level start tag closes an open ``<p>``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

from termalign.align.document import BlockKind
from termalign.align.textmap import Parsed, PieceKind, RawBlock, Run

__all__ = ["parse_html"]

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_SKIP = frozenset(
    ["script", "style", "template", "noscript", "pre", "textarea", "select", "svg", "math", "title"]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_BOLD = frozenset(("strong", "b"))
_CODE = frozenset(("code", "kbd", "samp", "tt"))


@dataclass
class _Event:
    kind: str  # start, startend, end, data, entity, charref, comment, other
    pos: int
    name: str = ""
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    length: int = 0


class _Tokenizer(HTMLParser):
    """Records events with their offsets; interprets nothing."""

    def __init__(self, source: str, base: int) -> None:
        super().__init__(convert_charrefs=False)
        self.base = base
        self.line_starts = [0]
        k = source.find("\n")
        while k >= 0:
            self.line_starts.append(k + 1)
            k = source.find("\n", k + 1)
        self.events: list[_Event] = []

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.base + self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(_Event("start", self._pos(), tag, attrs, len(self.get_starttag_text() or "")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(_Event("startend", self._pos(), tag, attrs, len(self.get_starttag_text() or "")))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(_Event("end", self._pos(), tag))

    def handle_data(self, data: str) -> None:
        self.events.append(_Event("data", self._pos(), data, length=len(data)))

    def handle_entityref(self, name: str) -> None:
        self.events.append(_Event("entity", self._pos(), name))

    def handle_charref(self, name: str) -> None:
        self.events.append(_Event("charref", self._pos(), name))

    def handle_comment(self, data: str) -> None:
        self.events.append(_Event("comment", self._pos()))

    def handle_decl(self, decl: str) -> None:
        self.events.append(_Event("other", self._pos()))

    def handle_pi(self, data: str) -> None:
        self.events.append(_Event("other", self._pos()))

    def unknown_decl(self, data: str) -> None:
        self.events.append(_Event("other", self._pos()))


def parse_html(text: str, start: int = 0, end: int | None = None) -> Parsed:
    """Blocks and image spans of ``text[start:end]``; offsets refer to ``text``."""
    end = len(text) if end is None else end
    tokenizer = _Tokenizer(text[start:end], start)
    tokenizer.feed(text[start:end])
    tokenizer.close()
    builder = _Builder(text, end)
    events = tokenizer.events
    for i, ev in enumerate(events):
        builder.event(ev, events[i + 1].pos if i + 1 < len(events) else end)
    builder.flush()
    return builder.parsed


class _Builder:
    """Turns tokenizer events into raw blocks (a small state machine over an element stack)."""

    def __init__(self, text: str, end: int) -> None:
        self.text, self.end = text, end
        self.parsed = Parsed()
        self.stack: list[str] = []
        self.hrefs: list[str | None] = []
        self.run: Run | None = None
        self.context: tuple[BlockKind, int] = (BlockKind.PARAGRAPH, 0)
        self.skipping: str | None = None

    def event(self, ev: _Event, next_pos: int) -> None:
        if self.skipping is not None:
            if ev.kind == "end" and ev.name == self.skipping:
                self.skipping = None
            return
        if ev.kind in ("start", "startend"):
            self._start(ev, ev.kind == "startend")
        elif ev.kind == "end":
            self._end(ev, next_pos)
        elif ev.kind == "data":
            if self.run is not None or ev.name.strip():
                self._add(ev.name, ev.pos, ev.pos + ev.length, PieceKind.TEXT)
        elif ev.kind in ("entity", "charref"):
            raw_end = min(next_pos, self._ref_end(ev))
            self._add(html.unescape(self.text[ev.pos : raw_end]), ev.pos, raw_end, PieceKind.ATOMIC)
        elif ev.kind == "comment" and self.run is not None:
            self.run.add("", ev.pos, next_pos, PieceKind.NEUTRAL)  # the parser resumes after it

    def _ref_end(self, ev: _Event) -> int:
        k = ev.pos + len(ev.name) + (2 if ev.kind == "charref" else 1)
        return k + 1 if k < self.end and self.text[k] == ";" else k

    def _start(self, ev: _Event, self_closing: bool) -> None:
        tag, raw_end = ev.name, ev.pos + ev.length
        if tag in _SKIP and not self_closing:
            self.flush()
            self.skipping = tag
        elif tag in _VOID or self_closing:
            if tag == "img":
                self.parsed.images.append((ev.pos, raw_end))
            if tag in ("hr",) or tag in _BLOCK:
                self.flush()
            elif tag == "br":
                if self.run is not None:
                    self._add("\n", ev.pos, raw_end, PieceKind.ATOMIC)
            elif self.run is not None:
                self.run.add("", ev.pos, raw_end, PieceKind.NEUTRAL)
        elif tag in _BLOCK:
            self.flush()
            if tag != "p" and self.stack and self.stack[-1] == "p":
                self.stack.pop()
            if tag == "li" and "li" in self.stack:
                self._pop_to("li", stop_at=("ul", "ol"))
            if tag == "p" and "p" in self.stack:
                self._pop_to("p", stop_at=("div", "li", "td", "th", "blockquote"))
            self.stack.append(tag)
        else:
            self.stack.append(tag)
            if tag == "a":
                self.hrefs.append(dict(ev.attrs).get("href"))
            self._add("", ev.pos, raw_end, PieceKind.OPEN)

    def _end(self, ev: _Event, next_pos: int) -> None:
        tag = ev.name
        if tag not in self.stack:
            return  # a stray end tag: ignored, as browsers do
        if tag in _BLOCK:
            self.flush()
        else:
            raw_end = self.text.find(">", ev.pos, next_pos)
            self._add("", ev.pos, next_pos if raw_end < 0 else raw_end + 1, PieceKind.CLOSE)
        self._pop_to(tag)

    def _pop_to(self, tag: str, stop_at: tuple[str, ...] = ()) -> None:
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k] in stop_at:
                return
            if self.stack[k] == tag:
                for closed in self.stack[k:]:
                    if closed == "a" and self.hrefs:
                        self.hrefs.pop()
                del self.stack[k:]
                return

    def _add(self, plain: str, raw_start: int, raw_end: int, kind: PieceKind) -> None:
        if self.run is None:
            if kind is PieceKind.CLOSE:
                return
            self.run = Run()
            self.context = self._context()
        self.run.add(
            plain,
            raw_start,
            raw_end,
            kind,
            url=self.hrefs[-1] if self.hrefs and "a" in self.stack else None,
            code=plain if plain and any(t in _CODE for t in self.stack) else None,
            bold=any(t in _BOLD for t in self.stack),
            small="small" in self.stack,
        )

    def _context(self) -> tuple[BlockKind, int]:
        tags = set(self.stack)
        if tags & _HEADINGS:
            return BlockKind.HEADING, 0
        if tags & {"figcaption", "caption"}:
            return BlockKind.CAPTION, 0
        if tags & {"td", "th"}:
            return BlockKind.TABLE_CELL, 0
        if tags & {"li", "dt", "dd"}:
            return BlockKind.LIST_ITEM, max(1, sum(t in ("ul", "ol", "dl") for t in self.stack))
        if "blockquote" in tags:
            return BlockKind.QUOTE, self.stack.count("blockquote")
        return BlockKind.PARAGRAPH, 0

    def flush(self) -> None:
        if self.run is not None and self.run.pieces:
            kind, depth = self.context
            self.parsed.blocks.append(RawBlock(self.run, kind, depth))
        self.run = None
