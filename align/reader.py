"""Reading a document: decode, pick the reader, detect language and script, segment.

``read_document`` is the one entry point for files; ``read_string`` does the
same for text already in memory (tests, the server).
"""

from __future__ import annotations

from pathlib import Path

from termalign.align.document import Document
from termalign.align.documents import REGISTRY, detect_format
from termalign.align.encoding import read_text
from termalign.align.script import detect_lang, detect_script
from termalign.align.segment import SegmentOptions
from termalign.align.textmap import build_blocks
from termalign.kernel.errors import DocumentError

__all__ = ["read_document", "read_string", "guess_format"]


def read_document(
    path: str | Path,
    *,
    lang: str | None = None,
    fmt: str | None = None,
    segmentation: SegmentOptions | None = None,
) -> Document:
    """Read, decode and segment the document at ``path``.

    ``lang`` and ``fmt`` (a registered format name: "markdown", "html",
    "text", ...) are detected when not given.  Raises :class:`DocumentError` for missing, empty, binary or
    undecodable files.  A document without text gives zero blocks.
    """
    text, encoding = read_text(path)
    return _read(text, str(path), encoding, lang, fmt, segmentation)


def read_string(
    text: str,
    *,
    path: str = "<string>",
    lang: str | None = None,
    fmt: str | None = None,
    segmentation: SegmentOptions | None = None,
) -> Document:
    """Like :func:`read_document` for text in memory (a leading BOM is dropped)."""
    return _read(text.removeprefix("\ufeff"), path, "utf-8", lang, fmt, segmentation)


def guess_format(path: str, text: str) -> str:
    """The first registered document format that claims the file (see :func:`detect_format`)."""
    return detect_format(path, text)


def _read(
    text: str,
    path: str,
    encoding: str,
    lang: str | None,
    fmt: str | None,
    segmentation: SegmentOptions | None,
) -> Document:
    fmt = fmt or guess_format(path, text)
    if fmt not in REGISTRY:
        raise DocumentError(
            f"unknown document format {fmt!r} (expected one of {', '.join(REGISTRY)})", path=path
        )
    parsed = REGISTRY[fmt].parse(text, path)
    visible = "\n".join(raw.run.plain for raw in parsed.blocks)
    doc_lang = lang or detect_lang(visible) or "und"
    blocks = build_blocks(parsed.blocks, doc_lang, segmentation)
    script = detect_script(visible) if doc_lang.split("-")[0] == "zh" else ""
    return Document(
        path=path,
        text=text,
        lang=doc_lang,
        blocks=blocks,
        script=script,
        encoding=encoding,
        format=fmt,
        metadata=parsed.metadata,
        images=tuple(parsed.images),
    )
