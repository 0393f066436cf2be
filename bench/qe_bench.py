"""Quality estimation on the FAQ: each signal and the calibrated score against reference chrF.

On the aligned FAQ pairs (``out/deepseek/faq.jsonl`` from ``termalign run``),
the stack (model + termbase, no TM) translates every Chinese segment; each
translation gets the signals of ``translator.quality`` and its sentence chrF
against the human reference.  Printed:

* per signal: Spearman correlation with reference chrF and cost (seconds per
  100 segments; the model stages are timed when first computed, then cached in
  ``~/.cache/termalign/qe-bench/``);
* the calibrated score, **2-fold by halves of the FAQ** (fit on the first half,
  score the second, and the other way round; the out-of-fold scores pooled):
  Spearman with chrF (target >= 0.4) and the share of the worst 10 % segments by
  chrF that fall in the lowest-scored 20 % (target >= 60 %), with and without
  back-translation; the best single signal beside it as the baseline;
* the invented-content check's false flags on the human translation (target
  <= 5 % of segments) and its flags on the machine translation;
* the calibration fitted on all segments (what ``CALIBRATIONS`` ships).

Run from the repository root (the 1.5B model's first run takes about 25-40
minutes on 2 cores; reruns read the cache)::

    .venv/bin/python bench/qe_bench.py [--model qwen2.5-coder-1.5b] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qe_cache import ROOT, TERMBASE, faq_pairs, model_stages  # noqa: E402

from termalign.termbase.checks import check_segment  # noqa: E402
from termalign.termbase.store import load_termbase  # noqa: E402
from termalign.translator.quality import Calibration, cheap_signals, chrf  # noqa: E402
from termalign.translator.records import SegmentIssue, SegmentRecord  # noqa: E402

FAST = ("logprob", "coverage", "length", "size", "errors", "warnings", "invented")
FULL = (*FAST, "backtranslation")
# The invented names read in the 1.5B model's output of the DeepSeek articles (issue 14).
ISSUE_CASES = (
    ("美銀證券分析師表示", "A senior financial analyst at the Federal Reserve Bank of New York said"),
    ("玄武門之變", "the Lantern Gate incident"),
)
COMBINATIONS = (
    ("score (default: free signals)", FAST),
    ("score + forced log-probabilities", (*FAST, "forced_logprob")),
    ("score + back-translation", FULL),
    ("score without size", tuple(f for f in FAST if f != "size")),
)


def ranks(values: list[float]) -> list[float]:
    """Average ranks (ties share their mean rank)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    var = math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    return cov / var if var else 0.0


def worst_caught(scores: list[float], reference: list[float]) -> tuple[int, int]:
    """How many of the worst 10 % by reference fall in the lowest-scored 20 %, of how many."""
    n = len(scores)
    worst = set(sorted(range(n), key=lambda i: reference[i])[: max(1, math.ceil(0.1 * n))])
    low = set(sorted(range(n), key=lambda i: scores[i])[: max(1, math.ceil(0.2 * n))])
    return len(worst & low), len(worst)


def fill(values: list[float | None]) -> list[float]:
    known = [v for v in values if v is not None]
    mean = sum(known) / len(known) if known else 0.0
    return [mean if v is None else v for v in values]


def cross_validated(
    rows: list[dict[str, Any]], target: list[float], features: tuple[str, ...]
) -> list[float]:
    """Out-of-fold scores: fit on one half of the FAQ, score the other, both ways."""
    half = len(rows) // 2
    folds = [(range(0, half), range(half, len(rows))), (range(half, len(rows)), range(0, half))]
    scores = [0.0] * len(rows)
    for train, test in folds:
        calibration = Calibration.fit([rows[i] for i in train], [target[i] / 100 for i in train], features)
        for i in test:
            scores[i] = calibration.score(rows[i])
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--limit", type=int, default=None, help="the first N FAQ segments only")
    parser.add_argument("--faq", type=Path, default=ROOT / "out" / "deepseek" / "faq.jsonl")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()

    pairs = faq_pairs(args.faq, args.limit)
    sources, references = [p.source for p in pairs], [p.target for p in pairs]
    ids = [p.id or str(k) for k, p in enumerate(pairs)]
    stages = model_stages(args.model, sources, ids, lambda msg: print(f"  {msg}", file=sys.stderr))
    records = [SegmentRecord.from_dict(r) for r in stages["translate"]["value"]]
    targets = [r.target for r in records]
    n = len(pairs)
    per100 = 100.0 / n
    termbase = load_termbase(TERMBASE)
    matcher = termbase.matcher()

    check_segment("中文", "warm-up", matcher)  # dictionaries load once, outside the timings
    cheap_signals("中文", "warm-up")
    started = time.perf_counter()
    only = ["invented-content"]
    invented = [check_segment(s, t, matcher, checks=only) for s, t in zip(sources, targets, strict=True)]
    invented_cost = (time.perf_counter() - started) * per100
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for record, found in zip(records, invented, strict=True):
        issues = record.issues + tuple(SegmentIssue(i.check, str(i.severity), i.message) for i in found)
        rows.append(cheap_signals(record.source, record.target, issues))
    cheap_cost = (time.perf_counter() - started) * per100
    forced = stages["logprob"]["value"]
    back = stages["backtranslate"]["value"]
    for row, record, lp, bt, src in zip(rows, records, forced, back, sources, strict=True):
        row["forced_logprob"] = sum(lp) / len(lp) if lp else None
        row["logprob"] = record.score
        row["backtranslation"] = chrf(bt, src)
    reference = [100 * chrf(t, r) for t, r in zip(targets, references, strict=True)]

    costs = {
        "logprob": 0.0,
        "forced_logprob": stages["logprob"]["seconds"] * per100,
        "backtranslation": stages["backtranslate"]["seconds"] * per100,
        "coverage": cheap_cost,
        "length": cheap_cost,
        "size": cheap_cost,
        "errors": cheap_cost,
        "warnings": cheap_cost,
        "invented": invented_cost,
    }
    print(f"model {args.model}; {n} FAQ segments (stack with termbase, no TM); "
          f"translation took {stages['translate']['seconds'] * per100:.0f} s per 100 segments")  # fmt: skip
    print(f"mean reference chrF of the translations: {sum(reference) / n:.1f}")
    print(f"{'signal':24} {'Spearman':>9} {'s/100 seg':>10}")
    single: dict[str, float] = {}
    for name, cost in costs.items():
        rho = spearman(fill([row.get(name) for row in rows]), reference)
        single[name] = rho
        print(f"{name:24} {rho:9.3f} {cost:10.2f}")
    best = max(single, key=lambda k: abs(single[k]))
    sign = 1 if single[best] >= 0 else -1
    caught, worst = worst_caught([sign * v for v in fill([r.get(best) for r in rows])], reference)
    print(f"baseline, best single signal ({best}): Spearman {abs(single[best]):.3f}, "
          f"worst 10% in lowest 20%: {caught}/{worst}")  # fmt: skip
    results: dict[str, Any] = {"model": args.model, "segments": n, "signals": single, "costs": costs}
    for label, features in COMBINATIONS:
        scores = cross_validated(rows, reference, features)
        rho = spearman(scores, reference)
        caught, worst = worst_caught(scores, reference)
        cost = sum(costs[f] for f in features if f in ("forced_logprob", "backtranslation", "invented"))
        cost += cheap_cost
        print(f"{label} (2-fold by FAQ halves): Spearman {rho:.3f} (target >= 0.4), worst 10% in "
              f"lowest 20%: {caught}/{worst} = {caught / worst:.0%} (target >= 60%), "
              f"{cost:.1f} s/100 seg")  # fmt: skip
        results[label] = {"spearman": rho, "worst_caught": caught, "worst": worst}
    human = [check_segment(s, r, matcher, checks=only) for s, r in zip(sources, references, strict=True)]
    flagged = sum(1 for found in human if found)
    machine = sum(1 for found in invented if found)
    print(f"invented-content on the human translation: {flagged}/{n} segments flagged = {flagged / n:.1%} "
          f"(target <= 5%); on the machine translation: {machine}/{n}")  # fmt: skip
    caught_names = sum(1 for src, out in ISSUE_CASES if check_segment(src, out, matcher, checks=only))
    print(f"invented-content on the invented names of issue 14: {caught_names}/{len(ISSUE_CASES)} caught")
    results["invented"] = {"human_flagged": flagged, "machine_flagged": machine, "issue_caught": caught_names}
    for label, features in (("default", FAST), ("backtranslation", FULL)):
        fitted = Calibration.fit(
            rows, [r / 100 for r in reference], features, name=f"faq-{args.model}-{label}",
            fitted_on=f"{n} DeepSeek FAQ segments, {args.model}, termbase, reference chrF",
        )  # fmt: skip
        print(f"calibration fitted on all segments ({label}):\n  {fitted!r}")
        results[f"calibration {label}"] = fitted.as_dict()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
