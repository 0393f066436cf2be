"""Sentence-aligner benchmark: MAC-Dev (literary, pre-split) and the DeepSeek FAQ (zh → en).

Run ``python bench/align_bench.py`` from the repository root.  The corpus is
read from ``$TERMALIGN_DATA`` or ``../shared/corpora``.  Prints:

* side by side, strict/lax F1 on MAC-Dev (Vecalign/Bertalign convention,
  micro-averaged over the six chapters) and strict F1 on the FAQ gold, for
  termalign in each similarity mode and for the ``galechurch`` package, with
  seconds per 1,000 sentences and the calibration of the scores (share of
  beads scoring >= 0.5 that are right; share of flagged beads that are wrong);
  then, for the default mode, the raw lattice posterior against the shipped score
  map (``dp.DEFAULT_SCORE_MAP``, in-sample) and maps fitted leave-one-chapter-out
  (fit on five chapters, score the sixth, pooled), and the FAQ;

* time per sentence for the FAQ and for a 20× concatenation of it, and their
  ratio (the banded search should keep it near 1: linear time);
* strict bead F1 on ``corpora/deepseek/faq.gold.jsonl`` for termalign and for
  plain Gale–Church (the ``galechurch`` package) with its default parameters
  and with length parameters calibrated on the gold;
* with ``--calibrate``: the length ratio ``c`` and variance ``s²`` measured on
  the gold beads (the numbers behind ``AlignConfig.length_ratio/_variance``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from termalign.align.aligner import SIMILARITY_NAMES, align_documents, similarity_named, text_length  # noqa: E402  # noqa: E402
from termalign.align.corpus import default_data_dir  # noqa: E402
from termalign.align.costs import AlignConfig  # noqa: E402
from termalign.align.dictionary import load_cedict  # noqa: E402
from termalign.align.document import Block, Document  # noqa: E402
from termalign.align.dp import DEFAULT_SCORE_MAP, fit_score_map, score_features  # noqa: E402
from termalign.align.gold import (  # noqa: E402
    Calibration,
    GoldSet,
    IndexScore,
    bead_f1,
    calibration,
    check_gold,
    index_beads,
    load_gold,
    parse_index_gold,
)
from termalign.align.reader import read_document  # noqa: E402

GOLD = REPO / "corpora" / "deepseek" / "faq.gold.jsonl"
REPEAT = 20


def concatenate(doc: Document, times: int) -> Document:
    """``doc`` repeated ``times`` times, with fresh block/sentence ids and shifted offsets."""
    blocks: list[Block] = []
    for r in range(times):
        shift = r * len(doc.text)
        for block in doc.blocks:
            block_id = f"b{len(blocks)}"
            sentences = tuple(
                replace(s, id=f"{block_id}.s{k}", start=s.start + shift, end=s.end + shift)
                for k, s in enumerate(block.sentences)
            )
            blocks.append(
                replace(
                    block, id=block_id, start=block.start + shift, end=block.end + shift, sentences=sentences
                )
            )
    return replace(doc, text=doc.text * times, blocks=tuple(blocks))


def timed_alignment(zh: Document, en: Document) -> tuple[float, float]:
    """(seconds, seconds per sentence) of one alignment, best of two runs."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        align_documents(zh, en)
        best = min(best, time.perf_counter() - started)
    return best, best / (len(zh.sentences) + len(en.sentences))


def mac_dev(data: Path) -> list[tuple[Document, Document, list]]:
    """The six MAC-Dev chapters: (zh, en, gold index beads)."""
    root = data / "mac-dev"
    out = []
    for zh_path in sorted((root / "zh").glob("*.zh")):
        name = zh_path.stem
        zh = read_document(zh_path, lang="zh")
        en = read_document(root / "en" / f"{name}.en", lang="en")
        out.append((zh, en, parse_index_gold((root / "gold" / f"{name}.align").read_text(encoding="utf-8"))))
    return out


@dataclass(frozen=True)
class Labelled:
    """One chapter's beads in path order: raw posterior, shape, right or not."""

    raw: list[float]
    shapes: list[tuple[int, int]]
    right: list[bool]

    @property
    def features(self) -> list[tuple[float, ...]]:
        return score_features(self.raw, self.shapes)


# "scorer": the model's pair scorer; "settings": options of LikelihoodSimilarity
LIKELIHOOD: dict[str, object] = {}


def likelihood_scorer(model: str) -> object:
    """The pair scorer of ``model`` (loaded once), cached in $TERMALIGN_MT_CACHE/likelihood-MODEL.jsonl."""
    if "scorer" not in LIKELIHOOD:
        from mt_cache import cache_file

        from termalign.translator.engine import EngineConfig, open_engine
        from termalign.translator.install import default_models_dir, get_model
        from termalign.translator.pair_likelihood import pair_scorer

        engine = open_engine(
            get_model(model, default_models_dir()),
            EngineConfig(source_language="Chinese", target_language="English"),
        )
        path = cache_file(model).with_name(f"likelihood-{model}.jsonl")
        LIKELIHOOD["scorer"] = pair_scorer(engine, path)
    return LIKELIHOOD["scorer"]


def similarity_for(mode: str, zh: Document, en: Document, config: AlignConfig) -> object:
    if mode == "likelihood":
        from termalign.align.likelihood import LikelihoodSimilarity

        settings = LIKELIHOOD.get("settings", {})
        return LikelihoodSimilarity(LIKELIHOOD["scorer"], **settings)  # type: ignore[arg-type]
    return similarity_named(mode, zh, en, config)


def run_mac(chapters: list, mode: str) -> tuple[IndexScore, Calibration, float, float, list[Labelled]]:
    """(scores, calibration, s/1k sentences, slowest chapter in seconds, per chapter labelled beads)."""
    total, scored, seconds, slowest, sentences = IndexScore(), [], 0.0, 0.0, 0
    labelled: list[Labelled] = []
    for zh, en, gold in chapters:
        started = time.perf_counter()
        if mode == "galechurch":
            system = galechurch_index(zh, en)
            beads_scores: list[float] = []
        else:
            config = AlignConfig()
            result = align_documents(zh, en, config, similarity=similarity_for(mode, zh, en, config))
            system = index_beads(result.beads, zh, en)
            beads_scores = [b.score for b in result.beads]
        took = time.perf_counter() - started
        seconds, slowest = seconds + took, max(slowest, took)
        sentences += len(zh.sentences) + len(en.sentences)
        chapter = IndexScore()
        chapter.add(system, gold)
        extra = f"  {result.signature.get('redecision', '')}" if mode != "galechurch" else ""
        print(
            f"    {Path(zh.path).stem} {mode}: strict {chapter.strict_f1:.3f}  {took:6.1f} s{extra}",
            flush=True,
        )
        total.add(system, gold)
        gold_set = set(gold)
        if beads_scores:
            scored.extend((score, bead in gold_set) for score, bead in zip(beads_scores, system, strict=True))
            labelled.append(_labelled(result.beads, [bead in gold_set for bead in system]))
    if mode == "likelihood":
        print_model_cost(LIKELIHOOD["scorer"], seconds, sentences)
    return total, calibration(scored), 1000 * seconds / sentences, slowest, labelled


def print_model_cost(scorer: object, seconds: float, sentences: int) -> None:
    """What the model cost, and the time per 1,000 sentences had no pair come from the cache."""
    scored, cached, model_s = (getattr(scorer, a, 0) for a in ("scored", "cached", "seconds"))
    if not scored:
        print(f"    model: all {cached} pairs from the cache (no fresh timing in this run)")
        return
    per_pair = model_s / scored
    uncached = seconds - model_s + per_pair * (scored + cached)
    print(
        f"    model: {scored} pairs scored in {model_s:.0f} s ({per_pair:.2f} s/pair), {cached} cached;"
        f" without the cache about {1000 * uncached / sentences:.0f} s/1k sentences"
    )
    scorer.scored = scorer.cached = 0  # type: ignore[attr-defined]
    scorer.seconds = 0.0  # type: ignore[attr-defined]


def _labelled(beads: list, right: list[bool]) -> Labelled:
    raw = [b.raw_score if b.raw_score is not None else b.score for b in beads]
    return Labelled(raw, [(len(b.source_ids), len(b.target_ids)) for b in beads], right)


def leave_one_chapter_out(
    labelled: list[Labelled], precision: float | None = 0.9
) -> tuple[Calibration, list[Calibration]]:
    """Calibration of score maps fitted on all chapters but one and applied to that one.

    Returns the pooled calibration and each held-out chapter's own.
    """
    scored: list[tuple[float, bool]] = []
    each: list[Calibration] = []
    for k, chapter in enumerate(labelled):
        rest = [part for c, part in enumerate(labelled) if c != k]
        rows = [row for part in rest for row in part.features]
        fitted = fit_score_map(rows, [r for part in rest for r in part.right], precision=precision)
        held = list(zip(fitted.apply(chapter.raw, chapter.shapes), chapter.right, strict=True))
        scored.extend(held)
        each.append(calibration(held))
    return calibration(scored), each


def print_calibration(mode: str, labelled: list[Labelled], faq_labelled: list[Labelled]) -> None:
    """The score map against the raw posterior: in-sample, leave-one-chapter-out, FAQ."""
    raw = [(p, r) for part in labelled for p, r in zip(part.raw, part.right, strict=True)]
    faq_raw = [(p, r) for part in faq_labelled for p, r in zip(part.raw, part.right, strict=True)]

    def shipped(parts: list[Labelled]) -> Calibration:
        return calibration(
            (s, r)
            for part in parts
            for s, r in zip(DEFAULT_SCORE_MAP.apply(part.raw, part.shapes), part.right, strict=True)
        )

    print(f"calibration of termalign {mode}: P(right | score>=0.5) (n)   P(wrong | flagged) (n)")
    print(f"  MAC-Dev raw posterior (T=1.95)          {_cal(calibration(raw))}")
    print(f"  MAC-Dev shipped score map (in-sample)   {_cal(shipped(labelled))}")
    if len(labelled) > 1:
        pooled, each = leave_one_chapter_out(labelled)
        print(f"  MAC-Dev map, leave one chapter out      {_cal(pooled)}")
        print(f"  MAC-Dev ML fit only (no bias), l.o.o.   {_cal(leave_one_chapter_out(labelled, None)[0])}")
        print(
            "  each held-out chapter: "
            + ", ".join(f"{c.high_precision:.2f}/{c.flag_precision:.2f}" for c in each)
        )
    print(f"  FAQ raw posterior (T=1.95)              {_cal(calibration(faq_raw))}")
    print(f"  FAQ shipped score map                   {_cal(shipped(faq_labelled))}")


def galechurch_index(zh: Document, en: Document) -> list:
    import galechurch

    result = galechurch.align(
        [s.text for s in zh.sentences], [s.text for s in en.sentences], mean_xy=1 / 2.59, variance_xy=6.8
    )
    return [
        (tuple(range(b.source_start, b.source_end)), tuple(range(b.target_start, b.target_end)))
        for b in result.beads
    ]


def run_faq(
    zh: Document, en: Document, gold: GoldSet, mode: str
) -> tuple[float, Calibration | None, float, list[Labelled]]:
    """(strict F1, calibration, seconds per 1,000 sentences, labelled beads) on the FAQ."""
    started = time.perf_counter()
    if mode == "galechurch":
        f1 = galechurch_f1(zh, en, gold, 1 / 2.59, 6.8)
        return f1, None, 1000 * (time.perf_counter() - started) / (len(zh.sentences) + len(en.sentences)), []
    config = AlignConfig()
    result = align_documents(zh, en, config, similarity=similarity_for(mode, zh, en, config))
    took = time.perf_counter() - started
    score = bead_f1(result.beads, gold)
    wrong = set(score.errors)
    covered = {i for b in gold.beads for i in b.source_ids} | {i for b in gold.beads for i in b.target_ids}
    kept = [b for b in result.beads if any(i in covered for i in (*b.source_ids, *b.target_ids))]
    scored = [(b.score, (b.source_ids, b.target_ids) not in wrong) for b in kept]
    labelled = [_labelled(kept, [r for _, r in scored])]
    return score.f1, calibration(scored), 1000 * took / (len(zh.sentences) + len(en.sentences)), labelled


def run_mt(chapters: list, model: str) -> None:
    """``--similarity mt`` on the chapters whose Chinese lines ``bench/mt_cache.py`` has translated."""
    from mt_cache import load_cache

    from termalign.align.similarity import TranslationSimilarity

    cache = load_cache(model)
    done = [c for c in chapters if all(s.text in cache for s in c[0].sentences)]
    if not done:
        print(f"mt: no chapter fully translated by {model} yet (run bench/mt_cache.py)")
        return
    names = ",".join(Path(c[0].path).stem for c in done)
    for label in ("none", "mt"):
        total, scored, seconds, sentences = IndexScore(), [], 0.0, 0
        for zh, en, gold in done:
            sim = TranslationSimilarity(lambda xs: [cache[x] for x in xs]) if label == "mt" else None
            started = time.perf_counter()
            result = align_documents(zh, en, AlignConfig(), similarity=sim)
            seconds += time.perf_counter() - started
            sentences += len(zh.sentences) + len(en.sentences)
            system = index_beads(result.beads, zh, en)
            total.add(system, gold)
            scored.extend((b.score, x in set(gold)) for b, x in zip(result.beads, system, strict=True))
        print(
            f"  chapters {names}, termalign {label:<4}: strict {total.strict_f1:.3f} lax {total.lax_f1:.3f}"
            f"  {1000 * seconds / sentences:5.1f} s/1k (alignment only; translations cached)"
            f"  {_cal(calibration(scored))}"
        )


def _cal(c: Calibration | None) -> str:
    if c is None:
        return "      (no scores)     "
    return f"{c.high_precision:5.3f} ({c.high:4d})  {c.flag_precision:5.3f} ({c.low:4d})"


def galechurch_f1(zh: Document, en: Document, gold: GoldSet, mean: float, variance: float) -> float:
    import galechurch

    src, tgt = list(zh.sentences), list(en.sentences)
    result = galechurch.align(
        [s.text for s in src], [s.text for s in tgt], mean_xy=mean, variance_xy=variance
    )
    beads = [
        (
            tuple(s.id for s in src[b.source_start : b.source_end]),
            tuple(t.id for t in tgt[b.target_start : b.target_end]),
        )
        for b in result.beads
    ]
    return bead_f1(beads, gold).f1


def calibrate(zh: Document, en: Document, gold: GoldSet, ratio: float) -> None:
    by_id_zh = {s.id: s for s in zh.sentences}
    by_id_en = {s.id: s for s in en.sentences}
    for latin_weighted in (True, False):
        c = ratio
        for _ in range(5):  # the Latin weight depends on c: iterate to a fixed point
            pairs = [
                (
                    sum(
                        text_length(by_id_zh[i].text, True, c if latin_weighted else 1.0)
                        for i in b.source_ids
                    ),
                    sum(text_length(by_id_en[i].text, False, c) for i in b.target_ids),
                )
                for b in gold.beads
                if b.source_ids and b.target_ids
            ]
            c = sum(t for _, t in pairs) / sum(s for s, _ in pairs)
        var = [(t - c * s) ** 2 / s for s, t in pairs]
        label = "Latin in zh at 1/c" if latin_weighted else "raw characters    "
        print(
            f"  calibration ({label}): beads={len(pairs)} c={c:.3f} "
            f"s2(mean)={statistics.mean(var):.2f} s2(median)={statistics.median(var):.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print c and s² measured on the gold")
    parser.add_argument("--mt-model", default=None, help="also run --similarity mt from this model's cache")
    parser.add_argument(
        "--fit-score-map", action="store_true", help="print the score map fitted on all MAC-Dev chapters"
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the FAQ vs 20x FAQ timing")
    parser.add_argument(
        "--chapters", nargs="*", default=None, help="MAC-Dev chapters to run (default: all six)"
    )
    parser.add_argument(
        "--likelihood",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="LikelihoodSimilarity settings for the likelihood mode (weight=1 unsure_below=0.5 ...)",
    )
    parser.add_argument(
        "--modes", nargs="*", default=list(SIMILARITY_NAMES), help="similarity modes to run (default: all)"
    )
    args = parser.parse_args()

    gold = load_gold(GOLD)
    data = default_data_dir()
    zh_path, en_path = data / gold.meta["source"], data / gold.meta["target"]
    if not zh_path.exists() or not en_path.exists():
        print(f"corpus not found under {data} (set TERMALIGN_DATA)")
        return 1
    zh, en = read_document(zh_path, lang="zh"), read_document(en_path, lang="en")
    drift = check_gold(gold, zh, en)
    if drift:
        print(f"warning: segmentation drifted from the gold ({len(drift)} problems), e.g. {drift[0]}")

    started = time.perf_counter()
    load_cedict()
    print(f"dictionary load: {time.perf_counter() - started:.2f} s")

    if not args.no_scaling:
        small, small_per = timed_alignment(zh, en)
        big_zh, big_en = concatenate(zh, REPEAT), concatenate(en, REPEAT)
        big, big_per = timed_alignment(big_zh, big_en)
        n_small = len(zh.sentences) + len(en.sentences)
        print(f"FAQ        : {n_small:6d} sentences  {small:7.2f} s  {1000 * small_per:6.2f} ms/sentence")
        print(
            f"FAQ x{REPEAT:<5d}: {REPEAT * n_small:6d} sentences  {big:7.2f} s  "
            f"{1000 * big_per:6.2f} ms/sentence"
        )
        print(f"per-sentence time ratio (x{REPEAT} / x1): {big_per / small_per:.2f}  (1.0 = linear)")

    chapters = mac_dev(data) if (data / "mac-dev").exists() else []
    if args.chapters:
        chapters = [c for c in chapters if Path(c[0].path).stem in args.chapters]
    modes = [m for m in (*SIMILARITY_NAMES, "likelihood") if m in args.modes] + ["galechurch"]
    if "likelihood" in modes:
        if not args.mt_model:
            print("the likelihood mode needs --mt-model")
            return 1
        likelihood_scorer(args.mt_model)
        settings = {}
        for item in args.likelihood:
            key, _, value = item.partition("=")
            settings[key] = int(value) if key in ("context", "per_row") else float(value)
        LIKELIHOOD["settings"] = settings
    print()
    print("MAC-Dev: 6 chapters, 1,463 zh / 1,951 en lines; FAQ: strict F1 on the hand-checked gold")
    print("calibration: P(right | score>=0.5) (n)   P(wrong | flagged) (n)")
    print(
        f"{'system':<22} {'MAC strict':>10} {'MAC lax':>8} {'s/1k':>6} {'slowest':>8}  "
        f"{'MAC calibration':<28}"
        f" {'FAQ strict':>10} {'s/1k':>6}  FAQ calibration"
    )
    calibrations = []
    for mode in modes:
        mac_labelled: list[Labelled] = []
        if chapters:
            mac, mac_cal, mac_speed, slowest, mac_labelled = run_mac(chapters, mode)
            shown = _cal(mac_cal if mode != "galechurch" else None)
            mac_cols = (
                f"{mac.strict_f1:10.3f} {mac.lax_f1:8.3f} {mac_speed:6.1f} {slowest:7.2f}s  {shown:<28}"
            )
        else:
            mac_cols = f"{'(no mac-dev)':>36}"
        faq, faq_cal, faq_speed, faq_labelled = run_faq(zh, en, gold, mode)
        name = f"termalign {mode}" if mode != "galechurch" else "galechurch (1/2.59, 6.8)"
        print(f"{name:<22} {mac_cols} {faq:10.3f} {faq_speed:6.1f}  {_cal(faq_cal)}", flush=True)
        if mode == "none" and mac_labelled:
            calibrations.append((mode, mac_labelled, faq_labelled))
    for mode, mac_labelled, faq_labelled in calibrations:
        print_calibration(mode, mac_labelled, faq_labelled)
        if args.fit_score_map:
            fitted = fit_score_map(
                [r for part in mac_labelled for r in part.features],
                [y for part in mac_labelled for y in part.right],
            )
            print(f"  score map fitted on all chapters: {tuple(round(w, 3) for w in fitted.weights)}")
    if args.mt_model and chapters:
        print(
            f"translation similarity (Bleualign's idea) with {args.mt_model}, on the chapters it translated:"
        )
        run_mt(chapters, args.mt_model)
    print(
        "published on MAC-Dev (strict/lax): Bertalign 0.911/0.998, Vecalign 0.863/0.997, "
        "Bleualign 0.641/0.873,"
    )
    print("  Hunalign 0.610/0.852, Gale-Church 0.485/0.737")
    if args.calibrate:
        calibrate(zh, en, gold, 3.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
