"""Pluggable sentence similarities for the cost layer's extra-scorer hook.

A :data:`Scorer` maps (source sentences, target sentences) of a candidate bead
to a similarity in ``[0, 1]``; :class:`~align.costs.BeadCost` adds
``w_extra * (1 - similarity)`` per unit.  A :class:`Similarity` is what
``termalign align --similarity`` names: it is *bound* to a document pair after a
fast first pass (it may learn from that pass, as the lexicon does, or spend a
model only where the pass was unsure) and returns the scorer for the second.

The registered similarities (:data:`SIMILARITIES`): ``none`` (length, anchors
and CC-CEDICT only), ``lexicon`` (:mod:`align.lexicon`: an IBM-Model-1 table
trained on the pair itself).  ``mt`` (a translation model) is built above the
align layer, which may not import the translator: see
:class:`TranslationSimilarity`, which takes the translate function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from termalign.align.document import Sentence

if TYPE_CHECKING:
    from termalign.align.beads import Bead

__all__ = ["Scorer", "Similarity", "TranslationSimilarity", "chrf", "char_ngrams"]

Scorer = Callable[[Sequence[Sentence], Sequence[Sentence]], float]


class Similarity(Protocol):
    """A similarity mode: bound to a pair after the first pass, it returns the scorer for the second."""

    name: str

    def bind(
        self, source: Sequence[Sentence], target: Sequence[Sentence], first_pass: Sequence[Bead]
    ) -> Scorer: ...


def char_ngrams(text: str, n: int) -> Counter[str]:
    """Character n-grams of a text with spaces removed (chrF's view)."""
    flat = "".join(text.lower().split())
    return Counter(flat[k : k + n] for k in range(len(flat) - n + 1))


def chrf(hypothesis: Counter[str] | str, reference: Counter[str] | str, beta: float = 2.0) -> float:
    """chrF of one n-gram order (Popović 2015): F-beta of character n-gram precision and recall."""
    hyp = char_ngrams(hypothesis, 3) if isinstance(hypothesis, str) else hypothesis
    ref = char_ngrams(reference, 3) if isinstance(reference, str) else reference
    if not hyp or not ref:
        return 0.0
    common = sum((hyp & ref).values())
    if not common:
        return 0.0
    p, r = common / sum(hyp.values()), common / sum(ref.values())
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r)


class TranslationSimilarity:
    """Bleualign's idea: translate the source side once, compare candidates by chrF (3-grams).

    ``translate`` turns a list of source sentences into target-language text
    (the caller caches and batches it).  With ``only_unsure`` set, only the
    source sentences of first-pass beads scoring below ``unsure_below`` (and
    their neighbours) are translated; other beads keep a neutral similarity.
    The chrF of a correct pair is far below 1, so the value is rescaled:
    ``min(1, chrf / reference)``.
    """

    name = "mt"

    def __init__(
        self,
        translate: Callable[[list[str]], list[str]],
        *,
        only_unsure: bool = False,
        unsure_below: float = 0.5,
        reference: float = 0.45,
    ) -> None:
        self._translate, self.only_unsure = translate, only_unsure
        self.unsure_below, self.reference = unsure_below, reference

    def bind(
        self, source: Sequence[Sentence], target: Sequence[Sentence], first_pass: Sequence[Bead]
    ) -> Scorer:
        wanted = [s.id for s in source]
        if self.only_unsure:
            order = {s.id: k for k, s in enumerate(source)}
            near: set[int] = set()
            for bead in first_pass:
                if bead.score < self.unsure_below:
                    for sid in bead.source_ids:
                        near.update(range(order[sid] - 1, order[sid] + 2))
            wanted = [s.id for k, s in enumerate(source) if k in near]
        by_id = {s.id: s.text for s in source}
        texts = self._translate([by_id[i] for i in wanted])
        translated = {i: char_ngrams(t, 3) for i, t in zip(wanted, texts, strict=True)}
        reference = self.reference

        def score(src: Sequence[Sentence], tgt: Sequence[Sentence]) -> float:
            if not src or not tgt:
                return 0.0
            if any(s.id not in translated for s in src):
                return 0.5
            hyp: Counter[str] = Counter()
            for s in src:
                hyp.update(translated[s.id])
            ref = char_ngrams(" ".join(t.text for t in tgt), 3)
            return min(1.0, chrf(hyp, ref) / reference)

        score.name = "mt-chrf"  # type: ignore[attr-defined]
        return score
