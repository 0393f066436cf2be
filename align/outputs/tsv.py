"""Tab-separated values with a header row; tabs and newlines inside text become spaces."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from termalign.align.aligner import Alignment
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import AlignmentError

__all__ = ["write", "COLUMNS"]

COLUMNS = ("source", "target", "score", "source_ids", "target_ids", "block", "kind", "flagged")


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").splitlines())


def write(alignment: Alignment, path: Path) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    out.writerow(COLUMNS)
    for b in alignment.beads:
        out.writerow(
            (
                _clean(b.source),
                _clean(b.target),
                f"{b.score:.4f}",
                " ".join(b.source_ids),
                " ".join(b.target_ids),
                b.block_id,
                b.kind,
                "1" if b.flagged else "0",
            )
        )
    atomic_write_text(path, buffer.getvalue(), error=AlignmentError)
