"""A banded dynamic program over bead costs, and its traceback.

The program sees only a cost function ``cost(i0, i1, j0, j1) -> float`` for the
candidate bead "source units ``[i0, i1)`` with target units ``[j0, j1)``"; what
the units are (blocks or sentences) and how the cost is made is not its
business (docs/architecture.md: the aligner has three layers).

The search is banded: row ``i`` only visits columns within ``width`` of the
length-proportional diagonal ``i * m / n``, so time and memory grow linearly
with the number of units.  The band always contains ``(0, 0)`` and ``(n, m)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from termalign.align.beads import Span
from termalign.kernel.errors import AlignmentError

__all__ = [
    "CostFn",
    "DPTable",
    "band_limits",
    "path_band",
    "fill",
    "fill_band",
    "traceback",
    "align_spans",
    "align_along",
    "bead_posteriors",
    "ScoreMap",
    "DEFAULT_SCORE_MAP",
    "score_features",
    "fit_score_map",
]

CostFn = Callable[[int, int, int, int], float]

_NO_BEAD = -1


@dataclass(frozen=True)
class DPTable:
    """Accumulated costs and backpointers, stored per row over the band only.

    ``total[i, j - lo[i]]`` is the cheapest cost of aligning source ``[0, i)``
    with target ``[0, j)``; ``back[i, j - lo[i]]`` is the index into
    ``bead_types`` of the last bead on that path (``-1``: unreachable/start).
    """

    n: int
    m: int
    lo: np.ndarray  # first column of each row's band (inclusive)
    hi: np.ndarray  # last column of each row's band (inclusive)
    total: np.ndarray
    back: np.ndarray
    bead_types: tuple[tuple[int, int], ...]


def band_limits(n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive column limits of each row's band around the diagonal ``i * m / n``."""
    if width < 0:
        raise AlignmentError(f"the band width must be >= 0, got {width}")
    rows = np.arange(n + 1, dtype=np.float64)
    centre = rows * (m / n) if n else np.full(1, m, dtype=np.float64)
    lo = np.clip(np.floor(centre).astype(np.int64) - width, 0, m)
    hi = np.clip(np.ceil(centre).astype(np.int64) + width, 0, m)
    lo[0] = 0
    hi[n] = m
    return lo, hi


def _check_types(bead_types: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    types = tuple((int(a), int(b)) for a, b in bead_types)
    if not types:
        raise AlignmentError("no bead types to align with")
    for a, b in types:
        if a < 0 or b < 0 or a + b == 0:
            raise AlignmentError(f"invalid bead type {a}-{b}")
    if (1, 0) not in types or (0, 1) not in types:
        # Without skips some length pairs have no path at all.
        raise AlignmentError("bead types must include 1-0 and 0-1")
    return types


def path_band(spans: Sequence[Span], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive column limits of a band of half-width ``width`` around a path of spans.

    Both limits are made non-decreasing so that every bead between two cells of
    the band stays in it (the band is a connected corridor).
    """
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for span in spans:
        for i in range(span.i0, span.i1 + 1):
            lo[i] = min(lo[i], span.j0)
            hi[i] = max(hi[i], span.j1)
    if not spans:
        lo[:], hi[:] = 0, m
    lo = np.clip(np.minimum.accumulate((lo - width)[::-1])[::-1], 0, m)
    hi = np.clip(np.maximum.accumulate(hi + width), 0, m)
    lo[0], hi[n] = 0, m
    return lo, hi


def fill(
    n: int,
    m: int,
    cost: CostFn,
    bead_types: Sequence[tuple[int, int]],
    width: int,
) -> DPTable:
    """Fill the banded table of cheapest path costs for ``n`` source and ``m`` target units."""
    lo, hi = band_limits(n, m, width)
    return fill_band(n, m, cost, bead_types, lo, hi)


def fill_band(
    n: int,
    m: int,
    cost: CostFn,
    bead_types: Sequence[tuple[int, int]],
    lo: np.ndarray,
    hi: np.ndarray,
) -> DPTable:
    """Fill the table over an explicit band: row ``i`` visits columns ``lo[i]..hi[i]``."""
    types = _check_types(bead_types)
    size = int((hi - lo).max()) + 1 if n + 1 else 1
    total = np.full((n + 1, size), math.inf)
    back = np.full((n + 1, size), _NO_BEAD, dtype=np.int8)
    total[0, 0] = 0.0
    for i in range(n + 1):
        row_lo, row_hi = int(lo[i]), int(hi[i])
        for j in range(row_lo, row_hi + 1):
            if i == 0 and j == 0:
                continue
            best, best_k = math.inf, _NO_BEAD
            for k, (di, dj) in enumerate(types):
                pi, pj = i - di, j - dj
                if pi < 0 or pj < lo[pi] or pj > hi[pi]:
                    continue
                prev = total[pi, pj - lo[pi]]
                if prev == math.inf:
                    continue
                value = prev + cost(pi, i, pj, j)
                if value < best:
                    best, best_k = value, k
            total[i, j - row_lo] = best
            back[i, j - row_lo] = best_k
    return DPTable(n, m, lo, hi, total, back, types)


def traceback(table: DPTable, cost: CostFn | None = None) -> list[Span]:
    """The cheapest path as spans, in order; ``cost`` (if given) fills ``Span.cost``."""
    i, j = table.n, table.m
    if table.total[i, j - table.lo[i]] == math.inf:
        raise AlignmentError("no alignment path fits in the band; widen the band")
    spans: list[Span] = []
    while i > 0 or j > 0:
        k = int(table.back[i, j - table.lo[i]])
        if k == _NO_BEAD:
            raise AlignmentError(f"broken backpointer at ({i}, {j})")
        di, dj = table.bead_types[k]
        value = cost(i - di, i, j - dj, j) if cost is not None else 0.0
        spans.append(Span(i - di, i, j - dj, j, value))
        i, j = i - di, j - dj
    spans.reverse()
    return spans


def align_spans(
    n: int,
    m: int,
    cost: CostFn,
    bead_types: Sequence[tuple[int, int]],
    width: int,
) -> list[Span]:
    """Fill and trace back in one call; ``width`` grows if the band is too narrow to hold a path."""
    while True:
        table = fill(n, m, cost, bead_types, width)
        if table.total[n, m - table.lo[n]] < math.inf or width >= max(n, m):
            return traceback(table, cost)
        width = max(2 * width, 1)


def align_along(
    n: int,
    m: int,
    cost: CostFn,
    bead_types: Sequence[tuple[int, int]],
    guide: Sequence[Span],
    width: int,
) -> list[Span]:
    """Fill and trace back in a narrow band around ``guide`` (a first-pass path)."""
    lo, hi = path_band(guide, n, m, width)
    table = fill_band(n, m, cost, bead_types, lo, hi)
    if table.total[n, m - table.lo[n]] == math.inf:
        return align_spans(n, m, cost, bead_types, max(width, 1) * 4)
    return traceback(table, cost)


def bead_posteriors(
    costs: dict[tuple[int, int, int, int], float],
    n: int,
    m: int,
    spans: Sequence[Span],
    temperature: float = 1.0,
) -> list[float]:
    """The posterior probability of each span of a path, over every path the program saw.

    ``costs`` holds every bead the fill evaluated (its lattice), costs read as
    ``-T log p``.  Forward and backward sums over the lattice give
    ``P(bead) = exp(F(start) - cost / T + B(end) - Z)``: the share of the
    probability mass of all alignments that contain this bead.  A bead the
    evidence pins down scores near 1; one whose neighbours could as well be
    cut differently scores low, whatever its absolute cost.
    """
    forward: dict[tuple[int, int], float] = {(0, 0): 0.0}
    by_end: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
    for (i0, i1, j0, j1), value in costs.items():
        if math.isfinite(value):
            by_end.setdefault((i1, j1), []).append((i0, j0, value / temperature))
    for end in sorted(by_end):
        terms = [forward[s] - c for i0, j0, c in by_end[end] if (s := (i0, j0)) in forward]
        if terms:
            forward[end] = _logsumexp(terms)
    backward: dict[tuple[int, int], float] = {(n, m): 0.0}
    by_start: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
    for end, items in by_end.items():
        for i0, j0, c in items:
            by_start.setdefault((i0, j0), []).append((end[0], end[1], c))
    for start in sorted(by_start, reverse=True):
        terms = [backward[e] - c for i1, j1, c in by_start[start] if (e := (i1, j1)) in backward]
        if terms:
            backward[start] = _logsumexp(terms)
    total = forward.get((n, m), -math.inf)
    out = []
    for span in spans:
        value = costs.get((span.i0, span.i1, span.j0, span.j1), math.inf) / temperature
        before, after = forward.get((span.i0, span.j0)), backward.get((span.i1, span.j1))
        if before is None or after is None or not math.isfinite(total):
            out.append(0.0)
        else:
            out.append(min(1.0, math.exp(before - value + after - total)))
    return out


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


# --- calibration: from a lattice posterior to a bead's score ----------------------------------

_CLIP = 1e-4  # posteriors are clipped to [_CLIP, 1 - _CLIP] before taking log-odds


def _log_odds(p: float) -> float:
    p = min(max(p, _CLIP), 1.0 - _CLIP)
    return math.log(p / (1.0 - p))


def score_features(posteriors: Sequence[float], shapes: Sequence[tuple[int, int]]) -> list[tuple[float, ...]]:
    """The features :class:`ScoreMap` reads, one tuple per bead of a path (in path order).

    ``(1, log-odds of the posterior, 1 if the bead is 1-0/0-1, 1 if it holds more
    than three sentences, the smaller log-odds of its two neighbours)``.  A
    neighbour missing at either end of the path counts as certain.  Errors come
    in regions (a boundary given to the wrong neighbour makes two wrong beads),
    so an unsure neighbour is evidence against the bead itself.
    """
    if len(posteriors) != len(shapes):
        raise AlignmentError("score_features needs one shape per posterior.")
    odds = [_log_odds(p) for p in posteriors]
    edge = _log_odds(1.0)
    out: list[tuple[float, ...]] = []
    for k, (value, (a, b)) in enumerate(zip(odds, shapes, strict=True)):
        before = odds[k - 1] if k > 0 else edge
        after = odds[k + 1] if k + 1 < len(odds) else edge
        out.append((1.0, value, float(a == 0 or b == 0), float(a + b > 3), min(before, after)))
    return out


@dataclass(frozen=True)
class ScoreMap:
    """A logistic map from :func:`score_features` to a score in ``[0, 1]``.

    ``weights`` pairs with the feature tuple (the first weight is the bias).  It
    is fitted once on aligned data with a gold (:func:`fit_score_map`), never per
    document, and it only rescores beads: the path is the same with any map.
    """

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != 5 or not all(math.isfinite(w) for w in self.weights):
            raise AlignmentError("A score map needs five finite weights (bias and four features).")

    def apply(self, posteriors: Sequence[float], shapes: Sequence[tuple[int, int]]) -> list[float]:
        """The score of each bead of a path, from its posterior and the path around it."""
        out = []
        for row in score_features(posteriors, shapes):
            z = sum(w * x for w, x in zip(self.weights, row, strict=True))
            out.append(1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0)
        return out


def fit_score_map(
    features: Sequence[tuple[float, ...]],
    right: Sequence[bool],
    threshold: float = 0.5,
    precision: float | None = 0.9,
    l2: float = 1e-3,
) -> ScoreMap:
    """Fit a :class:`ScoreMap` to beads whose correctness is known.

    The weights are the maximum-likelihood logistic regression (Newton steps,
    a small ridge ``l2``): Platt scaling of the posterior's log-odds with three
    more features.  A calibrated probability does not by itself give the two
    promises a reviewer reads from the flag (beads at or above ``threshold``
    right at least ``precision`` of the time, flagged beads wrong more often
    than right), so unless ``precision`` is None the bias is then moved (the
    slopes kept) to the shift that meets both with the largest margin,
    ``min(P(right | kept) - precision, P(wrong | flagged) - 0.5)`` (where no
    shift meets both, the one that misses least).  The score is then no longer a
    calibrated probability; the flag's two promises are what it keeps.
    """
    x = np.asarray(features, dtype=float)
    y = np.asarray(right, dtype=float)
    if x.ndim != 2 or x.shape[1] != 5 or len(y) != len(x) or len(y) == 0:
        raise AlignmentError("fit_score_map needs one five-feature row per labelled bead.")
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-9:
            break
    if precision is not None:
        z, cut = x @ w, math.log(threshold / (1 - threshold))
        best, best_shift = -math.inf, 0.0
        for shift in np.linspace(-3.0, 3.0, 241):
            kept = z + shift >= cut
            if kept.all() or not kept.any():
                continue
            margin = min(y[kept].mean() - precision, 1.0 - y[~kept].mean() - 0.5)
            if margin > best + 1e-12 or (abs(margin - best) <= 1e-12 and abs(shift) < abs(best_shift)):
                best, best_shift = margin, float(shift)
        w[0] += best_shift
    return ScoreMap(tuple(float(v) for v in w))


# Fitted once on all six MAC-Dev chapters (default mode, 1,375 beads): bench/align_bench.py
# --fit-score-map prints it; leave-one-chapter-out fits give biases 0.79-1.04, slopes within 0.1.
DEFAULT_SCORE_MAP = ScoreMap((0.922, 1.01, -3.212, -1.098, 0.488))
