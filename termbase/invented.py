"""Invented content: names, organisations and numbers in a translation with no evidence in the source.

A small model writes fluent English that passes every term check and still
says something the source does not: 美銀證券分析師 (a BofA Securities analyst)
comes back as "an analyst at the Federal Reserve Bank of New York", 玄武門之變
(the Xuanwu Gate incident) as "Lantern Gate".  The check registered here as
``invented-content`` looks for such content in the target:

* **names** — runs of capitalised words ("Federal Reserve Bank of New York",
  "BofA", "Lantern Gate"), sentence-initial and title-case words that are
  ordinary English left out;
* **numbers** — written with digits ("42", "3.5 billion", "$6 million").

A word of a name has *evidence* when it is a Latin token of the source, a word
of a CC-CEDICT gloss of a Chinese word of the source (every substring that is a
headword, Traditional or Simplified), a word of a termbase rendering of a term
found in the source, or a transliteration of source characters (pinyin from
``pypinyin`` when installed, else CC-CEDICT readings; compared loosely so that
"Altman" meets 奥特曼).  A name is flagged when at least half of its checked
words have none.  A number has evidence when its value (万/亿 and
million/billion normalised) is a number of the source, Arabic or Chinese
numerals, up to a power of ten.

The check is deliberately lenient (evidence from any sense of any substring):
its false flags cost a reviewer's time, measured on the FAQ's human
translation by ``bench/qe_bench.py``.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from termalign.align.script import HAN_RUN
from termalign.termbase.checks import CHECKS, Issue, Segment, Severity, check, source_numbers, target_numbers

__all__ = [
    "invented_content",
    "unsupported_names",
    "unsupported_numbers",
    "SourceEvidence",
    "source_evidence",
]

_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_GLOSS_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_PLACEHOLDER = re.compile(r"</?[gx]\d+/?>")
# A target token: a word (with inner apostrophes, hyphens, dots of initials, ampersands) or a number.
_TOKEN = re.compile(
    r"(?P<num>\$?\d[\d,]*(?:\.\d+)?%?(?:\s*(?:trillion|billion|million|thousand)|[KMB](?![A-Za-z]))?)"
    r"(?![A-Za-z0-9])"
    r"|(?P<word>[A-Za-z][A-Za-z0-9]*(?:['’.&\-][A-Za-z0-9]+)*)"
    r"|(?P<stop>[.!?:;()\[\]\"“”«»—–]|\n|(?<=\s)-(?=\s))"
    r"|(?P<comma>[,，、/])",
    re.IGNORECASE,
)
_CONNECTORS = frozenset({"of", "the", "and", "for", "de", "von", "van", "del", "da", "&"})
_MAX_HEADWORD = 8
_MAX_TRANSLIT = 4  # source characters a transliterated word may cover
# Capitalised for grammar, never a name to check.
_FINE_TEXT = """i mr mrs ms dr prof st jr sr ok vs january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday"""
_ALWAYS_FINE = frozenset(_FINE_TEXT.split())
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_ZH_NUMERAL = re.compile("[零〇一二两兩三四五六七八九十百千万萬亿億]+")


# -- the dictionary view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """CC-CEDICT as this check needs it: headword → gloss words, character → toneless readings."""

    glosses: dict[str, frozenset[str]]  # Traditional and Simplified headwords, 1-8 characters
    readings: dict[str, frozenset[str]]
    common: frozenset[str]  # words written in lower case in some gloss: ordinary English


@lru_cache(maxsize=1)
def _table() -> _Table:
    from termalign.align.dictionary import cedict_lines, default_cedict_path

    glosses: dict[str, set[str]] = {}
    readings: dict[str, set[str]] = {}
    common: set[str] = set()
    with gzip.open(default_cedict_path(), "rt", encoding="utf-8") as handle:
        for trad, simp, pinyin, senses in cedict_lines(handle):
            if len(simp) > _MAX_HEADWORD:
                continue
            words = set()
            for word in _GLOSS_WORD.findall(senses):
                lower = word.lower()
                words.add(lower)
                if word == lower:
                    common.add(lower)
            for head in {trad, simp}:
                glosses.setdefault(head, set()).update(words)
            syllables = [re.sub(r"[^a-z]", "", s.lower().replace("u:", "v")) for s in pinyin.split()]
            if len(syllables) == len(simp) == len(trad):
                for chars, syllable in zip(zip(trad, simp, strict=True), syllables, strict=True):
                    for char in set(chars):
                        readings.setdefault(char, set()).add(syllable)
    return _Table(
        {k: frozenset(v) for k, v in glosses.items()},
        {k: frozenset(v) for k, v in readings.items()},
        frozenset(common),
    )


def _pinyin(char: str, table: _Table) -> frozenset[str]:
    """Toneless readings of one character: pypinyin's when installed, CC-CEDICT's always."""
    found = set(table.readings.get(char, ()))
    try:
        from pypinyin import Style, pinyin
    except ImportError:
        return frozenset(found)
    for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
        found.add(reading.replace("ü", "v"))
    return frozenset(found)


# -- evidence in the source ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceEvidence:
    """What the source supports: English words (glosses, renderings, Latin), readings, numbers."""

    words: frozenset[str]
    prefixes: frozenset[str]  # first four letters of the words of four letters or more
    latin: str  # the source's Latin text, lower-cased, for substring tests ("deepseek-v3")
    translits: tuple[str, ...]  # pinyin of runs of 1-4 consecutive source characters
    numbers: tuple[float, ...]


def source_evidence(seg: Segment) -> SourceEvidence:
    """Everything in ``seg.source`` (and its termbase hits) that can support a word of the target."""
    table = _table()
    words: set[str] = {w.lower() for w in _LATIN.findall(seg.source)}
    translits: set[str] = set()
    for run in HAN_RUN.findall(seg.source):
        for i in range(len(run)):
            for size in range(1, min(_MAX_HEADWORD, len(run) - i) + 1):
                words |= table.glosses.get(run[i : i + size], frozenset())
            options = [""]
            for char in run[i : i + _MAX_TRANSLIT]:
                options = [o + r for o in options for r in sorted(_pinyin(char, table))][:64]
                translits.update(options)
    for hit in seg.hits:
        # a forbidden rendering is the forbidden-term check's finding: not reported twice
        for rendering in (hit.entry.target, *hit.entry.target_variants, *hit.entry.forbidden):
            words.update(w.lower() for w in _GLOSS_WORD.findall(rendering))
    words = {w.removesuffix("'s") for w in words}
    return SourceEvidence(
        frozenset(words),
        frozenset(w[:4] for w in words if len(w) >= 4),
        " ".join(_LATIN.findall(seg.source)).lower() + " " + seg.source.lower(),
        tuple(sorted(t for t in translits if t)),
        tuple(v for _, v, _ in source_numbers(seg.source))
        + _digits(seg.source)
        + _chinese_numerals(seg.source),
    )


def _supported(word: str, ev: SourceEvidence) -> bool:
    from rapidfuzz.fuzz import ratio

    lower = re.sub(r"['’]s$", "", word.lower())
    if lower in _ALWAYS_FINE:
        return True
    parts = [p for p in re.split(r"[-.&'’]", lower) if p]
    if not parts:
        return True
    bare = "".join(parts)
    if bare in ev.words or all(p in ev.words or p.rstrip("s") in ev.words for p in parts):
        return True
    if len(lower) >= 3 and lower in ev.latin:
        return True
    if len(lower) >= 4 and lower[:4] in ev.prefixes:
        return True
    if len(bare) >= 3:
        # a short word must not meet a shorter reading ("new" is not 呢 "ne")
        shortest = len(bare) - (0 if len(bare) <= 4 else 2)
        for translit in ev.translits:
            if translit[0] == bare[0] and len(translit) >= shortest and ratio(bare, translit) >= 66:
                return True
    return False


# -- candidates in the target ----------------------------------------------------------------------


def _name_spans(target: str, table: _Table) -> list[list[str]]:
    """Runs of capitalised words (connectors kept inside), ordinary words at a sentence start left out.

    A sentence-initial (or title-case) word that is ordinary English starts a
    name only when a capitalised word follows it ("Lantern Gate", not "Then
    DeepSeek"), and never when it is a function word.
    """
    from termalign.align.dictionary import STOPWORDS

    text = _PLACEHOLDER.sub(" ", target)
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    words = [t for kind, t in tokens if kind == "word" and len(t) >= 4]
    title_case = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
    spans: list[list[str]] = []
    current: list[str] = []
    pending: list[str] = []  # connectors waiting for the next capitalised word
    initial = True
    for k, (kind, token) in enumerate(tokens):
        if kind == "word" and token[0].isupper():
            lower = _CONTRACTION.sub("", token.lower().replace("’", "'"))
            if lower in _ALWAYS_FINE:
                initial = False
                continue
            if not current and (initial or title_case) and lower in table.common:
                following = tokens[k + 1] if k + 1 < len(tokens) else ("", "")
                named = (
                    following[0] == "word"
                    and following[1][0].isupper()
                    and following[1].lower() not in _ALWAYS_FINE
                    and not title_case
                )
                if lower in STOPWORDS or lower in _CONNECTORS or not named:
                    initial = False
                    continue
            current.extend(pending)
            current.append(token)
            pending = []
            initial = False
            continue
        if kind == "word" and current and token.lower() in _CONNECTORS and not pending:
            pending.append(token)
            continue
        if current:
            spans.append(current)
        current, pending = [], []
        initial = kind == "stop" and token not in ")]"
    if current:
        spans.append(current)
    return spans


def unsupported_names(seg: Segment, ev: SourceEvidence | None = None) -> list[tuple[str, list[str]]]:
    """``(name, unsupported words)`` for each name of the target half or more without evidence."""
    table = _table()
    ev = ev or source_evidence(seg)
    found = []
    for span in _name_spans(seg.target, table):
        checked = [w for w in span if w.lower() not in _CONNECTORS and not _ROMAN.fullmatch(w)]
        missing = [w for w in checked if not _supported(w, ev)]
        if checked and len(missing) * 2 >= len(checked):
            found.append((" ".join(span), missing))
    return found


_ROMAN = re.compile(r"[IVX]{1,4}")
_CONTRACTION = re.compile(r"'(?:s|m|re|ve|ll|d|t)$|n't$")


def unsupported_numbers(seg: Segment, ev: SourceEvidence | None = None) -> list[str]:
    """Numbers written with digits in the target whose value is nowhere in the source."""
    ev = ev or source_evidence(seg)
    found = []
    text = _PLACEHOLDER.sub(" ", seg.target)
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "num" or _inside_word(text, match.start()):
            continue
        raw = match.group().strip()
        values = target_numbers(raw.rstrip("%"))
        if values and not any(_same_magnitude(values[0], s) for s in ev.numbers):
            if raw.rstrip("%").replace(",", "") in ev.latin:
                continue  # written as is in the source (a model name, a version, a date)
            found.append(raw)
    return found


def _inside_word(text: str, start: int) -> bool:
    """A number glued to a word before it (GPT-4, H800, V3): part of a name, checked as such."""
    return start > 0 and (text[start - 1].isalnum() or (text[start - 1] == "-" and start > 1))


def _same_magnitude(value: float, source: float) -> bool:
    """Equal, or equal up to a power of ten (a unit written differently: 1100亿 vs 110 billion)."""
    if value == source:
        return True
    if value <= 0 or source <= 0:
        return False
    ratio = math.log10(value / source)
    return abs(ratio - round(ratio)) < 1e-9


def _digits(text: str) -> tuple[float, ...]:
    """Every number written with digits, glued to letters or not (每个token3333亿次 → 3.333e11)."""
    values = []
    for match in _SOURCE_DIGITS.finditer(text):
        value = float(re.sub("[,，]", "", match.group(1)))
        values.append(value * _ZH_UNITS.get(match.group(2) or "", 1))
        values.append(value)
    return tuple(values)


_SOURCE_DIGITS = re.compile(r"(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(万|萬|亿|億|千|百)?")


def _chinese_numerals(text: str) -> tuple[float, ...]:
    """Values of numbers written in Chinese characters (三十, 两千, 百分之五十 → 50)."""
    return tuple(float(_numeral_value(m.group())) for m in _ZH_NUMERAL.finditer(text))


def _numeral_value(numeral: str) -> int:
    if all(c in _ZH_DIGITS for c in numeral):  # 二〇二四: digit by digit
        return int("".join(str(_ZH_DIGITS[c]) for c in numeral))
    total, section, digit = 0, 0, 0
    for char in numeral:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif _ZH_UNITS[char] >= 10**4:
            total = (total + section + digit) * _ZH_UNITS[char]
            section, digit = 0, 0
        else:
            section += (digit or 1) * _ZH_UNITS[char]
            digit = 0
    return total + section + digit


# -- the check -------------------------------------------------------------------------------------


@check("invented-content", Severity.WARNING)
def invented_content(seg: Segment) -> Iterator[Issue]:
    """A name, organisation or number in the target with no evidence in the source."""
    if not seg.target.strip() or not HAN_RUN.search(seg.source):
        return
    ev = source_evidence(seg)
    severity = CHECKS["invented-content"].severity
    for name, missing in unsupported_names(seg, ev):
        shown = ", ".join(repr(w) for w in missing[:4])
        yield Issue(
            "invented-content", severity, f"the name {name!r} is not in the source (no evidence for {shown})"
        )
    for number in unsupported_numbers(seg, ev):
        yield Issue("invented-content", severity, f"the number {number!r} is not in the source")


# -- the source's own names, for the re-prompt -----------------------------------------------------

_NAME_TAGS = ("nr", "ns", "nt", "nz")  # jieba's person, place, organisation and other proper nouns
_GLOSS_CUT = re.compile(r"\s*(?:[,;(\[]|\bof\b|\bin\b|\bwho\b|\babbr\b)")


@lru_cache(maxsize=1)
def _proper_nouns() -> dict[str, str]:
    """CC-CEDICT headwords (Trad. and Simpl.) with a capitalised reading → their first gloss's name."""
    from termalign.align.dictionary import cedict_lines, default_cedict_path

    names: dict[str, str] = {}
    with gzip.open(default_cedict_path(), "rt", encoding="utf-8") as handle:
        for trad, simp, pinyin, senses in cedict_lines(handle):
            first = senses.strip("/").split("/")[0]
            # the name of the first gloss: "Li Shimin, personal name of ..." → "Li Shimin"
            name = _GLOSS_CUT.split(first, maxsplit=1)[0].strip()
            if pinyin[:1].isupper() and name[:1].isupper() and len(name.split()) <= 4:
                for head in (trad, simp):
                    names.setdefault(head, name)
    return names


def _transliteration(text: str) -> str:
    """Toneless pinyin of a name, one capitalised word (美银 → Meiyin)."""
    table = _table()
    syllables = []
    for char in text:
        readings = sorted(_pinyin(char, table))
        try:
            from pypinyin import Style, lazy_pinyin

            readings = lazy_pinyin(char, style=Style.NORMAL) or readings
        except ImportError:
            pass
        syllables.append(readings[0].replace("v", "u") if readings else "")
    return "".join(syllables).capitalize()


def source_names(source: str, target: str = "") -> list[tuple[int, int, str]]:
    """``(start, end, rendering)`` for the proper names of ``source`` that ``target`` does not render.

    A name is a word jieba tags as a person, place, organisation or other proper
    noun, or a CC-CEDICT headword read with a capital (its first gloss names it).
    The rendering is CC-CEDICT's name for the longest headword starting there
    (玄武门 → 玄武門之變, "Xuanwu gate coup"), else the name's pinyin ("Meiyin").
    A name whose rendering's words are already in ``target`` is left out.
    """
    import logging

    import jieba
    import jieba.posseg

    from termalign.align.script import simplified_view

    jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict" on its own logger

    view = simplified_view(source)
    if len(view) != len(source):
        return []
    names = _proper_nouns()
    starts: dict[int, int] = {}
    offset = 0
    for word, flag in jieba.posseg.cut(view):
        if flag.startswith(_NAME_TAGS) and len(word) >= 2 and HAN_RUN.fullmatch(word):
            starts[offset] = offset + len(word)
        offset += len(word)
    for run in HAN_RUN.finditer(source):
        for i in range(run.start(), run.end()):
            for size in range(min(_MAX_HEADWORD, run.end() - i), 1, -1):
                if source[i : i + size] in names or view[i : i + size] in names:
                    starts[i] = max(starts.get(i, 0), i + size)
                    break
    said = {w.lower() for w in _GLOSS_WORD.findall(target)}
    found: list[tuple[int, int, str]] = []
    end = 0
    for start in sorted(starts):
        if start < end:
            continue  # inside a longer name already taken
        stop = starts[start]
        for size in range(min(_MAX_HEADWORD, len(source) - start), stop - start - 1, -1):
            piece = source[start : start + size]
            rendering = names.get(piece) or names.get(view[start : start + size])
            if rendering:
                stop = start + size
                break
        else:
            rendering = _transliteration(view[start:stop])
        words = [w.lower() for w in _GLOSS_WORD.findall(rendering)]
        if words and sum(w in said for w in words) * 2 < len(words):
            found.append((start, stop, rendering))
        end = stop
    return found


def write_names(source: str, target: str = "") -> str:
    """``source`` with the names ``target`` misses written in their rendering (for a re-prompt:
    the model copies a name it sees far more reliably than it follows an instruction about it)."""
    out = source
    for start, stop, rendering in reversed(source_names(source, target)):
        out = f"{out[:start]} {rendering} {out[stop:]}"
    return out.strip()
