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

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from termalign.align.beads import Bead
from termalign.align.dictionary import STOPWORDS, CedictIndex, stem
from termalign.align.document import Sentence
from termalign.align.script import is_cjk
from termalign.align.similarity import Scorer

__all__ = ["LexiconSimilarity", "TranslationTable", "train_model1", "zh_tokens", "en_tokens"]

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+")
_LATIN = re.compile(r"[A-Za-z0-9]+")
_MAX_WORD = 6
NULL = "<null>"


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
