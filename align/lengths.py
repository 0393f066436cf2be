"""The length model of one document pair, estimated from the pair itself.

Gale & Church score a bead by how far its target length lies from ``c`` times
its source length, in units of ``sqrt(s² · length)``.  One fixed ``c`` does not
fit every text: literary translations run from 2.9 to 5.6 English characters
per Chinese character.  So ``c`` is first taken from the two documents' total
lengths (pulled toward the configured ``c`` for short pairs, :func:`shrink`),
and then ``c`` and ``s²`` are refined on a first alignment pass, summed over
windows of three consecutive beads (:func:`window_pairs`: single beads
scatter about half as much as the truth, because the pass cut them where the
lengths fit):

* ``c = Σ target / Σ source`` over those windows (a ratio of sums);
* ``s² = median((t − c·s)² / s) / 0.455``: for a Gaussian length difference
  ``(t − c·s)² / (s·s²)`` follows χ² with one degree of freedom, whose median
  is 0.455, so the median estimate ignores the few bad beads a first pass has.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from termalign.align.script import is_cjk

__all__ = [
    "LengthModel",
    "chinese_counts",
    "ratio_from_totals",
    "refine_on_beads",
    "shrink",
    "shape_priors",
    "window_pairs",
    "MIN_BEADS",
    "WINDOW_BEADS",
]

CHI2_MEDIAN = 0.4549  # median of the chi-square distribution with one degree of freedom
MIN_BEADS = 12  # fewer pairs (windows) than this from the first pass: keep the estimate from the totals
WINDOW_BEADS = 3  # consecutive first-pass beads summed into one length pair (see window_pairs)
PRIOR_SENTENCES = 10.0  # the configured ratio counts as this many sentences of evidence
RATIO_LIMITS = (0.05, 20.0)
VARIANCE_LIMITS = (1.0, 40.0)


@dataclass(frozen=True)
class LengthModel:
    """Gale–Church parameters and where they came from ("config", "totals", "beads")."""

    ratio: float
    variance: float
    origin: str = "config"
    beads: int = 0  # how many beads the refinement used


def chinese_counts(text: str) -> tuple[int, int]:
    """(CJK characters, other non-space characters) of a text."""
    cjk = sum(1 for c in text if is_cjk(c))
    other = sum(1 for c in text if not c.isspace()) - cjk
    return cjk, other


def _clamp(value: float, limits: tuple[float, float]) -> float:
    return min(max(value, limits[0]), limits[1])


def _side_counts(texts: Sequence[str], chinese: bool) -> tuple[int, int]:
    """(CJK, other) character totals; a non-Chinese side counts everything as "other"."""
    if not chinese:
        return 0, sum(len("".join(t.split())) for t in texts)
    counts = [chinese_counts(t) for t in texts]
    return sum(a for a, _ in counts), sum(b for _, b in counts)


def ratio_from_totals(
    source: Sequence[str], target: Sequence[str], *, zh_source: bool, zh_target: bool, default: float
) -> float:
    """Target characters per source character over the two documents (Latin in Chinese at 1/c).

    Latin letters and digits inside Chinese text are carried over one for one,
    so they count ``1/c`` of a Chinese character; the ratio is iterated to a
    fixed point.  With an empty side the ``default`` is kept.
    """
    src_cjk, src_other = _side_counts(source, zh_source)
    tgt_cjk, tgt_other = _side_counts(target, zh_target)
    ratio = default
    for _ in range(6):
        s_len = src_cjk + (src_other / ratio if zh_source else src_other)
        t_len = tgt_cjk + (tgt_other / ratio if zh_target else tgt_other)
        if s_len <= 0 or t_len <= 0:
            return default
        ratio = _clamp(t_len / s_len, RATIO_LIMITS)
    return ratio


def shrink(estimate: float, default: float, sentences: int) -> float:
    """The estimate pulled toward the configured ratio (in log space) when the pair is short.

    A few sentences, one of them untranslated, say little about a pair's ratio;
    a chapter of 300 sentences says nearly all.
    """
    weight = sentences / (sentences + PRIOR_SENTENCES)
    return math.exp(weight * math.log(estimate) + (1.0 - weight) * math.log(default))


def refine_on_beads(pairs: Sequence[tuple[float, float]], model: LengthModel) -> LengthModel:
    """``c`` and ``s²`` re-estimated on (source, target) lengths of first-pass beads or windows of them."""
    pairs = [(s, t) for s, t in pairs if s > 0 and t > 0]
    if len(pairs) < MIN_BEADS:
        return model
    ratio = _clamp(sum(t for _, t in pairs) / sum(s for s, _ in pairs), RATIO_LIMITS)
    scaled = [(t - ratio * s) ** 2 / max((s + t / ratio) / 2.0, 1.0) for s, t in pairs]
    variance = _clamp(statistics.median(scaled) / CHI2_MEDIAN, VARIANCE_LIMITS)
    return LengthModel(ratio, variance, "beads", len(pairs))


def window_pairs(beads: Sequence[tuple[float, float]], size: int = WINDOW_BEADS) -> list[tuple[float, float]]:
    """(source, target) length sums over non-overlapping runs of ``size`` consecutive beads.

    A first pass chooses each bead's shape so that its lengths fit the model,
    which shrinks the spread of single beads; the total of a few consecutive
    beads does not depend on where the pass cut between them.  A short tail
    joins the last window.
    """
    out: list[tuple[float, float]] = []
    for start in range(0, len(beads), size):
        chunk = beads[start : start + size]
        pair = (sum(s for s, _ in chunk), sum(t for _, t in chunk))
        if len(chunk) < size and out:
            last = out.pop()
            pair = (last[0] + pair[0], last[1] + pair[1])
        out.append(pair)
    return out


SHAPE_PSEUDO_BEADS = 20.0  # the configured shape priors count as this many beads of evidence


def shape_priors(
    kinds: Sequence[tuple[int, int]], default: Sequence[tuple[tuple[int, int], float]]
) -> tuple[tuple[tuple[int, int], float], ...]:
    """Shape priors (nats, relative to 1-1) re-estimated from the bead shapes of a first pass.

    Translators differ in how often they split a sentence (one chapter of a
    novel has 1-2 beads for a third of its sentences, another for a tenth), so
    ``P(shape)`` is counted on the pair's own first pass and smoothed toward
    the configured priors with :data:`SHAPE_PSEUDO_BEADS` pseudo-beads.
    """
    base = {shape: math.exp(-prior) for shape, prior in default}
    norm = sum(base.values())
    counts = {shape: 0 for shape in base}
    for kind in kinds:
        if kind in counts:
            counts[kind] += 1
    probs = {s: counts[s] + SHAPE_PSEUDO_BEADS * base[s] / norm for s in base}
    one = probs.get((1, 1), 1.0)
    # 1-0 and 0-1 keep their configured cost: a first pass's skips are mostly its own errors.
    return tuple((s, prior if 0 in s else max(0.0, -math.log(probs[s] / one))) for s, prior in default)
