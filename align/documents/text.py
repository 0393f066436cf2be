"""Plain text: every non-empty line is a paragraph; there is no inline markup."""

from __future__ import annotations

from termalign.align.document import BlockKind
from termalign.align.documents.base import DocumentFormat
from termalign.align.documents.writeback import rebuild
from termalign.align.markdown_reader import split_lines
from termalign.align.textmap import Parsed, PieceKind, RawBlock, Run

__all__ = ["FORMAT", "parse_text"]


def line_blocks(text: str, *, presplit: bool = False) -> Parsed:
    """Every non-empty line as one paragraph block (visible text = source); ``presplit``: the
    line is one sentence, never re-segmented (the ``lines`` format)."""
    parsed = Parsed()
    lines, starts = split_lines(text)
    for line, start in zip(lines, starts, strict=True):
        if line.strip():
            run = Run()
            run.add(line, start, start + len(line), PieceKind.TEXT)
            parsed.blocks.append(RawBlock(run, BlockKind.PARAGRAPH, presplit=presplit))
    return parsed


def parse_text(text: str, path: str = "<string>") -> Parsed:
    """Plain text: every non-empty line is a paragraph (visible text = source)."""
    del path
    return line_blocks(text)


def _claims(path: str, text: str) -> bool:
    """The fallback: any file no other format claims (``.txt`` is not evidence either way)."""
    del path, text
    return True


FORMAT = DocumentFormat(
    name="text",
    description="plain text, one paragraph per non-empty line",
    suffixes=(".txt", ".text"),
    output_suffix=".txt",
    parse=parse_text,
    claims=_claims,
    write_back=rebuild,
)
