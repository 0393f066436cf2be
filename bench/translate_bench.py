"""Translation throughput: the termbase-aware pipeline vs bare CTranslate2, and enforcement overhead.

On the same FAQ segments (``out/deepseek/faq.jsonl`` from ``termalign run``;
the first N with Chinese text):

(a) pipeline throughput — :class:`TermAwareTranslator` with the termbase, no TM,
    no cache — against bare ``ctranslate2.Generator.generate_batch`` given the
    very prompts of the pipeline's first pass (glossary included), pre-tokenized,
    in the same batches with the same decoding settings.  Measured twice: with
    repairs off (the layer's own cost: matching, prompt building, checks; goal
    ratio >= 0.9) and with repairs on (what a user waits for);
(b) enforcement overhead — the full pipeline with the termbase against the same
    pipeline without one (goal <= 1.25x).

Run from the repository root (needs the model installed)::

    .venv/bin/python bench/translate_bench.py [--model qwen2.5-coder-0.5b] [--segments 50]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from termalign.termbase.store import load_termbase
from termalign.translator.engine import EngineConfig, open_engine, plan_batches
from termalign.translator.generator import GeneratorEngine
from termalign.translator.install import default_models_dir, get_model
from termalign.translator.terms import TERM_INJECTIONS, TermAwareTranslator, TranslateConfig

ROOT = Path(__file__).resolve().parents[1]
TERMBASE = ROOT / "corpora" / "deepseek" / "termbase.tsv"
FAQ = ROOT / "out" / "deepseek" / "faq.jsonl"


def faq_segments(count: int) -> list[str]:
    if not FAQ.is_file():
        raise SystemExit(f"{FAQ} not found: run `.venv/bin/termalign run` first")
    rows = [json.loads(line) for line in FAQ.read_text(encoding="utf-8").splitlines() if line.strip()]
    sources = [r["source"] for r in rows if any("\u4e00" <= c <= "\u9fff" for c in r["source"])]
    return sources[:count]


def bare(engine: GeneratorEngine, segments: list[str], instructions: list[str | None]) -> tuple[float, int]:
    """Seconds and generated tokens of bare generate_batch on the pipeline's prompts and batches."""
    cfg = engine.config
    prompts = [engine.prompt_tokens(s, i) for s, i in zip(segments, instructions, strict=True)]
    budgets = [cfg.new_token_budget(len(engine._text_tokenizer.encode(s).ids)) for s in segments]
    batches = plan_batches(
        [len(p) + b for p, b in zip(prompts, budgets, strict=True)],
        max_tokens=cfg.max_batch_tokens,
        max_size=cfg.max_batch_size,
    )
    generator = engine._generator
    tokens = 0
    started = time.perf_counter()
    for batch in batches:
        results = generator.generate_batch(
            [prompts[i] for i in batch],
            max_length=max(budgets[i] for i in batch),
            sampling_topk=1,
            beam_size=cfg.beam_size,
            include_prompt_in_result=False,
            end_token=engine.end_token,
        )
        tokens += sum(len(r.sequences_ids[0]) for r in results)
    return time.perf_counter() - started, tokens


def timed(translator: TermAwareTranslator, segments: list[str]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    records = translator.translate(segments)
    seconds = time.perf_counter() - started
    expected = sum(r.term_expected for r in records)
    return seconds, {
        "seconds": round(seconds, 1),
        "repaired": sum(r.origin == "mt-repaired" for r in records),
        "second_attempts": sum(r.attempts > 1 for r in records),
        "term_accuracy": round(sum(r.term_used for r in records) / expected, 3) if expected else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--segments", type=int, default=50)
    parser.add_argument("--n-best", type=int, default=TranslateConfig().n_best, help="per re-prompt")
    parser.add_argument(
        "--term-injection", default=TranslateConfig().term_injection, choices=TERM_INJECTIONS,
        help="how renderings reach the model",
    )  # fmt: skip
    parser.add_argument("--skip-bare", action="store_true", help="only measure (b), the enforcement overhead")
    default_models = default_models_dir()
    parser.add_argument("--models-dir", type=Path, default=default_models)
    args = parser.parse_args()

    segments = faq_segments(args.segments)
    engine = open_engine(get_model(args.model, args.models_dir), EngineConfig())
    assert isinstance(engine, GeneratorEngine)
    engine.translate_batch(["预热。"])  # load the model outside the timings
    termbase = load_termbase(TERMBASE)

    config = TranslateConfig(n_best=args.n_best, term_injection=args.term_injection)
    n = len(segments)
    print(f"model {args.model}, {n} FAQ segments, n-best {args.n_best}, terms {args.term_injection}")
    if not args.skip_bare:
        layer = TermAwareTranslator(engine, termbase, config=replace(config, repair=False))
        plans = [layer._plan(s, termbase.matcher(), None) for s in segments]
        bare_s, bare_tokens = bare(engine, [p.given for p in plans], [p.instruction for p in plans])
        layer_s, layer_info = timed(layer, segments)
        print(f"bare generate_batch           : {bare_s:7.1f} s  {n / bare_s:.3f} seg/s  {bare_tokens} tok")
        print(f"pipeline, repairs off         : {layer_s:7.1f} s  {n / layer_s:.3f} seg/s  {layer_info}")
    full_s, full_info = timed(TermAwareTranslator(engine, termbase, config=config), segments)
    none_s, none_info = timed(TermAwareTranslator(engine, None, config=config), segments)
    print(f"pipeline, termbase, repairs on: {full_s:7.1f} s  {n / full_s:.3f} seg/s  {full_info}")
    print(f"pipeline, no termbase         : {none_s:7.1f} s  {n / none_s:.3f} seg/s  {none_info}")
    if not args.skip_bare:
        print(f"(a) throughput ratio pipeline/bare (repairs off): {bare_s / layer_s:.3f}  (goal >= 0.9)")
        print(f"(a') throughput ratio pipeline/bare (repairs on): {bare_s / full_s:.3f}")
    print(f"(b) enforcement overhead with/without termbase  : {full_s / none_s:.3f}x (goal <= 1.25x)")


if __name__ == "__main__":
    main()
