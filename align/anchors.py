"""Lexical anchors: language-independent tokens that survive translation.

An anchor is a normalised string that should appear on both sides of a correct
bead: a number (``1100亿`` and ``110 billion`` both become ``n:1.1e+11``), a
month (``1月`` and ``January`` become ``m:1``), a Latin-script name kept in the
Chinese text (``R1``, ``H800``, ``DeepSeekMoE``), or a link URL.  Chinese names
written in Chinese (``英伟达``) become Latin anchors through the dictionary
(:mod:`align.dictionary`), not here.

Normalisation choices, and why:

* Numbers become their value, formatted with 6 significant digits, so
  ``2,788,000`` = ``2,788 thousand`` = ``2.788M`` and ``557.6万美元`` =
  ``$5.576 million``.  Units are dropped (``7纳米`` / ``7nm``, ``72小时`` /
  ``72 hours`` match on the number alone); currency symbols are dropped.
* Digits inside names (``GPT-4``, ``H800``) are part of the name, never numbers.
* English plurals of names (``H100s``, ``GPUs``, ``LLMs``) lose the ``s``.
* On the English side only name-like words count (mixed case, capitals or
  digits, or capitalised away from the start of the sentence): ordinary words
  never occur in Chinese text, so counting them would only add noise.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "anchors_zh",
    "anchors_en",
    "normalise_url",
    "number_anchor",
    "chinese_number",
    "speech_anchor",
    "transliterated_names",
]

_MONTHS = {
    name: k
    for k, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march",),
            ("april", "apr"),
            ("may",),
            ("june",),
            ("july",),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_EN_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "b": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "t": 1e12,
}
_EN_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "hundred": 100,
}
_ZH_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 1e4, "亿": 1e8}
# Measure words after which a small Chinese numeral is a real count ("三个因素", "六年后").
_ZH_MEASURE = "个年种次条名家位天月项步倍"

_URL_RE = re.compile(r"https?://\S+")
_EN_NUMBER_RE = re.compile(
    r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(%|percent\b)|\s*(thousand|million|billion|trillion)\b"
    r"|(k|K|M|B|bn|mn|T)\b)?"
)
_EN_BARE_SCALE_RE = re.compile(r"\b(?:one|a|an|each|per)\s+(thousand|million|billion|trillion)\b", re.I)
_ZH_NUMBER_RE = re.compile(r"(?<![A-Za-z\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万亿|亿亿|亿|万|千)?")
_ZH_NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_ZH_MONTH_RE = re.compile(r"(\d{1,2})\s*月")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+@'’\-]*[A-Za-z0-9+]|[A-Za-z0-9]")
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_EN_STOP_WORDS = (
    "i a an the and or but if so in on at of to for by as is it its this that we you he she they my our "
    "your their there here what why how when where who which not no yes well wait"
)
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_ALIASES = {"u.s": "usa", "us": "usa", "america": "usa", "u.s.a": "usa"}
# "7nm", "180K", "32GB", "3.97exaflops": a number with a unit or scale, not a name ("4o" is a name).
_UNIT_NUMBER_RE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([A-Za-z]*)")


def number_anchor(value: float) -> str:
    """The canonical anchor string of a numeric value."""
    return f"n:{value:.6g}"


def normalise_url(url: str) -> str:
    """A URL reduced to what identifies it: no scheme, no ``www.``, no trailing ``/`` or punctuation."""
    url = url.strip().rstrip(").,;:!?'\"")
    url = re.sub(r"^[a-z]+://", "", url, flags=re.I)
    url = re.sub(r"^www\.", "", url, flags=re.I)
    return "u:" + url.rstrip("/").lower()


def chinese_number(text: str) -> float | None:
    """The value of a Chinese numeral string such as ``三``, ``二十五``, ``一万``, ``三千亿``."""
    total, section, digit = 0.0, 0.0, None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (digit if digit is not None else 1) * _ZH_UNITS[ch]
            digit = None
        elif ch in _ZH_BIG:
            section += digit or 0
            total = (total + section) * _ZH_BIG[ch] if ch == "亿" else total + section * _ZH_BIG[ch]
            section, digit = 0.0, None
        else:
            return None
    value = total + section + (digit or 0)
    return value if value > 0 else None


def _plain_number(integer: str, fraction: str | None) -> float:
    return float(integer.replace(",", "") + (fraction or ""))


def _numbers_en(text: str) -> Iterable[str]:
    for match in _EN_NUMBER_RE.finditer(text):
        value = _plain_number(match.group(1), match.group(2))
        scale = (match.group(4) or match.group(5) or "").lower()
        value *= _EN_SCALE.get(scale, 1.0)
        yield number_anchor(value)


def _words_en(text: str) -> Iterable[str]:
    for match in _EN_BARE_SCALE_RE.finditer(text):
        yield number_anchor(_EN_SCALE[match.group(1).lower()])  # "each trillion tokens" = 一万亿个
    for word in _WORD_RE.findall(text):
        low = word.lower()
        if low in _EN_WORDS:
            yield number_anchor(_EN_WORDS[low])
        elif low in _MONTHS and (low != "may" or word == "May"):
            yield f"m:{_MONTHS[low]}"


def _numbers_zh(text: str) -> Iterable[str]:
    for match in _ZH_MONTH_RE.finditer(text):
        yield f"m:{int(match.group(1))}"
    for match in _ZH_NUMBER_RE.finditer(text):
        if text[match.end() : match.end() + 1] == "月":
            continue  # a month, handled above
        value = _plain_number(match.group(1), match.group(2))
        big = match.group(3) or ""
        for ch in big:
            value *= _ZH_BIG.get(ch, 1e3)
        yield number_anchor(value)
    for match in _ZH_NUMERAL_RE.finditer(text):
        numeral = match.group(0)
        following = text[match.end() : match.end() + 1]
        big = any(ch in "万亿百千" for ch in numeral)
        # Small numerals are words ("一些", "一样"); count them only before a measure word.
        if not big and (following not in _ZH_MEASURE or numeral in ("一",)):
            continue
        if not any(ch in _ZH_DIGITS or ch == "十" for ch in numeral):
            continue  # a bare 千/万/亿 ("数千") is not a number
        parsed = chinese_number(numeral)
        if parsed is not None and parsed > 1:
            yield number_anchor(parsed)


def _unit_number(token: str) -> str | None:
    """The number anchor of a token like ``7nm`` or ``2664K``; None for names such as ``4o``."""
    match = _UNIT_NUMBER_RE.fullmatch(token)
    if match is None:
        return None
    unit = match.group(3)
    if len(unit) == 1 and unit.lower() not in "kmbt":
        return None
    value = _plain_number(match.group(1), match.group(2))
    return number_anchor(value * _EN_SCALE.get(unit.lower(), 1.0) if len(unit) <= 2 else value)


def _names(body: str, out: set[str], keep: Callable[[str, bool], bool]) -> str:
    """Add name anchors of ``body`` to ``out``; return ``body`` with every alphanumeric token blanked."""
    chars = list(body)
    first = True
    for match in _NAME_RE.finditer(body):
        token = match.group(0)
        if not any(c.isalpha() for c in token):
            first = False
            continue
        number = _unit_number(token)
        if number is not None:
            out.add(number)
        elif keep(token, first):
            out.update("w:" + p for p in _split_name(token))
        if any(c.isdigit() for c in token):
            chars[match.start() : match.end()] = " " * len(token)
        first = False
    return "".join(chars)


def _name_key(token: str) -> str:
    token = token.strip(".-'’").replace("’", "'")
    if token.endswith("'s"):
        token = token[:-2]
    head = token[:-1]
    if len(token) > 2 and token[-1] == "s" and (head.isupper() or head[-1].isdigit()):
        token = head  # H100s, GPUs, LLMs (but not Christmas)
    token = token.lower()
    return _ALIASES.get(token, token)


def _split_name(token: str) -> list[str]:
    """``DeepSeek-V3-Base`` → ``deepseek-v3-base`` plus its name-like parts, so partial mentions match."""
    key = _name_key(token)
    parts = [p for p in re.split(r"[-.]", token) if p]
    if len(parts) < 2:
        return [key]
    return [key, *(_name_key(p) for p in parts if len(p) > 1 and _is_name(p, False) and not p.isdigit())]


def anchors_zh(text: str, urls: Iterable[str] = ()) -> frozenset[str]:
    """Anchors of a Chinese sentence (use its Simplified/folded view)."""
    out: set[str] = {normalise_url(u) for u in urls}
    # Lower-case Latin words kept in Chinese text ("token") are ordinary English words, not names.
    masked = _names(_URL_RE.sub(" ", text), out, lambda token, first: _is_name(token, False))
    out.update(_numbers_zh(masked))
    return frozenset(out)


def anchors_en(text: str, urls: Iterable[str] = ()) -> frozenset[str]:
    """Anchors of an English sentence: numbers, months, name-like words, URLs."""
    out: set[str] = {normalise_url(u) for u in urls}
    body = _URL_RE.sub(" ", text)
    # Month and number words are looked up in the unmasked text; names are blanked for numbers.
    out.update(_words_en(body))
    masked = _names(body, out, _is_name)
    out.update(_numbers_en(masked))
    return frozenset(out)


def _is_name(token: str, sentence_initial: bool) -> bool:
    core = token.strip(".-'’")
    if not core or core.lower() in _EN_STOP or core.lower() in _MONTHS:
        return False
    if any(c.isdigit() for c in core):
        return True
    if sum(c.isupper() for c in core) >= 2:
        return True  # MoE, GPU, DeepSeek, OpenAI
    return core[0].isupper() and not sentence_initial


_ZH_SPEECH = re.compile(r"[“”「」『』]")
_EN_SPEECH = re.compile(r"[“”\"]|(?:^|[\s(\[—-])'(?=\w)|(?<=[\w.,!?…])'(?:$|[\s)\]—-])")


def speech_anchor(text: str, chinese: bool) -> frozenset[str]:
    """``q:speech`` when the sentence holds quoted speech: dialogue stays dialogue in translation."""
    pattern = _ZH_SPEECH if chinese else _EN_SPEECH
    return frozenset({"q:speech"}) if pattern.search(text) else frozenset()


_EN_CAPITAL_RE = re.compile(r"[A-Z][a-z]+")


def transliterated_names(
    zh_texts: Sequence[str],
    en_texts: Sequence[str],
    readings: Callable[[str, bool], frozenset[str]],
    *,
    window_share: float = 0.04,
    min_share: float = 0.4,
) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """Name anchors for Chinese names written in pinyin in the English text (``沙瑞山`` / ``Sha Ruishan``).

    A capitalised English word that stands inside a sentence somewhere in the
    document is a name candidate.  It pairs with a Chinese surname character
    whose surname reading it spells (``沙`` → ``Sha``), or with two characters
    whose readings it spells (``瑞山`` → ``Ruishan``).  ``也`` is a surname as
    well as "also", so a pair is kept only if the two occur at matching places
    of the documents: at least ``min_share`` of the occurrences of each lie
    within ``window_share`` of the documents' length of an occurrence of the
    other.  ``readings(char, surname_only)`` gives toneless pinyin.

    Returns the anchors (``w:sha``) of each Chinese and each English sentence.
    """
    initial: dict[str, set[int]] = {}
    inside: set[str] = set()
    for j, text in enumerate(en_texts):
        for k, match in enumerate(_EN_CAPITAL_RE.finditer(text)):
            word = match.group().lower()
            start = match.start()
            if start and text[start - 1].isalpha():
                continue
            initial.setdefault(word, set()).add(j)
            if k or text[:start].strip(" \"'“‘(—-"):
                inside.add(word)
    names = {w: js for w, js in initial.items() if w in inside and w not in _EN_STOP}
    found: dict[tuple[str, str], set[int]] = {}
    for i, text in enumerate(zh_texts):
        for pos, char in enumerate(text):
            for reading in readings(char, True):
                if reading in names:
                    found.setdefault((reading, char), set()).add(i)
            if pos + 1 < len(text):
                second = text[pos + 1]
                for a in readings(char, False):
                    for b in readings(second, False):
                        if a + b in names:
                            found.setdefault((a + b, char + second), set()).add(i)
    zh_out: list[set[str]] = [set() for _ in zh_texts]
    en_out: list[set[str]] = [set() for _ in en_texts]
    scale = len(zh_texts) / max(len(en_texts), 1)
    window = max(2.0, window_share * len(zh_texts))
    for (name, _chars), zs in found.items():
        es = [j * scale for j in names[name]]
        if (
            _near_share(sorted(zs), es, window) >= min_share
            and _near_share(es, sorted(zs), window) >= min_share
        ):
            for i in zs:
                zh_out[i].add("w:" + name)
            for j in names[name]:
                en_out[j].add("w:" + name)
    return [frozenset(a) for a in zh_out], [frozenset(a) for a in en_out]


def _near_share(points: Sequence[float], others: Sequence[float], window: float) -> float:
    """Share of ``points`` within ``window`` of one of ``others`` (``others`` sorted)."""
    ordered = sorted(others)
    near = 0
    for p in points:
        k = bisect.bisect_left(ordered, p - window)
        if k < len(ordered) and ordered[k] <= p + window:
            near += 1
    return near / len(points) if points else 0.0
