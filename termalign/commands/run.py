"""``termalign run MANIFEST -o OUT``: the main job over a corpus manifest."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from termalign.cli_context import app_context
from termalign.commands.engine_options import StackOptions, manifest_layer, refuse_server, stack_options
from termalign.commands.paths import check_paths
from termalign.output import console, err_console

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).


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
@click.option(
    "--translate/--no-translate",
    default=True,
    show_default=True,
    help="Also translate the documents to translate and evaluate on the FAQ (needs an installed model).",
)
@stack_options
@click.option(
    "--eval-limit",
    type=click.IntRange(min=0),
    default=None,
    help="Evaluate on the first N aligned FAQ segments only (0: skip; default: all).",
)
@click.pass_context
def run(
    ctx: click.Context,
    manifest: Path,
    output_dir: Path,
    translate: bool,
    stack: StackOptions,
    eval_limit: int | None,
) -> None:
    """Run the main job on a corpus: align its parallel pair, build and export its termbase,
    translate its documents with the termbase and the aligned TM, and evaluate on the FAQ.

    Texts are looked up in the data directory (--data-dir, $TERMALIGN_DATA,
    else ../shared/corpora). Finished segments are journaled, so an interrupted
    run resumes where it stopped.
    """
    from termalign.align.corpus import load_corpus
    from termalign.pipeline import TranslationJob, check_corpus, run_corpus
    from termalign.translator.batch import load_batch_manifest
    from termalign.translator.cache import CachedEngine
    from termalign.translator.stack import open_cached_engine

    data_dir = app_context(ctx).data_dir
    # The manifest is parsed once: with --translate the batch plan carries the corpus.
    plan = load_batch_manifest(manifest, data_dir) if translate else None
    corpus = plan.corpus if plan is not None else load_corpus(manifest, data_dir)
    folders = {manifest.parent, *(d.path.parent for d in corpus.documents)}
    if corpus.termbase is not None:
        folders.add(corpus.termbase.parent)
    check_paths(inputs={"the folder of an input": sorted(folders)}, outputs={"-o": output_dir})
    check_corpus(corpus)
    job = None
    if plan is not None:
        layer = manifest_layer(plan.settings.model, plan.settings.decoding, plan.settings.terms)
        settings = stack.resolve(layer)
        refuse_server(settings, "run")
        job = TranslationJob(plan=plan, settings=settings, engine=open_cached_engine(settings),
                             eval_limit=eval_limit)  # fmt: skip
    status = err_console()
    try:
        result = run_corpus(corpus, output_dir, translation=job, progress=lambda msg: status.log(msg))
    finally:
        if job is not None and isinstance(job.engine, CachedEngine):
            job.engine.close()
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
