"""Translation likelihood as a pair scorer: a local re-decision where the last pass is unsure.

A translation model reads a candidate bead as ``log P(target | source)``; the
same target with an empty source gives ``log P(target)``, and their difference
is the bead's pointwise mutual information (PMI, in nats).  Summed over the
beads of a segmentation it is comparable between segmentations of the same
sentences: a 0-1 or 1-0 bead adds 0, a bead whose target is better explained
by its source adds more.  Scoring every bead of the lattice would cost a model
call per candidate, so the model is spent only where the last pass is unsure:

1. *Windows*: runs of consecutive beads scoring below ``unsure_below``,
   widened by ``context`` beads on each side and merged when they touch.  The
   path's nodes at a window's ends stay fixed.
2. *Candidates*: the beads of the last pass's lattice that lie inside a window
   and whose best path through them costs at most ``margin`` more than the
   window's best path (min-sum forward/backward), at most ``per_row`` of them
   starting at each source sentence.  Every candidate is scored, so no bead
   competes with an unscored one (1-0 and 0-1 beads need no model: PMI 0).
3. *Re-decision*: the cheapest path through the candidates with
   ``cost - weight * PMI``; its beads' posteriors over the same candidates
   (at the pass's temperature) replace the old ones.

The model is not imported here (the align layer sits below the translator):
the caller passes :data:`PairScorer`, a function from (source text, target
text) pairs to log-likelihoods (``translator.pair_likelihood`` makes one from
an installed model; the CLI wires ``--similarity likelihood``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from termalign.align.beads import Bead, Span
from termalign.align.document import Sentence
from termalign.align.similarity import Scorer
from termalign.kernel.errors import AlignmentError

__all__ = ["PairScorer", "LikelihoodSimilarity", "Redecision", "unsure_windows", "window_candidates"]

# (source text, target text) pairs -> log P(target | source) in nats; "" as the source: log P(target).
PairScorer = Callable[[Sequence[tuple[str, str]]], list[float]]

Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class Redecision:
    """What a re-decision did: the new path and posteriors, and what it cost."""

    spans: tuple[Span, ...]
    posteriors: tuple[float, ...]
    windows: int  # windows re-decided
    candidates: int  # beads scored by the model
    changed: int  # beads of the new path that the old path did not have


def unsure_windows(scores: Sequence[float], unsure_below: float, context: int) -> list[tuple[int, int]]:
    """Half-open bead ranges ``[k0, k1)`` around beads scoring below ``unsure_below``.

    Each unsure bead is widened by ``context`` beads on each side; ranges that
    overlap or touch are merged.
    """
    out: list[tuple[int, int]] = []
    for k, score in enumerate(scores):
        if score >= unsure_below:
            continue
        k0, k1 = max(0, k - context), min(len(scores), k + context + 1)
        if out and k0 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], k1))
        else:
            out.append((k0, k1))
    return out


def _forward(
    beads: Sequence[tuple[Key, float]], start: tuple[int, int]
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], Key]]:
    """Min-sum forward costs from ``start``, and the bead that reaches each node at that cost (beads are
    visited by end node, a topological order; the first of equal costs is kept)."""
    best: dict[tuple[int, int], float] = {start: 0.0}
    back: dict[tuple[int, int], Key] = {}
    for key, value in sorted(beads, key=lambda b: (b[0][1], b[0][3])):
        before = best.get((key[0], key[2]))
        if before is not None and before + value < best.get((key[1], key[3]), math.inf):
            best[(key[1], key[3])] = before + value
            back[(key[1], key[3])] = key
    return best, back


def _backward(beads: Sequence[tuple[Key, float]], end: tuple[int, int]) -> dict[tuple[int, int], float]:
    best = {end: 0.0}
    for (i0, i1, j0, j1), value in sorted(beads, key=lambda b: (b[0][0], b[0][2]), reverse=True):
        after = best.get((i1, j1))
        if after is not None and after + value < best.get((i0, j0), math.inf):
            best[(i0, j0)] = after + value
    return best


def window_candidates(
    lattice: Sequence[tuple[Key, float]],
    start: tuple[int, int],
    end: tuple[int, int],
    margin: float,
    limit: int,
) -> list[tuple[Key, float]]:
    """The beads from ``start`` to ``end`` whose best path through them is within ``margin`` of the best.

    ``lattice`` holds the beads inside the window with their costs.  Of the
    beads with text on both sides, at most ``limit`` starting at each source
    position are kept, cheapest best-path-through first (a global cap would
    spend a long window's budget where it has most near ties); 1-0 and 0-1
    beads need no model and are all kept.  The best path itself is always
    kept, so the candidates connect ``start`` with ``end``.
    """
    (forward, back), backward = _forward(lattice, start), _backward(lattice, end)
    best = forward.get(end)
    if best is None:
        return []
    through = []
    kept: dict[Key, float] = {}
    for key, value in lattice:
        before, after = forward.get((key[0], key[2])), backward.get((key[1], key[3]))
        if before is not None and after is not None and before + value + after <= best + margin:
            if key[0] == key[1] or key[2] == key[3]:
                kept[key] = value  # 1-0 and 0-1 beads cost the model nothing
            else:
                through.append((before + value + after, key, value))
    through.sort()
    rows: dict[int, int] = {}
    for _, key, value in through:
        if rows.get(key[0], 0) < limit:
            rows[key[0]] = rows.get(key[0], 0) + 1
            kept[key] = value
    costs = dict(lattice)
    for key in _viterbi(lattice, start, end, back) or []:
        kept[key] = costs[key]
    return list(kept.items())


def _viterbi(
    beads: Sequence[tuple[Key, float]],
    start: tuple[int, int],
    end: tuple[int, int],
    back: dict[tuple[int, int], Key] | None = None,
) -> list[Key] | None:
    """The cheapest path of beads from ``start`` to ``end`` (None if they do not connect); ``back`` is
    :func:`_forward`'s when the caller has it already."""
    if back is None:
        back = _forward(beads, start)[1]
    if end != start and end not in back:
        return None
    path: list[Key] = []
    node = end
    while node != start:
        step = back.get(node)
        if step is None:
            raise AlignmentError(f"broken path at {node} in a re-decided window")
        path.append(step)
        node = (step[0], step[2])
    path.reverse()
    return path


def _posteriors(
    beads: Sequence[tuple[Key, float]],
    path: Sequence[Key],
    start: tuple[int, int],
    end: tuple[int, int],
    t: float,
) -> list[float]:
    """Posterior of each path bead over the paths of ``beads`` from ``start`` to ``end`` (cost = -T log p)."""
    fwd: dict[tuple[int, int], float] = {start: 0.0}
    for (i0, i1, j0, j1), value in sorted(beads, key=lambda b: (b[0][1], b[0][3])):
        if (i0, j0) in fwd:
            fwd[(i1, j1)] = _logaddexp(fwd.get((i1, j1), -math.inf), fwd[(i0, j0)] - value / t)
    bwd: dict[tuple[int, int], float] = {end: 0.0}
    for (i0, i1, j0, j1), value in sorted(beads, key=lambda b: (b[0][0], b[0][2]), reverse=True):
        if (i1, j1) in bwd:
            bwd[(i0, j0)] = _logaddexp(bwd.get((i0, j0), -math.inf), bwd[(i1, j1)] - value / t)
    total, costs = fwd.get(end, -math.inf), dict(beads)
    out = []
    for key in path:
        before, after = fwd.get((key[0], key[2])), bwd.get((key[1], key[3]))
        if before is None or after is None or not math.isfinite(total):
            out.append(0.0)
        else:
            out.append(min(1.0, math.exp(before - costs[key] / t + after - total)))
    return out


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top))


class LikelihoodSimilarity:
    """``--similarity likelihood``: re-decide unsure windows with a translation model's PMI.

    ``score_pairs`` is the model (see :data:`PairScorer`).  ``weight`` scales
    the PMI against the aligner's costs (both in nats); the model's PMI counts
    correlated tokens as independent evidence, so it is weighted down: with the
    0.5B model, MAC-Dev (five chapters pooled) was flat from 0.15 to 0.5 and
    0.9 points worse at 1 (bench/align_bench.py).  ``unsure_below`` 0.9 (beads
    the calibrated score does not call sure) gave 0.903 there against 0.900 at
    0.7 (0.889 at 0.5 with an older cap), for about 40 % more model calls.  The other settings
    choose where the model is spent (module docstring).  Unlike the scorers of
    :mod:`align.similarity` this is not a per-bead similarity in ``[0, 1]``: the
    aligner calls :meth:`redecide` after its last pass (pre-split mode).
    """

    name = "likelihood"

    def __init__(
        self,
        score_pairs: PairScorer,
        *,
        weight: float = 0.25,
        unsure_below: float = 0.9,
        context: int = 1,
        margin: float = 8.0,
        per_row: int = 4,
    ) -> None:
        if weight < 0 or margin < 0 or per_row < 1 or context < 0:
            raise AlignmentError("likelihood settings must be non-negative (per_row at least 1)")
        self.score_pairs, self.weight, self.unsure_below = score_pairs, weight, unsure_below
        self.context, self.margin, self.per_row = context, margin, per_row

    def bind(
        self, source: Sequence[Sentence], target: Sequence[Sentence], first_pass: Sequence[Bead]
    ) -> Scorer:
        """A neutral scorer (:class:`~align.similarity.Similarity`): the model acts in :meth:`redecide`."""
        del source, target, first_pass

        def neutral(src: Sequence[Sentence], tgt: Sequence[Sentence]) -> float:
            return 1.0

        return neutral

    def redecide(
        self,
        source: Sequence[str],
        target: Sequence[str],
        spans: Sequence[Span],
        lattice: dict[Key, float],
        scores: Sequence[float],
        posteriors: Sequence[float],
        *,
        joiners: tuple[str, str] = ("", " "),
        temperature: float = 1.0,
    ) -> Redecision:
        """Re-decide the windows around beads whose ``scores`` are unsure.

        ``source``/``target`` are the sentence texts in order, ``spans`` the
        last path over them, ``lattice`` every bead that pass evaluated with its
        cost, ``posteriors`` the path's posteriors (kept outside the windows);
        ``joiners`` glue the sentences of one side of a bead.
        """
        windows = unsure_windows(scores, self.unsure_below, self.context)
        by_start: dict[int, list[tuple[Key, float]]] = {}
        for key, value in lattice.items():
            if math.isfinite(value):
                by_start.setdefault(key[0], []).append((key, value))
        plans = []
        for k0, k1 in windows:
            start, end = (spans[k0].i0, spans[k0].j0), (spans[k1 - 1].i1, spans[k1 - 1].j1)
            inside = [
                (key, value)
                for i in range(start[0], end[0] + 1)
                for key, value in by_start.get(i, ())
                if key[1] <= end[0] and start[1] <= key[2] and key[3] <= end[1]
            ]
            plans.append(
                (k0, k1, start, end, window_candidates(inside, start, end, self.margin, self.per_row))
            )
        pmi = self._pmi([key for *_, cands in plans for key, _ in cands], source, target, joiners)
        new_spans: list[Span] = []
        new_post: list[float] = []
        changed = last = 0
        for k0, k1, start, end, cands in plans:
            new_spans.extend(spans[last:k0])
            new_post.extend(posteriors[last:k0])
            rescored = [(key, value - self.weight * pmi.get(key, 0.0)) for key, value in cands]
            path = _viterbi(rescored, start, end)
            if path is None:  # cannot happen: the old path is among the candidates
                path = [(s.i0, s.i1, s.j0, s.j1) for s in spans[k0:k1]]
            old = {(s.i0, s.i1, s.j0, s.j1) for s in spans[k0:k1]}
            changed += sum(1 for key in path if key not in old)
            costs = dict(rescored)
            new_spans.extend(Span(*key, costs[key]) for key in path)
            new_post.extend(_posteriors(rescored, path, start, end, temperature))
            last = k1
        new_spans.extend(spans[last:])
        new_post.extend(posteriors[last:])
        return Redecision(
            tuple(new_spans), tuple(new_post), len(plans), sum(len(c) for *_, c in plans), changed
        )

    def _pmi(
        self, keys: Sequence[Key], source: Sequence[str], target: Sequence[str], joiners: tuple[str, str]
    ) -> dict[Key, float]:
        """PMI of each bead with text on both sides (one model call for all of them)."""
        texts: dict[Key, tuple[str, str]] = {}
        for key in dict.fromkeys(keys):
            i0, i1, j0, j1 = key
            if i1 > i0 and j1 > j0:
                texts[key] = (joiners[0].join(source[i0:i1]), joiners[1].join(target[j0:j1]))
        targets = list(dict.fromkeys(t for _, t in texts.values()))
        pairs = list(dict.fromkeys(texts.values()))
        values = self.score_pairs([*pairs, *(("", t) for t in targets)])
        if len(values) != len(pairs) + len(targets):
            raise AlignmentError(
                f"the pair scorer returned {len(values)} values for {len(pairs) + len(targets)} pairs"
            )
        conditional = dict(zip(pairs, values[: len(pairs)], strict=True))
        marginal = dict(zip(targets, values[len(pairs) :], strict=True))
        return {key: conditional[pair] - marginal[pair[1]] for key, pair in texts.items()}
