"""Term pairs from aligned sentence pairs: termhood on each side × word-alignment association.

The method (``term extract``'s default; :func:`termbase.extract.extract_candidates`
is the older co-occurrence ranking, kept as ``--method cooc``):

1. Candidates on each side with their termhood (:mod:`termbase.termhood`:
   POS patterns, C-value, background frequency from ``wordfreq``).
2. An IBM-1 word alignment in both directions, trained by EM on the pairs and
   seeded with CC-CEDICT (:mod:`termbase.wordalign`).
3. For every Chinese span ``S`` and English span ``T`` in the same pair, the
   phrase-pair consistency ``a(S, T) = √(fwd · bwd)``: ``fwd`` is the share of
   T's words aligned into S, ``bwd`` the share of S's words aligned into T (so a
   T that also covers words aligned elsewhere, or misses some, scores lower).
   Summed over pairs (best occurrence per pair) this is ``A(s, t)``, an
   alignment-weighted co-occurrence count.
4. ``score = 2A / (c(s) + c(t)) · log2(1 + A) · h(s) · h(t)``, where
   ``h(x) = th / (th + 1)`` squashes the termhood of each side into [0, 1).
   Each source keeps one target, its rendering: the target its occurrences
   align to most consistently (``A² / pairs``, :func:`_rendering_order`), not
   the best-scoring one; one target may serve two sources (variants such as
   控制面 / 控制平面).  A Chinese verb rendered by an English verb (运行 → run)
   is demoted (``verb_pair_weight``).  A pair the text marks as a term (quotes on
   both sides, a bracketed gloss, an acronym the English spells: :mod:`termbase.marked`)
   counts ``1 + marked_weight`` times; one-off Chinese forms of one English term
   (思维链 / 链式思维) pool their evidence and termhood (:func:`_variants`), and the pairs
   where another written form renders the term (控制面 / 控制平面) do not count against a
   form (:func:`_other_forms`).  An English verb counts as its action noun (evicted →
   eviction, :func:`_with_action_nouns`); a Chinese string that renders an English name
   wherever it occurs (中芯国际 / SMIC) is given to jieba as a word.  A span opened by a
   CamelCase name (the DefaultStorageClass admission controller) discounts nothing inside it
   in C-value (:func:`_name_opened`): the name makes an instance of the term, not a longer term.

Latin spans identical on both sides (R1, H800, Kubernetes, kube-proxy) are a
separate kind, ``name`` (do not translate), ranked by their own evidence.
Costs: tokenising and POS tagging dominate (jieba); EM over ~1,000 pairs is
well under a second with numpy.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from termalign.termbase.extract import AlignedPair, Candidate, _cedict_agrees, _cedict_stems, _stem
from termalign.termbase.marked import pair_marks
from termalign.termbase.termhood import (
    WEIRDNESS_CAP,
    SideStats,
    Span,
    Token,
    action_noun_spans,
    en_spans,
    en_tokens,
    name_anchored_words,
    side_stats,
    zh_spans,
    zh_tokens,
)
from termalign.termbase.wordalign import BiAligner, train_bidirectional

__all__ = ["TermConfig", "extract_terms", "side_statistics"]


@dataclass(frozen=True)
class TermConfig:
    """Settings of the termhood × alignment extraction (resolved at the CLI edge)."""

    min_count: int = 1  # pairs each side's term must occur in
    max_ngram: int = 4
    top: int = 0
    per_source: int = 1
    per_target: int = 2
    min_align: float = 0.2  # a phrase pair counts in a pair only above this consistency
    min_score: float = 0.01
    single_char_weirdness: float = 0.5  # a one-character Chinese term: ≥ 3× its background rate
    use_cedict: bool = True
    cedict_boost: float = (
        0.0  # extra weight when CC-CEDICT agrees with the pair (every English content word in a definition)
    )
    frequency_weight: float = 1.0  # exponent on log2(1 + A)
    termhood_half: float = 1.0  # termhood at which its factor h(x) = th / (th + half) is 1/2
    skip_flagged: bool = True
    max_examples: int = 3
    iterations: int = 12
    user_words: tuple[str, ...] = ()
    specificity_weight: float = 0.0  # exponent on both sides' background ratio (0: not used)
    specificity_full: float = WEIRDNESS_CAP  # mean log10 ratio from which that factor is 1
    verb_pair_weight: float = 0.5  # factor on a Chinese verb rendered by an English verb (运行 → run)
    verb_clauses_not_parents: bool = True  # C-value: a verb-initial span discounts nothing inside
    rendering: str = "align"  # how each source's target is chosen: "align" (consistency) or "score"
    english_fixes: bool = True  # plurals folded, capitalised verbs as names, hyphenated words whole
    dictionary_words: bool = True  # jieba also knows CC-CEDICT's headwords (termhood.dictionary_words)
    pool_variants: bool = True  # pool the evidence of other Chinese forms of a term (_variants)
    variant_max_count: int = 1  # only one-off forms pool (a frequent one ranks on its own evidence)
    variant_align: float = 0.2  # a variant counts where it aligns at all on average (min_align; stop 20: 0.5)
    marked_weight: float = 1.0  # extra factor on a pair the text marks as a term (termbase.marked)
    action_nouns: bool = True  # an English verb counts as its action noun (evicted → eviction)
    action_noun_cap: bool = True  # …in at most as many pairs as the noun itself (create ≫ creation: a verb)
    drop_quantities: bool = True  # a numeral + classifier word (万亿个, 两种) is never part of a term
    name_words: bool = True  # jieba also gets the Chinese strings that render an English name (中芯国际)
    other_forms: bool = True  # pairs where another form (控制面 / 控制平面) renders t are not against s
    form_substitution: bool = True  # …also a form with one character swapped (名字空间 / 命名空间)
    pool_termhood: bool = True  # pooled forms also add their termhood (a term's frequency is all its forms')
    # C-value: a span opened by a name (DefaultStorageClass …) discounts nothing inside it
    name_parents: bool = True


@dataclass
class _Side:
    tokens: list[list[Token]]  # words only (breakers removed), per pair
    spans: list[list[Span]]
    stats: SideStats

    tags: dict[str, Counter[str]] = field(default_factory=dict)  # one-word keys: their tags

    def verb(self, key: str) -> bool:
        """A one-word key tagged as a plain verb in most of its occurrences (jieba ``v``)."""
        tags = self.tags.get(key)
        return tags is not None and bool(tags) and tags.most_common(1)[0][0] == "v"


def _tags(words_per_pair: Sequence[Sequence[Token]]) -> dict[str, Counter[str]]:
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    for words in words_per_pair:
        for tok in words:
            tags[tok.key][tok.tag] += 1
    return tags


def _prepare(pairs: Sequence[AlignedPair], config: TermConfig) -> tuple[_Side, _Side]:
    words = config.user_words
    if config.name_words:
        words += name_anchored_words(
            [p.source for p in pairs], [p.target for p in pairs], dictionary=config.dictionary_words
        )
    zh_all = [zh_tokens(p.source, words, dictionary=config.dictionary_words) for p in pairs]
    en_all = [en_tokens(p.target, fixes=config.english_fixes) for p in pairs]
    zh_sp = [zh_spans(t, config.max_ngram, quantities=config.drop_quantities) for t in zh_all]
    en_sp = [en_spans(t, config.max_ngram, hyphens_whole=config.english_fixes) for t in en_all]
    zh_words = [[t for t in ts if t is not None] for ts in zh_all]
    en_words = [[t for t in ts if t is not None] for ts in en_all]
    if config.action_nouns:
        en_sp = _with_action_nouns(en_sp, en_words, config.action_noun_cap)
    clauses = frozenset(
        s.key
        for words, spans in zip(zh_words, zh_sp, strict=True)
        for s in spans
        if config.verb_clauses_not_parents and s.end - s.start >= 2 and _clause_start(words[s.start])
    )
    named = frozenset[str]()
    if config.name_parents:
        named = _name_opened(zh_words, zh_sp) | _name_opened(en_words, en_sp)
    zh_stats = side_stats(zh_sp, [len(w) for w in zh_words], "zh", clauses | named)
    en_stats = side_stats(en_sp, [len(w) for w in en_words], "en", named)
    return _Side(zh_words, zh_sp, zh_stats, _tags(zh_words)), _Side(en_words, en_sp, en_stats)


def _with_action_nouns(en_sp: list[list[Span]], en_words: list[list[Token]], cap: bool) -> list[list[Span]]:
    """Each pair's spans plus its verbs as their action nouns (:func:`termhood.action_noun_spans`).

    ``cap``: a noun gains verb uses in at most as many pairs as it occurs in itself, so a verb
    the text writes far more often than its noun (create 52 ×, creation 4 ×) stays a verb.
    """
    noun_pairs: Counter[str] = Counter()
    for spans in en_sp:
        noun_pairs.update({s.key for s in spans if s.end - s.start == 1})
    nouns = frozenset(noun_pairs)
    out, verb_pairs = [], Counter[str]()
    for spans, words in zip(en_sp, en_words, strict=True):
        extra = [
            s for s in action_noun_spans(words, nouns) if not cap or verb_pairs[s.key] < noun_pairs[s.key]
        ]
        verb_pairs.update({s.key for s in extra})
        out.append(spans + extra)
    return out


def _name_opened(
    words_per_pair: Sequence[Sequence[Token]], spans_per_pair: Sequence[Sequence[Span]]
) -> frozenset[str]:
    """Keys of spans opened by a written name, a Latin word with a capital inside (DefaultStorageClass,
    DaemonSet), before more words.

    A name in front makes an instance of the term after it (the DefaultStorageClass admission
    controller is an admission controller), not a longer term: in C-value it discounts nothing inside.
    """
    return frozenset(
        s.key
        for words, spans in zip(words_per_pair, spans_per_pair, strict=True)
        for s in spans
        if s.end - s.start >= 2 and _written_name(words[s.start])
    )


def _written_name(tok: Token) -> bool:
    text = tok.text
    if not text.isascii() or not text[:1].isalpha() or text.isupper():
        return False  # acronyms (API, QoS's Q…) are often the term's own head: API server
    return any(c.isupper() for c in text[1:])  # a capitalised word alone may open a sentence or be "Aha"


def _clause_start(tok: Token) -> bool:
    """A two-character plain verb (jieba ``v``) opening a span: 扩缩 in 扩缩集群基础设施."""
    return tok.tag == "v" and len(tok.text) >= 2


def _seed(use_cedict: bool) -> Callable[[str, str], bool]:
    def seed(zh: str, en: str) -> bool:
        if zh.isascii():
            return zh == en
        return use_cedict and _stem(en) in _cedict_stems(zh)

    return seed


def _is_latin(key: str) -> bool:
    return key.replace(" ", "").replace("-", "").replace(".", "").isascii()


def _squash(x: float, half: float) -> float:
    return x / (x + half) if x > 0 else 0.0


@dataclass
class _Evidence:
    align: defaultdict[tuple[str, str], float]
    cooc: Counter[tuple[str, str]]
    examples: dict[tuple[str, str], list[str]]
    covered_zh: Counter[str] = field(
        default_factory=Counter
    )  # pairs where the term only sat inside a longer one
    covered_en: Counter[str] = field(default_factory=Counter)
    marked: Counter[tuple[str, str]] = field(default_factory=Counter)  # pairs that mark the pair a term
    where: defaultdict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))


def _pair_scores(
    zs: list[Span], es: list[Span], e2f: np.ndarray, f2e: np.ndarray, nf: int, ne: int
) -> np.ndarray:
    """``a(S, T)`` for every Chinese span (rows) and English span (columns) of one pair."""
    s_ind = np.zeros((len(zs), nf))
    for k, s in enumerate(zs):
        s_ind[k, s.start : s.end] = 1.0
    t_ind = np.zeros((len(es), ne))
    for k, t in enumerate(es):
        t_ind[k, t.start : t.end] = 1.0
    t_len = t_ind.sum(axis=1)
    s_len = s_ind.sum(axis=1)
    fwd = (s_ind @ e2f.T) @ t_ind.T / t_len[None, :]  # share of T's words aligned into S
    bwd = (s_ind @ f2e) @ t_ind.T / s_len[:, None]  # share of S's words aligned into T
    return np.sqrt(np.clip(fwd, 0, 1) * np.clip(bwd, 0, 1))


def _collect(
    pairs: Sequence[AlignedPair], zh: _Side, en: _Side, aligner: BiAligner, config: TermConfig
) -> _Evidence:
    ev = _Evidence(defaultdict(float), Counter(), defaultdict(list))
    for k, pair in enumerate(pairs):
        zs = [s for s in zh.spans[k] if _usable(s.key, zh.stats, config, chinese=True)]
        es = [t for t in en.spans[k] if _usable(t.key, en.stats, config, chinese=False)]
        if not zs or not es:
            continue
        fw = [t.key for t in zh.tokens[k]]
        ew = [t.key.lower() for t in en.tokens[k]]
        e2f, f2e = aligner.posteriors(fw, ew)
        scores = _pair_scores(zs, es, e2f, f2e, len(fw), len(ew))
        best: dict[tuple[str, str], float] = {}
        column_best = scores.max(axis=0)
        surfaces: dict[tuple[str, str], tuple[str, str]] = {}
        rows, cols = np.nonzero(scores >= config.min_align)
        strong = [
            (r, c)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            if zh.stats.count[zs[r].key] >= 2 and en.stats.count[es[c].key] >= 2
        ]
        # per key, its best alignment here inside a longer pair vs on its own
        covered_zh: dict[str, float] = {}
        covered_en: dict[str, float] = {}
        free_zh: dict[str, float] = {}
        free_en: dict[str, float] = {}
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            value = float(scores[r, c])
            inside = _covered(r, c, zs, es, scores, strong)
            for table, side_key in (
                (covered_zh if inside else free_zh, zs[r].key),
                (covered_en if inside else free_en, es[c].key),
            ):
                table[side_key] = max(table.get(side_key, 0.0), value)
            if not inside:
                pair_key = (zs[r].key, es[c].key)
                best[pair_key] = max(best.get(pair_key, 0.0), value)
                if value >= column_best[c]:  # only the Chinese span that aligns best to it is marked
                    surfaces.setdefault(pair_key, (zs[r].surface, es[c].surface))
        ev.covered_zh.update(w for w, v in covered_zh.items() if v >= free_zh.get(w, 0.0))
        ev.covered_en.update(w for w, v in covered_en.items() if v >= free_en.get(w, 0.0))
        marks = pair_marks(pair.source, pair.target) if config.marked_weight else None
        for key, value in best.items():
            ev.align[key] += value
            if marks is not None and key in surfaces and marks.marked(*surfaces[key]):
                ev.marked[key] += 1
            ev.cooc[key] += 1
            ev.where[key].add(k)
            if len(ev.examples[key]) < config.max_examples:
                ev.examples[key].append(pair.id or str(k + 1))
    return ev


def _covered(
    r: int, c: int, zs: list[Span], es: list[Span], scores: np.ndarray, strong: list[tuple[int, int]]
) -> bool:
    """A longer recurring pair around this one aligns as well here (控制 inside 控制面 / control plane)."""
    s, t, value = zs[r], es[c], scores[r, c]
    for r2, c2 in strong:
        if (r2, c2) == (r, c) or scores[r2, c2] < 0.9 * value:
            continue
        s2, t2 = zs[r2], es[c2]
        if s2.start <= s.start and s.end <= s2.end and t2.start <= t.start and t.end <= t2.end:
            return True
    return False


def _usable(key: str, stats: SideStats, config: TermConfig, *, chinese: bool) -> bool:
    if stats.count[key] < config.min_count:
        return False
    if stats.termhood.get(key, 0.0) <= 0 and not (chinese and stats.nested_count.get(key, 0.0) > 0):
        return False  # a Chinese side with no termhood may still render an English proper noun
    if chinese and _is_latin(key):
        return False  # all-Latin Chinese spans are names (below), never translated terms
    return not (chinese and len(key) == 1 and stats.weirdness.get(key, 0.0) < config.single_char_weirdness)


def _english_verb(key: str) -> bool:
    """A one-word English key the lexicon also knows as a verb (run, read; not eviction)."""
    from lemminflect import getAllLemmas

    return " " not in key and "VERB" in getAllLemmas(key)


def _specificity(wz: float, we: float, config: TermConfig) -> float:
    """How far above general language both sides are: ``min(1, mean log10 ratio / full) ** weight``.

    The C-value termhood saturates for any frequent span, so on its own it ranks 数据 → data
    next to 芯片 → chip; this factor keeps the background rate of both sides in the score.
    Names (an English side always capitalised) are exempt: a name's rate says nothing.
    Off by default: measured, it helps the FAQ and costs k8s-docs (see the bench).
    """
    mean = (min(max(wz, 0.0), WEIRDNESS_CAP) + min(max(we, 0.0), WEIRDNESS_CAP)) / 2
    return float(min(1.0, mean / config.specificity_full) ** config.specificity_weight)


def _variants(zh: _Side, ev: _Evidence, config: TermConfig) -> dict[tuple[str, str], list[str]]:
    """Other Chinese forms of the same term: for ``(s, t)``, the ``s2`` also aligned to ``t`` that
    use the same characters (one's set inside the other's: 思维链 / 链式思维 / 推理链思维) and never
    share a pair with ``s`` (so they are alternatives, not a span and the spans inside it).
    """
    if not config.pool_variants:
        return {}
    by_target = _forms_by_target(ev, config, lambda s: zh.stats.count[s] <= config.variant_max_count)
    wanted = {s for group in by_target.values() if len(group) > 1 for s in group}
    where: dict[str, set[int]] = defaultdict(set)
    clause: set[str] = set()  # a verb at either edge (YAML 文件创建, 了解节点): a clause, not a form
    for k, spans in enumerate(zh.spans):
        for span in spans:
            if span.key in wanted:
                where[span.key].add(k)
                edges = (zh.tokens[k][span.start], zh.tokens[k][span.end - 1])
                if any(tok.tag == "v" for tok in edges):
                    clause.add(span.key)
    by_target = {t: [s for s in group if s not in clause] for t, group in by_target.items()}
    out: dict[tuple[str, str], list[str]] = {}
    for t, group in by_target.items():
        chars = {s: frozenset(s.replace(" ", "")) for s in group}
        for s in group:
            same = [
                s2
                for s2 in group
                if s2 != s and _same_characters(chars[s], chars[s2], False) and not where[s] & where[s2]
            ]
            if same:
                out[(s, t)] = same
    return out


def _forms_by_target(
    ev: _Evidence, config: TermConfig, keep: Callable[[str], bool] | None = None
) -> dict[str, list[str]]:
    """For each English target, the Chinese sources of two or more characters (not Latin, and ``keep``)
    that align to it at least ``variant_align`` on average: the candidates to be forms of one term."""
    by_target: dict[str, list[str]] = defaultdict(list)
    for (s, t), a in ev.align.items():
        aligned = a / max(ev.cooc[(s, t)], 1) >= config.variant_align
        if aligned and len(s) >= 2 and not _is_latin(s) and (keep is None or keep(s)):
            by_target[t].append(s)
    return by_target


def _same_characters(a: frozenset[str], b: frozenset[str], substitution: bool) -> bool:
    """One character set inside the other with at most two apart (控制面 / 控制平面), or with
    ``substitution`` one character swapped for another (名字空间 / 命名空间)."""
    if (a <= b or b <= a) and len(a ^ b) <= 2:
        return True
    return substitution and len(a & b) >= 2 and len(a - b) <= 1 and len(b - a) <= 1


def _other_forms(ev: _Evidence, config: TermConfig) -> dict[tuple[str, str], int]:
    """For ``(s, t)``: the pairs where another written form of ``s`` renders ``t`` and ``s`` does not.

    Another form uses the same characters (one's set inside the other's, at most two differ:
    控制面 / 控制平面 for "control plane").  Those pairs are not evidence against ``s``: the
    translator wrote the same term another way, so they leave ``t``'s count in the Dice.
    """
    if not config.other_forms:
        return {}
    by_target = _forms_by_target(ev, config)
    out: dict[tuple[str, str], int] = {}
    for t, group in by_target.items():
        if len(group) < 2:
            continue
        chars = {s: frozenset(s.replace(" ", "")) for s in group}
        for s in group:
            elsewhere: set[int] = set()
            for s2 in group:
                if (
                    s2 != s
                    and _same_characters(chars[s], chars[s2], config.form_substitution)
                    and not ev.where[(s2, t)] & ev.where[(s, t)]  # alternatives, not a span inside the other
                ):
                    elsewhere |= ev.where[(s2, t)]
            elsewhere -= ev.where[(s, t)]
            if elsewhere:
                out[(s, t)] = len(elsewhere)
    return out


def _term_candidates(zh: _Side, en: _Side, ev: _Evidence, config: TermConfig) -> list[Candidate]:
    out: list[Candidate] = []
    forms = _variants(zh, ev, config)
    others = _other_forms(ev, config)
    for (s, t), a in ev.align.items():
        cs = max(zh.stats.count[s] - ev.covered_zh[s], 1)
        hs, ht = zh.stats.termhood.get(s, 0.0), en.stats.termhood.get(t, 0.0)
        for s2 in forms.get((s, t), ()):  # pooled: one concept written in several ways
            a += ev.align[(s2, t)]
            cs += max(zh.stats.count[s2] - ev.covered_zh[s2], 1)
            if config.pool_termhood:
                hs += zh.stats.termhood.get(s2, 0.0)
        ct = max(en.stats.count[t] - ev.covered_en[t] - others.get((s, t), 0), 1)
        if en.stats.proper(t):
            hs = max(hs, ht)  # a name's Chinese form (中国, 谷歌) is common in general Chinese too
        wdice = 2.0 * a / (cs + ct)
        agree = config.use_cedict and _cedict_agrees(s, t, config.user_words)
        boost = 1.0 + config.cedict_boost * agree
        score = wdice * math.log2(1.0 + a) ** config.frequency_weight * boost
        score *= _squash(hs, config.termhood_half) * _squash(ht, config.termhood_half)
        if ev.marked[(s, t)]:
            score *= 1.0 + config.marked_weight
        if config.verb_pair_weight != 1.0 and zh.verb(s) and _english_verb(t):
            score *= config.verb_pair_weight
        if config.specificity_weight and not en.stats.proper(t):
            score *= _specificity(zh.stats.weirdness.get(s, 0.0), en.stats.weirdness.get(t, 0.0), config)
        if score < config.min_score:
            continue
        display = en.stats.display(t)
        variants = tuple(v for v, _ in en.stats.surfaces[t].most_common() if v != display)
        out.append(
            Candidate(
                source=zh.stats.display(s),
                target=display,
                score=round(score, 6),
                dice=round(wdice, 6),
                llr=0.0,
                count_source=cs,
                count_target=ct,
                count_pair=ev.cooc[(s, t)],
                cedict=agree,
                examples=tuple(ev.examples[(s, t)]),
                kind="term",
                termhood_source=round(hs, 4),
                termhood_target=round(ht, 4),
                align=round(a, 4),
                variants=variants,
            )
        )
    return out


def _name_candidates(
    pairs: Sequence[AlignedPair], zh: _Side, en: _Side, config: TermConfig
) -> list[Candidate]:
    """Latin spans written the same on both sides of a pair (case and plural folded)."""
    both: Counter[str] = Counter()
    target_count: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for k, pair in enumerate(pairs):
        en_keys = {}
        for t in en.spans[k]:
            words = en.tokens[k][t.start : t.end]
            en_keys[" ".join(w.text.lower() for w in words)] = t.surface
            en_keys.setdefault(t.key.lower(), t.surface)
        for word in en.tokens[k]:
            en_keys.setdefault(word.text.lower(), word.text)
        seen = set()
        for s in zh.spans[k]:
            if not _is_latin(s.key) or s.key in seen:
                continue
            seen.add(s.key)
            folded = s.key.lower().replace("-", " ")
            if folded in en_keys:
                both[s.key] += 1
                surfaces[s.key][s.surface] += 1
                if len(examples[s.key]) < config.max_examples:
                    examples[s.key].append(pair.id or str(k + 1))
        for key in {w.text.lower() for w in en.tokens[k]}:
            target_count[key] += 1
    out = []
    for key, n in both.items():
        cs = zh.stats.count[key]
        if n < config.min_count or any(c.isdigit() for c in key) and len(key) < 2:
            continue
        ct = max(target_count.get(key.lower(), n), n)
        wdice = 2.0 * n / (cs + ct)
        shown = surfaces[key].most_common(1)[0][0]
        out.append(
            Candidate(
                source=shown,
                target=shown,
                score=round(wdice * math.log2(1.0 + n), 6),
                dice=round(wdice, 6),
                llr=0.0,
                count_source=cs,
                count_target=ct,
                count_pair=n,
                cedict=False,
                examples=tuple(examples[key]),
                kind="name",
            )
        )
    return _drop_nested_names(out)


def _drop_nested_names(names: list[Candidate]) -> list[Candidate]:
    """``Kubernetes API`` keeps ``Kubernetes`` only if ``Kubernetes`` also occurs on its own."""
    by = {c.source.lower(): c for c in names}
    keep = []
    for c in names:
        longer = [o for k, o in by.items() if k != c.source.lower() and f" {c.source.lower()} " in f" {k} "]
        if longer and max(o.count_pair for o in longer) >= c.count_pair:
            continue
        keep.append(c)
    return keep


def _rendering_order(cands: list[Candidate]) -> list[Candidate]:
    """Each source's targets best rendering first: by ``A² / pairs`` (alignment mass × mean consistency).

    The rendering is the target the source's occurrences align to consistently, whatever its
    own frequency: ``cloud provider`` (aligned 0.99 in its pair) over ``public cloud
    providers`` (0.81, but rarer, so a better Dice), and a word aligned weakly in many pairs
    (``a = 0.3`` fifty times) does not outweigh one aligned well in ten.  Sources are then
    ordered by the score of their best rendering.
    """
    by_source: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        by_source[c.source].append(c)
    groups = [
        sorted(g, key=lambda c: (-(c.align**2) / max(c.count_pair, 1), -c.score, len(c.target), c.target))
        for g in by_source.values()
    ]
    groups.sort(key=lambda g: (-g[0].score, -g[0].count_pair, g[0].source, g[0].target))
    return [c for g in groups for c in g]


def _select(cands: list[Candidate], config: TermConfig) -> list[Candidate]:
    if config.rendering == "align":
        cands = _rendering_order(cands)
    else:  # "score": the best-scoring target of each source (stop 19)
        cands.sort(key=lambda c: (-c.score, -c.count_pair, c.source, c.target))
    per_source: Counter[str] = Counter()
    per_target: Counter[str] = Counter()
    chosen: list[Candidate] = []
    holders: dict[str, list[str]] = {}
    for c in cands:
        tkey = c.target.lower()
        if per_source[c.source] >= config.per_source:
            continue
        nested = any(h in c.source or c.source in h for h in holders.get(tkey, ()))
        if per_target[tkey] >= (2 * config.per_target if nested else config.per_target):
            continue  # a longer or shorter form of a holder (思维 / 思维链) is a variant, not a rival
        holders.setdefault(tkey, []).append(c.source)
        per_source[c.source] += 1
        per_target[tkey] += 1
        chosen.append(c)
    chosen.sort(key=lambda c: (-c.score, -c.count_pair, c.source, c.target))
    return chosen


def _used_pairs(pairs: Sequence[AlignedPair], config: TermConfig) -> list[AlignedPair]:
    """The pairs extraction reads: text on both sides, not flagged (unless flagged pairs are wanted)."""
    used = [p for p in pairs if p.source.strip() and p.target.strip()]
    return [p for p in used if not p.flagged] if config.skip_flagged else used


def side_statistics(
    pairs: Sequence[AlignedPair], config: TermConfig | None = None
) -> tuple[SideStats, SideStats, list[list[Span]], list[list[Span]]]:
    """Each side's candidate statistics and spans per used pair, as :func:`extract_terms` sees them
    (for explaining why a term is missing: its count, termhood, the spans around it)."""
    config = config or TermConfig()
    used = _used_pairs(pairs, config)
    if not used:
        return SideStats(), SideStats(), [], []
    zh, en = _prepare(used, config)
    return zh.stats, en.stats, zh.spans, en.spans


def extract_terms(pairs: Sequence[AlignedPair], config: TermConfig | None = None) -> list[Candidate]:
    """Term and name candidates, each kind ranked best first (terms, then names)."""
    config = config or TermConfig()
    used = _used_pairs(pairs, config)
    if not used:
        return []
    zh, en = _prepare(used, config)
    aligner = train_bidirectional(
        [[t.key for t in ts] for ts in zh.tokens],
        [[t.key.lower() for t in ts] for ts in en.tokens],
        _seed(config.use_cedict),
        iterations=config.iterations,
    )
    ev = _collect(used, zh, en, aligner, config)
    terms = _select(_term_candidates(zh, en, ev, config), config)
    names = sorted(_name_candidates(used, zh, en, config), key=lambda c: (-c.score, c.source))
    if config.top:
        terms, names = terms[: config.top], names[: config.top]
    return terms + names
