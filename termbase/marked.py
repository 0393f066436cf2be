"""Terms the text itself marks as terms, inside one aligned pair.

A term that occurs once (混合专家 → mixture of experts) cannot rank by recurrence; what it
can have is the writer's own mark that it is a term, in the pair where it occurs:

* **quoted on both sides**: the Chinese span fills a pair of quotes or brackets
  (“混合专家”, 「…」, 《…》, （…）) and the English span fills one too (“mixture of experts”);
* **gloss**: the Chinese span is followed by the English in brackets, 容器运行时（Container Runtime）,
  or by an acronym the English span spells, 混合专家（MoE）;
* **acronym**: the English span spells an acronym written in the same pair
  (mixture of experts / MoE, Semiconductor Manufacturing International Corporation / SMIC):
  the initials of its words, ``of``/``and``/``the`` optional (Schwartz & Hearst's
  short-form / long-form pairs, simplified to initials).

:func:`pair_marks` reads one pair once; :meth:`PairMarks.marked` answers for a span pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from termalign.align.script import HAN_CHARS, simplified_view

__all__ = ["PairMarks", "pair_marks", "spells"]

_QUOTES = re.compile(
    r"“([^“”]{1,60})”|\"([^\"]{1,60})\"|「([^「」]{1,60})」|『([^『』]{1,60})』|《([^《》]{1,60})》"
    r"|‘([^‘’]{1,60})’|（([^（）]{1,60})）|\(([^()]{1,60})\)|\*\*([^*]{1,60})\*\*"
)
_GLOSS = re.compile(rf"([{HAN_CHARS}]+)\s*[（(]\s*([A-Za-z][A-Za-z0-9 .\-]{{0,58}}[A-Za-z0-9])\s*[)）]")
_ACRONYM = re.compile(r"(?<![A-Za-z])([A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z]*)(?![A-Za-z])")
_OPTIONAL = frozenset({"of", "and", "the", "for", "to", "in"})


def _fold_en(text: str) -> str:
    return " ".join(re.sub(r"[-‐–]", " ", text.replace("’", "'")).lower().split())


def _fold_zh(text: str) -> str:
    return re.sub(r"\s+", "", simplified_view(text))


def spells(words: list[str], acronym: str) -> bool:
    """The words' initials spell the acronym (``mixture of experts`` → MoE), case-folded.

    Function words may be skipped or counted (MoE counts ``of``, SMIC skips none); every
    content word must give a letter, and the acronym must have at least two letters.
    """
    target = acronym.lower()
    if len(target) < 2 or len(words) < 2 or not target.isalpha():
        return False

    def walk(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(target)
        word = words[i]
        if word in _OPTIONAL and walk(i + 1, j):
            return True
        return j < len(target) and word[:1] == target[j] and walk(i + 1, j + 1)

    return walk(0, 0)


@dataclass(frozen=True)
class PairMarks:
    """What one aligned pair marks: quoted spans on each side, glosses, acronyms."""

    quoted_zh: frozenset[str]
    quoted_en: frozenset[str]
    glosses: frozenset[tuple[str, str]]  # (Chinese run before the bracket, folded English inside)
    acronyms: frozenset[str]

    def marked(self, zh_surface: str, en_surface: str) -> bool:
        """The pair marks this span pair as a term (quoted on both sides, glossed, or an acronym)."""
        zh, en = _fold_zh(zh_surface), _fold_en(en_surface)
        if zh in self.quoted_zh and en in self.quoted_en:
            return True
        words = en.split()
        for run, inside in self.glosses:
            if run.endswith(zh) and (inside == en or spells(words, inside)):
                return True
        return any(spells(words, a) for a in self.acronyms)  # two letters (IP, RL) match too often


def pair_marks(source: str, target: str) -> PairMarks:
    """Read the marks of one pair (Chinese ``source``, English ``target``)."""

    def quoted(text: str) -> list[str]:
        return [next(g for g in m.groups() if g is not None).strip() for m in _QUOTES.finditer(text)]

    glosses = frozenset(
        (_fold_zh(m.group(1)), _fold_en(m.group(2))) for m in _GLOSS.finditer(simplified_view(source))
    )
    acronyms = frozenset(
        a for text in (source, target) for a in _ACRONYM.findall(text) if a.isalpha() and 3 <= len(a) <= 8
    )
    return PairMarks(
        frozenset(_fold_zh(q) for q in quoted(source)),
        frozenset(_fold_en(q) for q in quoted(target)),
        frozenset((run, inside) for run, inside in glosses),
        acronyms,
    )
