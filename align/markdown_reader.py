"""Markdown documents, read with markdown-it-py (CommonMark + tables + strikethrough).

Block tokens carry line ranges (``token.map``); inline tokens carry their source
text with container prefixes (``> ``, list indentation) removed.  Each inline
token's lines are located in the original lines, and its children are walked
in source order with a cursor, so every visible character gets its offset in
``Document.text``.  HTML blocks are handed to :mod:`align.html_reader`.

Front matter (``---`` YAML ``---``) and the web-scrape header (``Title:`` …
``Markdown Content:``) are blanked out before parsing, line for line, so line
numbers and offsets are unchanged.

Template markup is blanked the same way, character for character (same offsets):
Hugo shortcodes (``{{< glossary_tooltip text="容器" term_id="container" >}}``
keeps only ``容器``; its ``term_id`` would otherwise leak into the text), mdBook
directives (``{{#include …}}``) and heading anchors (``## QoS 类 {#qos-class}``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from termalign.align.document import BlockKind
from termalign.align.html_reader import parse_html
from termalign.align.script import is_cjk
from termalign.align.textmap import Parsed, PieceKind, RawBlock, Run
from termalign.kernel.errors import DocumentError

__all__ = ["blank_template_markup", "parse_markdown", "split_lines"]

_NEWLINE = re.compile(r"\r\n|\r|\n")
_SCRAPE_FIELD = re.compile(r"^([A-Z][A-Za-z ]{1,30}):\s?(.*)$")
_SCRAPE_KEYS = {"Title": "title", "URL Source": "url", "Published Time": "published"}
_FRONT_MATTER_KEYS = ("title", "date", "summary")
_SHORTCODE = re.compile(r"\{\{([<%])(.*?)[>%]\}\}|\{\{#[a-z_]+[^}]*\}\}", re.DOTALL)
_SHORTCODE_TEXT = re.compile(r'\btext\s*=\s*"([^"]*)"')
_LINE_END = re.compile(r"[ \t]*(?:\r\n|\r|\n|$)")
_HEADING_ANCHOR = re.compile(r"(?m)^(#{1,6}[ \t].*?)([ \t]*\{#[\w.:-]+\})[ \t]*$")


# markdown-it stops reading a container nested this deep and drops the rest of it
# silently (its default, 20, lost quotes at 20 levels and list items at 10).  100
# levels stay well inside Python's recursion limit; deeper text is refused by
# the coverage check below, naming its line, instead of vanishing.
MAX_NESTING = 100
_LEAF_TOKENS = frozenset({"inline", "fence", "code_block", "html_block", "hr"})
# lines markdown-it consumes without a token of their own: link reference definitions
_REFERENCE = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+)*\[[^\]]+\]:")


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    # text_join would merge escapes ("\-") into the text around them; kept apart,
    # every text token is a verbatim slice of the source.
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    return md.enable(["table", "strikethrough"]).disable("text_join")


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines without terminators, and the offset where each starts (as markdown-it counts)."""
    lines: list[str] = []
    starts: list[int] = []
    pos = 0
    for m in _NEWLINE.finditer(text):
        lines.append(text[pos : m.start()])
        starts.append(pos)
        pos = m.end()
    lines.append(text[pos:])
    starts.append(pos)
    return lines, starts


def parse_markdown(text: str) -> Parsed:
    """Blocks, metadata and image spans of a markdown document."""
    text = blank_template_markup(text)
    lines, starts = split_lines(text)
    parsed = Parsed()
    skip = _front_matter(lines, parsed.metadata) or _scrape_header(lines, parsed.metadata)
    source = "\n".join([""] * skip + lines[skip:])
    walker = _BlockWalker(text, lines, starts, parsed)
    tokens = _parser().parse(source)
    _check_coverage(tokens, lines, skip)
    walker.walk(tokens)
    return parsed


def _check_coverage(tokens: list[Any], lines: list[str], skip: int) -> None:
    """Every line with text on it belongs to some leaf block the parser produced, or the read fails.

    Text markdown-it gave up on (past :data:`MAX_NESTING`) would otherwise be
    missing from alignment, checks and translation with no word said.
    """
    covered = bytearray(len(lines))
    for tok in tokens:
        if tok.type in _LEAF_TOKENS and tok.map is not None:
            first, last = tok.map
            covered[first:last] = b"\x01" * (min(last, len(lines)) - first)
    for number in range(skip, len(lines)):
        line = lines[number]
        if covered[number] or not any(c.isalnum() for c in line) or _REFERENCE.match(line):
            continue
        raise DocumentError(
            f"line {number + 1} is nested deeper than the markdown reader follows "
            f"({MAX_NESTING} levels of quotes and lists); its text would be lost, so flatten it",
            line=number + 1,
        )


def blank_template_markup(text: str) -> str:
    """Shortcodes, mdBook directives and heading anchors replaced by spaces (same length).

    A shortcode's ``text="…"`` value stays where it was; newlines inside a tag
    become spaces too, so a tag broken over two lines never leaves a blank line
    that would end its paragraph.  A tag that ends its line ends in a tab: two
    trailing spaces would make the line break a hard one (CommonMark), which
    ends the sentence in the middle (``{{< glossary_tooltip text="Quality of
    Service" … >}}`` then ``(QoS) class.`` on the next line).
    """
    if "{{" not in text and "{#" not in text:
        return text
    chars = list(text)

    def blank(start: int, end: int, keep: tuple[int, int] | None = None) -> None:
        for k in range(start, end):
            if keep is None or not keep[0] <= k < keep[1]:
                chars[k] = " "

    for m in _SHORTCODE.finditer(text):
        value = _SHORTCODE_TEXT.search(m.group(2) or "")
        keep = (m.start(2) + value.start(1), m.start(2) + value.end(1)) if value else None
        blank(m.start(), m.end(), keep)
        if _LINE_END.match(text, m.end()):  # the tag's last character ("}") is never kept text
            chars[m.end() - 1] = "\t"
    for m in _HEADING_ANCHOR.finditer(text):
        blank(m.start(2), m.end(2))
    return "".join(chars)


def _front_matter(lines: list[str], metadata: dict[str, str]) -> int:
    """Number of front-matter lines (0 if none); fills ``metadata``."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            break
    else:
        return 0  # no closing line: a thematic break, not front matter
    import yaml

    try:
        data = yaml.safe_load("\n".join(lines[1:i]))
    except yaml.YAMLError:
        data = None  # broken front matter is skipped, not fatal
    if isinstance(data, dict):
        for key in _FRONT_MATTER_KEYS:
            value = data.get(key)
            if value is not None and not isinstance(value, dict | list):
                metadata[key] = str(value).strip()
    return i + 1


def _scrape_header(lines: list[str], metadata: dict[str, str]) -> int:
    """Lines of a ``Title: … / URL Source: … / Markdown Content:`` header (0 if none)."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines[:20]):
        if not line.strip():
            continue
        if line.strip() == "Markdown Content:":
            if "title" not in found:
                return 0
            metadata.update(found)
            return i + 1
        m = _SCRAPE_FIELD.match(line)
        if m is None or (not found and m.group(1) != "Title"):
            return 0
        if m.group(1) in _SCRAPE_KEYS:
            found[_SCRAPE_KEYS[m.group(1)]] = m.group(2).strip()
    return 0


class _BlockWalker:
    """Walks block tokens, keeping track of quote, list, heading and table context."""

    def __init__(self, text: str, lines: list[str], starts: list[int], parsed: Parsed) -> None:
        self.text, self.lines, self.starts, self.parsed = text, lines, starts, parsed
        self.quote = self.lists = self.items = 0
        self.heading = self.cell = False
        self.line_cursor: dict[int, int] = {}

    def walk(self, tokens: list[Any]) -> None:
        for tok in tokens:
            t = tok.type
            if t in ("blockquote_open", "blockquote_close"):
                self.quote += 1 if t.endswith("open") else -1
            elif t in ("bullet_list_open", "ordered_list_open", "bullet_list_close", "ordered_list_close"):
                self.lists += 1 if t.endswith("open") else -1
            elif t in ("list_item_open", "list_item_close"):
                self.items += 1 if t.endswith("open") else -1
            elif t in ("heading_open", "heading_close"):
                self.heading = t == "heading_open"
            elif t in ("th_open", "td_open", "th_close", "td_close"):
                self.cell = t.endswith("open")
            elif t == "inline" and tok.map is not None:
                self._inline(tok)
            elif t == "html_block" and tok.map is not None:
                self._html(tok.map)

    def _kind(self) -> tuple[BlockKind, int]:
        if self.heading:
            return BlockKind.HEADING, self.quote
        if self.cell:
            return BlockKind.TABLE_CELL, 0
        if self.items:
            return BlockKind.LIST_ITEM, self.lists
        if self.quote:
            return BlockKind.QUOTE, self.quote
        return BlockKind.PARAGRAPH, 0

    def _html(self, line_range: list[int]) -> None:
        first, last = line_range[0], min(line_range[1], len(self.lines)) - 1
        start, end = self.starts[first], self.starts[last] + len(self.lines[last])
        sub = parse_html(self.text, start, end)
        self.parsed.blocks.extend(_listing_captions(self.text, start, end))
        self.parsed.blocks.extend(sub.blocks)
        self.parsed.images.extend(sub.images)

    def _inline(self, tok: Any) -> None:
        cmap = _ContentMap(tok.content, tok.map[0], self.lines, self.starts, self.line_cursor)
        run = Run()
        _InlineWalker(tok.content, cmap, run, self.parsed.images).walk(tok.children or [])
        kind, depth = self._kind()
        self.parsed.blocks.append(RawBlock(run, kind, depth))


class _ContentMap:
    """Maps offsets in an inline token's content to offsets in the document."""

    def __init__(
        self, content: str, first_line: int, lines: list[str], starts: list[int], line_cursor: dict[int, int]
    ) -> None:
        self.content_starts: list[int] = []
        self.doc_starts: list[int] = []
        self.bounds: list[tuple[int, int]] = []  # document span of each source line
        offset = 0
        for j, cl in enumerate(content.split("\n")):
            line_no = min(first_line + j, len(lines) - 1)
            raw = lines[line_no]
            floor = line_cursor.get(line_no, 0)
            k = _locate(raw, cl, floor)
            line_cursor[line_no] = max(floor, k + len(cl))
            self.content_starts.append(offset)
            self.doc_starts.append(starts[line_no] + k)
            self.bounds.append((starts[line_no] + floor, starts[line_no] + len(raw)))
            offset += len(cl) + 1

    def __call__(self, offset: int) -> int:
        j = bisect_right(self.content_starts, offset) - 1
        lo, hi = self.bounds[j]
        return min(max(self.doc_starts[j] + offset - self.content_starts[j], lo), hi)


def _locate(raw: str, content_line: str, floor: int) -> int:
    """Where ``content_line`` (the line minus its container prefix) starts in ``raw``.

    May be negative: where the parser expanded a leading tab into spaces, the
    content line is longer than its source; it is then aligned on its right end
    (only leading indentation differs) and offsets are clamped to the line.
    """
    for candidate in (raw, raw.rstrip()):
        if candidate.endswith(content_line) and len(candidate) - len(content_line) >= floor:
            return len(candidate) - len(content_line)
    k = raw.find(content_line, floor)
    if k >= 0:
        return k
    stripped = content_line.rstrip()
    return len(raw.rstrip()) - len(stripped) if raw.rstrip().endswith(stripped.lstrip()) else floor


class _InlineWalker:
    """Walks inline children in source order, adding pieces to a run."""

    def __init__(self, content: str, cmap: _ContentMap, run: Run, images: list[tuple[int, int]]) -> None:
        self.content, self.at, self.run, self.images = content, cmap, run, images
        self.cursor = 0
        self.bold = 0
        self.links: list[str | None] = []

    def _find(self, needle: str) -> int:
        k = self.content.find(needle, self.cursor)
        return self.cursor if k < 0 else k

    def _span(self, start: int, end: int) -> tuple[int, int]:
        """Document span of content ``[start, end)``."""
        return self.at(start), (self.at(end - 1) + 1 if end > start else self.at(start))

    def _markup(self, start: int, end: int, kind: PieceKind) -> None:
        self.run.add("", *self._span(start, end), kind)
        self.cursor = max(self.cursor, end)

    def _visible(self, plain: str, start: int, end: int, kind: PieceKind, code: str | None = None) -> None:
        url = self.links[-1] if self.links else None
        self.run.add(plain, *self._span(start, end), kind, url=url, code=code, bold=self.bold > 0)
        self.cursor = max(self.cursor, end)

    def walk(self, children: list[Any]) -> None:
        for i, c in enumerate(children):
            t = c.type
            if t == "text" and c.content:
                k = self._find(c.content)
                plain = c.content
                if i + 1 < len(children) and children[i + 1].type == "softbreak":
                    plain = plain.rstrip(" \t")  # a line's trailing blanks go at a soft break (CommonMark)
                if plain:
                    self._visible(plain, k, k + len(plain), PieceKind.TEXT)
                self.cursor = max(self.cursor, k + len(c.content))
            elif t == "text_special":
                k = self._find(c.markup)
                self._visible(c.content, k, k + len(c.markup), PieceKind.ATOMIC)
            elif t in ("softbreak", "hardbreak"):
                self._break(t == "hardbreak", children[i + 1 :])
            elif t == "code_inline":
                self._code(c)
            elif t.endswith("_open") or t.endswith("_close"):
                self._delimiter(c)
            elif t == "image":
                k = self._find("![")
                end = _skip_link_tail(self.content, _match_bracket(self.content, k + 1) + 1)
                self.images.append(self._span(k, end))
                self._markup(k, end, PieceKind.NEUTRAL)
            elif t == "html_inline":
                k = self._find(c.content)
                self._markup(k, k + len(c.content), _html_kind(c.content))

    def _break(self, hard: bool, rest: list[Any]) -> None:
        k = self._find("\n")
        if hard:
            self._visible("\n", k, k + 1, PieceKind.ATOMIC)
            return
        nxt = next((c.content for c in rest if c.type == "text" and c.content), "")
        if is_cjk(self.run.last_char() or " ") and is_cjk(nxt[:1] or " "):
            self._markup(k, k + 1, PieceKind.GAP)  # lines of Chinese join without a space
        else:
            self._visible(" ", k, k + 1, PieceKind.ATOMIC)

    def _code(self, c: Any) -> None:
        k = self._find(c.markup)
        inner = k + len(c.markup)
        close = _closing_run(self.content, c.markup, inner)
        self._markup(k, inner, PieceKind.OPEN)
        raw = self.content[inner:close]
        if raw == c.content:
            self._visible(c.content, inner, close, PieceKind.TEXT, code=c.content)
        elif raw[1:-1] == c.content:
            self._visible(c.content, inner + 1, close - 1, PieceKind.TEXT, code=c.content)
        else:
            self._visible(c.content, inner, close, PieceKind.ATOMIC, code=c.content)
        self._markup(close, min(close + len(c.markup), len(self.content)), PieceKind.CLOSE)

    def _delimiter(self, c: Any) -> None:
        t = c.type
        opening = t.endswith("_open")
        if t.startswith("link"):
            self._link(c, opening)
            return
        if t.startswith("strong"):
            self.bold += 1 if opening else -1
        if c.markup:
            k = self._find(c.markup)
            self._markup(k, k + len(c.markup), PieceKind.OPEN if opening else PieceKind.CLOSE)

    def _link(self, c: Any, opening: bool) -> None:
        auto = c.markup in ("autolink", "linkify")
        if opening:
            self.links.append(c.attrs.get("href") if c.attrs else None)
            if c.markup != "linkify":
                k = self._find("<" if auto else "[")
                self._markup(k, k + 1, PieceKind.OPEN)
            return
        if self.links:
            self.links.pop()
        if c.markup == "linkify":
            return
        k = self._find(">" if auto else "]")
        end = k + 1 if auto else _skip_link_tail(self.content, k + 1)
        self._markup(k, end, PieceKind.CLOSE)


def _closing_run(s: str, ticks: str, start: int) -> int:
    """Start of the next backtick run of exactly ``len(ticks)`` (a code span's closer)."""
    k = s.find(ticks, start)
    while k >= 0:
        end = k
        while end < len(s) and s[end] == "`":
            end += 1
        if end - k == len(ticks):
            return k
        k = s.find(ticks, end)
    return len(s)


def _match_bracket(s: str, i: int) -> int:
    """Index of the "]" closing the "[" at ``i`` (escapes and nesting respected)."""
    depth = 0
    j = i
    while j < len(s):
        ch = s[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(s) - 1


def _skip_link_tail(s: str, i: int) -> int:
    """End of a link's tail starting at ``i``: an inline ``(destination "title")``
    parsed as markdown-it parses it, else a reference ``[label]``, else nothing
    (a shortcut reference followed by literal text such as "(")."""
    from markdown_it.helpers import parseLinkDestination, parseLinkTitle

    n = len(s)
    if i < n and s[i] == "(":
        pos = _skip_space(s, i + 1)
        if pos < n:
            dest = parseLinkDestination(s, pos, n)
            if dest.ok:
                start = pos = dest.pos
                pos = _skip_space(s, pos)
                title = parseLinkTitle(s, pos, n)
                if pos < n and start != pos and title.ok:
                    pos = _skip_space(s, title.pos)
            if pos < n and s[pos] == ")":
                return pos + 1
    if i < n and s[i] == "[":
        k = _match_bracket(s, i)
        if k < n and s[k] == "]":
            return k + 1
    return i


def _skip_space(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] in " \t\n":
        pos += 1
    return pos


_LISTING_CAPTION = re.compile(r"<Listing\b[^>]*?\bcaption=\"([^\"]*)\"", re.IGNORECASE)


def _listing_captions(text: str, start: int, end: int) -> list[RawBlock]:
    """mdBook ``<Listing caption="...">``: the caption is text (the translation has it as text)."""
    blocks = []
    for match in _LISTING_CAPTION.finditer(text, start, end):
        if match.group(1).strip():
            run = Run()
            run.add(match.group(1), match.start(1), match.end(1), PieceKind.TEXT)
            blocks.append(RawBlock(run, BlockKind.CAPTION))
    return blocks


def _html_kind(tag: str) -> PieceKind:
    if tag.startswith("</"):
        return PieceKind.CLOSE
    if tag.startswith("<!--") or tag.endswith("/>") or re.match(r"<(br|img|hr|wbr)\b", tag, re.I):
        return PieceKind.NEUTRAL
    return PieceKind.OPEN
