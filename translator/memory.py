"""A translation memory: exact and fuzzy lookup of earlier translations.

Entries are matched on a normalised key: NFKC, whitespace collapsed, and for
Chinese sources Simplified script (``align.script.simplified_view``), so a
Traditional-script sentence finds its Simplified twin as an *exact* match.

Fuzzy matching scores keys with rapidfuzz's ``fuzz.ratio`` (normalised InDel
similarity, ``2·LCS / (len a + len b)``).  Since the LCS is at most the shorter
length, a candidate of length ``m`` can only reach score ``s`` for a query of
length ``n`` if ``n·s/(2-s) <= m <= n·(2-s)/s``; keys are kept sorted by length
so each lookup scores only that slice (build once, look up many times).

Results are deterministic: best score first, then source, target, origin.
``exclude`` drops entries before ranking, for leave-one-out evaluation.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from termalign.align.script import simplified_view
from termalign.align.tmx import read_tmx
from termalign.kernel.errors import ConfigError, DocumentError

__all__ = ["MemoryConfig", "TmEntry", "TmMatch", "TranslationMemory", "normalize_key"]

_SPACE_RE = re.compile(r"\s+")
MatchKind = Literal["exact", "fuzzy"]


@dataclass(frozen=True)
class MemoryConfig:
    """How keys are normalised and what a lookup returns by default."""

    min_score: float = 0.75
    limit: int = 3
    simplify: bool = True  # fold Traditional to Simplified for Chinese sources
    casefold: bool = False  # fold case too (useful for English sources)


@dataclass(frozen=True)
class TmEntry:
    """One stored translation; ``origin`` says where it came from (file#tuid, doc:segment)."""

    source: str
    target: str
    origin: str = ""


@dataclass(frozen=True)
class TmMatch:
    source: str
    target: str
    score: float  # 1.0 for exact, fuzz.ratio / 100 otherwise
    kind: MatchKind
    origin: str = ""


def normalize_key(text: str, *, simplify: bool = True, casefold: bool = False) -> str:
    """The matching key: NFKC, whitespace collapsed and trimmed, optionally Simplified, case-folded."""
    key = _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if simplify and key:
        key = simplified_view(key)
    return key.casefold() if casefold else key


class TranslationMemory:
    """Entries indexed for exact (dict) and fuzzy (length-sliced rapidfuzz) lookup."""

    def __init__(self, *, source_lang: str = "", config: MemoryConfig | None = None) -> None:
        self.source_lang = source_lang
        self.config = config or MemoryConfig()
        self._simplify = self.config.simplify and (not source_lang or source_lang.lower().startswith("zh"))
        self._entries: list[TmEntry] = []
        self._keys: list[str] = []
        self._exact: dict[str, list[int]] = {}
        self._sorted: list[int] | None = None  # entry indices by key length, built lazily
        self._lengths: list[int] = []
        self._sorted_keys: list[str] = []

    @classmethod
    def from_tmx(
        cls,
        paths: Iterable[str | Path],
        *,
        source_lang: str,
        config: MemoryConfig | None = None,
    ) -> TranslationMemory:
        """Load every unit of the TMX files at ``paths``; origins are ``<file name>#<tuid or n>``."""
        memory = cls(source_lang=source_lang, config=config)
        target_langs: dict[str, str] = {}
        for path in paths:
            tmx = read_tmx(path, source_lang=source_lang)
            if tmx.target_lang:
                target_langs[str(path)] = tmx.target_lang
            name = Path(path).name
            for number, unit in enumerate(tmx.units, 1):
                memory.add(unit.source, unit.target, f"{name}#{unit.tuid or number}")
        bases = {lang.split("-")[0].lower() for lang in target_langs.values()}
        if len(bases) > 1:
            listing = ", ".join(f"{p} ({lang})" for p, lang in target_langs.items())
            raise DocumentError(f"the TMX files have different target languages: {listing}")
        return memory

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> tuple[TmEntry, ...]:
        return tuple(self._entries)

    def key(self, text: str) -> str:
        """The normalised matching key of ``text`` under this memory's settings."""
        return normalize_key(text, simplify=self._simplify, casefold=self.config.casefold)

    def add(self, source: str, target: str, origin: str = "") -> None:
        """Store one translation; empty sources or targets are ignored."""
        key = self.key(source)
        if not key or not target.strip():
            return
        self._exact.setdefault(key, []).append(len(self._entries))
        self._entries.append(TmEntry(source, target, origin))
        self._keys.append(key)
        self._sorted = None

    def _length_index(self) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(range(len(self._keys)), key=lambda i: (len(self._keys[i]), i))
            self._lengths = [len(self._keys[i]) for i in self._sorted]
            self._sorted_keys = [self._keys[i] for i in self._sorted]
        return self._sorted

    def lookup(
        self,
        source: str,
        *,
        min_score: float | None = None,
        exclude: Callable[[TmEntry], bool] | None = None,
        limit: int | None = None,
    ) -> list[TmMatch]:
        """The best matches for ``source``: exact ones (score 1.0) first, then fuzzy ones.

        ``exclude(entry)`` returning True removes an entry (leave-one-out).  Matches
        with the same source and target are reported once.
        """
        min_score = self.config.min_score if min_score is None else min_score
        limit = self.config.limit if limit is None else limit
        if not 0.0 < min_score <= 1.0:
            raise ConfigError(f"min_score must be in (0, 1], not {min_score}")
        if limit <= 0:
            return []
        query = self.key(source)
        if not query:
            return []
        scored: list[tuple[float, MatchKind, int]] = [(1.0, "exact", i) for i in self._exact.get(query, ())]
        if min_score < 1.0:
            scored.extend((score, "fuzzy", i) for score, i in self._fuzzy(query, min_score))
        matches: list[TmMatch] = []
        seen: set[tuple[str, str]] = set()
        ranked = sorted(
            scored, key=lambda t: (-t[0], self._entries[t[2]].source, self._entries[t[2]].target, t[2])
        )
        for score, kind, index in ranked:
            entry = self._entries[index]
            if (exclude is not None and exclude(entry)) or (entry.source, entry.target) in seen:
                continue
            seen.add((entry.source, entry.target))
            matches.append(TmMatch(entry.source, entry.target, score, kind, entry.origin))
            if len(matches) >= limit:
                break
        return matches

    def _fuzzy(self, query: str, min_score: float) -> list[tuple[float, int]]:
        """(score, entry index) of non-identical keys scoring at least ``min_score``."""
        # Lazy: rapidfuzz (~30 ms) to import (startup_bench.py).
        from rapidfuzz import fuzz, process

        order = self._length_index()
        n = len(query)
        low = bisect_left(self._lengths, int(n * min_score / (2.0 - min_score)))
        high = bisect_right(self._lengths, int(n * (2.0 - min_score) / min_score) + 1)
        if low >= high:
            return []
        results = process.extract(
            query,
            self._sorted_keys[low:high],
            scorer=fuzz.ratio,
            score_cutoff=min_score * 100.0,
            limit=None,
        )
        return [
            (score / 100.0, order[low + position])
            for _, score, position in results
            if self._keys[order[low + position]] != query
        ]
