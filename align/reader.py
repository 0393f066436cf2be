"""Reading a document: decode, pick the reader, detect language and script, segment.

``read_document`` is the one entry point for files; ``read_string`` does the
same for text already in memory (tests, the server).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from termalign.align.document import BlockKind, Document
from termalign.align.encoding import read_text
from termalign.align.html_reader import parse_html
from termalign.align.markdown_reader import parse_markdown, split_lines
from termalign.align.script import detect_lang, detect_script
from termalign.align.segment import SegmentOptions
from termalign.align.textmap import Parsed, PieceKind, RawBlock, Run, build_blocks
from termalign.kernel.errors import DocumentError

__all__ = ["read_document", "read_string", "guess_format", "FORMATS"]

FORMATS = ("markdown", "html", "text")
_HTML_SUFFIXES = frozenset((".html", ".htm", ".xhtml"))
_MARKDOWN_SUFFIXES = frozenset((".md", ".markdown", ".mdown", ".mkd"))
# Sniffing only (the readers parse properly): any of these marks a markdown file.
_MARKDOWN_HINTS = re.compile(
    r"^(?:---\s*$|#{1,6}\s|\s{0,3}>|\s{0,3}(?:[-*+]|\d{1,9}[.)])\s|\s{0,3}<[a-zA-Z!/]"
    r"|Markdown Content:\s*$|\s{0,3}(?:```|~~~))"
    r"|\*\*\S|\]\([^)\s]*\)|`[^`\n]+`",
    re.MULTILINE,
)
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def read_document(
    path: str | Path,
    *,
    lang: str | None = None,
    fmt: str | None = None,
    segmentation: SegmentOptions | None = None,
) -> Document:
    """Read, decode and segment the document at ``path``.

    ``lang`` and ``fmt`` ("markdown", "html", "text") are detected when not
    given.  Raises :class:`DocumentError` for missing, empty, binary or
    undecodable files.  A document without text gives zero blocks.
    """
    text, encoding = read_text(path)
    return _read(text, str(path), encoding, lang, fmt, segmentation)


def read_string(
    text: str,
    *,
    path: str = "<string>",
    lang: str | None = None,
    fmt: str | None = None,
    segmentation: SegmentOptions | None = None,
) -> Document:
    """Like :func:`read_document` for text in memory (a leading BOM is dropped)."""
    return _read(text.removeprefix("\ufeff"), path, "utf-8", lang, fmt, segmentation)


def guess_format(path: str, text: str) -> str:
    """ "html" for .html/.htm or a full HTML page, "markdown" if markup is seen, else "text"."""
    suffix = PurePath(path).suffix.lower()
    if suffix in _HTML_SUFFIXES or _HTML_START.match(text[:4096]):
        return "html"
    if suffix in _MARKDOWN_SUFFIXES or _MARKDOWN_HINTS.search(text):
        return "markdown"
    return "text"


def _read(
    text: str,
    path: str,
    encoding: str,
    lang: str | None,
    fmt: str | None,
    segmentation: SegmentOptions | None,
) -> Document:
    fmt = fmt or guess_format(path, text)
    if fmt not in FORMATS:
        raise DocumentError(
            f"unknown document format {fmt!r} (expected one of {', '.join(FORMATS)})", path=path
        )
    parsed = _parse(text, path, fmt)
    visible = "\n".join(raw.run.plain for raw in parsed.blocks)
    doc_lang = lang or detect_lang(visible) or "und"
    blocks = build_blocks(parsed.blocks, doc_lang, segmentation)
    script = detect_script(visible) if doc_lang.split("-")[0] == "zh" else ""
    return Document(
        path=path,
        text=text,
        lang=doc_lang,
        blocks=blocks,
        script=script,
        encoding=encoding,
        format=fmt,
        metadata=parsed.metadata,
        images=tuple(parsed.images),
    )


def _parse(text: str, path: str, fmt: str) -> Parsed:
    if fmt == "text":
        return parse_text(text)
    if fmt == "html":
        # A non-.html file asked for as HTML may open with markdown lines (004: a
        # markdown link title, "------", then an HTML body).  Parsed as HTML those
        # would show their markup as text, so the markdown reader takes it and
        # hands the HTML blocks to the HTML reader.
        if PurePath(path).suffix.lower() not in _HTML_SUFFIXES and _starts_with_markdown(text):
            return parse_markdown(text)
        return parse_html(text)
    return parse_markdown(text)


def _starts_with_markdown(text: str) -> bool:
    body = re.sub(r"\A(?:\s*<!--.*?-->)*\s*", "", text[:65536], flags=re.DOTALL)
    return bool(body) and not body.startswith("<")


def parse_text(text: str) -> Parsed:
    """Plain text: every non-empty line is a paragraph (visible text = source)."""
    parsed = Parsed()
    lines, starts = split_lines(text)
    for line, start in zip(lines, starts, strict=True):
        if line.strip():
            run = Run()
            run.add(line, start, start + len(line), PieceKind.TEXT)
            parsed.blocks.append(RawBlock(run, BlockKind.PARAGRAPH))
    return parsed
