"""JSON Lines: one bead per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from termalign.align.aligner import Alignment
from termalign.align.beads import Bead
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import AlignmentError

__all__ = ["write", "bead_record"]


def bead_record(bead: Bead) -> dict[str, Any]:
    """The JSON object written for one bead."""
    return {
        "source": bead.source,
        "target": bead.target,
        "score": bead.score,
        "source_ids": list(bead.source_ids),
        "target_ids": list(bead.target_ids),
        "block": bead.block_id,
        "kind": bead.kind,
        "flagged": bead.flagged,
    }


def write(alignment: Alignment, path: Path) -> None:
    lines = [json.dumps(bead_record(b), ensure_ascii=False) + "\n" for b in alignment.beads]
    atomic_write_text(path, "".join(lines), error=AlignmentError)
