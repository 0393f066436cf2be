"""Writers for alignments, one module per format, chosen by the output file's extension.

Every writer has the signature ``write(alignment, path) -> None`` and writes
atomically (temporary file, then rename), so a failure never leaves half a file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from termalign.align.aligner import Alignment
from termalign.align.outputs import html, jsonl, tmx, tsv
from termalign.kernel.errors import ConfigError

__all__ = ["WRITERS", "write_alignment"]

Writer = Callable[[Alignment, Path], None]

WRITERS: dict[str, Writer] = {
    ".tmx": tmx.write,
    ".jsonl": jsonl.write,
    ".tsv": tsv.write,
    ".html": html.write,
    ".htm": html.write,
}


def write_alignment(alignment: Alignment, path: str | Path) -> None:
    """Write ``alignment`` in the format named by the extension of ``path``."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        known = ", ".join(sorted(WRITERS))
        suffix = path.suffix or "(none)"
        raise ConfigError(f"unknown alignment output format {suffix!r}; use one of {known}", path=path)
    writer(alignment, path)
