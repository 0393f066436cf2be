"""Pre-split text: one sentence per line, the format of public alignment benchmarks and exports.

Every non-empty line is one block holding exactly one sentence; the line is
never segmented further.  The aligner sees such documents as a flat sequence
of sentences and aligns them with the wider bead shapes of pre-split mode
(1-4, 2-3, ...), since a translator's sentence joins are not paragraph joins.

Detection: a file (not named ``.md``/``.html``) of at least three non-empty
lines with no blank line between them, no strong markdown or HTML markup, and
most lines ending like a sentence and few holding a sentence
boundary inside (a paragraph per line is plain text).  A line starting ``1. `` is a sentence
here, not a markdown list item.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from termalign.align.documents.base import DocumentFormat
from termalign.align.documents.text import line_blocks
from termalign.align.documents.writeback import rebuild
from termalign.align.textmap import Parsed

__all__ = ["FORMAT", "parse_lines", "looks_presplit"]

_OTHER_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".xhtml")
# Markup that no sentence-per-line export contains: headings, fences, front matter, links, tags.
_STRONG_MARKUP = re.compile(
    r"^(?:#{1,6}\s|---\s*$|\s{0,3}(?:```|~~~)|Markdown Content:|\s{0,3}<[a-zA-Z!/])|\]\([^)\s]*\)",
    re.MULTILINE,
)
# How a sentence ends: final punctuation, optionally followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"[.!?;:。！？；：…—\-)）】」』”’\"'»]\s*$")
# A sentence boundary inside a line: final punctuation followed by more text.
_INNER_BOUNDARY = re.compile(r"[。！？!?][^”’」』）)\"'。！？!?\s]|[.!?][\"')\]]?\s+[A-Z\"“]")
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}|[A-Za-z])[.)]\s+")  # "1. " opening a sentence is no boundary
MIN_LINES = 3
MIN_SENTENCE_SHARE = 0.6  # lines ending like a sentence
MAX_INNER_SHARE = 0.2  # lines holding two sentences or more (a paragraph per line is not pre-split)


def looks_presplit(text: str) -> bool:
    """True for text that reads as one sentence per line (see the module docstring)."""
    body = text.strip("\n\r\ufeff")
    if not body:
        return False
    lines = body.splitlines()
    if len(lines) < MIN_LINES or any(not line.strip() for line in lines):
        return False
    if _STRONG_MARKUP.search(body):
        return False
    ended = sum(1 for line in lines if _SENTENCE_END.search(line))
    inner = sum(1 for line in lines if _INNER_BOUNDARY.search(_ENUMERATOR.sub("", line.rstrip())))
    return ended >= MIN_SENTENCE_SHARE * len(lines) and inner <= MAX_INNER_SHARE * len(lines)


def parse_lines(text: str, path: str = "<string>") -> Parsed:
    """Every non-empty line is one block of one sentence (visible text = source)."""
    del path
    return line_blocks(text, presplit=True)


def _claims(path: str, text: str) -> bool:
    if PurePath(path).suffix.lower() in _OTHER_SUFFIXES:
        return False
    return looks_presplit(text)


FORMAT = DocumentFormat(
    name="lines",
    description="pre-split text, one sentence per line (no segmentation)",
    suffixes=(".lines", ".sent", ".snt"),
    output_suffix=".txt",
    parse=parse_lines,
    claims=_claims,
    write_back=rebuild,
)
