"""``termalign term extract ALIGNED -o CANDIDATES``: propose term pairs from aligned text."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from termalign.commands.paths import check_paths
from termalign.output import console

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).


@click.command()
@click.argument("aligned", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Candidates CSV to write (source, target, score, dice, llr, counts, cedict, examples).",
)
@click.option(
    "--min-count",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Minimum number of pairs each term must occur in.",
)
@click.option(
    "--top",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Keep only the N best candidates (0: all).",
)
@click.option("--no-cedict", is_flag=True, help="Do not boost pairs that CC-CEDICT agrees with.")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON instead of a table.")
def extract(aligned: Path, output: Path, min_count: int, top: int, no_cedict: bool, as_json: bool) -> None:
    """Extract bilingual term candidates from ALIGNED pairs (TMX or JSONL).

    Chinese terms come from jieba word n-grams, English terms from word n-grams;
    pairs are ranked by Dice and log-likelihood over the aligned pairs, boosted
    by CC-CEDICT agreement and shared Latin tokens (R1, H800).
    """
    from termalign.termbase.extract import (
        ExtractConfig,
        candidate_row,
        extract_candidates,
        load_pairs,
        write_candidates,
    )

    check_paths(inputs={"ALIGNED": aligned}, outputs={"-o": output})
    pairs = load_pairs(aligned)
    config = ExtractConfig(min_count=min_count, top=top, use_cedict=not no_cedict)
    cands = extract_candidates(pairs, config)
    write_candidates(cands, output)
    if as_json:
        click.echo(json.dumps([candidate_row(c) for c in cands], ensure_ascii=False, indent=1))
        return

    table = Table(title=f"{len(cands)} candidates from {len(pairs)} pairs → {output}")
    for name in ("source", "target", "score", "dice", "llr", "pairs", "cedict"):
        table.add_column(name, justify="right" if name in ("score", "dice", "llr", "pairs") else "left")
    for cand in cands[:25]:
        table.add_row(
            cand.source,
            cand.target,
            f"{cand.score:.3f}",
            f"{cand.dice:.2f}",
            f"{cand.llr:.1f}",
            str(cand.count_pair),
            "yes" if cand.cedict else "",
        )
    console().print(table)
