"""TMX 1.4b through :mod:`align.tmx`; unaligned (1-0 / 0-1) beads are left out.

Each side's raw text (the sentences' span in the original file) is split by its
document format's inline tokenizer, and the markup is written as TMX inline
codes (``<bpt>/<ept>/<ph>``) around the visible text, so a CAT tool that
restores tags can match the unit against the document.  Where the tokenizer
cannot tile the raw text, or its text differs from the aligned sentences' text,
the unit is written as plain text.  Language tags are BCP 47, Chinese with its
script (found in the text).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from termalign.align.aligner import Alignment
from termalign.align.document import Document, Sentence
from termalign.align.documents import Misaligned, get_format
from termalign.align.tmx import Piece, TranslationUnit, open_code_spans, pieces_text, write_tmx
from termalign.kernel.signature import Signature

__all__ = ["write", "raw_pieces"]


def _sentences(doc: Document) -> dict[str, Sentence]:
    return {s.id: s for block in doc.blocks for s in block.sentences}


def raw_pieces(doc: Document | None, ids: Sequence[str], visible: str) -> tuple[Piece, ...]:
    """The raw text of sentences ``ids`` as (kind, raw) pieces, or () when they do not read as ``visible``."""
    if doc is None or not ids:
        return ()
    index = _sentences(doc)
    try:
        first, last = index[ids[0]], index[ids[-1]]
        pieces = get_format(doc.format).inline(doc.text[first.start : last.end])
    except (KeyError, Misaligned):
        return ()
    if len(ids) > 1 or not any(p.kind != "text" for p in pieces):
        return ()  # plain text, or sentences joined with separators the raw span does not have
    coded = open_code_spans((p.kind, p.raw) for p in pieces)
    return coded if pieces_text(coded) == visible else ()


def write(alignment: Alignment, path: Path) -> None:
    units = [
        TranslationUnit(
            source=b.source,
            target=b.target,
            properties=(
                ("x-score", f"{b.score:.4f}"),
                ("x-source-ids", " ".join(b.source_ids)),
                ("x-target-ids", " ".join(b.target_ids)),
                ("x-block", b.block_id),
                ("x-kind", b.kind),
                ("x-flagged", "yes" if b.flagged else "no"),
            ),
            tuid=f"{n}",
            source_pieces=raw_pieces(alignment.source_document, b.source_ids, b.source),
            target_pieces=raw_pieces(alignment.target_document, b.target_ids, b.target),
        )
        for n, b in enumerate((b for b in alignment.beads if not b.is_unaligned), start=1)
    ]
    props = {f"x-{k}": v for k, v in alignment.signature.items()}
    props["x-source-document"] = alignment.source_path
    props["x-target-document"] = alignment.target_path
    write_tmx(
        path,
        units,
        source_lang=alignment.source_lang,
        target_lang=alignment.target_lang,
        properties=props,
        signature=Signature.of(alignment.signature),
    )
