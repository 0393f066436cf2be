"""Checking the top candidates' renderings with a translation model (optional, slow).

The model is asked nothing; it scores.  For each of the ``top`` best candidates, the mean
log-probability per token of the English rendering (and its end token) as the translation of
the Chinese term on its own, by forced decoding (``score_batch`` behind
``GeneratorEngine.score_translations``).  The candidate's score is multiplied by
``exp(weight · mean log-prob)``, so a rendering the model finds unlikely (模型需要数据 →
"model needs data") sinks and a dictionary-like one (混合专家 → "mixture of experts") keeps
its place; candidates below ``top`` are not scored and keep their order after them.

The termbase layer cannot import the translator, so the scorer is passed in: any callable
``(sources, targets) -> per-token log-probs`` (the CLI or the bench builds it from an engine).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from termalign.termbase.extract import Candidate

__all__ = ["Context", "Scorer", "verify_in_context", "verify_renderings"]

Scorer = Callable[[Sequence[str], Sequence[str]], list[list[float]]]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / max(len(values), 1)


def verify_renderings(
    cands: Sequence[Candidate],
    scorer: Scorer,
    *,
    top: int = 200,
    weight: float = 1.0,
    contrast: str | None = None,
) -> list[Candidate]:
    """The ``top`` candidates re-scored by the model's likelihood of each rendering, then the rest.

    ``contrast``: a neutral text (``"。"``); the likelihood is then taken relative to the
    rendering's likelihood as the translation of that text (a pointwise mutual information),
    so a rendering the model would write anyway (``model``, ``data``) gains nothing.
    """
    head, tail = list(cands[:top]), list(cands[top:])
    if not head:
        return tail
    targets = [c.target for c in head]
    log_probs = scorer([c.source for c in head], targets)
    prior = scorer([contrast] * len(head), targets) if contrast is not None else [[0.0]] * len(head)
    rescored = []
    for cand, lp, base in zip(head, log_probs, prior, strict=True):
        mean = _mean(lp) - _mean(base)
        rescored.append(replace(cand, score=round(cand.score * math.exp(weight * mean), 6)))
    rescored.sort(key=lambda c: (-c.score, -c.count_pair, c.source, c.target))
    return rescored + tail


# (Chinese sentence, English text before the rendering, the rendering as written there)
Context = tuple[str, str, str]


def verify_in_context(
    cands: Sequence[Candidate],
    scorer: Scorer,
    contexts: Sequence[Context | None],
    *,
    top: int = 100,
    weight: float = 1.0,
) -> list[Candidate]:
    """The ``top`` candidates re-scored by the rendering's likelihood inside one of its sentences.

    For a candidate with a context ``(zh, before, rendering)``: the model translates ``zh``
    and is forced through ``before``; the mean log-probability per token of ``rendering`` after
    it is ``(log P(before + rendering) − log P(before)) / tokens`` (the end token left out of
    both).  Two forced decodings per candidate, each the length of a sentence (about three
    times the tokens of scoring the term alone).  A candidate without a context keeps its score.
    """
    head, tail = list(cands[:top]), list(cands[top:])
    asked = [(k, c) for k, c in enumerate(contexts[: len(head)]) if c is not None]
    if not asked:
        return head + tail
    sources = [c[0] for _, c in asked for _ in (0, 1)]
    targets = [t for _, c in asked for t in (c[1].rstrip(), (c[1] + c[2]).rstrip())]
    log_probs = scorer(sources, targets)
    factor = {}
    for n, (k, _) in enumerate(asked):
        before, full = log_probs[2 * n][:-1], log_probs[2 * n + 1][:-1]
        tokens = max(len(full) - len(before), 1)
        factor[k] = math.exp(weight * (sum(full) - sum(before)) / tokens)
    rescored = [replace(c, score=round(c.score * factor.get(k, 1.0), 6)) for k, c in enumerate(head)]
    rescored.sort(key=lambda c: (-c.score, -c.count_pair, c.source, c.target))
    return rescored + tail
