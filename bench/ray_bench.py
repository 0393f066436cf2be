"""Batch throughput: the local runner vs Ray with 1 and 2 workers, on the same segments.

Each arm runs the whole ``termalign batch`` path (manifest, planning, the
termbase-aware layer with repairs off, journaling, assembly, report) on the same
document.  Start-up (Ray, actors loading the model) is timed apart from
translation; the goal is Ray-1-worker / local <= 1.1 on the translation time, i.e.
the distribution layer costs at most 10 % on one machine.  The arms are
interleaved over rounds and the best time of each is kept.  Needs Ray
(`pip install 'termalign[ray]'`).  Run from the repository root::

    .venv/bin/python bench/ray_bench.py [--model qwen2.5-coder-0.5b] [--segments 48]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import bench_segments


def _plan(segments: list[str]) -> tuple[Path, Any]:
    from termalign.translator.batch import load_batch_manifest

    folder = Path(tempfile.mkdtemp(prefix="ray-bench-"))
    (folder / "data").mkdir()
    (folder / "data" / "doc.md").write_text("\n\n".join(segments) + "\n", "utf-8")
    (folder / "corpus.toml").write_text(
        '[corpus]\nname = "bench"\n[[documents]]\nid = "doc"\npath = "doc.md"\nlang = "zh"\n'
        'role = "to-translate"\n', "utf-8",
    )  # fmt: skip
    return folder, load_batch_manifest(folder / "corpus.toml", folder / "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--segments", type=int, default=48)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-segments", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best time is kept")
    args = parser.parse_args()

    import ray

    from termalign.translator.batch import BatchConfig, run_batch
    from termalign.translator.distributed import RayConfig, RayRunner, StackRecipe

    segments = bench_segments(args.segments)
    folder, plan = _plan(segments)
    cpus = os.cpu_count() or 2

    def recipe(threads: int) -> StackRecipe:
        return StackRecipe(
            args.model,
            models_dir=str(args.models_dir) if args.models_dir else None,
            engine={"max_new_tokens": args.max_new_tokens, "intra_threads": threads},
            translate={"repair": False},
        )

    def timed(name: str, runner: Any) -> tuple[float, bytes]:
        out = folder / name
        config = BatchConfig(output_dir=out, batch_segments=args.batch_segments, restart=True)
        started = time.perf_counter()
        report = run_batch(plan, None, config, runner=runner)
        seconds = time.perf_counter() - started
        assert report.documents[0].translated == len(segments), report.documents[0]
        return seconds, (out / "doc.en.md").read_bytes()

    from termalign.translator.distributed import LocalRunner

    started = time.perf_counter()
    local_runner = LocalRunner(recipe(cpus).build())
    local_runner.translator.translate(segments[:1])  # load the model outside the timings
    local_start = time.perf_counter() - started

    # Both pools are started up front (Ray's CPU count is logical: 2 x cpus lets them
    # coexist; only one arm runs at a time) and the arms are interleaved over rounds,
    # best time kept: on a shared machine the load changes from one minute to the next.
    ray.init(num_cpus=2 * cpus, include_dashboard=False, log_to_driver=False)
    pools: dict[int, tuple[Any, float]] = {}
    times: dict[str, list[float]] = {"local": [], "ray1": [], "ray2": []}
    same = True
    try:
        for workers in (1, 2):
            threads = max(1, cpus // workers)
            started = time.perf_counter()
            runner = RayRunner(recipe(threads), RayConfig(workers=workers, cpus_per_worker=threads))
            runner.start()
            ray.get([actor.translate.remote(segments[:1], ["warm"]) for actor in runner.actors])
            pools[workers] = (runner, time.perf_counter() - started)
        for _ in range(args.rounds):
            seconds, local_text = timed("local", local_runner)
            times["local"].append(seconds)
            for workers, (runner, _) in pools.items():
                seconds, text = timed(f"ray{workers}", runner)
                times[f"ray{workers}"].append(seconds)
                same = same and text == local_text
    finally:
        for runner, _ in pools.values():
            runner.close()
        ray.shutdown()
    local = min(times["local"])
    results = {w: (pools[w][1], min(times[f"ray{w}"]), same) for w in pools}

    load = os.getloadavg()[0]
    print(f"model {args.model}, {len(segments)} segments, batch {args.batch_segments}, {cpus} CPUs, "
          f"load average {load:.1f} (other work on the machine slows every arm alike)")  # fmt: skip
    print(f"{'runner':<16}{'start-up s':>12}{'translate s':>13}{'seg/s':>8}{'same output':>13}")
    print(f"{'local':<16}{local_start:>12.1f}{local:>13.1f}{len(segments) / local:>8.2f}{'-':>13}")
    for workers, (start_up, seconds, same) in results.items():
        name = f"ray, {workers} worker" + ("s" if workers > 1 else "")
        print(f"{name:<16}{start_up:>12.1f}{seconds:>13.1f}{len(segments) / seconds:>8.2f}{str(same):>13}")
    ratio = results[1][1] / local
    print(f"overhead ratio ray-1-worker / local (translate time): {ratio:.2f} (goal <= 1.1)")


if __name__ == "__main__":
    main()
