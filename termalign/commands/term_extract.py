"""``termalign term extract ALIGNED... -o CANDIDATES``: propose term pairs from aligned text."""

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
@click.argument("aligned", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Candidates CSV to write (kind, source, target, score, counts, examples with their sentences).",
)
@click.option(
    "--method",
    type=click.Choice(["termhood", "cooc"]),
    default="termhood",
    show_default=True,
    help="termhood: termhood on each side x word alignment; cooc: the older Dice/LLR co-occurrence ranking.",
)
@click.option(
    "--min-count",
    type=click.IntRange(1),
    default=None,
    help="Minimum number of pairs each term must occur in (default: 1 for termhood, 2 for cooc).",
)
@click.option(
    "--top",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Keep only the N best candidates of each kind (0: all).",
)
@click.option("--no-cedict", is_flag=True, help="Do not use CC-CEDICT (alignment seeds, cooc boost).")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON instead of a table.")
def extract(
    aligned: tuple[Path, ...],
    output: Path,
    method: str,
    min_count: int | None,
    top: int,
    no_cedict: bool,
    as_json: bool,
) -> None:
    """Extract bilingual term candidates from ALIGNED pairs (TMX or JSONL files, one or more).

    termhood (default): Chinese and English candidates from part-of-speech patterns,
    scored by C-value and how much more frequent they are than in general language
    (wordfreq); paired through an IBM-1 word alignment seeded with CC-CEDICT.
    Latin names written the same on both sides (R1, H800) are their own kind,
    "name" (do not translate).  Example ids are qualified by the file
    (faq:b3.s0).  Flagged beads are left out.
    """
    from termalign.termbase.extract import (
        ExtractConfig,
        candidate_row,
        extract_candidates,
        load_many,
        write_candidates,
    )
    from termalign.termbase.terms import TermConfig, extract_terms

    check_paths(inputs={"ALIGNED": aligned}, outputs={"-o": output})
    pairs = load_many(aligned)
    if method == "cooc":
        config = ExtractConfig(min_count=min_count or 2, top=top, use_cedict=not no_cedict)
        cands = extract_candidates(pairs, config)
    else:
        cands = extract_terms(pairs, TermConfig(min_count=min_count or 1, top=top, use_cedict=not no_cedict))
    write_candidates(cands, output, pairs)
    if as_json:
        texts = {p.id: (p.source, p.target) for p in pairs if p.id}
        click.echo(json.dumps([candidate_row(c, texts) for c in cands], ensure_ascii=False, indent=1))
        return

    files = f"{len(aligned)} file{'s' if len(aligned) != 1 else ''}"
    table = Table(title=f"{len(cands)} candidates from {len(pairs)} pairs ({files}) → {output}")
    for name in ("kind", "source", "target", "score", "pairs"):
        table.add_column(name, justify="right" if name in ("score", "pairs") else "left")
    for cand in cands[:25]:
        table.add_row(cand.kind, cand.source, cand.target, f"{cand.score:.3f}", str(cand.count_pair))
    console().print(table)
