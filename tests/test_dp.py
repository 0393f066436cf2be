"""The dynamic program and traceback, on cost functions alone."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.beads import DEFAULT_BEAD_TYPES, Span
from termalign.align.dp import align_spans, band_limits, fill, traceback
from termalign.kernel.errors import AlignmentError


def _random_cost(seed: int):
    rng = random.Random(seed)
    table: dict[tuple[int, int, int, int], float] = {}

    def cost(i0: int, i1: int, j0: int, j1: int) -> float:
        key = (i0, i1, j0, j1)
        if key not in table:
            table[key] = rng.uniform(0.0, 10.0)
        return table[key]

    return cost


def _check_cover(spans: list[Span], n: int, m: int) -> None:
    i = j = 0
    for span in spans:
        assert span.i0 == i and span.j0 == j, "beads must be contiguous and monotonic"
        assert (span.i1 - span.i0, span.j1 - span.j0) in DEFAULT_BEAD_TYPES
        i, j = span.i1, span.j1
    assert (i, j) == (n, m), "every source and target unit is covered exactly once"


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 14), m=st.integers(0, 14), seed=st.integers(0, 10**6), width=st.integers(1, 6))
def test_beads_are_monotonic_and_cover_everything(n: int, m: int, seed: int, width: int) -> None:
    spans = align_spans(n, m, _random_cost(seed), DEFAULT_BEAD_TYPES, width)
    _check_cover(spans, n, m)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 10), m=st.integers(0, 10), seed=st.integers(0, 10**6))
def test_wide_band_equals_unbanded_optimum(n: int, m: int, seed: int) -> None:
    cost = _random_cost(seed)
    narrow_enough = align_spans(n, m, cost, DEFAULT_BEAD_TYPES, max(n, m) + 1)
    table = fill(n, m, cost, DEFAULT_BEAD_TYPES, 100)
    unbanded = traceback(table, cost)
    assert [(s.i0, s.i1, s.j0, s.j1) for s in narrow_enough] == [(s.i0, s.i1, s.j0, s.j1) for s in unbanded]
    # And the optimum is what brute force over all paths finds.
    assert math.isclose(sum(s.cost for s in unbanded), _brute_force(n, m, cost))


def _brute_force(n: int, m: int, cost) -> float:
    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    for i in range(n + 1):
        for j in range(m + 1):
            for di, dj in DEFAULT_BEAD_TYPES:
                if (i - di, j - dj) in best:
                    value = best[(i - di, j - dj)] + cost(i - di, i, j - dj, j)
                    best[(i, j)] = min(best.get((i, j), math.inf), value)
    return best[(n, m)]


def test_diagonal_costs_give_one_to_one() -> None:
    def cost(i0: int, i1: int, j0: int, j1: int) -> float:
        if (i1 - i0, j1 - j0) == (1, 1):
            return 0.0 if i0 == j0 else 5.0
        return 3.0

    spans = align_spans(6, 6, cost, DEFAULT_BEAD_TYPES, 2)
    assert [s.kind for s in spans] == ["1-1"] * 6


def test_a_cheap_merge_is_found() -> None:
    def cost(i0: int, i1: int, j0: int, j1: int) -> float:
        if (i0, i1, j0, j1) == (1, 2, 1, 3):
            return 0.0
        if (i1 - i0, j1 - j0) == (1, 1) and (i0 == j0 == 0 or (i0, j0) == (2, 3)):
            return 0.0
        return 4.0

    spans = align_spans(3, 4, cost, DEFAULT_BEAD_TYPES, 3)
    assert [s.kind for s in spans] == ["1-1", "1-2", "1-1"]


def test_band_follows_the_length_proportional_diagonal() -> None:
    lo, hi = band_limits(10, 30, 2)
    assert lo[0] == 0 and hi[-1] == 30
    assert lo[5] == 13 and hi[5] == 17
    assert np.all(np.diff(lo) >= 0)


def test_band_work_grows_linearly() -> None:
    calls = {"n": 0}

    def cost(i0: int, i1: int, j0: int, j1: int) -> float:
        calls["n"] += 1
        return 1.0

    align_spans(100, 100, cost, DEFAULT_BEAD_TYPES, 5)
    small = calls["n"]
    calls["n"] = 0
    align_spans(400, 400, cost, DEFAULT_BEAD_TYPES, 5)
    assert calls["n"] < 4.5 * small


def test_bad_bead_types_are_refused() -> None:
    with pytest.raises(AlignmentError):
        fill(2, 2, lambda *a: 0.0, [(1, 1)], 2)
    with pytest.raises(AlignmentError):
        fill(2, 2, lambda *a: 0.0, [(1, 0), (0, 1), (0, 0)], 2)
    with pytest.raises(AlignmentError):
        band_limits(2, 2, -1)
