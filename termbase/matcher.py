"""Finding terms in text: source terms in Chinese, renderings in English.

Source side.  :class:`TermMatcher` builds a character trie over a matching view
of every source term and scans the text's view left to right, taking the
longest term that starts at each position (leftmost-longest), so 推理模型 wins
over 推理 and hits never overlap.  The view is length-preserving (Simplified
script via OpenCC ``t2s``, full-width ASCII folded, lower case), so Traditional
蒸餾 finds 蒸馏, and every offset in a :class:`TermHit` is an offset in the
original text.  A term that begins or ends with a Latin letter or digit must not
touch another one there (``MoE`` is not found inside ``MoEs`` or ``xMoE``).

Target side.  :func:`find_targets` finds an entry's accepted renderings in
English text, and :func:`find_forbidden` its forbidden ones, with this rule:

* case-insensitive: ``Load Balancing`` = ``load balancing``;
* word separators are interchangeable and optional: spaces, hyphens and dashes,
  underscores and slashes (``load-balancing`` = ``load balancing`` = ``loadbalancing``);
* each word of three or more letters may take ``s``, ``es``, ``'s``; a word ending
  in consonant + ``y`` may take ``ies`` instead (``mixtures of experts``,
  ``GPUs``, ``strategies``) — no other inflection (``distilled`` is not ``distillation``);
* whole words only: no Latin letter or digit right before or after.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from termalign.align.script import fold_punct, simplified_view
from termalign.termbase.model import Entry

__all__ = [
    "TermHit",
    "TermMatcher",
    "TargetSpan",
    "find_terms",
    "find_targets",
    "find_forbidden",
    "match_view",
]

_END = ""  # trie key marking "a term ends here" (never a character)
_LATIN_WORD = "0-9A-Za-z\u00c0-\u024f"
_SEPARATORS = r"[\s\-\u2010-\u2015_/]"


@dataclass(frozen=True)
class TermHit:
    """A source term found in text: ``text[start:end]`` is the (possibly Traditional) occurrence."""

    entry: Entry
    term: str  # the stored source term (preferred or variant) that matched
    start: int
    end: int


class TargetSpan(NamedTuple):
    """A rendering found in English text: ``text[start:end]``, matching the rendering ``term``."""

    start: int
    end: int
    term: str


def match_view(text: str) -> str:
    """The length-preserving view that matching runs on: Simplified, ASCII-folded, lower case."""
    view = fold_punct(simplified_view(text))
    lowered = view.lower()
    # lower() only ever lengthens (İ -> i̇); equal length means every offset still holds
    return (
        lowered
        if len(lowered) == len(view)
        else "".join(c if len(c.lower()) > 1 else c.lower() for c in view)
    )


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


class TermMatcher:
    """Leftmost-longest matcher over the source terms (preferred and variants) of ``entries``."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._root: dict[str, Any] = {}
        self._keys: dict[str, tuple[Entry, str]] = {}
        self._count = 0
        for entry in entries:
            for term in entry.source_terms:
                key = match_view(term)
                if not key:
                    continue
                node = self._root
                for char in key:
                    node = node.setdefault(char, {})
                if _END not in node:  # the first entry to claim a spelling keeps it
                    node[_END] = (entry, term)
                    self._keys[key] = (entry, term)
                    self._count += 1

        self._pattern = re.compile(_trie_regex(self._root)) if self._root else None

    def __len__(self) -> int:
        return self._count

    def find(self, text: str) -> list[TermHit]:
        """Non-overlapping hits, left to right, the longest term at each position.

        The trie is compiled into one regular expression whose greedy optional
        groups try the longest continuation first, so ``re`` (in C) finds the
        next leftmost-longest candidate; only a candidate that fails the Latin
        word-boundary rule falls back to the trie walk at that position.
        """
        if self._pattern is None:
            return []
        view = match_view(text)
        hits: list[TermHit] = []
        pos = 0
        keys = self._keys
        while pos < len(view):
            restart = None
            for m in self._pattern.finditer(view, pos):
                i, j = m.span()
                if i < pos:
                    continue
                if not (view[i].isascii() or view[j - 1].isascii()) or _bounded(view, i, j):
                    entry, term = keys[m.group()]
                    hits.append(TermHit(entry, term, i, j))
                    pos = j
                    continue
                # rare: the longest candidate runs into a Latin word; try shorter ones here
                hit = self._longest_at(view, i, j)
                if hit is not None:
                    hits.append(hit)
                restart = hit.end if hit is not None else i + 1
                break
            if restart is None:
                break
            pos = restart
        return hits

    def _longest_at(self, view: str, i: int, longest: int) -> TermHit | None:
        """The longest term starting at ``i`` (ending at or before ``longest``) that is bounded."""
        node = self._root
        candidates: list[tuple[int, tuple[Entry, str]]] = []
        for j in range(i, longest):
            node = node[view[j]]
            if _END in node:
                candidates.append((j + 1, node[_END]))
        for end, (entry, term) in reversed(candidates):
            if _bounded(view, i, end):
                return TermHit(entry, term, i, end)
        return None


def _trie_regex(node: dict[str, Any]) -> str:
    """A regex matching exactly the trie's keys, longest alternative first (greedy)."""
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def _bounded(view: str, start: int, end: int) -> bool:
    """A term with a Latin letter or digit at an edge must not run on into another there."""
    if _is_latin(view[start]) and start > 0 and _is_latin(view[start - 1]):
        return False
    return not (_is_latin(view[end - 1]) and end < len(view) and _is_latin(view[end]))


def find_terms(text: str, entries: Iterable[Entry]) -> list[TermHit]:
    """One-off convenience: build a :class:`TermMatcher` and run it (reuse a matcher for many texts)."""
    return TermMatcher(entries).find(text)


# -- English renderings ----------------------------------------------------------------------------


def _word_pattern(word: str) -> str:
    escaped = re.escape(word)
    if len(word) < 3 or not word[-1].isalpha():
        return escaped
    possessive = "(?:'s|\u2019s)?"
    if word[-1] in "yY" and word[-2].lower() not in "aeiou":
        return f"(?:{escaped}|{re.escape(word[:-1])}ies){possessive}"
    return f"{escaped}(?:e?s)?{possessive}"


@lru_cache(maxsize=4096)
def _rendering_pattern(rendering: str) -> re.Pattern[str] | None:
    words = [w for w in re.split(f"{_SEPARATORS}+", rendering.strip()) if w]
    article = ""
    if len(words) > 1 and words[0].lower() in ("a", "an", "the"):
        words, article = words[1:], r"(?:(?:an?|the)\s+)?"  # "the variable" accepts "a variable", "variable"
    if not words:
        return None
    body = article + f"{_SEPARATORS}*".join(_word_pattern(w) for w in words)
    return re.compile(f"(?<![{_LATIN_WORD}]){body}(?![{_LATIN_WORD}])", re.IGNORECASE)


def _find_all(text: str, renderings: Sequence[str]) -> list[TargetSpan]:
    found: list[TargetSpan] = []
    for rendering in renderings:
        pattern = _rendering_pattern(rendering)
        if pattern is not None:
            found.extend(TargetSpan(m.start(), m.end(), rendering) for m in pattern.finditer(text))
    found.sort(key=lambda s: (s.start, s.start - s.end))
    spans: list[TargetSpan] = []
    for span in found:  # leftmost-longest, no overlaps
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


def find_targets(text: str, entry: Entry) -> list[TargetSpan]:
    """Where the entry's accepted renderings (preferred and variants) occur in ``text``."""
    return _find_all(text, entry.accepted_targets)


def find_forbidden(text: str, entry: Entry) -> list[TargetSpan]:
    """Where the entry's forbidden renderings occur, except inside an accepted rendering."""
    accepted = find_targets(text, entry)
    return [
        span
        for span in _find_all(text, entry.forbidden)
        if not any(a.start <= span.start and span.end <= a.end for a in accepted)
    ]
