"""Monolingual candidate terms and their termhood, on each side of the aligned pairs.

Tokens.  Chinese: the Simplified view is cut into Latin runs (``kube-proxy``,
``H800``), CJK runs (tagged by ``jieba.posseg``) and breakers (punctuation);
whether whitespace stood before a token is kept, so ``for 循环`` stays
``for 循环`` and never becomes ``for循环``.  English: Latin word tokens, each
with a coarse part of speech from lemminflect's lexicon (noun, verb, adjective,
adverb, or unknown) and a lemma.  Code identifiers (``nodeSelector``,
``max_tokens``, ``a.b()``) are breakers on both sides: they are not terms.

Candidates are token spans (1–4 tokens) that match a part-of-speech pattern:
Chinese spans may not start or end with a function word (prepositions,
conjunctions, particles, pronouns, adverbs, numbers, locatives); English spans
are noun phrases ``(ADJ|NOUN|participle)* NOUN`` with at most one inner ``of``
(``chain of thought``).  English candidates are keyed by their lemma form
(``lifetimes`` → ``lifetime``), and every surface form is kept as a variant.

Termhood (per side) multiplies two things:

* the nested-term frequency of C-value (Frantzi, Ananiadou & Mima 2000),
  ``f′(a) = f(a) − f(b)``, weighted by ``log2(1 + words)``, with ``b`` the
  most frequent recurring (≥ 2 pairs) longer candidate containing ``a``
  (C-value takes the mean over all of them, which the many one-off extensions
  of a span in running text dilute); a span that only ever occurs inside one
  longer term gets ``f′ = 0``;
* how much more frequent the candidate is here than in general language
  (``wordfreq``'s background frequencies, offline, in the wheel):
  ``log10(p_here / p_background)``, where a phrase's background is the
  harmonic-style combination of its words' frequencies, divided by 10 for each
  word past the first.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from termalign.align.script import HAN_CHARS, HAN_RUN, simplified_view

__all__ = [
    "Token",
    "Span",
    "SideStats",
    "zh_tokens",
    "en_tokens",
    "zh_spans",
    "en_spans",
    "action_noun_spans",
    "en_lemma_key",
    "is_code_identifier",
    "side_stats",
    "background_frequency",
    "dictionary_words",
    "name_anchored_words",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# jieba tags that may not begin or end a Chinese term (function words; ``m`` is handled by content).
_ZH_NO_EDGE = _words("""p c u uj ul uz ud ug uv d r rr rz y e o f t tg dg zg x""")
_ZH_NO_INSIDE = _words("""p c u uj ul uz ud ug uv y e o x r rr rz d""")
_ZH_NUMERAL = re.compile(r"^[\d.,%一二三四五六七八九十百千万亿两几零〇多半第]+$")
# a quantity jieba tags ``m`` as one word: numeral + classifier or unit (万亿个, 两种, 数百万美元)
_ZH_QUANTITY = re.compile(r"^[\d.,%一二三四五六七八九十百千万亿两几零〇半数]+")
ZH_STOP = _words(
    """的 了 是 在 和 与 及 或 也 都 就 而 但 并 很 更 最 又 还 被 把 对 从 向 给 让 将 会 能 可 可以
    要 不 没 没有 这 那 这个 那个 这些 那些 这种 一个 一种 一些 个 些 种 其 其中 之 于 以 为 为了
    由 由于 因为 所以 如果 虽然 但是 然而 而且 并且 因此 以及 如何 什么 为什么 怎么 哪 谁 我 你 他
    她 它 我们 你们 他们 她们 它们 自己 有 着 过 吗 呢 吧 啊 等 等等 上 下 中 内 外 里 后 前 地 得
    所 该 已经 已 正在 非常 实际上 事实上 可能 确实 真正 只 只是 仅 仅仅 就是 而是 甚至 即 即使
    只有 通过 进行 关于 对于 之后 之前 之间 一样 这样 那样 如此 这里 那里 当然 其他 其它 所有 每个
    每 各 许多 很多 大量 还有 此外 例如 比如 使用 需要 可以 能够 应该 必须 相信 认为 知道 看到 来说 方面
    情况 问题 东西 时候 现在 今天 目前"""
)
EN_STOP = _words(
    """a an the and or but nor of to in on at by for with from into onto over under about as is are was
    were be been being am do does did done have has had having it its this that these those there
    here their they them we us our you your he she his her him i me my not no so than then too very
    can could would should will shall may might must just also only even more most much many some
    any all each every other such which who whom whose what when where why how if while because
    though although up down out off again further once same own both few via per etc yet still
    really actually one two three first second new way thing things lot kind sort example e.g i.e
    use used using make made get got see like well now today instead rather whether either neither
    another nothing something anything everything someone anyone everyone"""
)

# after these a word the lexicon knows only as a verb is used as a noun ("more compute")
_DETERMINERS = _words("the a an its their our your my more less much enough")
WEIRDNESS_CAP = 3.0  # beyond 1000× its background rate a phrase is just rare, not more of a term
_LATIN = r"[A-Za-z0-9]+(?:[-.'_/][A-Za-z0-9]+)*(?:\(\))?"
_ZH_PIECES = re.compile(rf"(?P<ws>\s+)|(?P<latin>{_LATIN})|(?P<cjk>[{HAN_CHARS}]+)|.")
_EN_PIECES = re.compile(rf"(?P<ws>\s+)|(?P<latin>{_LATIN})|.")
_CAMEL_LOWER = re.compile(r"^[a-z]+[A-Z]")
_HAS_ALPHA = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Token:
    """One word token: text as written, a coarse tag, the key used for counting, and spacing."""

    text: str
    tag: str  # zh: jieba tag ("eng" for Latin); en: N, V, A, D, U (unknown), P (participle), S (stop)
    key: str
    joiner: str = ""  # what stood before it inside the text: "", " " or "-" (pre-training)


@dataclass(frozen=True)
class Span:
    """A candidate occurrence: tokens ``[start, end)`` of the word list, and its key."""

    start: int
    end: int
    key: str
    surface: str


def is_code_identifier(token: str) -> bool:
    """``nodeSelector``, ``max_tokens``, ``a.b()``: identifiers from code, never terms."""
    return (
        "_" in token
        or "/" in token
        or token.endswith("()")
        or bool(_CAMEL_LOWER.match(token))
        # a.b.c with a part of two or more letters (os.path, v1.Pod); U.S and D.C are abbreviations
        or ("." in token and any(len(part) > 1 and _HAS_ALPHA.search(part) for part in token.split(".")[1:]))
    )


_CJK_WORD = re.compile(rf"^[{HAN_CHARS}]{{2,8}}$")


def dictionary_words(known: Any, frequency: int = 1) -> list[tuple[str, int, str]]:
    """CC-CEDICT headwords jieba's dictionary lacks, as ``(word, frequency, tag)`` user words.

    Every one gets jieba's lowest count (1 in ~60 million), so a headword whose pieces are
    common words (中国人民 = 中国 + 人民) still loses to them, and one that jieba would cut
    into rare pieces (台积电 in 台积电7纳米, cut 台积/电 without it) wins.  Measured on both dev sets, a
    count from ``wordfreq``'s rate, or 5 or 30, did no better.
    The tag is ``v`` when every definition reads "to …", else ``n``.
    """
    from termalign.termbase.extract import _cedict_definitions

    out = []
    for word, senses in _cedict_definitions().items():
        if not _CJK_WORD.match(word) or known.get(word):
            continue
        verb = bool(senses) and all(d.startswith("to ") for d in senses)
        out.append((word, frequency, "v" if verb else "n"))
    return out


def name_anchored_words(
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    min_pairs: int = 2,
    max_len: int = 6,
    dictionary: bool = True,
) -> tuple[str, ...]:
    """Chinese words the text itself delimits: the Chinese rendering of an English name.

    A capitalised English word the lexicon does not know (SMIC), seen in ``min_pairs`` or
    more pairs and not written in Latin on their Chinese side, is rendered by the longest
    Chinese string that occurs in every one of those pairs and in no other (中芯国际; the
    function characters at its edges, 的 in 中芯国际的, trimmed off).  Such a string is given to
    jieba as a word when jieba would cut it with a one-character piece (中/芯/国际): a name
    that neither jieba's dictionary nor CC-CEDICT lists.
    """
    cut = _pos_tokenizer((), dictionary).tokenizer
    names: dict[str, set[int]] = defaultdict(set)
    for k, text in enumerate(targets):
        for tok in en_tokens(text):
            if tok is not None and tok.tag == "U" and tok.text.isalpha() and tok.text[:1].isupper():
                names[tok.text].add(k)
    runs = [HAN_RUN.findall(simplified_view(s)) for s in sources]
    out: list[str] = []
    for name, where in sorted(names.items()):
        if len(where) < min_pairs or any(name.lower() in sources[k].lower() for k in where):
            continue
        found = {r[i:j] for r in runs[min(where)] for i in range(len(r)) for j in range(i + 2, len(r) + 1)}
        found = {w for w in found if len(w) <= max_len}
        common = [w for w in found if all(any(w in r for r in runs[k]) for k in where)]
        elsewhere = [r for k, rs in enumerate(runs) if k not in where for r in rs]
        only = [w for w in common if not any(w in r for r in elsewhere)]
        if not only:
            continue
        word = _trim_function_chars(max(only, key=lambda w: (len(w), w)))
        pieces = cut.lcut(word, HMM=False)
        if len(word) >= 2 and len(pieces) > 1 and any(len(p) == 1 for p in pieces):
            out.append(word)
    return tuple(out)


_ZH_PARTICLES = frozenset("的了是在和与及或也都就而但并很被把对从向给让将会能由为于以之其着过地得")


def _trim_function_chars(word: str) -> str:
    """中芯国际的 → 中芯国际: particles and prepositions off both edges (locatives such as 中 stay)."""
    while word and word[0] in _ZH_PARTICLES:
        word = word[1:]
    while word and word[-1] in _ZH_PARTICLES:
        word = word[:-1]
    return word


@lru_cache(maxsize=4)
def _pos_tokenizer(user_words: tuple[str, ...], dictionary: bool = False) -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    base = jieba.Tokenizer()
    if dictionary:
        base.check_initialized()
        for word, freq, tag in dictionary_words(base.FREQ):
            base.add_word(word, freq, tag)
    for word in user_words:
        base.add_word(word, tag="nz")  # untagged, posseg would tag it "x", which no term may start with
    return jieba.posseg.POSTokenizer(base)


def zh_tokens(text: str, user_words: tuple[str, ...] = (), *, dictionary: bool = False) -> list[Token | None]:
    """Word tokens of a Chinese segment; ``None`` marks a breaker (punctuation, code).

    ``dictionary=True`` also gives jieba the CC-CEDICT headwords it lacks
    (:func:`dictionary_words`), so 台积电 is not cut into 台积/电.
    """
    out: list[Token | None] = []
    space = False
    for m in _ZH_PIECES.finditer(simplified_view(text)):
        if m.group("ws"):
            space = True
            continue
        if m.group("latin"):
            word = m.group("latin")
            out.append(None if is_code_identifier(word) else Token(word, "eng", word.lower(), " " * space))
        elif m.group("cjk"):
            first = True
            for pair in _pos_tokenizer(user_words, dictionary).cut(m.group("cjk")):
                out.append(Token(pair.word, pair.flag, pair.word, " " if space and first else ""))
                first = False
        else:
            out.append(None)
        space = False
    return out


@lru_cache(maxsize=200_000)
def _en_tag(word: str, fold_unknown: bool = True) -> tuple[str, str]:
    """Coarse tag and lemma of a lowercased English word (lemminflect's lexicon)."""
    from lemminflect import getAllLemmas

    if word in EN_STOP:
        return "S", word
    lemmas = getAllLemmas(word)
    if not lemmas:
        return "U", _unknown_plural(word) if fold_unknown else word
    if "NOUN" in lemmas or "PROPN" in lemmas:
        noun = (lemmas.get("NOUN") or lemmas.get("PROPN") or (word,))[0]
        return "N", noun
    if "VERB" in lemmas and (word.endswith("ing") or word.endswith("ed")):
        return "P", word  # participle: "load balancing", "shared experts"
    if "ADJ" in lemmas:
        return "A", lemmas["ADJ"][0]
    if "VERB" in lemmas:
        return "V", lemmas["VERB"][0]
    return "D", word


def _unknown_plural(word: str) -> str:
    """A plural outside the lexicon (``tolerations``, ``runtimes``) folded by lemminflect's rules.

    The caller passes only words written in lowercase: a capitalised unknown word is more
    likely a name (``Kubernetes``).
    """
    if not (word.isalpha() and len(word) >= 5 and word.endswith("s")):
        return word
    if word.endswith(("ss", "us", "is")):
        return word
    from lemminflect import getLemma

    lemma = (getLemma(word, upos="NOUN", lemmatize_oov=True) or (word,))[0]
    return lemma if lemma and word.startswith(lemma) else word


def en_tokens(text: str, *, fixes: bool = True) -> list[Token | None]:
    """Word tokens of an English segment; ``None`` marks a breaker (punctuation, code).

    ``fixes=False`` gives stop 19's tokens, for the bench's before/after comparison: no
    unknown-plural folding, and a word the lexicon knows only as a verb stays a verb even
    when capitalised inside a sentence (Google) or after a determiner (the compute).
    """
    out: list[Token | None] = []
    space = False
    for m in _EN_PIECES.finditer(text.replace("’", "'")):
        if m.group("ws"):
            space = True
            continue
        word = m.group("latin")
        if word is None or is_code_identifier(word):
            out.append(None)
        else:
            initial = not any(t is not None for t in out)
            after_determiner = bool(out) and out[-1] is not None and out[-1].key.lower() in _DETERMINERS
            # hyphenated words are split (chains-of-thought, load-balancing) and rejoined for display
            for k, part in enumerate(re.sub(r"'s$", "", word).split("-")):
                tag, lemma = _en_tag(part.lower(), fixes)
                if "-" in word and tag == "V":
                    tag = (
                        "N"  # inside a hyphenated compound a verb part acts as a noun (fine-tune, co-design)
                    )
                if tag == "U" and not part.islower():
                    lemma = part.lower()  # only a lowercase unknown word is folded: Kubernetes stays
                if fixes and tag in ("V", "D") and part[:1].isupper() and not initial:
                    tag, lemma = "N", part.lower()  # capitalised inside a sentence: a name (Google, Apple)
                if fixes and tag == "V" and k == 0 and after_determiner:
                    tag, lemma = "N", part.lower()  # "more compute", "the rollout": a noun here
                keep = any(c.isdigit() for c in part) or any(c.isupper() for c in part[1:])
                out.append(Token(part, tag, part if keep else lemma, "-" if k else " " * space))
        space = False
    return out


def _zh_quantity(tok: Token) -> bool:
    return tok.tag == "m" and bool(_ZH_QUANTITY.match(tok.text))


def _zh_edge_ok(tok: Token, quantities: bool = True) -> bool:
    return (
        tok.tag not in _ZH_NO_EDGE
        and tok.text not in ZH_STOP
        and not _ZH_NUMERAL.match(tok.text)
        and not (quantities and _zh_quantity(tok))
    )


def _join(tokens: Sequence[Token]) -> str:
    out = tokens[0].text
    for tok in tokens[1:]:
        out += tok.joiner + tok.text
    return out


def _grams(tokens: Sequence[Token | None], max_n: int) -> Iterator[tuple[int, list[Token]]]:
    """``(start, gram)`` for every 1..``max_n``-gram that does not span a breaker (``None``).

    ``start`` indexes the word list with the breakers removed.
    """
    runs: list[list[Token]] = [[]]
    for tok in tokens:
        if tok is None:
            runs.append([])
        else:
            runs[-1].append(tok)
    index = 0
    for run in runs:
        for i in range(len(run)):
            for n in range(1, min(max_n, len(run) - i) + 1):
                yield index + i, run[i : i + n]
        index += len(run)


def zh_spans(tokens: Sequence[Token | None], max_n: int = 4, *, quantities: bool = True) -> list[Span]:
    """Chinese candidate spans, with indices into the word list (breakers removed).

    ``quantities``: a numeral word jieba joined to its classifier (万亿个, 两种) is never part of a
    span (``False``: stop 20's spans, where 万亿个token was a candidate).
    """
    spans: list[Span] = []
    for start, gram in _grams(tokens, max_n):
        n = len(gram)
        if not (_zh_edge_ok(gram[0], quantities) and _zh_edge_ok(gram[-1], quantities)):
            continue
        if any(t.tag in _ZH_NO_INSIDE or _ZH_NUMERAL.match(t.text) for t in gram):
            continue
        if quantities and any(_zh_quantity(t) for t in gram):
            continue
        if any(a.tag == "eng" and b.tag == "v" for a, b in zip(gram, gram[1:-1], strict=False)):
            continue  # "MoE 将模型分成", "Silicon 采用统一内存": a clause, not a term
        if n == 1 and gram[0].tag == "q":
            continue
        if all(t.tag == "eng" for t in gram) and n > 2:
            continue
        surface = _join(gram)
        spans.append(Span(start, start + n, surface, surface))
    return spans


def en_lemma_key(tokens: Sequence[Token]) -> str:
    """The lemma form of a phrase: every word's key (lowercase lemma; acronyms and names as written)."""
    return " ".join(t.key for t in tokens)


def _gerund(tok: Token) -> bool:
    return tok.tag == "P" and tok.text.lower().endswith("ing")


def _en_np(gram: Sequence[Token]) -> bool:
    """``(ADJ|NOUN|participle)* NOUN`` (a gerund may end it), at most one inner ``of``."""
    last = gram[-1]
    if not (last.tag in ("N", "U") or _gerund(last)) or gram[0].tag in ("S", "D", "V"):
        return False
    ofs = [k for k, t in enumerate(gram) if t.tag == "S"]
    if any(gram[k].key != "of" for k in ofs) or len(ofs) > 1 or (ofs and ofs[0] in (0, len(gram) - 1)):
        return False
    noun_seen = False
    for tok in gram:
        if tok.tag == "S":
            noun_seen = False
        elif tok.tag in ("N", "U"):
            noun_seen = True
        elif tok.tag == "A" or (tok.tag == "P" and not _gerund(tok)):
            if noun_seen:
                return False  # an adjective after a noun ends the phrase ("uses unified")
        elif not _gerund(tok):
            return False
    return True


def en_spans(tokens: Sequence[Token | None], max_n: int = 4, *, hyphens_whole: bool = True) -> list[Span]:
    """English noun-phrase candidate spans, with indices into the word list (breakers removed).

    A span never begins or ends inside a hyphenated word (``fine-tune``, ``cross-chip``):
    ``fine`` or ``chip communications`` cut out of one would be a rendering no text has.
    """
    words = [t for t in tokens if t is not None]

    def whole(start: int, end: int) -> bool:  # not cutting a hyphenated word (fine | -tune)
        return words[start].joiner != "-" and (end >= len(words) or words[end].joiner != "-")

    return [
        Span(start, start + len(gram), en_lemma_key(gram), _join(gram))
        for start, gram in _grams(tokens, max_n)
        if _en_np(gram) and (not hyphens_whole or whole(start, start + len(gram)))
    ]


_ACTION_SUFFIXES = ("ion", "ation", "ment", "al", "ance", "ence")


@lru_cache(maxsize=50_000)
def _verb_lemma(word: str) -> str | None:
    from lemminflect import getAllLemmas

    verbs = getAllLemmas(word).get("VERB")
    return verbs[0] if verbs else None


def _action_noun(lemma: str, nouns: frozenset[str]) -> str | None:
    """The noun of the action a verb names, if the text uses it: evict → eviction, deploy → deployment."""
    stems = {lemma, lemma[:-1]} if lemma.endswith("e") else {lemma}
    for stem in sorted(stems, key=len, reverse=True):
        for suffix in _ACTION_SUFFIXES:
            if stem + suffix in nouns and len(stem) >= 3:
                return stem + suffix
    return None


def action_noun_spans(words: Sequence[Token], nouns: frozenset[str]) -> list[Span]:
    """One-word spans for verbs whose action noun is a candidate, keyed by that noun.

    Chinese writes an action the same way as a verb and as a noun (驱逐 is both "evict" and
    "eviction", 抢占 both "preempt" and "preemption"); the English verb is another surface form of
    the noun candidate, so a term's occurrences as a verb count as occurrences of the term.
    ``nouns``: the one-word noun candidates of the whole text (``eviction``, ``preemption``).
    """
    out = []
    for i, tok in enumerate(words):
        if tok.tag not in ("V", "P") or _gerund(tok) or not tok.text.isalpha() or not tok.text.islower():
            continue
        lemma = _verb_lemma(tok.text.lower()) if tok.tag == "P" else tok.key
        noun = _action_noun(lemma, nouns) if lemma else None
        if noun is not None:
            out.append(Span(i, i + 1, noun, tok.text))
    return out


@lru_cache(maxsize=200_000)
def background_frequency(phrase: str, lang: str) -> float:
    """General-language frequency of a phrase (wordfreq), each word past the first dividing by 10."""
    from wordfreq import word_frequency

    words = phrase.split() if lang == "en" else [phrase]
    if lang != "en":
        from wordfreq import tokenize

        words = tokenize(phrase, "zh") or [phrase]
    freqs = [max(word_frequency(w, lang), 1e-9) for w in words]
    combined = 1.0 / sum(1.0 / f for f in freqs)
    return combined / 10 ** (len(freqs) - 1)


@dataclass
class SideStats:
    """Counts and termhood of one side's candidates over all pairs."""

    count: Counter[str] = field(default_factory=Counter)  # pairs containing the candidate
    surfaces: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    length: dict[str, int] = field(default_factory=dict)
    termhood: dict[str, float] = field(default_factory=dict)
    nested_count: dict[str, float] = field(default_factory=dict)
    weirdness: dict[str, float] = field(default_factory=dict)

    def proper(self, key: str) -> bool:
        """Every surface form is capitalised (China, Google): a proper noun, whatever its background rate."""
        forms = self.surfaces.get(key)
        return forms is not None and bool(forms) and all(f[:1].isupper() for f in forms)

    def display(self, key: str) -> str:
        """The lemma form if it was written, else the most frequent surface form of a candidate."""
        forms = self.surfaces.get(key)
        if not forms:
            return key
        # the lemma form written as in running text (container, not Containers from a heading)
        if key in forms:
            return key
        return forms.most_common(1)[0][0]


def side_stats(
    spans_per_pair: Iterable[Sequence[Span]],
    words_per_pair: Sequence[int],
    lang: str,
    not_parents: frozenset[str] = frozenset(),
) -> SideStats:
    """Counts, C-value nested frequency and background ratio for every candidate of one side.

    ``not_parents``: candidates that do not discount the spans inside them (a clause such as
    扩缩集群基础设施, "scale the cluster infrastructure", is no longer term around 集群基础设施).
    """
    stats = SideStats()
    parents: dict[str, set[str]] = defaultdict(set)
    for spans in spans_per_pair:
        seen: set[str] = set()
        by_range = {(s.start, s.end): s.key for s in spans}
        for s in spans:
            stats.surfaces[s.key][s.surface] += 1
            stats.length[s.key] = s.end - s.start
            seen.add(s.key)
            for a in range(s.start, s.end):
                for b in range(a + 1, s.end + 1):
                    inner = by_range.get((a, b))
                    if inner is not None and (a, b) != (s.start, s.end):
                        parents[inner].add(s.key)
        stats.count.update(seen)
    total_words = max(sum(words_per_pair), 1)
    for key, n in stats.count.items():
        recurring = (p for p in parents.get(key, ()) if p not in not_parents)
        longer = [stats.count[p] for p in recurring if stats.count[p] >= 2]
        nested = n - max(longer, default=0)
        stats.nested_count[key] = max(nested, 0.0)
        surface = stats.display(key)
        ratio = (n / total_words) / background_frequency(surface.lower() if lang == "en" else surface, lang)
        stats.weirdness[key] = min(math.log10(ratio), WEIRDNESS_CAP) if ratio > 0 else 0.0
        cvalue = math.log2(1 + stats.length[key]) * stats.nested_count[key]
        stats.termhood[key] = cvalue * max(stats.weirdness[key], 0.0)
    return stats
