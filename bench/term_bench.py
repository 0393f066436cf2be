"""Term matching throughput: the trie matcher vs a naive ``str.find`` loop over every term.

Builds about 1 MB of Chinese text by repeating the corpus files (from
``$TERMALIGN_DATA`` or ``../shared/corpora``; a synthetic text from the
termbase's own terms if neither exists), loads the curated DeepSeek termbase,
and times both approaches on the same text.  Run from the repository root::

    .venv/bin/python bench/term_bench.py [--size-mb 1.0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from termalign.termbase.formats import import_entries
from termalign.termbase.matcher import TermMatcher, match_view
from termalign.termbase.model import Entry

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
TERMBASE = ROOT / "corpora" / "deepseek" / "termbase.tsv"


def corpus_text(entries: list[Entry]) -> tuple[str, str]:
    data = Path(os.environ.get("TERMALIGN_DATA") or Path.cwd().parent / "shared" / "corpora")
    files = sorted((data / "deepseek").glob("0*.txt")) if data.is_dir() else []
    if files:
        return "\n".join(f.read_text(encoding="utf-8") for f in files), f"{len(files)} corpus files"
    rng = random.Random(0)
    terms = [t for e in entries for t in e.source_terms]
    filler = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3000))
    words = [
        rng.choice(terms) if rng.random() < 0.2 else filler[rng.randrange(len(filler))]
        for _ in range(400_000)
    ]
    return "".join(words), "synthetic text"


def build(entries: list[Entry], size_mb: float) -> tuple[str, str]:
    base, origin = corpus_text(entries)
    target = int(size_mb * 1_000_000)
    text = base
    while len(text.encode("utf-8")) < target:
        text += "\n" + base
    return text[: max(1, len(text) * target // len(text.encode("utf-8")))], origin


def naive(view: str, terms: list[str]) -> int:
    """Count every occurrence of every term with str.find (overlaps included, no longest match)."""
    found = 0
    for term in terms:
        start = view.find(term)
        while start != -1:
            found += 1
            start = view.find(term, start + 1)
    return found


def best_of(repeat: int, func: Callable[..., T], *args: Any) -> tuple[float, T]:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return min(times), result  # repeat >= 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--extra-terms", type=int, default=0, help="Add N random 2-4 character terms (a larger termbase)."
    )
    args = parser.parse_args()
    args.repeat = max(1, args.repeat)
    entries = list(import_entries(TERMBASE).entries)
    rng = random.Random(1)
    for k in range(args.extra_terms):
        fake = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(2, 5)))
        entries.append(Entry(f"{fake}{k}", f"term {k}"))
    text, origin = build(entries, args.size_mb)
    terms = [match_view(t) for e in entries for t in e.source_terms]
    build_time, matcher = best_of(1, TermMatcher, entries)
    view_time, view = best_of(args.repeat, match_view, text)
    t_matcher, hits = best_of(args.repeat, matcher.find, text)
    t_naive, count = best_of(args.repeat, naive, view, terms)
    size = len(text.encode("utf-8")) / 1e6
    print(
        f"text: {size:.2f} MB ({len(text):,} chars) from {origin}; {len(entries)} entries, {len(terms)} terms"
    )
    print(f"matcher build:          {build_time * 1000:8.1f} ms")
    print(f"view (t2s, fold, lower): {view_time * 1000:8.1f} ms (included in the matcher time)")
    print(f"matcher.find:           {t_matcher * 1000:8.1f} ms  {len(hits):,} hits (longest match)")
    print(f"naive str.find loop:    {t_naive * 1000:8.1f} ms  {count:,} hits (overlapping, on the view)")
    print(f"ratio naive / matcher:  {t_naive / t_matcher:8.2f}x")


if __name__ == "__main__":
    main()
