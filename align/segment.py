"""Sentence segmentation of plain text into ``(start, end)`` spans.

Spans index the text given, are whitespace-trimmed, increasing and
non-overlapping.  A newline is always a boundary (readers turn hard line breaks
and ``<br>`` into ``"\\n"``, soft breaks into spaces).

Chinese (and Japanese) text is split by a linear scan over sentence-final
punctuation.  Other languages go through pysbd, wrapped for two reasons:

* pysbd's run time grows faster than linearly with the number of sentences in
  one call (about 3 s for a 50,000-character line), so long lines are fed to it
  in windows of a few thousand characters; the last, possibly cut, sentence of
  each window is re-read as the start of the next window.
* a few of its splits are wrong for this corpus and are undone afterwards: a
  split after a piece that does not end in sentence punctuation (pysbd splits
  before list-like numbers, "Tech: 1. ..."), and a split inside a token with no
  space after it (URLs such as ``a.b?c=1``); and a sentence ending in a lone
  capital ("the parameter F. The F type") that pysbd takes for an initial is
  split again.

In Chinese text, "!" right after a Latin identifier and before a space or a
Chinese character is a Rust macro name (``vec!``, ``println!``), not an end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from termalign.align.script import is_cjk
from termalign.kernel.errors import ConfigError

__all__ = ["SegmentOptions", "segment", "segment_cjk", "segment_pysbd"]

SemicolonMode = Literal["never", "full-width", "cjk", "always"]


@dataclass(frozen=True)
class SegmentOptions:
    """How sentences are split.

    ``semicolon``: "never"; "full-width" (only "；"); "cjk" (default: "；", and
    ASCII ";" when the next character is Chinese, as in "...;中文"); "always".
    """

    semicolon: SemicolonMode = "cjk"
    window: int = 2000  # characters per pysbd call (see the module docstring)

    def __post_init__(self) -> None:
        if self.semicolon not in ("never", "full-width", "cjk", "always"):
            raise ConfigError(f"unknown semicolon mode {self.semicolon!r}")
        if self.window < 100:
            raise ConfigError(f"the segmentation window must be at least 100 characters, not {self.window}")


DEFAULT_OPTIONS = SegmentOptions()

_CJK_FINAL = frozenset("。！？…｡")
_ASCII_FINAL = frozenset("!?")
_CLOSERS = frozenset("”’」』）)】》〉〗〕］]\"'")
_PYSBD_LANGS = frozenset(
    [
        "en",
        "hi",
        "mr",
        "es",
        "am",
        "ar",
        "hy",
        "bg",
        "ur",
        "ru",
        "pl",
        "fa",
        "nl",
        "da",
        "fr",
        "my",
        "el",
        "it",
        "de",
        "kk",
        "sk",
    ]
)
_TERMINAL_RE = re.compile(r"[.!?…。！？]['\"”’)\]」』）》]*$")
# pysbd reads "parameter F. The F type" as an initial; a lone capital before a word that
# starts sentences (and is no name) ends the sentence.
_INITIAL_END_RE = re.compile(
    r"(?<=[\s(`])[A-Z]\.(?=\s+(?:The|This|That|These|Those|Then|It|Its|We|You|In|If|A|An|When|For|To|Now|So|"
    r"But|And|Our|Here|There|Note|Each|Every|Both|With|Without|Because|However|Finally|Next|First)\b)"
)
# A macro name such as vec! or println! in Chinese text: "!" right after a Latin identifier
# and before a space or a Chinese character is part of the name, not a sentence end.
_MACRO_BANG_RE = re.compile(r"[A-Za-z0-9_]!")


def segment(text: str, lang: str, options: SegmentOptions | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` in language ``lang`` ("zh", "en", ...)."""
    opts = options or DEFAULT_OPTIONS
    base = lang.split("-")[0].lower()
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            if base in ("zh", "ja", "yue", "wuu"):
                found = segment_cjk(line, opts)
            else:
                found = segment_pysbd(line, base if base in _PYSBD_LANGS else "en", opts)
            spans.extend((pos + s, pos + e) for s, e in found)
        pos += len(line) + 1
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def segment_cjk(text: str, options: SegmentOptions = DEFAULT_OPTIONS) -> list[tuple[int, int]]:
    """Split Chinese text after 。！？… (and runs such as "……", "？！"), ASCII ! ?
    when not inside a Latin token, and semicolons as ``options`` says; closing
    quotes and brackets right after the punctuation stay with the sentence."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = i = 0
    while i < n:
        if not _is_final(text, i, options):
            i += 1
            continue
        j = i + 1
        while j < n and _is_final(text, j, options):
            j += 1
        while j < n and text[j] in _CLOSERS:
            j += 1
        if text[i] == "!" and j == i + 1 and i > 0 and _MACRO_BANG_RE.match(text, i - 1) and j < n:
            nxt = text[j]
            if nxt.isspace() or is_cjk(nxt):
                i = j  # "vec! 宏", "println!宏": a Rust macro name
                continue
        if text[i] in _ASCII_FINAL or (text[i] == ";" and options.semicolon != "always"):
            nxt = text[j] if j < n else " "
            if nxt.isascii() and not nxt.isspace():
                i = j  # "Yahoo!Inc", "a.com/x?b=1": not a boundary
                continue
        span = _trim(text, start, j)
        if span:
            spans.append(span)
        start = i = j
    span = _trim(text, start, n)
    if span:
        spans.append(span)
    return spans


def _is_final(text: str, i: int, options: SegmentOptions) -> bool:
    ch = text[i]
    if ch in _CJK_FINAL or ch in _ASCII_FINAL:
        return True
    if ch == "；":
        return options.semicolon != "never"
    if ch == ";":
        if options.semicolon == "always":
            return True
        if options.semicolon == "cjk":
            return i + 1 < len(text) and is_cjk(text[i + 1])
    return False


@lru_cache(maxsize=8)
def _segmenter(lang: str) -> Any:
    # Lazy: pysbd (~30 ms) to import (startup_bench.py).
    import pysbd  # imported on first use: it is slow-ish to set up

    return pysbd.Segmenter(language=lang, clean=False, char_span=False)


def segment_pysbd(
    text: str, lang: str = "en", options: SegmentOptions = DEFAULT_OPTIONS
) -> list[tuple[int, int]]:
    """pysbd sentence spans of one line, fed in windows, with the fixes above."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    pos, window = 0, options.window
    while pos < n:
        end = min(n, pos + window)
        found = _pysbd_chunk(text[pos:end], lang)
        if end < n and len(found) <= 1:
            window *= 2  # one sentence longer than the window: widen it
            continue
        keep = found if end == n else found[:-1]
        spans.extend((pos + s, pos + e) for s, e in keep)
        if end == n:
            break
        pos += found[-1][0]
        window = options.window
    return _split_initials(text, _postfix(text, spans))


def _split_initials(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split after a lone capital that pysbd took for an initial (see ``_INITIAL_END_RE``)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        for match in _INITIAL_END_RE.finditer(text, s, e):
            cut = match.end()
            piece = _trim(text, s, cut)
            if piece:
                out.append(piece)
            s = cut
        rest = _trim(text, s, e)
        if rest:
            out.append(rest)
    return out


def _pysbd_chunk(chunk: str, lang: str) -> list[tuple[int, int]]:
    """Spans of pysbd's sentences in ``chunk``, located by a forward search."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sent in _segmenter(lang).segment(chunk):
        core = sent.strip()
        if not core:
            continue
        at = chunk.find(core, cursor)
        if at < 0:  # pysbd altered the text: keep the rest as one sentence
            rest = _trim(chunk, cursor, len(chunk))
            return spans + ([rest] if rest else [])
        spans.append((at, at + len(core)))
        cursor = at + len(core)
    rest = _trim(chunk, cursor, len(chunk))
    if rest:
        spans.append(rest)
    return spans


def _postfix(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo pysbd splits that are wrong here (see the module docstring)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            ps, pe = out[-1]
            glued = pe == s and s < len(text) and (text[s].islower() or text[s].isdigit() or text[s] in "=&/")
            if glued or not _TERMINAL_RE.search(text[ps:pe]):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out
