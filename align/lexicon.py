"""A bilingual lexicon learned from the document pair itself (hunalign's bootstrap idea).

After a first alignment pass, the sentences of its beads are taken as a small
parallel corpus and an IBM-Model-1 translation table ``t(e | z)`` is trained on
them by EM, seeded with CC-CEDICT: pairs the dictionary knows start with a
higher probability.  Names and terms of *this* text (a character name, its
pinyin or its English rendering, a recurring object) become evidence without
any outside resource.

Tokens: on the Chinese side, dictionary words by greedy longest match with
single characters for the rest (names are mostly not in the dictionary);
Latin words and numbers as themselves.  On the English side, content-word
stems (:func:`align.dictionary.stem`).

The bead similarity is the mean, over both sides, of the share of tokens
explained by the other side: an English token is explained by the best
Chinese token of the bead, ``min(1, max_z t(e|z) / t_full)``; a Chinese token
likewise by ``max_e t(e|z)`` — so a long sentence facing half of its
translation scores about one half.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termalign.align.beads import Bead
from termalign.align.dictionary import STOPWORDS, CedictIndex, stem
from termalign.align.document import Sentence
from termalign.align.script import is_cjk
from termalign.align.similarity import Scorer

__all__ = [
    "LexiconSimilarity",
    "TranslationTable",
    "WordEvidence",
    "WordTable",
    "cedict_table",
    "train_model1",
    "zh_tokens",
    "en_tokens",
]

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+")
_LATIN = re.compile(r"[A-Za-z0-9]+")
_MAX_WORD = 6
NULL = "<null>"
MIX_LIMITS = (0.01, 0.9)  # bounds of the estimated share of translated tokens (WordEvidence.fit_mix)


def zh_tokens(text: str, index: CedictIndex | None) -> list[str]:
    """Dictionary words (greedy longest match), single characters otherwise, Latin words as is."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if is_cjk(ch):
            for size in range(min(_MAX_WORD, len(text) - i), 1, -1):
                piece = text[i : i + size]
                if index is not None and piece in index:
                    out.append(piece)
                    i += size
                    break
            else:
                out.append(ch)
                i += 1
            continue
        match = _LATIN.match(text, i)
        if match:
            out.append(match.group().lower())
            i = match.end()
        else:
            i += 1
    return out


def en_tokens(text: str) -> list[str]:
    """Stems of the content words (stopwords and one-letter words dropped)."""
    return [stem(w) for w in _EN_WORD.findall(text) if len(w) >= 2 and w.lower() not in STOPWORDS]


@dataclass(frozen=True)
class TranslationTable:
    """``t(e | z)``, pruned to entries worth keeping, both ways for lookup."""

    forward: dict[str, dict[str, float]]  # z -> {e: t(e|z)}

    def best_for_e(self, e: str, zs: Sequence[str]) -> float:
        return max((self.forward.get(z, {}).get(e, 0.0) for z in zs), default=0.0)

    def best_for_z(self, z: str, es: frozenset[str]) -> float:
        row = self.forward.get(z)
        if not row:
            return 0.0
        return max((row.get(e, 0.0) for e in es), default=0.0)


def train_model1(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    seed: CedictIndex | None = None,
    seed_boost: float = 5.0,
    iterations: int = 5,
    keep_above: float = 0.02,
) -> TranslationTable:
    """IBM Model 1 by EM on (Chinese tokens, English tokens) pairs, seeded with CC-CEDICT."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for zs, es in pairs:
        for z in (*zs, NULL):
            row = t[z]
            glosses = seed.stems(z) if seed is not None and len(z) > 1 else frozenset()
            for e in es:
                row[e] = seed_boost if e in glosses else 1.0
    for row in t.values():  # normalise the initial weights per source token
        total = sum(row.values())
        for e in row:
            row[e] /= total
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for zs, es in pairs:
            sources = (*zs, NULL)
            for e in es:
                denom = sum(t[z].get(e, 0.0) for z in sources)
                if denom <= 0:
                    continue
                for z in sources:
                    value = t[z].get(e, 0.0)
                    if value:
                        counts[z][e] += value / denom
        t = defaultdict(dict)
        for z, row in counts.items():
            total = sum(row.values())
            t[z] = {e: c / total for e, c in row.items()}
    forward = {z: {e: p for e, p in row.items() if p >= keep_above} for z, row in t.items() if z != NULL}
    return TranslationTable({z: row for z, row in forward.items() if row})


class LexiconSimilarity:
    """``--similarity lexicon``: an IBM-1 table trained on the first pass, scoring the second."""

    name = "lexicon"

    def __init__(self, index: CedictIndex | None, *, zh_side: str = "source", full: float = 0.25) -> None:
        self.index, self.zh_side, self.full = index, zh_side, full

    def bind(
        self, source: Sequence[Sentence], target: Sequence[Sentence], first_pass: Sequence[Bead]
    ) -> Scorer:
        zh, en = (source, target) if self.zh_side == "source" else (target, source)
        ztok = {s.id: zh_tokens(s.view, self.index) for s in zh}
        etok = {s.id: en_tokens(s.text) for s in en}
        pairs = []
        for bead in first_pass:
            zids, eids = (
                (bead.source_ids, bead.target_ids)
                if self.zh_side == "source"
                else (bead.target_ids, bead.source_ids)
            )
            if zids and eids:
                pairs.append(([z for i in zids for z in ztok[i]], [e for i in eids for e in etok[i]]))
        table = train_model1(pairs, seed=self.index)
        full, zh_is_source = self.full, self.zh_side == "source"

        def score(src: Sequence[Sentence], tgt: Sequence[Sentence]) -> float:
            zs_sents, es_sents = (src, tgt) if zh_is_source else (tgt, src)
            zs = [z for s in zs_sents for z in ztok.get(s.id, ())]
            es = [e for s in es_sents for e in etok.get(s.id, ())]
            if not zs or not es:
                return 0.0
            zset, eset = list(dict.fromkeys(zs)), frozenset(es)
            e_share = sum(min(1.0, table.best_for_e(e, zset) / full) for e in es) / len(es)
            known = [z for z in zs if z in table.forward]
            if not known:
                return e_share
            z_share = sum(min(1.0, table.best_for_z(z, eset) / full) for z in known) / len(known)
            return (e_share + z_share) / 2.0

        score.name = "lexicon-ibm1"  # type: ignore[attr-defined]
        return score


@dataclass(frozen=True)
class WordTable:
    """Word translation probabilities both ways: ``t(e | z)`` and ``t(z | e)``."""

    forward: dict[str, dict[str, float]]  # Chinese token -> {English token: t(e|z)}
    backward: dict[str, dict[str, float]]  # English token -> {Chinese token: t(z|e)}


def cedict_table(zh_vocabulary: Iterable[str], index: CedictIndex | None) -> WordTable:
    """A table from CC-CEDICT for the Chinese tokens of one document.

    ``t(e | z)`` spreads evenly over the gloss stems of ``z`` (a single
    character: its first senses, :meth:`CedictIndex.char_stems`); a Latin
    word or number kept in the Chinese text translates to itself.  ``t(z | e)``
    spreads evenly over the document's Chinese tokens whose glosses hold ``e``.
    """
    forward: dict[str, dict[str, float]] = {}
    for z in zh_vocabulary:
        if not is_cjk(z[0]):
            glosses = frozenset({stem(z)}) if len(z) >= 2 or z.isdigit() else frozenset()
        elif index is None:
            glosses = frozenset()
        else:
            glosses = index.stems(z) if len(z) > 1 else index.char_stems(z)
        if glosses:
            forward[z] = {e: 1.0 / len(glosses) for e in glosses}
    sources: dict[str, list[str]] = defaultdict(list)
    for z, row in forward.items():
        for e in row:
            sources[e].append(z)
    backward = {e: {z: 1.0 / len(zs) for z in zs} for e, zs in sources.items()}
    return WordTable(forward, backward)


class WordEvidence:
    """Lexical evidence of a bead in nats: how much better its words are explained by each other.

    IBM Model 1 with a background: an English token ``e`` of the bead is
    generated either by the unigram model of the document, ``p0(e)``, or by
    a Chinese token of the bead chosen uniformly (a null token included),
    ``p(e | Z) = (1 - λ) p0(e) + λ Σ_z t(e|z) / (|Z| + 1)``.  The evidence is
    the log-likelihood ratio against the background, summed over the tokens
    of both sides in both directions and halved.  Its cost is minus that:

    * a sentence moved into the wrong bead loses the gain of its explained
      words and pays ``-log(1 - λ)`` for each;
    * joining two beads dilutes every ``t(e|z)`` by the other bead's tokens
      (the ``1 / (|Z| + 1)``), so a merge must earn its length with words
      the other bead explains — the normalisation Vecalign gets from random pairs.

    Beads with an empty side have no evidence (cost 0: their prior pays).
    Indices are sentence positions in the two token lists given.
    """

    def __init__(
        self,
        zh: Sequence[Sequence[str]],
        en: Sequence[Sequence[str]],
        table: WordTable,
        mix: float = 0.5,
    ) -> None:
        self._table = table
        self.mix = mix
        self._zh = [Counter(tokens) for tokens in zh]
        self._en = [Counter(tokens) for tokens in en]
        self._zh_size = [len(tokens) for tokens in zh]
        self._en_size = [len(tokens) for tokens in en]
        base = math.log(1.0 - mix)
        gain = self._gain = mix / (1.0 - mix)
        # Per sentence: Σ_z t(e|z) for each e it can explain (and the other way round).
        self._explains_en = [_explained(c, table.forward) for c in self._zh]
        self._explains_zh = [_explained(c, table.backward) for c in self._en]
        self._weight_en = _weights(self._en, gain)
        self._weight_zh = _weights(self._zh, gain)
        self._base = base
        self._pooled: dict[tuple[str, int, int], tuple[dict[str, float], int]] = {}
        self._side: dict[tuple[str, int, int, int], float] = {}

    def with_mix(self, mix: float) -> WordEvidence:
        """The same evidence with another ``λ`` (caches start empty)."""
        out = WordEvidence([], [], self._table, mix)
        out._zh, out._en, out._zh_size, out._en_size = self._zh, self._en, self._zh_size, self._en_size
        out._explains_en, out._explains_zh = self._explains_en, self._explains_zh
        gain = mix / (1.0 - mix)
        out._weight_en = {t: w / self._gain * gain for t, w in self._weight_en.items()}
        out._weight_zh = {t: w / self._gain * gain for t, w in self._weight_zh.items()}
        return out

    def fit_mix(self, beads: Sequence[tuple[int, int, int, int]], iterations: int = 20) -> float:
        """``λ`` by EM on beads ``(zi0, zi1, ej0, ej1)`` of a first pass: the share of translated tokens.

        How much of a translation a dictionary explains depends on the text
        (a technical FAQ, a novel) and on the translator; a fixed ``λ`` makes
        long beads of a freely translated text look worse than leaving both
        sides unaligned.
        """
        ratios: list[float] = []  # Σ t / ((|Z| + 1) p0) for each token of each bead, both directions
        for zi0, zi1, ej0, ej1 in beads:
            if zi1 <= zi0 or ej1 <= ej0:
                continue
            for side, a0, a1, b0, b1 in (("z", zi0, zi1, ej0, ej1), ("e", ej0, ej1, zi0, zi1)):
                pooled, size = self._pool(side, a0, a1)
                weights = self._weight_en if side == "z" else self._weight_zh
                for b in range(b0, b1):
                    tokens = self._en[b] if side == "z" else self._zh[b]
                    for token, count in tokens.items():
                        value = weights[token] / self._gain * pooled.get(token, 0.0) / (size + 1)
                        ratios.extend([value] * count)
        if not ratios:
            return self.mix
        mix = self.mix
        for _ in range(iterations):
            mix = sum(mix * r / (mix * r + 1.0 - mix) for r in ratios) / len(ratios)
            mix = min(max(mix, MIX_LIMITS[0]), MIX_LIMITS[1])
        return mix

    def cost(self, zi0: int, zi1: int, ej0: int, ej1: int) -> float:
        """Minus the evidence of the bead Chinese ``[zi0, zi1)`` with English ``[ej0, ej1)``."""
        if zi1 <= zi0 or ej1 <= ej0:
            return 0.0
        gain = sum(self._side_gain("z", zi0, zi1, j) for j in range(ej0, ej1))
        gain += sum(self._side_gain("e", ej0, ej1, i) for i in range(zi0, zi1))
        return -gain / 2.0

    def _side_gain(self, side: str, a0: int, a1: int, b: int) -> float:
        """Log-likelihood ratio of sentence ``b``'s tokens given sentences ``[a0, a1)`` of the other side."""
        key = (side, a0, a1, b)
        value = self._side.get(key)
        if value is None:
            pooled, size = self._pool(side, a0, a1)
            tokens, weights = (
                (self._en[b], self._weight_en) if side == "z" else (self._zh[b], self._weight_zh)
            )
            value = self._base * sum(tokens.values())
            if pooled:
                norm = 1.0 / (size + 1)
                for token, count in tokens.items():
                    hit = pooled.get(token)
                    if hit:
                        value += count * math.log1p(weights[token] * hit * norm)
            self._side[key] = value
        return value

    def _pool(self, side: str, a0: int, a1: int) -> tuple[dict[str, float], int]:
        key = (side, a0, a1)
        found = self._pooled.get(key)
        if found is None:
            rows, sizes = (
                (self._explains_en, self._zh_size) if side == "z" else (self._explains_zh, self._en_size)
            )
            if a1 - a0 == 1:
                found = (rows[a0], sizes[a0])
            else:
                pooled: dict[str, float] = defaultdict(float)
                for k in range(a0, a1):
                    for token, value in rows[k].items():
                        pooled[token] += value
                found = (dict(pooled), sum(sizes[a0:a1]))
            self._pooled[key] = found
        return found


def _explained(tokens: Counter[str], table: dict[str, dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for token, count in tokens.items():
        for other, p in table.get(token, {}).items():
            out[other] += count * p
    return dict(out)


def _weights(sentences: Sequence[Counter[str]], gain: float) -> dict[str, float]:
    """``λ / ((1 - λ) p0(token))`` with add-one unigram probabilities over the document."""
    counts: Counter[str] = Counter()
    for c in sentences:
        counts.update(c)
    total = sum(counts.values()) + len(counts)
    return {token: gain * total / (n + 1) for token, n in counts.items()}
