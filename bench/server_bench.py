"""Server throughput under 16 concurrent clients vs the offline batch on the same segments.

A real uvicorn server on loopback (one worker thread owning the engine,
dynamic batching) is hit by 16 client threads, each sending one segment per
request from a fixed list (a bounded number of requests in all).  The offline
side translates the same segments in one translator call.  Goals: throughput
ratio at least 0.8, zero errors.  Run from the repository root::

    .venv/bin/python bench/server_bench.py [--model tiny|qwen2.5-coder-0.5b] [--requests 64]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from bench_common import bench_segments, open_bench_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument(
        "--models-dir", type=Path, default=None, help="default: $TERMALIGN_MODELS or the user cache"
    )
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-wait-ms", type=float, default=20.0)
    args = parser.parse_args()

    from termalign.translator.server import ServerConfig, ServerThread, create_app
    from termalign.translator.terms import TermAwareTranslator, TranslateConfig

    engine = open_bench_engine(args.model, args.models_dir, args.max_new_tokens)
    translator = TermAwareTranslator(engine, config=TranslateConfig(repair=False))
    segments = bench_segments(args.requests)
    translator.translate(segments[:2])  # load the model outside the timings

    started = time.perf_counter()
    translator.translate(segments)
    offline = time.perf_counter() - started

    config = ServerConfig(
        batch_wait_ms=args.batch_wait_ms, max_batch_segments=args.clients, max_queue=4 * args.clients,
        warmup=False,
    )  # fmt: skip
    app = create_app(lambda: {None: translator}, config)
    latencies: list[float] = []
    errors = 0
    with ServerThread(app) as server, httpx.Client(timeout=300) as client:

        def one(segment: str) -> float | None:
            begin = time.perf_counter()
            response = client.post(
                server.url + "translate", json={"q": segment, "source": "zh", "target": "en"}
            )
            return time.perf_counter() - begin if response.status_code == 200 else None

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(one, segments))
        served = time.perf_counter() - started
        metrics = client.get(server.url + "metrics").text
    for value in results:
        if value is None:
            errors += 1
        else:
            latencies.append(value)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    sizes = [line for line in metrics.splitlines() if line.startswith("termalign_batch_size_")]
    count = next(float(x.split()[-1]) for x in sizes if x.startswith("termalign_batch_size_count"))
    total = next(float(x.split()[-1]) for x in sizes if x.startswith("termalign_batch_size_sum"))

    print(f"model {engine.model_id}, {len(segments)} requests of one segment, {args.clients} clients")
    print(f"offline batch: {offline:.2f} s ({len(segments) / offline:.2f} seg/s)")
    print(
        f"server:        {served:.2f} s ({len(segments) / served:.2f} seg/s), "
        f"mean engine batch {total / count:.1f}"
    )
    print(f"latency p50 {statistics.median(latencies):.3f} s, p99 {p99:.3f} s; errors {errors}")
    print(f"throughput ratio (server / offline): {offline / served:.3f} (goal >= 0.8, zero errors)")


if __name__ == "__main__":
    main()
