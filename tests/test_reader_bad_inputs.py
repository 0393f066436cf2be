"""read_document on awkward files: empty, binary, foreign encodings, huge lines, broken HTML."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from doc_invariants import check_offsets

from termalign.align import BlockKind, read_document, read_string
from termalign.align.reader import guess_format
from termalign.kernel.errors import DocumentError


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.md", b"")
    with pytest.raises(DocumentError, match="is empty") as info:
        read_document(path)
    assert info.value.path == str(path)


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(DocumentError, match="binary"):
        read_document(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        read_document(tmp_path / "missing.md")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Un café très crème, déjà servi à la française. " * 5, "latin-1"),
        ("これは日本語の文章です。東京は大きな都市で、多くの人が住んでいます。" * 3, "shift_jis"),
    ],
)
def test_wrong_encoding_is_refused_clearly(tmp_path: Path, text: str, codec: str) -> None:
    path = write(tmp_path, f"odd-{codec}.txt", text.encode(codec))
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(path) in str(info.value) and "UTF-8" in str(info.value)


def test_gbk_file(tmp_path: Path) -> None:
    text = "第一段：这是简体中文。\n第二段：我们用GBK编码保存它。\n"
    doc = read_document(write(tmp_path, "gbk.txt", text.encode("gbk")))
    assert (doc.encoding, doc.lang, doc.script, doc.format) == ("gb18030", "zh", "Hans", "text")
    assert doc.text == text
    assert [s.text for s in doc.sentences] == ["第一段：这是简体中文。", "第二段：我们用GBK编码保存它。"]


def test_big5_file(tmp_path: Path) -> None:
    text = "第一段：這是繁體中文。\n第二段：我們用大五碼儲存它。\n"
    doc = read_document(write(tmp_path, "big5.txt", text.encode("big5")))
    assert (doc.encoding, doc.script) == ("big5", "Hant")
    assert doc.sentences[1].norm == "第二段:我们用大五码储存它."
    check_offsets(doc)


def test_bom_is_removed_and_offsets_refer_to_the_decoded_text(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "bom.md", b"\xef\xbb\xbf# Title\n\nBody.\n"))
    assert doc.text.startswith("# Title")
    check_offsets(doc)


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
@pytest.mark.parametrize(
    "unit", ["这是一个包含**加粗**和[链接](http://x.cn)的句子。", "A sentence about the U.S. and R1-Zero. "]
)
def test_fifty_thousand_character_line(tmp_path: Path, fmt: str, unit: str) -> None:
    line = (unit * (50_000 // len(unit) + 1))[:50_000]
    path = write(tmp_path, "long.txt", line.encode())
    started = time.perf_counter()
    doc = read_document(path, fmt=fmt)
    assert time.perf_counter() - started < 2.0
    assert len(doc.sentences) > 500
    check_offsets(doc)


def test_unclosed_html_tag_file(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.html", b"<html><body><p>First <b>bold <a href='u'>link")
    doc = read_document(path)
    assert doc.format == "html"
    assert [b.text for b in doc.blocks] == ["First bold link"]


def test_markdown_with_only_images_has_zero_blocks(tmp_path: Path) -> None:
    text = "![a](a.png)\n\n![b](b.png) ![c](c.png)\n"
    doc = read_document(write(tmp_path, "images.md", text.encode()))
    assert doc.blocks == ()
    assert len(doc.images) == 3


def test_unknown_format_is_refused() -> None:
    with pytest.raises(DocumentError, match="unknown document format"):
        read_string("text", fmt="docx")


def test_guess_format() -> None:
    assert guess_format("a.html", "plain") == "html"
    assert guess_format("a.txt", "<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert guess_format("a.txt", "---\ntitle: x\n---\nBody") == "markdown"
    assert guess_format("a.txt", "Text with a [link](http://x).") == "markdown"
    assert guess_format("a.txt", "第一行。\n第二行。\n") == "text"
    assert guess_format("a.md", "plain") == "markdown"


def test_text_format_is_one_paragraph_per_line() -> None:
    doc = read_string("第一行。\n第二行\n\n第三行！", fmt="text")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, "第一行。"),
        (BlockKind.PARAGRAPH, "第二行"),
        (BlockKind.PARAGRAPH, "第三行！"),
    ]
