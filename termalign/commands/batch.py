"""``termalign batch MANIFEST``: translate a corpus's documents, resumably, with a run report."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from termalign.cli_context import app_context
from termalign.commands.engine_options import model_options, open_local_engine, progress_display
from termalign.commands.ray_options import ray_options, ray_runner
from termalign.kernel.errors import ConfigError, TermalignError
from termalign.output import console
from termalign.translator.distributed import RayConfig

if TYPE_CHECKING:
    from termalign.translator.batch import BatchPlan, BatchReport
    from termalign.translator.stack import Translator

__all__ = ["batch"]


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Output folder (default: the manifest's [translate] output_dir, else out/<corpus>/translated).",
)  # fmt: skip
@model_options
@click.option(
    "--server", default=None, help="Use a running `termalign serve` at this URL instead of a model."
)
@click.option("--server-termbase", default=None, help="With --server: the server's termbase name to use.")
@click.option("--tm", "tm_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Extra translation memory (TMX); repeatable.")  # fmt: skip
@click.option("--no-tm", is_flag=True, help="Ignore the manifest's translation memories.")
@click.option("--no-termbase", is_flag=True, help="Ignore the manifest's termbase.")
@click.option("--max-docs", type=int, default=None, help="Translate at most this many documents.")
@click.option("--batch-segments", type=int, default=None, help="Segments per engine call, across documents.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Journal file (default: OUTPUT_DIR/journal.sqlite).")  # fmt: skip
@click.option("--restart", is_flag=True, help="Discard the journal and start afresh.")
@click.option("--review-threshold", type=click.FloatRange(0.0, 1.0), default=0.45, show_default=True,
              envvar="TERMALIGN_REVIEW_THRESHOLD",
              help="Segments scored under this (or with an error) are marked in review.html.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be translated and what is already covered.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@ray_options
@click.pass_context
def batch(
    ctx: click.Context,
    manifest: Path,
    output_dir: Path | None,
    model: str | None,
    models_dir: Path | None,
    beam_size: int | None,
    max_new_tokens: int | None,
    server: str | None,
    server_termbase: str | None,
    tm_paths: tuple[Path, ...],
    no_tm: bool,
    no_termbase: bool,
    max_docs: int | None,
    batch_segments: int | None,
    journal: Path | None,
    restart: bool,
    review_threshold: float,
    dry_run: bool,
    as_json: bool,
    ray_address: str | None,
    workers: int,
    cpus_per_worker: float,
    gpus_per_worker: float,
) -> None:
    """Translate the `to-translate` documents of MANIFEST with the termbase and TM it names.

    Finished segments are journaled: an interrupted run (even kill -9) resumes
    where it stopped. Writes one file per document plus report.json and report.html.
    """
    from termalign.translator.batch import BatchConfig, load_batch_manifest, plan_batch, run_batch
    from termalign.translator.stack import load_memory

    plan = load_batch_manifest(manifest, app_context(ctx).data_dir)
    settings = plan.settings
    out = output_dir or settings.output_dir or Path("out") / plan.corpus.name / "translated"
    config = BatchConfig(
        output_dir=out,
        journal=journal,
        max_docs=max_docs,
        batch_segments=batch_segments or settings.batch_segments or 32,
        restart=restart,
        review_threshold=review_threshold,
    )
    _check_batch_paths(plan, config, manifest, tm_paths)
    memory = None if no_tm else load_memory([*settings.tm, *tm_paths], source_lang=plan.corpus.source_lang)
    termbase = None
    if not no_termbase and plan.corpus.termbase is not None and server is None and ray_address is None:
        from termalign.termbase.store import load_termbase

        termbase = load_termbase(plan.corpus.termbase)
    if ray_address is not None:
        if server is not None:
            raise ConfigError("--ray and --server cannot be combined: Ray workers load the model themselves")
        runner = ray_runner(
            RayConfig(ray_address, workers, cpus_per_worker, gpus_per_worker),
            model=model or settings.model, models_dir=models_dir, decoding=settings.decoding,
            beam_size=beam_size, max_new_tokens=max_new_tokens, translate=settings.translate_config(),
            termbase=None if no_termbase else plan.corpus.termbase,
            memories=[] if no_tm else [*settings.tm, *tm_paths], source_lang=plan.corpus.source_lang,
        )  # fmt: skip
        with runner:
            if dry_run:
                result = plan_batch(plan, config, signature=runner.signature, memory=memory)
            else:
                result = _run_with_progress(plan, None, config, functools.partial(run_batch, runner=runner))
        _show(result, plan, as_json)
        _raise_failed(result)
        return
    translator: Translator
    if server is not None:
        from termalign.translator.client import RemoteTranslator

        translator = RemoteTranslator(server, termbase=server_termbase)
    else:
        from termalign.translator.stack import build_translator

        engine = open_local_engine(
            model, models_dir, decoding=settings.decoding, fallback_model=settings.model,
            beam_size=beam_size, max_new_tokens=max_new_tokens,
        )  # fmt: skip
        translator = build_translator(
            engine, termbase=termbase, memory=memory, config=settings.translate_config()
        )
    try:
        if dry_run:
            result = plan_batch(plan, config, signature=translator.signature, memory=memory)
        else:
            result = _run_with_progress(plan, translator, config, run_batch)
    finally:
        if termbase is not None:
            termbase.close()
    _show(result, plan, as_json)
    _raise_failed(result)


def _raise_failed(result: BatchReport) -> None:
    if result.failed:
        names = "; ".join(d.error for d in result.failed)
        raise TermalignError(f"{len(result.failed)} document(s) failed: {names}")


def _run_with_progress(plan: BatchPlan, translator: Translator | None, config: Any, run: Any) -> BatchReport:
    display = progress_display()
    tasks: dict[str, Any] = {}
    started: dict[str, tuple[float, int]] = {}

    def callback(event: Any) -> None:
        name = "all documents" if event.stage == "overall" else event.detail
        if name not in tasks:
            tasks[name] = display.add_task(name, total=event.total, rate="")
            started[name] = (time.perf_counter(), event.done)
        t0, done0 = started[name]
        elapsed = time.perf_counter() - t0
        rate = f"{(event.done - done0) / elapsed:.1f} seg/s" if elapsed > 0 and event.done > done0 else ""
        display.update(tasks[name], completed=event.done, total=event.total, rate=rate)

    with display:
        result: BatchReport = run(plan, translator, config, progress=callback)
    return result


def _check_batch_paths(plan: Any, config: Any, manifest: Path, tm_paths: tuple[Path, ...]) -> None:
    """No document output, journal or report may overwrite an input (or each other)."""
    from termalign.commands.paths import check_paths
    from termalign.translator.batch import output_path

    out = config.output_dir
    check_paths(
        inputs={
            "MANIFEST": manifest, "the document": [d.path for d in plan.documents],
            "the termbase": plan.corpus.termbase, "the TM": [*plan.settings.tm, *tm_paths],
        },
        outputs={
            "the output": [output_path(d, plan.corpus, out) for d in plan.documents],
            "--journal": config.journal_path, "the report": [out / "report.json", out / "report.html"],
        },
    )  # fmt: skip


def _show(result: BatchReport, plan: BatchPlan, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    title = f"termalign batch: {plan.corpus.name}" + (" (dry run)" if result.dry_run else "")
    table = Table(title=title)
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    if result.dry_run:
        columns = ("id", "status", "segments", "reused", "translated", "tm_exact", "tm_fuzzy")
        labels = ("document", "status", "segments", "in journal", "to translate", "TM exact", "TM fuzzy")
    else:
        columns = (
            "id",
            "status",
            "segments",
            "reused",
            "translated",
            "tm_hits",
            "mt",
            "qa_issues",
            "seconds",
        )
        labels = ("document", "status", "segments", "from journal", "translated", "TM", "MT", "QA", "time s")
    for label in labels:
        table.add_column(label, justify="left" if label in ("document", "status") else "right")
    for doc in result.documents:
        values = [getattr(doc, c) for c in columns]
        table.add_row(*(f"{v:.1f}" if isinstance(v, float) else str(v) for v in values))
    console().print(table)
    totals = result.totals()
    if not result.dry_run:
        accuracy = totals["term_accuracy"]
        console().print(
            f"term accuracy: {'n/a' if accuracy is None else f'{accuracy:.3f}'}; "
            f"{totals['translated']} segments translated in {result.seconds:.1f} s; "
            f"{totals['needs_review']} need review (review.html)"
        )
