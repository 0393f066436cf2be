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
    from termalign.align.beads import bead_counts

    counts = bead_counts(alignment.beads)
    table = Table(title="Alignment", show_header=True)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("beads", str(counts.beads))
    for kind, number in counts.kinds:
        table.add_row(f"  {kind}", str(number))
    table.add_row("flagged (low confidence)", str(counts.flagged))
    table.add_row("unaligned sentences' beads (1-0, 0-1)", str(counts.unaligned_beads))
    for path in outputs:
        table.add_row("written", str(path))
    return table
