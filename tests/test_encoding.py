"""Decoding bytes: UTF-8 (BOM or not), GB18030/GBK, Big5; clear refusals otherwise."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.encoding import decode_bytes, plausibility, read_text
from termalign.kernel.errors import DocumentError

SIMPLIFIED = "这是简体中文的测试文字，我们希望能够正确读取。第二句话也在这里。\n"
TRADITIONAL = "這是繁體中文的測試文字，我們希望能夠正確讀取。第二句話也在這裡。\n"


def test_utf8_plain_and_with_bom() -> None:
    assert decode_bytes("héllo 中文".encode()) == ("héllo 中文", "utf-8")
    assert decode_bytes(codecs.BOM_UTF8 + "中文".encode()) == ("中文", "utf-8")


def test_utf16_with_bom() -> None:
    text, enc = decode_bytes("中文 text".encode("utf-16"))
    assert (text, enc) == ("中文 text", "utf-16")


def test_gbk_is_read_as_gb18030() -> None:
    assert decode_bytes(SIMPLIFIED.encode("gbk"), "a.txt") == (SIMPLIFIED, "gb18030")


def test_big5_is_read_as_big5_not_as_gbk_mojibake() -> None:
    data = TRADITIONAL.encode("big5")
    data.decode("gb18030")  # decodes without error as GB18030, to mojibake: the guess must be judged
    assert decode_bytes(data, "b.txt") == (TRADITIONAL, "big5")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Café au lait, naïve résumé, déjà vu à la française. " * 3, "latin-1"),
        ("これは日本語のテキストです。東京は大きな都市で、多くの人が住んでいます。", "shift_jis"),
    ],
)
def test_other_encodings_are_refused_naming_the_file(text: str, codec: str) -> None:
    with pytest.raises(DocumentError) as info:
        decode_bytes(text.encode(codec), "notes/odd.txt")
    assert info.value.path == "notes/odd.txt"
    assert "notes/odd.txt" in str(info.value)
    assert "UTF-8" in str(info.value)


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
def test_empty_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentError, match="is empty"):
        decode_bytes(data, "e.md")


def test_binary_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    with pytest.raises(DocumentError, match="looks binary"):
        decode_bytes(png, "img.md")


def test_plausibility() -> None:
    assert plausibility("plain ascii") == 1.0
    assert plausibility(SIMPLIFIED) == 1.0
    assert plausibility("偙傟偼擔杮岅偺僥僉僗") < 0.5  # Shift-JIS read as GBK


def test_read_text_missing_and_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocumentError, match="does not exist"):
        read_text(tmp_path / "nope.md")
    with pytest.raises(DocumentError, match="directory"):
        read_text(tmp_path)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_document_error(data: bytes) -> None:
    try:
        text, enc = decode_bytes(data, "x")
    except DocumentError:
        return
    assert enc in ("utf-8", "utf-16", "gb18030", "big5")
    assert "\ufeff" not in text[:1]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1))
def test_utf8_round_trip(text: str) -> None:
    if not text.strip() or text.startswith("\ufeff"):
        return
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
