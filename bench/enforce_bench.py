"""Term enforcement on a FAQ subset: injection modes side by side, segment by segment, in one process.

    python bench/enforce_bench.py [--model qwen2.5-coder-1.5b] [--stride 3] [--arms model,inline,auto,verify]
                                  [--cache out/bench-cache/enforce.sqlite] [--json out/enforce.json]

The subset is every ``--stride``-th segment of the FAQ evaluation (``out/deepseek/faq.jsonl``,
written by ``make run-terms``), the same for every arm.  Arms: ``model`` is the FAQ
evaluation's model alone; every other arm is its "model + termbase + TM" system (curated
termbase, leave-one-out TM) with one enforcement setting (``ARMS``); ``auto-old-engine``
is ``auto`` on the engine before issue 18 (no prefix reuse, batch 8), to separate the
engine's part in a difference from the injection's.

The engine is wrapped in a result cache (SQLite, ``--cache``): a prompt that two arms
share is decoded once, so two arms differ exactly where their prompts differ (no
batch-shape noise), and a re-run only decodes what changed.  Seconds are therefore
those of each arm's *new* prompts; compare times only between arms run on an empty
cache.  Printed: BLEU, chrF, term accuracy per arm; re-prompts fired and passed;
paired per-segment sentence chrF against ``--baseline`` (wins / losses / equal, mean
difference); and with ``--show`` the segments where two arms differ.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench_common import ROOT, open_bench_engine

OLD_ENGINE = {"reuse_prefix": False, "max_batch_size": 8, "max_batch_tokens": 4096}  # before issue 18
# arm -> (termbase + TM, TranslateConfig overrides, engine changes)
ARMS: dict[str, tuple[bool, dict[str, Any], dict[str, Any]]] = {
    "model": (False, {"inline_numbers": False, "enforce_numbers": False}, {}),
    "inline": (True, {"term_injection": "inline", "term_repair": "demand"}, {}),
    "list": (True, {"term_injection": "list", "term_repair": "demand"}, {}),
    "auto": (True, {"term_injection": "auto"}, {}),  # the default: + inline repair
    "auto-demand": (True, {"term_injection": "auto", "term_repair": "demand"}, {}),
    # stop 20's default: no copy check, fuzzy examples on any number of shared characters
    "auto-s20": (True, {"term_injection": "auto", "copy_check": False, "tm_example_min_chars": 1}, {}),
    "verify": (True, {"term_injection": "verify", "term_repair": "demand"}, {}),
    "verify-inline": (True, {"term_injection": "verify", "term_repair": "inline"}, {}),
    "verify-inline-n2": (True, {"term_injection": "verify", "term_repair": "inline", "n_best": 2}, {}),
    "auto-old-engine": (True, {"term_injection": "auto", "term_repair": "demand"}, OLD_ENGINE),
}


def run_arm(name: str, engine: Any, pairs: list[Any], termbase: Any, memory: Any) -> dict[str, Any]:
    from engine_bench import sibling
    from sacrebleu.metrics import BLEU, CHRF

    from termalign.termbase.checks import check_pairs
    from termalign.translator.cache import CachedEngine
    from termalign.translator.evaluate import LeaveOneOut
    from termalign.translator.terms import TermAwareTranslator, TranslateConfig

    full, overrides, changes = ARMS[name]
    inner = engine.engine
    arm_engine = CachedEngine(sibling(inner, **changes), engine.path) if changes else engine
    translator = TermAwareTranslator(
        arm_engine,
        termbase if full else None,
        LeaveOneOut(memory) if full and memory is not None else None,
        TranslateConfig(**overrides),
    )
    sources = [p.source for p in pairs]
    refs = [p.target for p in pairs]
    decoded = arm_engine.misses
    started = time.perf_counter()
    records = translator.translate(sources, ids=[p.id or str(k) for k, p in enumerate(pairs)])
    seconds = time.perf_counter() - started
    hyps = [r.target for r in records]
    report = check_pairs(list(zip(sources, hyps, strict=True)), termbase)
    missing = check_pairs(list(zip(sources, hyps, strict=True)), termbase, checks=["term-missing"])
    chrf = CHRF()
    per = [
        {
            "id": r.id, "target": r.target, "origin": r.origin, "attempts": r.attempts,
            "notes": list(r.notes),
            "chrf": round(chrf.sentence_score(h, [ref]).score, 2),
            "missing": [i.term for i in seg.issues],
        }
        for r, h, ref, seg in zip(records, hyps, refs, missing.segments, strict=True)
    ]  # fmt: skip
    fired = [r for r in records if r.attempts > 1]
    passed = [r for r in fired if any(n.startswith("repaired: re-prompt") for n in r.notes)]
    return {
        "BLEU": round(BLEU().corpus_score(hyps, [refs]).score, 2),
        "chrF": round(CHRF().corpus_score(hyps, [refs]).score, 2),
        "terms": f"{report.summary.used}/{report.summary.expected}",
        "term_accuracy": round(report.summary.used / max(1, report.summary.expected), 4),
        "reprompts": len(fired),
        "reprompts_passed": len(passed),
        "decoded": arm_engine.misses - decoded,
        "seconds": round(seconds, 1),
        "segments": per,
    }


def paired(base: dict[str, Any], arm: dict[str, Any]) -> str:
    diffs = [a["chrf"] - b["chrf"] for a, b in zip(arm["segments"], base["segments"], strict=True)]
    same = sum(a["target"] == b["target"] for a, b in zip(arm["segments"], base["segments"], strict=True))
    wins, losses = sum(d > 0 for d in diffs), sum(d < 0 for d in diffs)
    mean = sum(diffs) / len(diffs)
    return f"identical {same}/{len(diffs)}, sentence chrF wins {wins} / losses {losses}, mean {mean:+.2f}"


def main() -> int:
    from termalign.termbase.extract import load_pairs
    from termalign.termbase.store import load_termbase
    from termalign.translator.cache import CachedEngine
    from termalign.translator.stack import load_memory

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--stride", type=int, default=3, help="every N-th FAQ segment (1: all)")
    parser.add_argument("--arms", default="model,inline,auto,verify")
    parser.add_argument("--baseline", default="inline", help="arm the paired differences compare with")
    parser.add_argument("--cache", type=Path, default=ROOT / "out" / "bench-cache" / "enforce.sqlite")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--show", default="", help="two arms, comma-separated: their different outputs")
    args = parser.parse_args()

    out = ROOT / "out" / "deepseek"
    if not (out / "faq.jsonl").is_file():
        raise SystemExit(f"{out / 'faq.jsonl'} not found: run `make run-terms` first")
    pairs = [p for p in load_pairs(out / "faq.jsonl") if p.source.strip() and p.target.strip()]
    pairs = pairs[:: max(1, args.stride)]
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    engine = CachedEngine(open_bench_engine(args.model, args.models_dir, 256), args.cache)
    memory = load_memory([out / "faq.tmx"], source_lang="zh")
    arms = [a for a in args.arms.split(",") if a]
    results: dict[str, Any] = {}
    with load_termbase(ROOT / "corpora" / "deepseek" / "termbase.tsv") as termbase:
        for name in arms:
            print(f"arm {name} ...", file=sys.stderr, flush=True)
            results[name] = run_arm(name, engine, pairs, termbase, memory)
    print(f"FAQ subset: every {args.stride}th segment, {len(pairs)} segments, model {args.model}")
    print(
        f"{'arm':<18}{'BLEU':>7}{'chrF':>7}{'terms':>10}{'acc':>7}{'reprompt':>9}{'passed':>7}{'decoded':>8}{'s':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<18}{r['BLEU']:>7.2f}{r['chrF']:>7.2f}{r['terms']:>10}{r['term_accuracy']:>7.3f}"
            f"{r['reprompts']:>9}{r['reprompts_passed']:>7}{r['decoded']:>8}{r['seconds']:>7}"
        )
    base = results.get(args.baseline)
    for name, r in results.items():
        if base is not None and name != args.baseline:
            print(f"{name} vs {args.baseline}: {paired(base, r)}")
    if args.show:
        a, b = args.show.split(",")
        for x, y, p in zip(results[a]["segments"], results[b]["segments"], pairs, strict=True):
            if x["target"] != y["target"]:
                print(f"\n[{p.id}] {p.source}\n  ref: {p.target}")
                for arm, seg in ((a, x), (b, y)):
                    what = f"{seg['chrf']}, missing {seg['missing']}, {seg['attempts']} attempts"
                    print(f"  {arm} ({what}): {seg['target']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
