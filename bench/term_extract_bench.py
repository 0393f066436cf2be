"""Term extraction: the old co-occurrence ranking vs termhood × word alignment, on two domains.

* FAQ: the aligned DeepSeek FAQ (aligned here as ``termalign run`` aligns it), scored against
  the curated termbase (``corpora/deepseek/termbase.tsv``): the entries whose provenance
  gives two or more FAQ paragraphs and whose source differs from the target (68 entries).
* k8s-docs: the twelve page pairs, each aligned with the project's aligner, scored against
  its glossary (entries occurring >= 2 times in the zh pages): the translated entries
  (``zh_keeps_en`` not ``yes``) against the ``term`` candidates, the entries kept in
  English against the ``name`` candidates, and all 57 against the merged list.

A candidate matches an entry when its source is one of the entry's source forms and its
target one of the entry's target forms (lowercase, hyphens as spaces, nouns lemmatised).
For NEW it also prints the ceiling (how many candidates match an entry anywhere in the list,
how many of them recur, what P@50 >= 0.7 would take), the kinds of wrong pairs in the top 50,
and for each entry no candidate matches, its nearest candidates and the cause, read from the
extractor's own statistics (:func:`termbase.terms.side_statistics`).
Run from the repository root::

    TERMALIGN_DATA=../shared/corpora .venv/bin/python bench/term_extract_bench.py [--top 50]

``--verify qwen2.5-coder-1.5b`` adds a row NEW+verify: NEW's top ``--verify-top`` (200)
re-scored by the installed model's likelihood of each rendering (:mod:`termbase.verify`),
with the seconds it cost (minutes on the CPU); ``--verify-context`` scores each rendering
inside its first example sentence instead (``--verify-top 100 --verify-weight 0.25``:
about 9 minutes on two shared cores).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from termalign.align.aligner import align_documents
from termalign.align.corpus import load_corpus
from termalign.align.outputs.jsonl import bead_record
from termalign.align.reader import read_document
from termalign.termbase.extract import AlignedPair, Candidate, extract_candidates
from termalign.termbase.store import load_termbase
from termalign.termbase.termhood import Token, en_spans, en_tokens, zh_spans, zh_tokens
from termalign.termbase.terms import TermConfig, extract_terms, side_statistics
from termalign.termbase.termscore import (
    KS,
    Reference,
    evaluate,
    match,
    norm_en,
    norm_zh,
    reference_entry,
    reference_from_termbase,
)
from termalign.termbase.verify import Context, Scorer, verify_in_context, verify_renderings

ROOT = Path(__file__).resolve().parents[1]

# The rankings compared in one run: stop 19's termhood method, stop 20's (STOP20), stop 21's
# (STOP21), and this stop's changes, each added to STOP21 + the ones before it that were kept
# (NEW has the kept one, +names; +plurals, +links, +bold and +comp were measured in stop 22 and not kept).
STOP21 = TermConfig(name_parents=False)
STOP20 = replace(
    STOP21,
    variant_align=0.5,
    pool_termhood=False,
    action_nouns=False,
    drop_quantities=False,
    other_forms=False,
    name_words=False,
)
RANKINGS = {
    "STOP19": replace(
        STOP20,
        rendering="score",
        english_fixes=False,
        verb_pair_weight=1.0,
        verb_clauses_not_parents=False,
        iterations=6,
        dictionary_words=False,
        marked_weight=0.0,
        pool_variants=False,
    ),
    "STOP20": STOP20,
    "STOP21": STOP21,
    # + a span opened by a name (DefaultStorageClass admission controller) discounts nothing in C-value
    "+names": TermConfig(),
    "NEW": TermConfig(),
}
VERIFY: dict[str, Any] = {}  # "scorer" and "top", set by --verify
GENERAL_ZIPF = 4.5  # an English word at least this frequent in general text (wordfreq) is "general"


def data_dir() -> Path:
    return Path(os.environ.get("TERMALIGN_DATA") or ROOT.parent / "shared" / "corpora")


def pairs_of(src_path: Path, tgt_path: Path, doc: str, fmt: str | None = None) -> list[AlignedPair]:
    src = read_document(src_path, lang="zh", fmt=fmt)
    tgt = read_document(tgt_path, lang="en", fmt="markdown")
    out = []
    for bead in align_documents(src, tgt).beads:
        r = bead_record(bead)
        if r["source"].strip() and r["target"].strip():
            out.append(
                AlignedPair(
                    r["source"],
                    r["target"],
                    f"{doc}:{','.join(r['source_ids'])}",
                    float(r["score"]),
                    bool(r["flagged"]),
                )
            )
    return out


def entry(sources: Sequence[str], targets: Sequence[str]) -> Reference:
    return reference_entry(sources, targets)


def faq_reference() -> list[Reference]:
    with load_termbase(ROOT / "corpora" / "deepseek" / "termbase.tsv") as store:
        return reference_from_termbase(store.entries(), "deepseek/faq", min_count=2)


def k8s_reference(path: Path) -> tuple[list[Reference], list[Reference]]:
    translated, kept = [], []
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["in_docs"] or 0) < 2:
                continue
            en = [re.sub(r"\s*\(.*?\)", "", row["en"])]
            en += re.findall(r"\((.*?)\)", row["en"]) + [a for a in (row["en_aka"] or "").split("|")]
            item = entry([z.strip() for z in row["zh"].split("|")], en)
            (kept if row["zh_keeps_en"] == "yes" else translated).append(item)
    return translated, kept


def matches(cand: Candidate, ref: Sequence[Reference]) -> int:
    return match(cand, ref)


def metrics(cands: Sequence[Candidate], ref: Sequence[Reference]) -> dict[str, float]:
    m = evaluate(cands, ref)
    out = {f"R@{k}": m[f"recall@{k}"] for k in KS}
    out.update({"R@all": m["recall@all"], "P@50": m["precision@50"], "n": m["candidates"]})
    return out


def show(title: str, rows: dict[str, dict[str, float]], seconds: dict[str, float]) -> None:
    print(f"\n{title}")
    cols = [f"R@{k}" for k in KS] + ["R@all", "P@50", "n"]
    print(f"  {'ranking':10}" + "".join(f"{c:>8}" for c in cols) + f"{'seconds':>9}")
    for name, m in rows.items():
        vals = "".join(f"{m[c]:8.3f}" if c != "n" else f"{int(m[c]):8d}" for c in cols)
        print(f"  {name:10}{vals}{seconds[name]:9.1f}")


def top_list(lists: dict[str, Sequence[Candidate]], ref: Sequence[Reference], n: int) -> None:
    """The top ``n`` of each ranking side by side, ``+`` where the pair is in the reference."""
    width = 38
    print(f"  {'#':>3}  " + " ".join(f"{name:{width}}" for name in lists))
    for i in range(n):
        cells = []
        for lst in lists.values():
            if i < len(lst):
                c = lst[i]
                mark = "+" if matches(c, ref) >= 0 else " "
                cells.append(f"{mark} {c.source} -> {c.target}"[:width])
            else:
                cells.append("")
        print(f"  {i + 1:3}  " + " ".join(f"{cell:{width}}" for cell in cells))


def ceiling(cands: Sequence[Candidate], ref: Sequence[Reference], k: int = 50, target: float = 0.7) -> None:
    """How many candidates anywhere in the list match the reference (P@k can be no higher), and
    what reaching ``target`` would take: which matching candidates would have to rise into the top."""
    hits = [(i + 1, c) for i, c in enumerate(cands) if matches(c, ref) >= 0]
    n, top = len(hits), min(len(hits), k) / k
    matched = len({matches(c, ref) for _, c in hits})
    print(
        f"  NEW: {n} candidates in the whole list match an entry ({matched} of the {len(ref)} entries), "
        f"so P@{k} <= {top:.2f} in any order"
    )
    recurring = sum(c.count_pair >= 2 for _, c in hits)
    one_off = sum(c.count_pair < 2 for c in cands)
    print(
        f"  NEW: {recurring} of them occur in 2+ pairs (as do {len(cands) - one_off} of all {len(cands)}"
        f" candidates): ranking only recurring pairs into the top, P@{k} <= {min(recurring, k) / k:.2f}"
    )
    need = math.ceil(target * k)
    inside = sum(r <= k for r, _ in hits)
    below = [f"{c.source} #{r} ({c.count_pair})" for r, c in hits if r > k]
    if need > n:
        print(f"  NEW: P@{k} >= {target} needs {need} matches in the top {k}; the list has {n}: unreachable")
    elif need > inside:
        print(
            f"  NEW: P@{k} >= {target} needs {need} matches in the top {k}: {inside} are there, so"
            f" {need - inside} of these {len(below)} (#rank, pairs) must rise, pushing out as many of the"
            f" {k - inside} others: {', '.join(below)}"
        )


def _kind_of_wrong(c: Candidate, ref: Sequence[Reference]) -> str:
    """Why a top candidate is not a reference pair: the kinds the breakdown counts."""
    from wordfreq import zipf_frequency

    s, t = norm_zh(c.source), norm_en(c.target)
    if any(s in e.sources for e in ref):
        return "right term, other rendering"
    if any(t in e.targets for e in ref):
        return "right rendering, other Chinese span"
    if re.search(r"[A-Za-z]", c.source) and re.search(r"[\u4e00-\u9fff]", c.source):
        return "name + word (DaemonSet 控制器)"
    if any(s != f and f in s for e in ref for f in e.sources):
        return "longer span around a reference term"
    if any(s != f and s in f for e in ref for f in e.sources):
        return "a word inside reference terms (模型 in 推理模型)"
    if " " not in t and zipf_frequency(t, "en") >= GENERAL_ZIPF:
        return f"general word (English Zipf >= {GENERAL_ZIPF})"
    return "other pair not in the reference"


def breakdown(cands: Sequence[Candidate], ref: Sequence[Reference], top: int, k: int) -> None:
    """The wrong pairs among the top ``top`` and the reference entries missed at ``k``, by kind."""
    wrong = Counter(_kind_of_wrong(c, ref) for c in cands[:top] if matches(c, ref) < 0)
    shown: dict[str, list[str]] = {}
    for c in cands[:top]:
        if matches(c, ref) < 0:
            shown.setdefault(_kind_of_wrong(c, ref), []).append(f"{c.source}/{c.target}")
    print(f"  NEW breakdown of the {sum(wrong.values())} wrong pairs in the top {top}:")
    for kind, n in wrong.most_common():
        print(f"    {n:3}  {kind}: {', '.join(shown[kind][:6])}")
    ranks: dict[int, int] = {}
    for i, c in enumerate(cands):
        ranks.setdefault(matches(c, ref), i + 1)
    misses: Counter[str] = Counter()
    for idx, e in enumerate(ref):
        if ranks.get(idx, 10**9) <= k:
            continue
        if idx in ranks:
            misses[f"ranked below {k}"] += 1
        elif any(norm_zh(c.source) in e.sources for c in cands):
            misses["source kept with another rendering"] += 1
        elif any(norm_en(c.target) in e.targets for c in cands):
            misses["rendering kept with another Chinese span"] += 1
        else:
            misses["absent (no such span, or no alignment)"] += 1
    print(f"  NEW breakdown of the {sum(misses.values())} reference entries missed at {k}:")
    for kind, n in misses.most_common():
        print(f"    {n:3}  {kind}")
    if SIDES:
        print("  NEW: why each entry no candidate matches is missing (entry | its candidates | cause):")
        for idx, e in enumerate(ref):
            if idx not in ranks:
                print(f"    {e.label} | {_its_candidates(cands, e)} | {_cause(e, cands)}")


# what the term extractor saw (terms.side_statistics), set per set before breakdown()
SIDES: dict[str, Any] = {}


def _its_candidates(cands: Sequence[Candidate], e: Reference, n: int = 3) -> str:
    """The best-ranked candidates sharing the entry's source or its rendering, with ranks."""
    found = [
        f"#{i + 1} {c.source}->{c.target}"
        for i, c in enumerate(cands)
        if norm_zh(c.source) in e.sources or norm_en(c.target) in e.targets
    ]
    return ", ".join(found[:n]) if found else "none"


def _by_norm(keys: Sequence[str], norm: Callable[[str], str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in keys:
        out.setdefault(norm(k), []).append(k)
    return out


def _cause(e: Reference, cands: Sequence[Candidate]) -> str:
    """Why no candidate matches the entry, read from the extractor's own statistics."""
    zh, en, zh_spans, en_spans = SIDES["stats"]
    pairs: Sequence[AlignedPair] = SIDES["pairs"]
    if "zh_norm" not in SIDES:
        SIDES["zh_norm"] = _by_norm(list(zh.count), norm_zh)
        SIDES["en_norm"] = _by_norm(list(en.count), norm_en)
    zh_forms = [k for s in sorted(e.sources) for k in SIDES["zh_norm"].get(s, ())]
    en_forms = [k for t in sorted(e.targets) for k in SIDES["en_norm"].get(t, ())]
    latin = [k for k in zh_forms if re.fullmatch(r"[A-Za-z0-9 .\-]+", k)]
    if all(re.fullmatch(r"[a-z0-9 .\-]+", s) for s in e.sources) or (latin and latin == zh_forms):
        shown = f" ({', '.join(latin)})" if latin else ""
        return f"its Chinese in the text is Latin{shown}: a name candidate (do not translate), never a term"
    if not zh_forms:
        return "no Chinese span: " + _no_span(sorted(e.sources), pairs, "zh")
    if not en_forms:
        return "no English span: " + _no_span(sorted(e.targets), pairs, "en")
    why = []
    for side, forms, stats, spans in (("zh", zh_forms, zh, zh_spans), ("en", en_forms, en, en_spans)):
        best = max(forms, key=lambda f: (stats.count[f], not re.fullmatch(r"[A-Za-z0-9 .\-]+", f), f))
        if stats.count[best] < 2:
            why.append(f"{side} {best!r} in 1 pair only")
        elif stats.termhood.get(best, 0.0) <= 0:
            parent = _parent(best, spans)
            inside = f"always inside {parent!r}" if parent else "below its background rate"
            why.append(f"{side} {best!r} has termhood 0 ({inside})")
    if why:
        return "; ".join(why)
    src = [c for c in cands if norm_zh(c.source) in e.sources]
    tgt = [c for c in cands if norm_en(c.target) in e.targets]
    if src:
        c = src[0]
        return f"source kept with another rendering: {c.target!r} ({c.count_pair} pairs)"
    if tgt:
        c = tgt[0]
        return f"rendering kept with another Chinese span: {c.source!r} ({c.count_pair} pairs)"
    return "both sides are candidates but never align above min_align"


def _no_span(forms: Sequence[str], pairs: Sequence[AlignedPair], lang: str) -> str:
    """How the tokeniser cuts the first occurrence of a form, and why no span pattern takes it."""
    norm = norm_zh if lang == "zh" else norm_en
    for form in forms:
        for p in pairs:
            text = p.source if lang == "zh" else p.target
            tokens = zh_tokens(text, dictionary=True) if lang == "zh" else en_tokens(text)
            window = _window(tokens, form, norm)
            if window is None:
                continue
            cut = " ".join(f"{t.text}/{t.tag}" for t in window)
            n_pairs = sum(_window(_tokens_of(q, lang), form, norm) is not None for q in pairs)
            if (
                norm("".join(t.text for t in window) if lang == "zh" else " ".join(t.text for t in window))
                != form
            ):
                return f"the tokeniser glues it to a neighbour ({cut}; {n_pairs} pairs)"
            spans = zh_spans(window) if lang == "zh" else en_spans(window)
            if not any(sp.start == 0 and sp.end == len(window) for sp in spans):
                return f"no span pattern takes {cut} ({n_pairs} pairs)"
            return f"a span in isolation ({cut}), not in its {n_pairs} pairs (breaker or user word)"
    return "its string is in no used pair (or only across a breaker)"


def _tokens_of(pair: AlignedPair, lang: str) -> list[Token | None]:
    return zh_tokens(pair.source, dictionary=True) if lang == "zh" else en_tokens(pair.target)


def _window(tokens: Sequence[Token | None], form: str, norm: Callable[[str], str]) -> list[Token] | None:
    """The shortest run of consecutive tokens (no breaker inside) whose text holds ``form``."""
    best: list[Token] | None = None
    for i in range(len(tokens)):
        run: list[Token] = []
        for tok in tokens[i : i + 8]:
            if tok is None:
                break
            run.append(tok)
            joined = "".join(t.text for t in run) if norm is norm_zh else " ".join(t.text for t in run)
            if (form in norm(joined)) if norm is norm_zh else (f" {form} " in f" {norm(joined)} "):
                if best is None or len(run) < len(best):
                    best = list(run)
                break
    return best


def _parent(key: str, spans_per_pair: Sequence[Sequence[Any]]) -> str:
    """The longer span that most often contains ``key`` (what discounted it in C-value)."""
    around: Counter[str] = Counter()
    for spans in spans_per_pair:
        for s in spans:
            if s.key != key:
                continue
            around.update({p.key for p in spans if p.start <= s.start and s.end <= p.end and p.key != key})
    return around.most_common(1)[0][0] if around else ""


def timed(func: Callable[[], list[Candidate]]) -> tuple[list[Candidate], float]:
    started = time.perf_counter()
    result = func()
    return result, time.perf_counter() - started


def missing(cands: Sequence[Candidate], ref: Sequence[Reference], k: int) -> list[str]:
    found = {matches(c, ref) for c in cands[:k]}
    return [e.label for i, e in enumerate(ref) if i not in found]


def add_verified(
    lists: dict[str, list[Candidate]], seconds: dict[str, float], pairs: Sequence[AlignedPair]
) -> None:
    """NEW+verify: NEW's top re-scored by the model (only with --verify)."""
    scorer = VERIFY.get("scorer")
    if scorer is None:
        return
    top = int(VERIFY["top"])
    if VERIFY.get("context"):
        contexts = rendering_contexts(lists["NEW"][:top], pairs)
        lists["NEW+verify"], seconds["NEW+verify"] = timed(
            lambda: verify_in_context(lists["NEW"], scorer, contexts, top=top, weight=float(VERIFY["weight"]))
        )
        return
    lists["NEW+verify"], seconds["NEW+verify"] = timed(
        lambda: verify_renderings(lists["NEW"], scorer, top=top, weight=float(VERIFY["weight"]))
    )


def rendering_contexts(cands: Sequence[Candidate], pairs: Sequence[AlignedPair]) -> list[Context | None]:
    """Each candidate's first example pair: its Chinese, the English before the rendering, the rendering."""
    by_id = {p.id: p for p in pairs}
    out: list[Context | None] = []
    for c in cands:
        found: Context | None = None
        for pair in (by_id[e] for e in c.examples if e in by_id):
            for form in (c.target, *c.variants):
                m = re.search(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", pair.target, re.IGNORECASE)
                if m and found is None:
                    found = (pair.source, pair.target[: m.start()], m.group())
        out.append(found)
    return out


def model_scorer(name: str) -> Scorer:
    """``score_translations`` of an installed generator model (Chinese term → English rendering)."""
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    engine = open_engine(get_model(name, default_models_dir()), EngineConfig())
    return engine.score_translations  # type: ignore[attr-defined]


def run_faq(top: int) -> dict[str, float]:
    corpus = load_corpus(ROOT / "corpora" / "deepseek" / "corpus.toml", data_dir())
    source, reference = corpus.parallel_pair()
    started = time.perf_counter()
    pairs = pairs_of(source.path, reference.path, "faq", source.format)
    print(f"FAQ: {len(pairs)} aligned pairs ({time.perf_counter() - started:.1f} s to align)")
    ref = faq_reference()
    old, t_old = timed(lambda: extract_candidates(pairs))
    lists, seconds = {"OLD": old}, {"OLD": t_old}
    for name, config in RANKINGS.items():
        found, seconds[name] = timed(lambda config=config: extract_terms(pairs, config))
        lists[name] = [c for c in found if c.kind == "term"]
    add_verified(lists, seconds, pairs)
    new = lists["NEW"]
    show(
        f"FAQ vs the curated termbase ({len(ref)} entries, >= 2 FAQ paragraphs, translated)",
        {name: metrics(lst, ref) for name, lst in lists.items()},
        seconds,
    )
    for zh, en in (("混合专家", "MoE"), ("思维链", "chain of thought")):
        item = next(e for e in ref if norm_zh(zh) in e.sources)
        found = [i + 1 for i, c in enumerate(new) if match(c, [item]) == 0]
        shown = (
            f"#{found[0]} ({new[found[0] - 1].source} -> {new[found[0] - 1].target})" if found else "absent"
        )
        print(f"  NEW rank of {zh} -> {en} (or {item.label}): {shown}")
    print("  NEW misses at 100:", "; ".join(missing(new, ref, 100)))
    ceiling(new, ref)
    SIDES.update(stats=side_statistics(pairs, RANKINGS["NEW"]), pairs=[p for p in pairs if not p.flagged])
    breakdown(new, ref, 50, 100)
    SIDES.clear()
    top_list({"OLD": old, "STOP21": lists["STOP21"], "NEW": new}, ref, top)
    return metrics(new, ref)


def run_k8s(top: int) -> None:
    root = data_dir() / "k8s-docs"
    started = time.perf_counter()
    pairs: list[AlignedPair] = []
    for zh in sorted((root / "zh").glob("*.md")):
        pairs += pairs_of(zh, root / "en" / zh.name, zh.stem, "markdown")
    print(f"\nk8s-docs: {len(pairs)} aligned pairs from 12 pages ({time.perf_counter() - started:.1f} s)")
    translated, kept = k8s_reference(root / "glossary.tsv")
    old, t_old = timed(lambda: extract_candidates(pairs))
    found_all, seconds = {}, {"OLD": t_old}
    for name, config in RANKINGS.items():
        found_all[name], seconds[name] = timed(lambda config=config: extract_terms(pairs, config))
    old_terms = [c for c in old if norm_zh(c.source) != norm_en(c.target).replace(" ", "")]
    old_names = [c for c in old if norm_zh(c.source) == norm_en(c.target).replace(" ", "")]
    terms = {"OLD": old_terms} | {n: [c for c in f if c.kind == "term"] for n, f in found_all.items()}
    names = {"OLD": old_names} | {n: [c for c in f if c.kind == "name"] for n, f in found_all.items()}
    merged = {"OLD": old} | {n: sorted(f, key=lambda c: -c.score) for n, f in found_all.items()}
    add_verified(terms, seconds, pairs)
    new_terms = terms["NEW"]
    show(
        f"k8s-docs terms vs the {len(translated)} translated glossary entries (>= 2 occurrences)",
        {n: metrics(lst, translated) for n, lst in terms.items()},
        seconds,
    )
    show(
        f"k8s-docs names (do not translate) vs the {len(kept)} entries kept in English",
        {n: metrics(lst, kept) for n, lst in names.items()},
        seconds,
    )
    show(
        f"k8s-docs all candidates vs all {len(translated) + len(kept)} entries (NEW: kinds merged by score)",
        {n: metrics(lst, translated + kept) for n, lst in merged.items()},
        seconds,
    )
    print("  NEW term misses at 200:", "; ".join(missing(new_terms, translated, 200)))
    ceiling(new_terms, translated)
    SIDES.update(stats=side_statistics(pairs, RANKINGS["NEW"]), pairs=[p for p in pairs if not p.flagged])
    breakdown(new_terms, translated, 50, 200)
    SIDES.clear()
    top_list({"OLD": old_terms, "STOP21": terms["STOP21"], "NEW": new_terms}, translated, top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=50, help="How many of each ranking to print.")
    parser.add_argument("--only", choices=("faq", "k8s"), default=None)
    parser.add_argument("--verify", metavar="MODEL", help="Add NEW+verify, scored by this installed model.")
    parser.add_argument("--verify-top", type=int, default=200, help="How many candidates the model scores.")
    parser.add_argument("--verify-weight", type=float, default=1.0, help="Weight w of exp(w · log-prob).")
    parser.add_argument("--verify-context", action="store_true", help="Score renderings inside a sentence.")
    args = parser.parse_args()
    if args.verify:
        VERIFY.update(
            scorer=model_scorer(args.verify),
            top=args.verify_top,
            weight=args.verify_weight,
            context=args.verify_context,
        )
    if args.only != "k8s":
        run_faq(args.top)
    if args.only != "faq":
        run_k8s(args.top)


if __name__ == "__main__":
    main()
