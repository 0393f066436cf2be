"""``termalign align SOURCE TARGET -o OUT``: sentence-align two documents."""

from __future__ import annotations

from pathlib import Path

import click

from termalign.commands.paths import check_paths
from termalign.output import console, summarise_alignment

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file; its extension picks the format: .tmx, .jsonl, .tsv or .html. Repeatable.",
)
@click.option("--source-lang", default=None, help="Source language (default: detected).")
@click.option("--target-lang", default=None, help="Target language (default: detected).")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Flag beads scoring below this confidence (default: the aligner's).",
)
def align(
    source: Path,
    target: Path,
    outputs: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    threshold: float | None,
) -> None:
    """Align SOURCE with its translation TARGET, sentence by sentence.

    Blocks (questions, paragraphs, quotes, list items) are aligned first, then
    sentences inside them. Low-confidence beads are flagged in every output.
    """
    from termalign.pipeline import align_files

    check_paths(inputs={"SOURCE": source, "TARGET": target}, outputs={"-o": outputs})
    alignment = align_files(
        source, target, outputs, source_lang=source_lang, target_lang=target_lang, threshold=threshold
    )
    console().print(summarise_alignment(alignment, outputs))
