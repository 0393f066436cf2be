"""Terminal output helpers for commands (the only place besides commands that prints)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["console", "err_console", "summarise_alignment"]


@cache
def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


@cache
def err_console() -> Console:
    return Console(stderr=True, highlight=False, quiet=not sys.stderr.isatty())


def summarise_alignment(alignment: Any, outputs: Sequence[Path]) -> Table:
    """A short table: bead counts by kind, flagged beads, files written."""
    counts: dict[str, int] = {}
    flagged = unaligned = 0
    for bead in alignment.beads:
        counts[bead.kind] = counts.get(bead.kind, 0) + 1
        if bead.source_ids and bead.target_ids:
            flagged += bead.flagged
        else:
            unaligned += 1
    table = Table(title="Alignment", show_header=True)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("beads", str(len(alignment.beads)))
    for kind in sorted(counts):
        table.add_row(f"  {kind}", str(counts[kind]))
    table.add_row("flagged (low confidence)", str(flagged))
    table.add_row("unaligned sentences' beads (1-0, 0-1)", str(unaligned))
    for path in outputs:
        table.add_row("written", str(path))
    return table
