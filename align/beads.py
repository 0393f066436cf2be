"""Typed alignment results: spans from the dynamic program and finished beads.

A :class:`Span` is what the traceback returns: half-open index ranges
``[i0, i1)`` of source units and ``[j0, j1)`` of target units, plus the cost the
dynamic program paid for it.  A :class:`Bead` is the same thing resolved to
sentence ids and text, with a confidence score in ``[0, 1]``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Span", "Bead", "BeadCounts", "bead_counts", "bead_kind", "DEFAULT_BEAD_TYPES"]

# The bead shapes the sentence aligner allows (source count, target count).
DEFAULT_BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1),
    (1, 0),
    (0, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 3),
    (3, 1),
)


def bead_kind(n_source: int, n_target: int) -> str:
    """The conventional name of a bead shape, e.g. ``"1-2"``."""
    return f"{n_source}-{n_target}"


@dataclass(frozen=True)
class Span:
    """One step of a dynamic-programming path: source ``[i0, i1)`` with target ``[j0, j1)``."""

    i0: int
    i1: int
    j0: int
    j1: int
    cost: float = 0.0

    @property
    def kind(self) -> str:
        return bead_kind(self.i1 - self.i0, self.j1 - self.j0)


@dataclass(frozen=True)
class Bead:
    """Aligned source and target sentences (either side may be empty)."""

    source_ids: tuple[str, ...]
    target_ids: tuple[str, ...]
    source: str
    target: str
    score: float  # confidence in [0, 1]
    block_id: str  # the block of the first source sentence; for a 0-1 bead, of the first target sentence
    flagged: bool  # True when the score is below the configured threshold
    kind: str  # "1-1", "1-2", "1-0", ...
    # The score before calibration: the bead's lattice posterior (``AlignConfig.confidence ==
    # "posterior"``, mapped to ``score`` by ``dp.DEFAULT_SCORE_MAP``), else the score itself.
    raw_score: float | None = None

    @property
    def is_unaligned(self) -> bool:
        """True for 1-0 and 0-1 beads: a sentence with no counterpart."""
        return not self.source_ids or not self.target_ids


@dataclass(frozen=True)
class BeadCounts:
    """The counts every report shows (CLI table, HTML page): one definition for all of them."""

    beads: int
    kinds: tuple[tuple[str, int], ...]
    flagged: int  # beads below the threshold, 1-0/0-1 included
    unaligned_beads: int  # 1-0 and 0-1 beads
    unaligned_sentences: int


def bead_counts(beads: tuple[Bead, ...] | list[Bead]) -> BeadCounts:
    """Counts of beads by kind, flagged and unaligned (see :class:`BeadCounts`)."""
    kinds: dict[str, int] = {}
    for b in beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    lonely = [b for b in beads if b.is_unaligned]
    return BeadCounts(
        beads=len(beads),
        kinds=tuple(sorted(kinds.items())),
        flagged=sum(1 for b in beads if b.flagged),
        unaligned_beads=len(lonely),
        unaligned_sentences=sum(len(b.source_ids) + len(b.target_ids) for b in lonely),
    )
