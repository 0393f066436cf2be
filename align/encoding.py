"""Decoding document bytes: UTF-8 (with or without BOM), GB18030/GBK and Big5.

Legacy Chinese encodings are tried with *strict* decoding and then judged by
what they produce: GB18030 maps almost any byte sequence to some character, and
Big5 bytes decode "successfully" as GBK, so a decode without error proves
little.  A candidate is kept only if its non-ASCII characters are mostly common
hanzi (GB2312 / Big5 level 1) and CJK punctuation; otherwise the file is refused
with a :class:`DocumentError` naming it, rather than producing mojibake.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from termalign.kernel.errors import DocumentError

__all__ = ["decode_bytes", "read_text", "plausibility"]

# Share of non-ASCII characters that must be common hanzi / CJK punctuation
# for a legacy-encoding guess to be accepted.
_MIN_PLAUSIBILITY = 0.9
# Bytes that never occur in text (C0 controls other than \t \n \v \f \r, ESC, SUB).
_BINARY_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1A)) | {0x1C, 0x1D, 0x1E, 0x1F, 0x7F}
_ALLOWED_CONTROLS = frozenset("\t\n\v\f\r\x1b\x1a")
_PUNCT_RANGES = ((0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x00A0, 0x00FF), (0x2190, 0x25FF))


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a file; returns ``(text, encoding)``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DocumentError("the file does not exist", path=p) from None
    except IsADirectoryError:
        raise DocumentError("this is a directory, not a document", path=p) from None
    except OSError as exc:
        raise DocumentError(f"the file cannot be read ({exc.strerror or exc})", path=p) from None
    return decode_bytes(data, p)


def decode_bytes(data: bytes, path: str | Path | None = None) -> tuple[str, str]:
    """Decode ``data`` as UTF-8, GB18030 or Big5; returns ``(text, encoding)``.

    A BOM is removed.  Empty, binary or undecodable input raises
    :class:`DocumentError` carrying ``path``.
    """
    if not data.strip():
        raise DocumentError("the file is empty", path=path)
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_with_bom(data, enc, path)
    if _looks_binary(data):
        raise DocumentError("the file looks binary, not like a text document", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _checked(text, "utf-8", path)
    best: tuple[float, str, str] | None = None
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, enc, text)
    if best is not None and best[0] >= _MIN_PLAUSIBILITY:
        return _checked(best[2], best[1], path)
    raise DocumentError(
        "cannot be decoded: it is not valid UTF-8, and reading it as GB18030 or Big5 "
        f"gives implausible text{_guess_hint(data)}; convert it to UTF-8 first",
        path=path,
    )


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common hanzi or CJK/general punctuation.

    1.0 for pure ASCII.  Used to judge a legacy-encoding guess.
    """
    total = good = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        if _is_common_hanzi(ch) or any(lo <= ord(ch) <= hi for lo, hi in _PUNCT_RANGES):
            good += 1
    return 1.0 if total == 0 else good / total


def _is_common_hanzi(ch: str) -> bool:
    """In GB2312 (6,763 hanzi) or Big5 level 1 (5,401 frequent hanzi)."""
    if not "\u4e00" <= ch <= "\u9fff":
        return False
    try:
        gb = ch.encode("gb2312")
        if gb[0] >= 0xB0:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= int.from_bytes(b5, "big") <= 0xC67E


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    odd = sum(1 for b in sample if b in _BINARY_BYTES)
    return odd > max(2, len(sample) // 200)


def _decode_with_bom(data: bytes, enc: str, path: str | Path | None) -> tuple[str, str]:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"starts with a {enc} byte-order mark but is not valid {enc} (byte {exc.start})", path=path
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DocumentError("the file is empty", path=path)
    return _checked(text, "utf-8" if enc == "utf-8-sig" else enc, path)


def _checked(text: str, encoding: str, path: str | Path | None) -> tuple[str, str]:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    if bad > max(2, len(text) // 500):
        raise DocumentError(
            f"looks like a binary file: decoding it as {encoding} gives {bad} control characters",
            path=path,
        )
    return text, encoding


def _guess_hint(data: bytes) -> str:
    """A hint naming the encoding charset-normalizer suspects (never used to decode)."""
    try:
        # Lazy: charset_normalizer (~40 ms) to import (startup_bench.py).
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:  # a hint only: the error is raised regardless
        return ""
    return f" (it may be {best.encoding})" if best is not None else ""
