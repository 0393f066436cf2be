"""``termalign run MANIFEST -o OUT``: the main job over a corpus manifest."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from termalign.cli_context import app_context
from termalign.output import console, err_console


@click.command()
@click.argument(
    "manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("corpora/deepseek/corpus.toml"),
)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/deepseek"),
    show_default=True,
    help="Folder for every output of the run.",
)
@click.pass_context
def run(ctx: click.Context, manifest: Path, output_dir: Path) -> None:
    """Run the main job on a corpus: align its parallel pair, build and export its termbase.

    Texts are looked up in the data directory (--data-dir, $TERMALIGN_DATA,
    else ../shared/corpora).
    """
    from align.corpus import load_corpus
    from termalign.pipeline import run_corpus

    corpus = load_corpus(manifest, app_context(ctx).data_dir)
    status = err_console()
    result = run_corpus(corpus, output_dir, progress=lambda msg: status.log(msg))
    table = Table(title=f"termalign run: {corpus.name}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in result.numbers.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    for key, seconds in result.seconds.items():
        table.add_row(f"time: {key}", f"{seconds:.1f} s")
    for path in result.files:
        table.add_row("written", str(path))
    console().print(table)
