"""Batch pipeline throughput vs bare CTranslate2 ``generate_batch`` on the same segments.

The pipeline is the whole ``termalign batch`` path: manifest, document reading
and planning, the termbase-aware layer (repairs off, so both sides decode
each segment once), journaling per chunk, assembly, atomic writes, the report.
The goal is a ratio of at least 0.9.  Run from the repository root::

    .venv/bin/python bench/batch_bench.py [--model tiny|qwen2.5-coder-0.5b] [--segments 48]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_common import bare_generate, bench_segments, open_bench_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument(
        "--models-dir", type=Path, default=None, help="default: $TERMALIGN_MODELS or the user cache"
    )
    parser.add_argument("--segments", type=int, default=48)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-segments", type=int, default=32)
    args = parser.parse_args()

    from termalign.translator.batch import BatchConfig, load_batch_manifest, run_batch
    from termalign.translator.terms import TermAwareTranslator, TranslateConfig

    engine = open_bench_engine(args.model, args.models_dir, args.max_new_tokens)
    segments = bench_segments(args.segments)
    bare_generate(engine, segments[:2])  # load the model outside the timings

    started = time.perf_counter()
    bare_generate(engine, segments)
    bare = time.perf_counter() - started

    folder = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    (folder / "data").mkdir()
    (folder / "data" / "doc.md").write_text("\n\n".join(segments) + "\n", "utf-8")
    (folder / "corpus.toml").write_text(
        '[corpus]\nname = "bench"\n[[documents]]\nid = "doc"\npath = "doc.md"\nlang = "zh"\n'
        'role = "to-translate"\n', "utf-8",
    )  # fmt: skip
    plan = load_batch_manifest(folder / "corpus.toml", folder / "data")
    translator = TermAwareTranslator(engine, config=TranslateConfig(repair=False))
    config = BatchConfig(output_dir=folder / "out", batch_segments=args.batch_segments, restart=True)
    started = time.perf_counter()
    report = run_batch(plan, translator, config)
    pipeline = time.perf_counter() - started
    assert report.documents[0].translated == len(segments), report.documents[0]

    print(f"model {engine.model_id}, {len(segments)} segments, max_new_tokens {args.max_new_tokens}")
    print(f"bare generate_batch: {bare:.2f} s ({len(segments) / bare:.2f} seg/s)")
    print(f"batch pipeline:      {pipeline:.2f} s ({len(segments) / pipeline:.2f} seg/s)")
    print(f"ratio (pipeline throughput / bare): {bare / pipeline:.3f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
