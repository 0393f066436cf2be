"""A quality score per segment in [0, 1]: which translations a reviewer should read first.

The score combines cheap signals that need no reference translation:

* ``logprob`` — the model's own length-normalised log-probability of its
  output, as CTranslate2 returned it with the translation (``return_scores``;
  free, kept in the record);
* ``forced_logprob`` — the mean token log-probability of the *final*
  translation (after repairs) under a plain prompt, by forced decoding with
  ``score_batch`` (off by default: it costs about half a translation and
  ranked worse than ``logprob`` on the FAQ);
* ``backtranslation`` — chrF (0–1) between the source and the translation
  translated back by the same model (off by default: +70 % decoding time);
* ``fluency`` — the mean token log-probability of the translation as plain
  text under the same model (``score_texts``: the model as a language model;
  off by default since stop 22, about +19 % of the translation time): short,
  unusual outputs ("I did it!") score low, which is where the FAQ's worst chrF
  lies, but on technical text one-word headings score low and are right;
* ``agreement`` — chrF (0–1) between the translation and a second, independent
  model's own plain translation of the source (off by default: it needs that model,
  ``QualityTranslator(..., second=engine)``, and costs its translation, about +25 %
  with the 0.5B beside the 1.5B): where two systems disagree, one of them is wrong;
* ``coverage`` — the share of the source's dictionary words (CC-CEDICT) whose
  gloss appears in the translation;
* ``length`` — how far the length ratio is from the usual 3.16 English
  characters per Chinese character (absolute log ratio);
* ``size`` — log(1 + Chinese characters): short, idiomatic segments ("我完蛋了吗？")
  are where a literal translation most often misses;
* ``errors`` / ``warnings`` / ``invented`` — the QA issues left on the segment.

A :class:`Calibration` maps them to a score with a logistic model (standardised
signals, one weight each) fitted on segments whose chrF against a human
reference is known.  The shipped calibrations are fitted to the **0.2-quantile**
of chrF / 100 (quantile regression), not to its mean: the score is a pessimistic
estimate ("four segments in five with these signals do better"), so a segment
whose signals say "uncertain" (short, idiomatic lines, where chrF scatters most)
ranks low even when its average chrF would not.  The default (no fluency) puts 12.3 of
the FAQ's 25 worst segments in the lowest-scored fifth (random 5-fold splits), 14.9 with
fluency; on text it was never fitted on (``bench/qe_heldout.py``) it ranks literary
chapters about as well as the FAQ (MAC-Dev, three samples of 240 beads: Spearman 0.42-0.53)
and technical pages poorly (the Kubernetes docs, 418 and 228 beads: 0.24 and 0.16); with
fluency both are lower.  The goals (0.4, 60 %) are missed there: read the score as a hint on
text unlike the FAQ.  Segment size is what splits the domains (short FAQ lines and short
sentences of a novel translate badly, short headings of technical pages well); the scores
measured without it (:meth:`Calibration.fit_unit`) rank technical text better and literary
text worse, so the default keeps it.
:meth:`Calibration.fit_location_scale` (a length-dependent spread) is measured beside
it in the bench, not shipped: it ranks better overall but caught fewer of the worst.
The shipped calibrations were fitted by ``bench/qe_bench.py`` on the DeepSeek FAQ; the
bench reports how well they rank held-out segments.

:class:`QualityTranslator` is a translator layer: it translates with the
translator it wraps and sets :attr:`SegmentRecord.quality` on every
machine-translated record (TM exact matches get 1.0, copies none).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol, runtime_checkable

from termalign.align.script import HAN
from termalign.kernel.errors import ConfigError
from termalign.kernel.signature import Signature
from termalign.translator.records import SegmentRecord

__all__ = [
    "SIGNALS",
    "REVIEW_THRESHOLD",
    "QUANTILE",
    "QualityConfig",
    "Calibration",
    "CALIBRATIONS",
    "QualityTranslator",
    "cheap_signals",
    "length_deviation",
    "model_signals",
    "record_signals",
    "score_records",
    "needs_review",
    "Scorer",
]

SIGNALS = (
    "logprob", "forced_logprob", "backtranslation", "fluency", "agreement", "coverage", "length", "size",
    "errors", "warnings", "invented",
)  # fmt: skip
# Under this score a segment is marked for review: the lowest-scored fifth of the FAQ ends at 0.335
# (0.332 with fluency, 0.334 with back-translation, 0.327 with both; with agreement added to each:
# 0.321, 0.342, 0.309, 0.336).  The CLI options repeat the number (they must not import this module).
REVIEW_THRESHOLD = 0.33
# The shipped calibrations predict this quantile of chrF / 100, not its mean (Calibration.fit).
QUANTILE = 0.2
# The direction of each signal that has one a priori (+1: higher is better), for Calibration.fit_unit.
# Size has none (short FAQ lines are idiomatic and hard, short technical lines are headings and easy),
# and the checks act through needs_review's rule.
DIRECTIONS: dict[str, float] = {
    "logprob": 1.0, "forced_logprob": 1.0, "backtranslation": 1.0, "fluency": 1.0, "coverage": 1.0,
    "length": -1.0,
}  # fmt: skip
CHARS_PER_HAN = 3.16  # English characters per Chinese character on the FAQ (the aligner's calibration)
_TAG = re.compile(r"</?[gx]\d+/?>")
_SPACE = re.compile(r"\s+")


@runtime_checkable
class Scorer(Protocol):
    """What the model signals need from an engine (``GeneratorEngine`` has both)."""

    def score_translations(self, segments: Sequence[str], targets: Sequence[str]) -> list[list[float]]: ...

    def with_languages(self, source_language: str, target_language: str) -> Any: ...


@dataclass(frozen=True)
class QualityConfig:
    """Which signals to compute and where review starts (resolved at the CLI edge)."""

    forced_logprob: bool = False
    backtranslation: bool = False
    fluency: bool = False  # +19 % translation time; helped on the FAQ, hurt on held-out text
    agreement: bool = False  # needs a second model (QualityTranslator's ``second``)
    review_threshold: float = REVIEW_THRESHOLD

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_threshold <= 1.0:
            raise ConfigError("the review threshold must be between 0 and 1")


@dataclass(frozen=True)
class Spread:
    """How widely chrF scatters around a calibration's location, from standardised signals.

    ``log(spread)`` is linear in the signals (a multiplicative-heteroscedasticity model,
    fitted to the log absolute residuals); ``offset`` is the calibration quantile of the
    training residuals divided by their spread, so ``location + offset * spread`` is the
    predicted quantile.  With ``features = ("size",)`` the spread is a power of the
    segment's length: sentence chrF of a short line scatters more than of a long one.
    """

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    offset: float

    def width(self, signals: Mapping[str, float | None]) -> float:
        return math.exp(_linear(self.bias, self.features, self.means, self.scales, self.weights, signals))


@dataclass(frozen=True)
class Calibration:
    """Signals to a score in [0, 1]; a missing signal counts as average.

    Without :attr:`spread`: a fractional logistic model over standardised signals.  With
    it: a location-scale model, ``location + spread.offset * spread.width`` clipped to
    [0, 1], where the location is linear in the signals (see :meth:`fit_location_scale`).
    """

    name: str
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    fitted_on: str = ""
    quantile: float | None = None  # None: fitted to the mean; else to this quantile (see fit)
    spread: Spread | None = None

    def score(self, signals: Mapping[str, float | None]) -> float:
        z = _linear(self.bias, self.features, self.means, self.scales, self.weights, signals)
        if self.spread is not None:
            return max(0.0, min(1.0, z + self.spread.offset * self.spread.width(signals)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def fit(
        cls,
        rows: Sequence[Mapping[str, float | None]],
        targets: Sequence[float],
        features: Sequence[str],
        *,
        name: str = "fitted",
        fitted_on: str = "",
        l2: float = 1.0,
        steps: int = 3000,
        quantile: float | None = None,
    ) -> Calibration:
        """Fit weights by gradient descent (plus L2) on standardised signals, targets in [0, 1].

        Without ``quantile`` the loss is the cross-entropy (the score predicts the mean
        target).  With ``quantile`` = q it is the pinball loss of quantile regression: the
        score predicts the target's q-quantile among segments with those signals, a
        pessimistic estimate that also ranks *uncertain* segments low (where the target
        scatters widely, its low quantile is low even when its mean is not).
        """
        import numpy as np

        if len(rows) != len(targets) or not rows:
            raise ConfigError(f"cannot fit a calibration on {len(rows)} rows and {len(targets)} targets")
        if quantile is not None and not 0.0 < quantile < 1.0:
            raise ConfigError(f"a calibration quantile must be between 0 and 1, not {quantile}")
        x, means, scales = _standardised(rows, features)
        y = np.clip(np.array(targets, dtype=float), 0.0, 1.0)
        w = np.zeros(x.shape[1])
        start = float(y.mean() if quantile is None else np.quantile(y, quantile))
        b = float(np.log(start / (1 - start))) if 0 < start < 1 else 0.0
        n = len(y)
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
            # d(loss)/dz: cross-entropy; or pinball loss (-q above the prediction, 1 - q below) * dp/dz
            slope = p - y if quantile is None else np.where(y > p, -quantile, 1.0 - quantile) * p * (1.0 - p)
            w -= 0.5 * (x.T @ slope / n + l2 * w / n)
            b -= 0.5 * float(slope.mean())
        return cls(
            name, tuple(features), means, scales,
            tuple(round(float(v), 6) for v in w), round(b, 6), fitted_on, quantile,
        )  # fmt: skip

    @classmethod
    def fit_unit(
        cls,
        rows: Sequence[Mapping[str, float | None]],
        targets: Sequence[float],
        features: Sequence[str],
        *,
        quantile: float | None = QUANTILE,
        directions: Mapping[str, float] | None = None,
        name: str = "fitted",
        fitted_on: str = "",
    ) -> Calibration:
        """Unit weights in each signal's a-priori direction (``directions``, by default
        :data:`DIRECTIONS`); only the link is fitted.

        The score ranks by the sum of the standardised signals, each signed by what it
        means (a higher log-probability is better, a larger length deviation worse), as an
        *improper linear model* does: no weight is learnt from the calibration corpus's mix
        of segments.  The rows fix the standardisation and, by :meth:`fit` on the one summed
        index, a scale and an offset (what a threshold means), which change no ranking.
        Measured beside the shipped fit (``bench/qe_bench.py``, ``bench/qe_heldout.py``), not
        shipped: it ranked the Kubernetes docs better and the literary chapters worse.
        """
        import numpy as np

        directions = DIRECTIONS if directions is None else directions
        unknown = [f for f in features if f not in directions]
        if unknown:
            raise ConfigError(f"no a-priori direction for the quality signal {unknown[0]!r}")
        x, means, scales = _standardised(rows, features)
        signs = np.array([directions[f] for f in features])
        index = [{"index": float(v)} for v in x @ signs]
        link = cls.fit(index, targets, ("index",), quantile=quantile, l2=0.0)
        slope = link.weights[0] / link.scales[0]
        return cls(
            name, tuple(features), _rounded(means), _rounded(scales), _rounded(slope * signs),
            round(link.bias - slope * link.means[0], 6), fitted_on, quantile,
        )  # fmt: skip

    @classmethod
    def fit_location_scale(
        cls,
        rows: Sequence[Mapping[str, float | None]],
        targets: Sequence[float],
        features: Sequence[str],
        *,
        spread: Sequence[str] = ("size",),
        quantile: float = 0.2,
        name: str = "fitted",
        fitted_on: str = "",
        l2: float = 1.0,
    ) -> Calibration:
        """Fit the target's ``quantile`` as a location and a length-dependent spread.

        The location is ridge least squares of the targets on the standardised
        ``features``; ``log(spread)`` is ridge least squares of the log absolute residuals
        on the standardised ``spread`` signals; the offset is the ``quantile`` of the
        residuals divided by their fitted spread (no distribution assumed).  Unlike the
        single-link quantile fit of :meth:`fit`, the signals that say how good a segment
        is and those that say how much its chrF scatters (its length) enter separately.
        """
        import numpy as np

        if len(rows) != len(targets) or not rows:
            raise ConfigError(f"cannot fit a calibration on {len(rows)} rows and {len(targets)} targets")
        if not 0.0 < quantile < 1.0:
            raise ConfigError(f"a calibration quantile must be between 0 and 1, not {quantile}")
        x, means, scales = _standardised(rows, features)
        y = np.clip(np.array(targets, dtype=float), 0.0, 1.0)
        w, b = _ridge(x, y, l2)
        residuals = y - (x @ w + b)
        xs, s_means, s_scales = _standardised(rows, spread)
        sw, sb = _ridge(xs, np.log(np.abs(residuals) + 1e-3), l2)
        offset = float(np.quantile(residuals / np.exp(xs @ sw + sb), quantile))
        fitted = Spread(
            tuple(spread), _rounded(s_means), _rounded(s_scales), _rounded(sw), round(sb, 6),
            round(offset, 6),
        )  # fmt: skip
        return cls(
            name, tuple(features), _rounded(means), _rounded(scales), _rounded(w), round(b, 6),
            fitted_on, quantile, fitted,
        )  # fmt: skip


def _linear(
    bias: float, features: Sequence[str], means: Sequence[float], scales: Sequence[float],
    weights: Sequence[float], signals: Mapping[str, float | None],
) -> float:  # fmt: skip
    z = bias
    for name, mean, scale, weight in zip(features, means, scales, weights, strict=True):
        value = signals.get(name)
        if value is not None and math.isfinite(value):
            z += weight * (value - mean) / scale
    return z


def _standardised(
    rows: Sequence[Mapping[str, float | None]], features: Sequence[str]
) -> tuple[Any, tuple[float, ...], tuple[float, ...]]:
    """The signals as a standardised matrix (a missing value: 0, the mean), with means and scales
    (a signal missing on every row: mean 0, scale 1)."""
    import numpy as np

    raw = np.array([[_value(r.get(f)) for f in features] for r in rows], dtype=float).reshape(len(rows), -1)
    with warnings.catch_warnings():  # a signal missing on every row: mean 0, scale 1 (below)
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(raw, axis=0)
        scales = np.nanstd(raw, axis=0)
    means = np.where(np.isnan(means), 0.0, means)
    scales = np.where(~np.isfinite(scales) | (scales < 1e-9), 1.0, scales)
    x = np.nan_to_num((raw - means) / scales)
    return x, tuple(float(v) for v in means), tuple(float(v) for v in scales)


def _rounded(values: Any) -> tuple[float, ...]:
    return tuple(round(float(v), 6) for v in values)


def _ridge(x: Any, y: Any, l2: float) -> tuple[Any, float]:
    """Least squares with an L2 penalty on the weights (not the intercept): (weights, intercept)."""
    import numpy as np

    design = np.hstack([x, np.ones((len(y), 1))])
    penalty = l2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    return solution[:-1], float(solution[-1])


def _value(value: float | None) -> float:
    return float("nan") if value is None or not math.isfinite(value) else float(value)


# Fitted by `python bench/qe_bench.py` on all 242 FAQ segments (qwen2.5-coder-1.5b with the termbase,
# no TM; target: sentence chrF / 100 against the human reference, its 0.2-quantile: the score is a
# pessimistic estimate).  Held-out quality (2-fold by FAQ halves, 5-fold) is in the README; with
# another model the weights still rank, but the means are its own.
# The free signals' standardisation on the FAQ (every calibration below shares it), and each
# added signal's mean and scale there.
_FREE = ("logprob", "coverage", "length", "size", "errors", "warnings", "invented")
_FREE_MEANS = (-0.296049, 0.596303, 0.196167, 3.206638, 0.020661, 0.012397, 0.0)
_FREE_SCALES = (0.123198, 0.225247, 0.198921, 0.708188, 0.142247, 0.110648, 1.0)
_ADDED = {
    "fluency": (-5.633737, 1.770248), "backtranslation": (0.438778, 0.197481),
    "agreement": (0.591669, 0.187935),  # with the 0.5B model's plain translation
}  # fmt: skip


def _faq_fit(label: str, added: tuple[str, ...], weights: tuple[float, ...], bias: float) -> Calibration:
    """A calibration fitted on the FAQ over the free signals plus ``added`` (see the comment above)."""
    return Calibration(
        name=f"faq-qwen2.5-coder-1.5b-{label}-q0.2",
        features=(*_FREE, *added),
        means=(*_FREE_MEANS, *(_ADDED[a][0] for a in added)),
        scales=(*_FREE_SCALES, *(_ADDED[a][1] for a in added)),
        weights=weights,
        bias=bias,
        fitted_on="242 DeepSeek FAQ segments, qwen2.5-coder-1.5b, termbase, reference chrF",
        quantile=0.2,
    )


CALIBRATIONS: dict[str, Calibration] = {
    "default": _faq_fit(
        "default", (), (0.305273, 0.130687, -0.148444, 0.302579, 0.022943, -0.000297, 0.0), -0.35987
    ),
    "fluency": _faq_fit(
        "fluency",
        ("fluency",),
        (0.238084, 0.110633, -0.085358, 0.040425, -0.001724, 0.022216, 0.0, 0.374025),
        -0.357738,
    ),
    "backtranslation": _faq_fit(
        "backtranslation",
        ("backtranslation",),
        (0.197566, 0.140502, -0.062015, 0.286373, 0.038247, -0.011889, 0.0, 0.282042),
        -0.329387,
    ),
    "backtranslation+fluency": _faq_fit(
        "backtranslation+fluency",
        ("fluency", "backtranslation"),
        (0.205463, 0.088102, -0.070919, 0.065102, -0.000407, 0.012238, 0.0, 0.354088, 0.098019),
        -0.353254,
    ),
    # with agreement: the second model was qwen2.5-coder-0.5b
    "agreement": _faq_fit(
        "agreement",
        ("agreement",),
        (0.216095, 0.210959, -0.081748, 0.308539, 0.018308, 0.012707, 0.0, 0.103071),
        -0.35884,
    ),
    "fluency+agreement": _faq_fit(
        "fluency+agreement",
        ("fluency", "agreement"),
        (0.201242, 0.103753, -0.041653, 0.039445, -0.010574, 0.008413, 0.0, 0.360126, 0.117863),
        -0.312786,
    ),
    "backtranslation+agreement": _faq_fit(
        "backtranslation+agreement",
        ("backtranslation", "agreement"),
        (0.176737, 0.096458, -0.069705, 0.326935, 0.026321, -0.004902, 0.0, 0.222825, 0.111522),
        -0.360991,
    ),
    "backtranslation+fluency+agreement": _faq_fit(
        "backtranslation+fluency+agreement",
        ("fluency", "backtranslation", "agreement"),
        (0.152765, 0.052039, -0.036905, 0.081496, -0.004876, 0.003402, 0.0, 0.28836, 0.142988, 0.141154),
        -0.315114,
    ),
}
# The QualityConfig flags that add a signal, in the order their names join a calibration's key.
CALIBRATED_FLAGS = ("backtranslation", "fluency", "agreement")


# -- the signals -----------------------------------------------------------------------------------


def _visible(text: str) -> str:
    return _SPACE.sub("", _TAG.sub("", text))


def cheap_signals(source: str, target: str, issues: Sequence[Any] = ()) -> dict[str, float | None]:
    """Dictionary coverage, length ratio and the QA issues of one segment (no model needed)."""
    from termalign.align.dictionary import english_stems, evidence, load_cedict
    from termalign.align.script import simplified_view

    index = load_cedict()
    found = evidence(index.word_glosses(simplified_view(source)), english_stems(_TAG.sub(" ", target)))
    coverage = found.zh_found / found.zh_total if found.zh_total else None
    han = len(HAN.findall(source))
    invented = sum(1 for i in issues if i.check == "invented-content")
    errors = sum(1 for i in issues if str(i.severity) == "error")
    warnings = sum(1 for i in issues if str(i.severity) != "error" and i.check != "invented-content")
    return {
        "coverage": coverage,
        "length": length_deviation(source, target),
        "size": math.log(1 + han),
        "errors": float(errors),
        "warnings": float(warnings),
        "invented": float(invented),
    }


def length_deviation(source: str, target: str, carried: int = 0) -> float | None:
    """The ``length`` signal: the absolute log ratio of the translation's visible length to the expected
    one, CHARS_PER_HAN per Chinese character of the source plus ``carried`` characters expected to pass
    through as they are (the benches measure the source's Latin text there); None without Chinese."""
    han = len(HAN.findall(source))
    if not han:
        return None
    return abs(math.log((len(_visible(target)) + 1) / (CHARS_PER_HAN * han + carried + 1)))


def model_signals(
    model: Any, sources: Sequence[str], targets: Sequence[str], *, forced_logprob: bool = True,
    backtranslation: bool = False, fluency: bool = False, second: Any = None,
    source_language: str = "Chinese", target_language: str = "English",
) -> dict[str, list[float | None]]:  # fmt: skip
    """Per segment: ``forced_logprob`` (mean token log-probability of the translation given the
    source), ``backtranslation`` (chrF 0-1 of the round trip), ``fluency`` (mean token
    log-probability of the translation as plain text, the model as a language model) and, with a
    ``second`` engine, ``agreement`` (chrF 0-1 between the translation and that engine's own
    translation of the source, markup placeholders left out of both)."""
    out: dict[str, list[float | None]] = {}
    if second is not None:
        other = [h.best.text for h in second.translate_batch(list(sources))]
        out["agreement"] = [
            chrf(_TAG.sub("", t), _TAG.sub("", o)) for t, o in zip(targets, other, strict=True)
        ]
    scorer = model if isinstance(model, Scorer) else None
    if fluency and scorer is not None and hasattr(scorer, "score_texts"):
        plain = scorer.score_texts(list(targets))
        out["fluency"] = [sum(lp) / len(lp) if lp else None for lp in plain]
    if forced_logprob and scorer is not None:
        scored = scorer.score_translations(sources, targets)
        out["forced_logprob"] = [sum(lp) / len(lp) if lp else None for lp in scored]
    if backtranslation and scorer is not None:
        reverse = scorer.with_languages(target_language, source_language)
        back = [h.best.text for h in reverse.translate_batch(list(targets))]
        out["backtranslation"] = [chrf(b, s) for b, s in zip(back, sources, strict=True)]
    return out


def chrf(hypothesis: str, reference: str) -> float:
    """Sentence chrF in [0, 1] (sacrebleu's defaults: character 6-grams, beta 2)."""
    from sacrebleu.metrics import CHRF

    return float(CHRF().sentence_score(hypothesis, [reference]).score) / 100.0


# -- scoring records -------------------------------------------------------------------------------


def record_signals(
    records: Sequence[SegmentRecord],
    model: Any = None,
    *,
    config: QualityConfig | None = None,
    calibration: Calibration | None = None,
    second: Any = None,
) -> list[dict[str, float | None] | None]:
    """Each record's signals, as :func:`score_records` scores them (None: a record it does not score).

    Machine-translated and fuzzy-TM records with a target get signals; TM exact matches and
    copies get None.  Only the model signals the calibration uses and ``config`` asks for are
    computed (one model pass each, over all those records at once); ``agreement`` needs the
    ``second`` engine.
    """
    config = config or QualityConfig()
    calibration = calibration or _calibration(config)
    wanted = [k for k, r in enumerate(records) if r.origin not in ("copy", "tm-exact") and r.target.strip()]
    signals = model_signals(
        model, [records[k].source for k in wanted], [records[k].target for k in wanted],
        forced_logprob=config.forced_logprob and "forced_logprob" in calibration.features,
        backtranslation=config.backtranslation and "backtranslation" in calibration.features,
        fluency=config.fluency and "fluency" in calibration.features,
        second=second if config.agreement and "agreement" in calibration.features else None,
    )  # fmt: skip
    out: list[dict[str, float | None] | None] = [None] * len(records)
    for n, k in enumerate(wanted):
        record = records[k]
        values: dict[str, float | None] = cheap_signals(record.source, record.target, record.issues)
        values.update({name: series[n] for name, series in signals.items()})
        if record.origin.startswith("mt"):
            values["logprob"] = record.score  # the generation's own (length-normalised) score
        out[k] = values
    return out


def score_records(
    records: Sequence[SegmentRecord],
    model: Any = None,
    *,
    config: QualityConfig | None = None,
    calibration: Calibration | None = None,
    signals: Sequence[Mapping[str, float | None] | None] | None = None,
    second: Any = None,
) -> list[SegmentRecord]:
    """``records`` with ``quality`` set: 1.0 for TM exact matches, none for copies, else the score.

    ``signals`` (from :func:`record_signals`, one per record) are used instead of computing them.
    """
    config = config or QualityConfig()
    calibration = calibration or _calibration(config)
    if signals is None:
        signals = record_signals(records, model, config=config, calibration=calibration, second=second)
    elif len(signals) != len(records):
        raise ConfigError(f"{len(signals)} sets of quality signals given for {len(records)} records")
    out = list(records)
    for k, (record, values) in enumerate(zip(records, signals, strict=True)):
        if record.origin == "tm-exact":
            out[k] = replace(record, quality=1.0)
        elif values is not None:
            out[k] = replace(record, quality=round(calibration.score(values), 4))
    return out


def _calibration(config: QualityConfig) -> Calibration:
    """The shipped calibration fitted on the signals ``config`` computes."""
    added = [name for name in CALIBRATED_FLAGS if getattr(config, name)]
    return CALIBRATIONS["+".join(added) or "default"]


def needs_review(record: SegmentRecord, threshold: float) -> bool:
    """Under the threshold, or an error or invented content left on it.

    Invented content is a rule, not only a signal: it never fired on the FAQ the
    score was fitted on, so the calibration gives it no weight.
    """
    if any(str(i.severity) == "error" or i.check == "invented-content" for i in record.issues):
        return True
    return record.quality is not None and record.quality < threshold


class QualityTranslator:
    """A translator layer that scores what the translator it wraps returns (see the module docstring)."""

    def __init__(
        self,
        inner: Any,
        model: Any = None,
        config: QualityConfig | None = None,
        calibration: Calibration | None = None,
        second: Any = None,
    ) -> None:
        self.inner = inner
        while model is not None and not isinstance(model, Scorer) and hasattr(model, "engine"):
            model = model.engine  # a cache layer: score with the engine under it
        self.model = model
        self.config = config or QualityConfig()
        if self.config.agreement and second is None:
            raise ConfigError("the agreement signal needs a second model to translate with")
        self.second = second
        self.calibration = calibration or _calibration(self.config)

    @property
    def signature(self) -> Signature:
        # the review threshold only marks segments: changing it must not invalidate a journal
        used: dict[str, Any] = {
            "calibration": self.calibration.name, "forced_logprob": self.config.forced_logprob,
            "backtranslation": self.config.backtranslation, "fluency": self.config.fluency,
        }  # fmt: skip
        if self.second is not None and self.config.agreement:  # older journals stay valid without it
            used["agreement"] = getattr(self.second, "signature", type(self.second).__name__)
        return Signature.of(self.inner.signature, quality=used)

    def translate(
        self,
        segments: Sequence[str],
        *,
        ids: Sequence[str] | None = None,
        exclude: Any = None,
        progress: Callable[..., None] | None = None,
    ) -> list[SegmentRecord]:
        records = self.inner.translate(segments, ids=ids, exclude=exclude, progress=progress)
        return score_records(
            records, self.model, config=self.config, calibration=self.calibration, second=self.second
        )
