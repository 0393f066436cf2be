"""Sentence-aligner benchmark on the DeepSeek FAQ (zh → en).

Run ``python bench/align_bench.py`` from the repository root.  The corpus is
read from ``$TERMALIGN_DATA`` or ``../shared/corpora``.  Prints:

* time per sentence for the FAQ and for a 20× concatenation of it, and their
  ratio (the banded search should keep it near 1: linear time);
* strict bead F1 on ``corpora/deepseek/faq.gold.jsonl`` for termalign and for
  plain Gale–Church (the ``galechurch`` package) with its default parameters
  and with length parameters calibrated on the gold;
* with ``--calibrate``: the length ratio ``c`` and variance ``s²`` measured on
  the gold beads (the numbers behind ``AlignConfig.length_ratio/_variance``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from termalign.align.aligner import align_documents, text_length  # noqa: E402
from termalign.align.corpus import default_data_dir  # noqa: E402
from termalign.align.dictionary import load_cedict  # noqa: E402
from termalign.align.document import Block, Document  # noqa: E402
from termalign.align.gold import GoldSet, bead_f1, check_gold, load_gold  # noqa: E402
from termalign.align.reader import read_document  # noqa: E402

GOLD = REPO / "corpora" / "deepseek" / "faq.gold.jsonl"
REPEAT = 20


def concatenate(doc: Document, times: int) -> Document:
    """``doc`` repeated ``times`` times, with fresh block/sentence ids and shifted offsets."""
    blocks: list[Block] = []
    for r in range(times):
        shift = r * len(doc.text)
        for block in doc.blocks:
            block_id = f"b{len(blocks)}"
            sentences = tuple(
                replace(s, id=f"{block_id}.s{k}", start=s.start + shift, end=s.end + shift)
                for k, s in enumerate(block.sentences)
            )
            blocks.append(
                replace(
                    block, id=block_id, start=block.start + shift, end=block.end + shift, sentences=sentences
                )
            )
    return replace(doc, text=doc.text * times, blocks=tuple(blocks))


def timed_alignment(zh: Document, en: Document) -> tuple[float, float]:
    """(seconds, seconds per sentence) of one alignment, best of two runs."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        align_documents(zh, en)
        best = min(best, time.perf_counter() - started)
    return best, best / (len(zh.sentences) + len(en.sentences))


def galechurch_f1(zh: Document, en: Document, gold: GoldSet, mean: float, variance: float) -> float:
    import galechurch

    src, tgt = list(zh.sentences), list(en.sentences)
    result = galechurch.align(
        [s.text for s in src], [s.text for s in tgt], mean_xy=mean, variance_xy=variance
    )
    beads = [
        (
            tuple(s.id for s in src[b.source_start : b.source_end]),
            tuple(t.id for t in tgt[b.target_start : b.target_end]),
        )
        for b in result.beads
    ]
    return bead_f1(beads, gold).f1


def calibrate(zh: Document, en: Document, gold: GoldSet, ratio: float) -> None:
    by_id_zh = {s.id: s for s in zh.sentences}
    by_id_en = {s.id: s for s in en.sentences}
    for latin_weighted in (True, False):
        c = ratio
        for _ in range(5):  # the Latin weight depends on c: iterate to a fixed point
            pairs = [
                (
                    sum(
                        text_length(by_id_zh[i].text, True, c if latin_weighted else 1.0)
                        for i in b.source_ids
                    ),
                    sum(text_length(by_id_en[i].text, False, c) for i in b.target_ids),
                )
                for b in gold.beads
                if b.source_ids and b.target_ids
            ]
            c = sum(t for _, t in pairs) / sum(s for s, _ in pairs)
        var = [(t - c * s) ** 2 / s for s, t in pairs]
        label = "Latin in zh at 1/c" if latin_weighted else "raw characters    "
        print(
            f"  calibration ({label}): beads={len(pairs)} c={c:.3f} "
            f"s2(mean)={statistics.mean(var):.2f} s2(median)={statistics.median(var):.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print c and s² measured on the gold")
    args = parser.parse_args()

    gold = load_gold(GOLD)
    data = default_data_dir()
    zh_path, en_path = data / gold.meta["source"], data / gold.meta["target"]
    if not zh_path.exists() or not en_path.exists():
        print(f"corpus not found under {data} (set TERMALIGN_DATA)")
        return 1
    zh, en = read_document(zh_path, lang="zh"), read_document(en_path, lang="en")
    drift = check_gold(gold, zh, en)
    if drift:
        print(f"warning: segmentation drifted from the gold ({len(drift)} problems), e.g. {drift[0]}")

    started = time.perf_counter()
    load_cedict()
    print(f"dictionary load: {time.perf_counter() - started:.2f} s")

    small, small_per = timed_alignment(zh, en)
    big_zh, big_en = concatenate(zh, REPEAT), concatenate(en, REPEAT)
    big, big_per = timed_alignment(big_zh, big_en)
    n_small = len(zh.sentences) + len(en.sentences)
    print(f"FAQ        : {n_small:6d} sentences  {small:7.2f} s  {1000 * small_per:6.2f} ms/sentence")
    print(
        f"FAQ x{REPEAT:<5d}: {REPEAT * n_small:6d} sentences  {big:7.2f} s  {1000 * big_per:6.2f} ms/sentence"
    )
    print(f"per-sentence time ratio (x{REPEAT} / x1): {big_per / small_per:.2f}  (1.0 = linear)")

    ours = bead_f1(align_documents(zh, en).beads, gold)
    gc_default = galechurch_f1(zh, en, gold, 1.0, 6.8)
    # galechurch's core divides the other way round from its docstring: on a toy pair with
    # 3x longer targets, mean_xy=1/3 costs 0 and mean_xy=3 costs 700.  So pass 1/c (raw c = 2.59).
    gc_tuned = galechurch_f1(zh, en, gold, 1 / 2.59, 6.8)
    print(f"strict bead F1 on {len(gold.beads)} gold beads:")
    print(
        f"  termalign                         F1={ours.f1:.3f}  (P={ours.precision:.3f} R={ours.recall:.3f})"
    )
    print(f"  galechurch (defaults)             F1={gc_default:.3f}")
    print(f"  galechurch (mean_xy=1/2.59, 6.8)  F1={gc_tuned:.3f}")
    print(f"  ratio termalign / best galechurch: {ours.f1 / max(gc_default, gc_tuned, 1e-9):.2f}")
    if args.calibrate:
        calibrate(zh, en, gold, 3.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
