"""Quality estimation on held-out text: the FAQ-fitted score on the Kubernetes docs and literary chapters.

The shipped score was fitted, and its signals chosen, on the DeepSeek FAQ
(``bench/qe_bench.py``).  This bench asks whether it ranks text it never saw:
the test half of ``k8s-docs`` as ``translator/heldout.py`` defines it (pages
sorted by name, even positions; the first ``--per-page`` aligned beads with
Chinese text of each page; the site's glossary imported mechanically as the
termbase), a different domain with markup and code.

* **Translation and score are production's**: ``build_translator`` (the
  default ``TranslateConfig`` and ``QualityConfig``: termbase on; the fluency
  pass is run too, though off by default since stop 22, so both scores can be read)
  over the model with the default decoding (greedy); the quality layer's own
  two steps, :func:`record_signals` and :func:`score_records`, run apart only so
  the signals can be kept and timed.  The calibration is
  ``CALIBRATIONS["default"]`` as shipped: nothing is fitted on this corpus.
  (Stop 22 chose free signals over free + fluency as the default on these
  beads: both halves ranked better without fluency. So this set is no longer
  blind for that one choice.)
* **Units**: a bead (one aligned unit, usually one sentence) is scored against
  its English by sentence chrF of the visible text (placeholders dropped on both
  sides, as the held-out evaluation scores).  A bead of several source sentences
  gets its weakest sentence's score and signals (as the server scores a split
  item).  Beads whose visible source has no Chinese are not in the subset (the
  held-out rule; every FAQ segment has Chinese); a segment the stack copies
  (code, a bare name) has no score, and a bead with no scored segment is left
  out and counted.
* **Printed**: each signal's own Spearman with chrF (and how many of the worst
  10 % it alone puts in its lowest 20 %); the shipped score's Spearman and that
  capture; beside it, on the same beads, the free-signals-only score (the
  stop-20 default calibration, and the same signals refitted on today's FAQ),
  and any ``EXTRA_FITS`` (calibrations fitted on all FAQ segments); the share of
  beads under the review threshold; seconds per 100 segments (translation,
  quality signals); the 0.5B model's own chrF against the references (a
  diagnostic: how much of "worst" any system shares).
* ``--half memory`` scores the split's other half (the TM pages, which no QE
  choice has seen: the confirmation set of stop 22's method changes), ``--half
  both`` both, plus an in-domain diagnostic: q0.2 fitted on one k8s half and
  scored on the other (can these signals rank this text at all?).

``--set mac-dev`` scores a third domain instead: the MAC-Dev literary chapters
(the first ``--per-page`` gold beads of each chapter with both sides; each
Chinese sentence a segment, the bead's English sentences joined as the
reference; no termbase), with the in-domain diagnostic over its chapters.
``--skip N`` leaves out each page's first N beads: the next ``--per-page`` beads
are a fresh sample of the same pages (stop 23 tested its method changes on
``--skip 36`` for k8s and ``--skip 40`` / ``--skip 80`` for MAC-Dev, each against
a rule written down before that sample was scored).  The cheap signals are
recomputed from the cached records, so a new definition needs no new run.

Translations and signals are cached per page under
``~/.cache/termalign/qe-heldout/`` (keyed by model, page, per-page cap and the
hash of the segments and termbase), so a rerun takes seconds; ``--budget``
stops before starting a page once that many seconds have passed (run again to
go on).  Run from the repository root::

    TERMALIGN_DATA=/work/shared/corpora nice -n 5 .venv/bin/python bench/qe_heldout.py [--half memory|both]
    TERMALIGN_DATA=/work/shared/corpora .venv/bin/python bench/qe_heldout.py --set mac-dev --per-page 40
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qe_bench import (  # noqa: E402
    CONDITIONAL,
    FAST,
    FAST_LATIN,
    PRIOR,
    UNIT_DIRECTIONS,
    faq_rows,
    fill,
    latin_length,
    mean,
    spearman,
    worst_caught,
)
from qe_cache import ROOT, SECOND_MODEL  # noqa: E402

from termalign.kernel.atomic import atomic_write_text  # noqa: E402
from termalign.translator.quality import (  # noqa: E402
    CALIBRATIONS,
    QUANTILE,
    REVIEW_THRESHOLD,
    Calibration,
    QualityConfig,
    cheap_signals,
    chrf,
    record_signals,
    score_records,
)
from termalign.translator.records import SegmentRecord  # noqa: E402

SIGNALS = (*FAST, "fluency")
_PLACEHOLDER = re.compile(r"</?[gx]\d+/?>")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？；…!?.;:：][\s”’\"'）)」』】\]]*$")

# The shipped default of stop 20 (free signals only, fitted on the 241-segment FAQ of then):
# the score without the fluency pass, for comparison on the same beads.
STOP20_FREE = Calibration(
    name="faq-qwen2.5-coder-1.5b-default-q0.2",
    features=("logprob", "coverage", "length", "size", "errors", "warnings", "invented"),
    means=(-0.296812, 0.586261, 0.187108, 3.211459, 0.016598, 0.016598, 0.0),
    scales=(0.127195, 0.22425, 0.177998, 0.709172, 0.127758, 0.127758, 1.0),
    weights=(0.283196, 0.178172, -0.053624, 0.348794, -0.045648, -0.003687, 0.0),
    bias=-0.346463,
    fitted_on="241 DeepSeek FAQ segments, qwen2.5-coder-1.5b, termbase, reference chrF",
    quantile=0.2,
)


def cache_dir() -> Path:
    base = os.environ.get("TERMALIGN_QE_HELDOUT_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "termalign" / "qe-heldout"


def page_key(model: str, page: str, per_page: int | None, segments: list[str], termbase_hash: str) -> Path:
    digest = hashlib.sha256("\n".join([termbase_hash, *segments]).encode()).hexdigest()[:16]
    return cache_dir() / f"{model}-{page}-{per_page or 'all'}-{len(segments)}-{digest}.json"


def translate_page(translator: Any, segments: list[str], ids: list[str]) -> dict[str, Any]:
    """The quality layer's ``translate``, in its two steps: records, then their signals (each timed)."""
    started = time.perf_counter()
    records = translator.inner.translate(segments, ids=ids)
    translated = time.perf_counter() - started
    started = time.perf_counter()
    # the fluency pass too (off by default since stop 22), so the bench can score both
    signals = record_signals(
        records, translator.model, config=QualityConfig(fluency=True), calibration=CALIBRATIONS["fluency"]
    )
    return {
        "records": [r.to_dict() for r in records],
        "signals": signals,
        "seconds": {"translate": round(translated, 2), "signals": round(time.perf_counter() - started, 2)},
    }


def visible(text: str) -> str:
    """The text without markup placeholders (a paired tag keeps its content), spaces collapsed."""
    return _SPACE.sub(" ", _PLACEHOLDER.sub("", text)).strip()


def bead_units(beads: list[Any], records: list[SegmentRecord], signals: list[Any]) -> list[dict[str, Any]]:
    """One unit per bead: its hypothesis, sentence chrF, the weakest scored sentence's signals."""
    scored = score_records(
        records, config=QualityConfig(), calibration=CALIBRATIONS["default"], signals=signals
    )
    units, k = [], 0
    for bead in beads:
        parts = list(range(k, k + len(bead.segments)))
        k += len(bead.segments)
        hypothesis = visible(" ".join(records[i].target for i in parts))
        candidates = [i for i in parts if scored[i].quality is not None and signals[i] is not None]
        unit: dict[str, Any] = {
            "parts": parts,
            "page": bead.page, "source": bead.source, "reference": bead.reference,
            "hypothesis": hypothesis, "chrf": 100 * chrf(hypothesis, bead.reference),
            "sentences": len(parts), "scored": bool(candidates),
        }  # fmt: skip
        if candidates:
            weakest = min(candidates, key=lambda i: scored[i].quality or 0.0)
            unit["quality"] = scored[weakest].quality
            unit["signals"] = signals[weakest]
            unit["weakest"] = weakest
        units.append(unit)
    return units


def fresh_cheap_signals(records: list[SegmentRecord], cached: list[Any]) -> list[Any]:
    """The cached signals with the cheap ones recomputed from the records (their definitions may be
    newer than the cache; the model signals cannot be, they are keyed by the model), and the measured
    Latin-aware length beside them."""
    return [
        None if values is None else {
            **values, **cheap_signals(r.source, r.target, r.issues),
            "length_latin": latin_length(r.source, r.target),
        }
        for r, values in zip(records, cached, strict=True)
    ]  # fmt: skip


def is_label(source: str) -> bool:
    """A source that does not end in sentence punctuation: a heading, list item or table cell (for the
    measured variant that leaves such a segment's size out; the FAQ has none)."""
    return not _SENTENCE_END.search(_PLACEHOLDER.sub("", source).strip())


def mac_chapters(data_dir: Path) -> list[str]:
    """The MAC-Dev chapter ids that have both sides and a gold alignment."""
    return sorted(
        p.stem for p in (data_dir / "gold").glob("*.align")
        if (data_dir / "zh" / f"{p.stem}.zh").is_file() and (data_dir / "en" / f"{p.stem}.en").is_file()
    )  # fmt: skip


def mac_beads(data_dir: Path, chapter: str, per_page: int | None) -> list[Any]:
    """The first ``per_page`` gold beads of a MAC-Dev chapter with both sides: each Chinese sentence a
    segment, the bead's English sentences joined as the reference (the human alignment, not ours)."""
    from termalign.translator.heldout import TestBead

    zh = (data_dir / "zh" / f"{chapter}.zh").read_text(encoding="utf-8").splitlines()
    en = (data_dir / "en" / f"{chapter}.en").read_text(encoding="utf-8").splitlines()
    beads: list[Any] = []
    for line in (data_dir / "gold" / f"{chapter}.align").read_text(encoding="utf-8").splitlines():
        zh_part, en_part = (json.loads(side) for side in line.split(":"))
        segments = tuple(zh[i].strip() for i in zh_part)
        if not zh_part or not en_part or not all(segments):
            continue
        reference = " ".join(en[i].strip() for i in en_part)
        ids = tuple(f"{chapter}:{i}" for i in zh_part)
        beads.append(TestBead(chapter, ids, segments, "".join(segments), reference))
        if per_page is not None and len(beads) >= per_page:
            break
    return beads


def cached_stage(path: Path, compute: Any) -> dict[str, Any]:
    """A page's stage from its cache file, or computed and stored (atomically: a killed run resumes)."""
    if not path.is_file():
        data = compute()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(data, ensure_ascii=False) + "\n")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def variant_stage(engine: Any, second: Any, records: list[SegmentRecord]) -> dict[str, Any]:
    """Signals of the measured method changes (not shipped unless the README says so), per segment:
    ``fluency_plain`` / ``difficulty`` (the model's LM score of the translation / the source with the
    markup placeholders removed) and ``oracle`` (the second model's own translation, a diagnostic)."""
    started = time.perf_counter()
    fluency = [mean(lp) for lp in engine.score_texts([visible(r.target) for r in records])]
    difficulty = [mean(lp) for lp in engine.score_texts([visible(r.source) for r in records])]
    lm_seconds = time.perf_counter() - started
    oracle = [h.best.text for h in second().translate_batch([r.source for r in records])]
    return {"fluency_plain": fluency, "difficulty": difficulty, "oracle": oracle,
            "seconds": {"lm": round(lm_seconds, 2)}}  # fmt: skip


def token_stage(engine: Any, records: list[SegmentRecord]) -> dict[str, Any]:
    """Per segment, the model's LM log-probability of each token of the translation (``score_texts``
    of the target as the quality layer scores it: its mean is the shipped ``fluency``)."""
    return {"tokens": engine.score_texts([r.target for r in records])}


def after_first(tokens: list[float]) -> float | None:
    """Fluency without the first token (its log-probability has no context: it says how common the
    first word is, and in a one- or two-word heading it is most of the mean)."""
    return mean(tokens[1:])


def main() -> int:
    from termalign.termbase.store import Termbase
    from termalign.translator.cache import CachedEngine
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.heldout import glossary_entries, heldout_beads, split_pages
    from termalign.translator.install import default_models_dir, get_model
    from termalign.translator.stack import build_translator
    from termalign.translator.terms import TranslateConfig

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument(
        "--set", dest="corpus", choices=("k8s-docs", "mac-dev"), default="k8s-docs",
        help="k8s-docs (technical pages, their glossary as termbase) or mac-dev (literary chapters, "
        "gold beads, no termbase)",
    )  # fmt: skip
    parser.add_argument(
        "--data", type=Path, default=None, help="the set's folder (default: in TERMALIGN_DATA)"
    )
    parser.add_argument("--per-page", type=int, default=36, help="aligned beads per test page (0: all)")
    parser.add_argument(
        "--skip", type=int, default=0,
        help="leave out each page's first SKIP beads (a fresh sample of the same pages: --skip 36)",
    )  # fmt: skip
    parser.add_argument(
        "--half", choices=("test", "memory", "both"), default="test",
        help="the held-out split's test half (default), its other half (the TM pages), or both",
    )  # fmt: skip
    parser.add_argument("--budget", type=float, default=540.0, help="start no new page after this many s")
    parser.add_argument("--no-variants", action="store_true", help="skip the measured method changes")
    parser.add_argument("--faq", type=Path, default=ROOT / "out" / "deepseek" / "faq.jsonl")
    parser.add_argument("--faq-model", default="qwen2.5-coder-1.5b", help="whose FAQ signals to refit on")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    per_page = args.per_page or None
    if args.data is None:
        args.data = Path(os.environ.get("TERMALIGN_DATA", ROOT.parent / "shared" / "corpora")) / args.corpus
    if args.corpus == "mac-dev":
        pages = mac_chapters(args.data)
        termbase = Termbase.memory()
        beads_of = functools.partial(mac_beads, args.data)
    else:
        test_pages, other_pages = split_pages(args.data)
        pages = {"test": test_pages, "memory": other_pages, "both": [*test_pages, *other_pages]}[args.half]
        termbase = Termbase.memory(glossary_entries(args.data / "glossary.tsv"))
        beads_of = functools.partial(heldout_beads, args.data)
    translator: Any = None

    def stack() -> Any:
        nonlocal translator
        if translator is None:
            engine = CachedEngine(
                open_engine(get_model(args.model, default_models_dir()), EngineConfig()), None
            )
            translator = build_translator(
                engine, termbase=termbase, config=TranslateConfig(), quality=QualityConfig()
            )
        return translator

    second = functools.cache(
        lambda: open_engine(get_model(SECOND_MODEL, default_models_dir()), EngineConfig())
    )
    beads: list[Any] = []
    records: list[SegmentRecord] = []
    signals: list[Any] = []
    variants: dict[str, list[Any]] = {"fluency_plain": [], "difficulty": [], "oracle": [], "tokens": []}
    seconds = {"translate": 0.0, "signals": 0.0, "lm": 0.0}
    missing: list[str] = []
    for page in pages:
        page_beads = beads_of(page, None if per_page is None else args.skip + per_page)[args.skip :]
        segments = [s for b in page_beads for s in b.segments]
        ids = [i for b in page_beads for i in b.ids]
        key = page if args.corpus == "k8s-docs" else f"{args.corpus}-{page}"
        key += f"-after{args.skip}" if args.skip else ""
        path = page_key(args.model, key, per_page, segments, termbase.hash())
        later = path.with_name("variants-" + path.name)
        if (not path.is_file() or not (args.no_variants or later.is_file())) and (
            time.perf_counter() - started > args.budget
        ):
            missing.append(page)
            continue
        if not path.is_file():
            log(f"{page}: translating {len(segments)} segments")
        data = cached_stage(
            path, functools.partial(lambda s, i: translate_page(stack(), s, i), segments, ids)
        )
        page_records = [SegmentRecord.from_dict(r) for r in data["records"]]
        beads += page_beads
        records += page_records
        signals += fresh_cheap_signals(page_records, data["signals"])
        for name in ("translate", "signals"):
            seconds[name] += data["seconds"][name]
        if not args.no_variants:
            if not later.is_file():
                log(f"{page}: variant signals")
            extra = cached_stage(
                later, functools.partial(lambda r: variant_stage(stack().model, second, r), page_records)
            )
            for name in ("fluency_plain", "difficulty", "oracle"):
                variants[name] += extra[name]
            seconds["lm"] += extra["seconds"]["lm"]
            tokens = path.with_name("lm-tokens-" + path.name)
            if not tokens.is_file():
                log(f"{page}: token log-probabilities of the translations")
            lm = cached_stage(
                tokens, functools.partial(lambda r: token_stage(stack().model, r), page_records)
            )
            variants["tokens"] += lm["tokens"]
    if missing:
        print(f"budget spent: pages {', '.join(missing)} not done yet; run again to go on")
        return 1
    report(args, pages, beads, records, signals, variants if not args.no_variants else None, seconds, log)
    return 0


def report(
    args: Any, pages: list[str], beads: list[Any], records: list[SegmentRecord], signals: list[Any],
    variants: dict[str, list[Any]] | None, seconds: dict[str, float], log: Any,
) -> None:  # fmt: skip
    units = bead_units(beads, records, signals)
    kept = [u for u in units if u["scored"]]
    n_seg = len(records)
    reference = [u["chrf"] for u in kept]
    rows = [dict(u["signals"]) for u in kept]
    if variants is not None:
        for row, unit in zip(rows, kept, strict=True):
            row["fluency_plain"] = variants["fluency_plain"][unit["weakest"]]
            row["difficulty"] = variants["difficulty"][unit["weakest"]]
            row["fluency_ctx"] = after_first(variants["tokens"][unit["weakest"]])
            oracle = visible(" ".join(variants["oracle"][i] for i in unit["parts"]))
            row["agreement"] = chrf(unit["hypothesis"], oracle)
            drift = abs((mean(variants["tokens"][unit["weakest"]]) or 0.0) - (row.get("fluency") or 0.0))
            assert drift < 1e-3, f"the token log-probabilities do not give the shipped fluency ({drift})"
    multi = sum(1 for u in kept if u["sentences"] > 1)
    copies = sum(1 for r, s in zip(records, signals, strict=True) if s is None and r.origin == "copy")
    cap = f"first {args.per_page or 'all'}"
    cap = f"{args.per_page or 'all'} beads after the first {args.skip}" if args.skip else cap
    if args.corpus == "mac-dev":
        print(f"held-out mac-dev (literary chapters, gold beads), {args.model}, default stack (no "
              f"termbase, greedy, quality layer as shipped); chapters {', '.join(pages)}; {cap} beads "
              f"each")  # fmt: skip
    else:
        print(f"held-out k8s-docs ({args.half} half), {args.model}, default stack (glossary termbase, "
              f"greedy, quality layer as shipped); pages {', '.join(pages)}; {cap} beads per "
              f"page")  # fmt: skip
    print(f"{len(units)} beads / {n_seg} segments; {len(kept)} beads scored ({multi} of several sentences: "
          f"their weakest sentence), {len(units) - len(kept)} left out (no scored segment); "
          f"{copies} segments copied by the stack (no score)")  # fmt: skip
    per100 = 100 / n_seg
    print(f"mean sentence chrF {sum(reference) / len(reference):.1f}; seconds per 100 segments: translation "
          f"{seconds['translate'] * per100:.0f}, quality signals {seconds['signals'] * per100:.1f} "
          f"(the fluency pass: not in the default); variant LM {seconds['lm'] * per100:.1f}")  # fmt: skip
    faq = load_faq(args, log)
    results: dict[str, Any] = {
        "set": args.corpus,
        "half": args.half,
        "beads": len(kept),
        "segments": n_seg,
        "signals": {},
        "scores": {},
        "seconds_per_100": {k: v * per100 for k, v in seconds.items()},
    }
    print(f"\n{'signal':16} {'Spearman':>9} {'worst alone':>12} {'FAQ Spearman':>13}   (worst alone: ranked "
          f"in the direction the signal has on the FAQ)")  # fmt: skip
    added = ("fluency_plain", "difficulty", "fluency_ctx", "agreement")
    names = [*SIGNALS, *(added if variants is not None else ())]
    for name in names:
        values = fill([r.get(name) for r in rows])
        rho = spearman(values, reference)
        faq_rho = faq_spearman(faq, "fluency" if name == "fluency_plain" else name)
        sign = 1 if (faq_rho if faq_rho is not None else rho) >= 0 else -1
        caught, worst = worst_caught([sign * v for v in values], reference)
        results["signals"][name] = {"spearman": rho, "worst_alone": caught, "faq_spearman": faq_rho}
        faq_cell = f"{faq_rho:13.3f}" if faq_rho is not None else f"{'':>13}"
        print(f"{name:16} {rho:9.3f} {f'{caught}/{worst}':>12} {faq_cell}")
    scores: dict[str, list[float]] = {"shipped default (FAQ fit, unchanged)": [u["quality"] for u in kept]}
    scores["free signals, stop-20 default"] = [STOP20_FREE.score(r) for r in rows]
    labels = [is_label(records[u["weakest"]].source) for u in kept]
    scores["shipped default, size of sentences only (stop 23)"] = [
        CALIBRATIONS["default"].score({**r, "size": None} if label else r)
        for r, label in zip(rows, labels, strict=True)
    ]
    if faq is not None:
        scores.update(faq_fitted(faq, rows, variants is not None))
    print("\nscores fitted on the FAQ only, ranking the held-out beads (targets: Spearman >= 0.4, "
          "worst 10% in the lowest-scored 20% >= 60%)")  # fmt: skip
    print(f"{'score':60} {'Spearman':>9} {'worst':>12} {f'< {REVIEW_THRESHOLD}':>8}")
    for label, values in scores.items():
        rho = spearman(values, reference)
        caught, worst = worst_caught(values, reference)
        under = sum(v < REVIEW_THRESHOLD for v in values) / len(values)
        results["scores"][label] = {"spearman": rho, "worst_caught": caught, "worst": worst, "under": under}
        print(f"{label:60} {rho:9.3f} {f'{caught}/{worst} {caught / worst:.0%}':>12} {under:8.0%}")
    if variants is not None:
        oracle = []
        for unit in kept:
            text = visible(" ".join(variants["oracle"][i] for i in unit["parts"]))
            oracle.append(100 * chrf(text, unit["reference"]))
        caught, worst = worst_caught(oracle, reference)
        results["oracle"] = {"spearman": spearman(oracle, reference), "worst_caught": caught}
        print(f"\ndiagnostic (uses the reference, not a signal): the {SECOND_MODEL}'s own chrF against the "
              f"reference: Spearman {spearman(oracle, reference):.3f} with the {args.model}'s, worst 10% in "
              f"its lowest 20%: {caught}/{worst}")  # fmt: skip
    if args.half == "both" or args.corpus == "mac-dev":
        results["in_domain"] = in_domain(
            rows, reference, [u["page"] in pages[: len(pages) // 2] for u in kept]
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


# Signal sets fitted *on k8s* (one half, scoring the other): can these signals rank this text at all?
IN_DOMAIN = (
    ("free signals (the shipped signals)", FAST),
    ("free + fluency (the stop-21 default)", SIGNALS),
    ("free + agreement with the 0.5B", (*FAST, "agreement")),
)


def in_domain(rows: list[dict[str, Any]], reference: list[float], first: list[bool]) -> dict[str, Any]:
    """The issue's protocol on k8s itself: fit (q0.2) on one half's beads, score the other, both ways."""
    halves = [[i for i, f in enumerate(first) if f], [i for i, f in enumerate(first) if not f]]
    target = [r / 100 for r in reference]
    print("\nin-domain diagnostic (not the shipped score): q0.2 fitted on one half of the pages, scored on "
          "the other, both ways; pooled, then per half")  # fmt: skip
    out: dict[str, Any] = {}
    for label, features in IN_DOMAIN:
        scores = [0.0] * len(rows)
        for test in halves:
            train = [i for i in range(len(rows)) if i not in set(test)]
            fitted = Calibration.fit([rows[i] for i in train], [target[i] for i in train], features,
                                     quantile=QUANTILE)  # fmt: skip
            for i in test:
                scores[i] = fitted.score(rows[i])
        rho = spearman(scores, reference)
        caught, worst = worst_caught(scores, reference)
        each = []
        for h in halves:
            part, part_reference = [scores[i] for i in h], [reference[i] for i in h]
            each.append((spearman(part, part_reference), *worst_caught(part, part_reference)))
        out[label] = {"spearman": rho, "worst_caught": caught, "worst": worst, "halves": each}
        per_half = "; ".join(f"{r:.3f}, {c}/{w}" for r, c, w in each)
        print(f"{label:38} Spearman {rho:.3f}, worst {caught}/{worst} = {caught / worst:.0%} "
              f"(halves: {per_half})")  # fmt: skip
    return out


def load_faq(args: Any, log: Any) -> Any:
    if not args.faq.is_file():
        log(f"{args.faq} not found: the FAQ-fitted rows are skipped")
        return None
    return faq_rows(args.faq_model, SECOND_MODEL, args.faq, None, log)


def faq_spearman(faq: Any, name: str) -> float | None:
    if faq is None or all(r.get(name) is None for r in faq.rows):
        return None
    return spearman(fill([r.get(name) for r in faq.rows]), faq.reference)


# Calibrations fitted on all FAQ segments and applied unchanged here: (label, signals, the held-out
# row's signal each reads).  The method changes of stop 22, decided before this set was scored:
# fluency of the text without markup (a placeholder is our syntax, not English; the FAQ has none, so
# there the shipped calibration is this one), and the source's LM score beside it (technical text is
# improbable on both sides: the difference, not the level, says the translation is odd); then, after
# the test half showed one-word headings ranked lowest, fluency without the context-free first token
# (confirmed on the other half, which no choice had seen).
EXTRA_FITS: tuple[tuple[str, tuple[str, ...], dict[str, str], bool], ...] = (
    ("free signals, refitted on today's FAQ (= shipped)", FAST, {}, False),
    ("free + fluency, refitted here (= stop-21 default)", SIGNALS, {}, False),
    ("free + fluency without markup", SIGNALS, {"fluency": "fluency_plain"}, True),
    ("free + fluency + difficulty, both without markup", (*SIGNALS, "difficulty"),
     {"fluency": "fluency_plain"}, True),
    ("free + fluency + difficulty (fluency with markup)", (*SIGNALS, "difficulty"), {}, True),
    ("free + fluency after its first token", (*FAST, "fluency_ctx"), {}, True),
    ("conditional only (no size, fluency)", CONDITIONAL, {}, False),
    ("free signals, Latin-aware length (stop 23)", FAST_LATIN, {}, False),
    ("free + agreement with the 0.5B (= shipped with agreement)", (*FAST, "agreement"), {}, True),
)  # fmt: skip
# Stop 23: unit weights in each signal's a-priori direction (Calibration.fit_unit), the FAQ fixing
# only the standardisation and the link; measured, not shipped (README).
UNIT_FITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("prior signals (Latin-aware length), unit weights", PRIOR),
    ("prior + size, unit weights", (*PRIOR, "size")),
    ("prior + fluency, unit weights", (*PRIOR, "fluency")),
)


def faq_fitted(faq: Any, rows: list[dict[str, Any]], with_variants: bool) -> dict[str, list[float]]:
    """The ``EXTRA_FITS`` calibrations fitted (q0.2) on the whole FAQ, scoring the held-out ``rows``."""
    target = [r / 100 for r in faq.reference]
    out: dict[str, list[float]] = {}
    for label, features, read, needs_variants in EXTRA_FITS:
        if needs_variants and not with_variants:
            continue
        calibration = Calibration.fit(faq.rows, target, features, quantile=QUANTILE)
        out[label] = [calibration.score({**r, **{k: r.get(v) for k, v in read.items()}}) for r in rows]
    for label, features in UNIT_FITS:
        calibration = Calibration.fit_unit(faq.rows, target, features, directions=UNIT_DIRECTIONS)
        out[label] = [calibration.score(r) for r in rows]
    return out


if __name__ == "__main__":
    raise SystemExit(main())
