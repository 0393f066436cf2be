"""``termalign align SOURCE TARGET -o OUT``: sentence-align two documents."""

from __future__ import annotations

from pathlib import Path

import click

from termalign.commands.paths import check_paths
from termalign.kernel.langtags import language_tag
from termalign.output import console, summarise_alignment

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).


def _tag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a tag that is not BCP 47 before any work (``xx``, ``chinese``; ``zh_CN`` passes).

    The value is kept as given: the outputs normalise it, with the script found in the text.
    """
    if value is not None:
        language_tag(value)  # LanguageTagError: one sentence, exit code 2
    return value


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
@click.option(
    "--source-lang", default=None, callback=_tag, help="Source language, BCP 47 (default: detected)."
)
@click.option(
    "--target-lang", default=None, callback=_tag, help="Target language, BCP 47 (default: detected)."
)
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
