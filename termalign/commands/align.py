"""``termalign align SOURCE TARGET -o OUT``: sentence-align two documents."""

from __future__ import annotations

from pathlib import Path

import click

from termalign.output import console, summarise_alignment


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "text", "lines"]),
    default=None,
    help="Read both files in this format (default: detected; 'lines' = one sentence per line, pre-split).",
)
@click.option(
    "--similarity",
    type=click.Choice(["none", "lexicon"]),
    default="none",
    show_default=True,
    help="Extra sentence similarity: 'lexicon' learns an IBM-1 table from the pair (slower).",
)
def align(
    source: Path,
    target: Path,
    outputs: tuple[Path, ...],
    source_lang: str | None,
    target_lang: str | None,
    threshold: float | None,
    fmt: str | None,
    similarity: str,
) -> None:
    """Align SOURCE with its translation TARGET, sentence by sentence.

    Blocks (questions, paragraphs, quotes, list items) are aligned first, then
    sentences inside them; pre-split files (one sentence per line) are aligned
    sentence by sentence with beads up to 1-4/4-1. Low-confidence beads are
    flagged in every output.
    """
    from termalign.pipeline import align_files

    alignment = align_files(
        source,
        target,
        outputs,
        source_lang=source_lang,
        target_lang=target_lang,
        threshold=threshold,
        source_format=fmt,
        target_format=fmt,
        similarity=similarity,
    )
    console().print(summarise_alignment(alignment, outputs))
