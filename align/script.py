"""Script and language detection, and the length-preserving matching view.

OpenCC converters are created on first use and cached (never at import).
:func:`simplified_view` and :func:`fold_punct` both keep the text's length and
character positions, so an offset found in the view is an offset in the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from termalign.kernel.errors import ModelError

__all__ = [
    "detect_script",
    "simplified_view",
    "fold_punct",
    "detect_lang",
    "is_cjk",
    "HAN_CHARS",
    "HAN",
    "HAN_RUN",
]

# The Han ideographs of the Basic Multilingual Plane (URO, extension A, compatibility) as a
# regex character-class body: the one definition of "a Chinese character" the checks share.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CHARS}]")
HAN_RUN = re.compile(f"[{HAN_CHARS}]+")

# Only this many Han characters are looked at by detect_script (it is a vote).
_SCRIPT_SAMPLE = 20000


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    try:
        # Lazy and guarded: a broken OpenCC install must surface as a ModelError, on first use.
        import opencc

        return opencc.OpenCC(config)
    except Exception as exc:  # a broken OpenCC install surfaces as a library error
        raise ModelError(f"OpenCC cannot load its {config!r} conversion ({exc})") from exc


def is_cjk(ch: str) -> bool:
    """True for Han ideographs (URO, extension A, compatibility, extensions B+)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def _convert_keep_length(text: str, config: str) -> str:
    """Convert with OpenCC; fall back per character where lengths would change.

    OpenCC's t2s/s2t tables are almost all one character to one character, but a
    phrase entry may map to a different length.  When the whole-text conversion
    changes the length, each character is converted alone and kept unchanged if
    even that changes its length, so offsets stay valid (at the cost of phrase
    context in that rare case).
    """
    conv = _converter(config)
    out: str = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = conv.convert(ch) if is_cjk(ch) else ch
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def simplified_view(text: str) -> str:
    """The text in Simplified script (OpenCC ``t2s``), same length as ``text``."""
    if not any(is_cjk(ch) for ch in text):
        return text
    return _convert_keep_length(text, "t2s")


def detect_script(text: str) -> str:
    """``"Hant"`` or ``"Hans"`` for text with Han characters, else ``""``.

    Counts the Han characters that t2s would change (Traditional-only forms)
    against those s2t would change (Simplified-only forms); ties go to Hans.
    Mixed texts (Traditional with some Simplified forms) follow the majority.
    """
    han = "".join(ch for ch in text if is_cjk(ch))[:_SCRIPT_SAMPLE]
    if not han:
        return ""
    to_simp = _convert_keep_length(han, "t2s")
    to_trad = _convert_keep_length(han, "s2t")
    traditional = sum(1 for a, b in zip(han, to_simp, strict=True) if a != b)
    simplified = sum(1 for a, b in zip(han, to_trad, strict=True) if a != b)
    return "Hant" if traditional > simplified else "Hans"


def _fold_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
    table.update({0x3000: " ", 0x3002: ".", 0xFF61: ".", 0x3001: ",", 0xFF64: ","})
    for quote in "\u201c\u201d\u201e\u201f\u300c\u300d\u300e\u300f\u301d\u301e":
        table[ord(quote)] = '"'
    for quote in "\u2018\u2019\u201a\u201b":
        table[ord(quote)] = "'"
    return table


_FOLD = _fold_table()
_FOLD_CHARS = {chr(cp): ch for cp, ch in _FOLD.items()}
_FOLD_RE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_CHARS) + "]")


def fold_punct(text: str) -> str:
    """Fold full-width ASCII (punctuation, digits, Latin), ideographic space and stop,
    enumeration comma and curly/corner quotes to ASCII, one character for one.

    Like NFKC for the full-width block, but strictly length-preserving (NFKC
    would also expand characters such as "…" or "㎏" and shift offsets).
    """
    # A character-class regex finds the few characters to fold; str.translate with a
    # dict table looks up every character and was 3x slower on 1 MB of Chinese.
    return _FOLD_RE.sub(lambda m: _FOLD_CHARS[m.group()], text)


def detect_lang(text: str) -> str:
    """A coarse language guess from character classes: "zh", "ja", "ko", "ru", "en" or "".

    Han characters are weighed against Latin letters; Latin words are long, so
    Chinese text sprinkled with English names still comes out "zh".  Any
    Latin-script text is reported as "en" (the only one this tool needs to tell).
    """
    han = kana = hangul = latin = cyrillic = 0
    for ch in text:
        o = ord(ch)
        if is_cjk(ch):
            han += 1
        elif 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF:
            hangul += 1
        elif ch.isascii() and ch.isalpha() or 0xC0 <= o <= 0x24F:
            latin += 1
        elif 0x400 <= o <= 0x4FF:
            cyrillic += 1
    letters = han + kana + hangul + latin + cyrillic
    if letters == 0:
        return ""
    if kana and kana >= 0.1 * (han + kana):
        return "ja"
    if hangul > han and hangul >= 0.25 * letters:
        return "ko"
    if han >= 0.25 * letters:
        return "zh"
    return "ru" if cyrillic > latin else "en"
