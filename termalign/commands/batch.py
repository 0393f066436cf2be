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
from termalign.commands.engine_options import StackOptions, manifest_layer, progress_display, stack_options
from termalign.commands.paths import check_paths
from termalign.commands.ray_options import ray_options, ray_runner
from termalign.kernel.errors import ConfigError, TermalignError
from termalign.output import console

if TYPE_CHECKING:
    from termalign.translator.batch import BatchPlan, BatchReport
    from termalign.translator.stack import Translator

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["batch"]


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Output folder (default: the manifest's [translate] output_dir, else out/<corpus>/translated).",
)  # fmt: skip
@stack_options
@click.option("--tm", "tm_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Extra translation memory (TMX); repeatable.")  # fmt: skip
@click.option("--no-tm", is_flag=True, help="Ignore the manifest's translation memories.")
@click.option("--no-termbase", is_flag=True, help="Ignore the manifest's termbase.")
@click.option("--max-docs", type=int, default=None, help="Translate at most this many documents.")
@click.option("--batch-segments", type=int, default=None, help="Segments per engine call, across documents.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Journal file (default: OUTPUT_DIR/journal.sqlite).")  # fmt: skip
@click.option("--restart", is_flag=True, help="Discard the journal and start afresh.")
@click.option("--review-threshold", type=click.FloatRange(0.0, 1.0), default=0.33, show_default=True,
              envvar="TERMALIGN_REVIEW_THRESHOLD",
              help="Segments scored under this (or with an error) are marked in review.html.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be translated and what is already covered.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--xliff", is_flag=True,
              help="Also write <id>.<lang>.xlf per document: its pre-translated XLIFF.")  # fmt: skip
@click.option("--xliff-version", type=click.Choice(["1.2", "2.1"]), default="1.2", show_default=True,
              help="XLIFF version for --xliff.")  # fmt: skip
@ray_options
@click.pass_context
def batch(
    ctx: click.Context,
    manifest: Path,
    output_dir: Path | None,
    stack: StackOptions,
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
    xliff: bool,
    xliff_version: str,
    ray_address: str | None,
    workers: int,
    cpus_per_worker: float,
    gpus_per_worker: float,
) -> None:
    """Translate the `to-translate` documents of MANIFEST with the termbase and TM it names.

    Finished segments are journaled: an interrupted run (even kill -9) resumes
    where it stopped. Writes one file per document plus report.json and report.html.
    """
    from termalign.termbase.store import load_termbase
    from termalign.translator.batch import BatchConfig, load_batch_manifest, plan_batch, run_batch
    from termalign.translator.distributed import RayConfig
    from termalign.translator.stack import build_stack, load_memory

    plan = load_batch_manifest(manifest, app_context(ctx).data_dir)
    manifest_settings = plan.settings
    settings = stack.resolve(manifest_layer(manifest_settings.model, manifest_settings.decoding,
                                            manifest_settings.terms))  # fmt: skip
    out = output_dir or manifest_settings.output_dir or Path("out") / plan.corpus.name / "translated"
    config = BatchConfig(
        output_dir=out,
        journal=journal,
        max_docs=max_docs,
        batch_segments=batch_segments or manifest_settings.batch_segments or 32,
        restart=restart,
        review_threshold=review_threshold,
        xliff=xliff_version if xliff else "",
    )
    _check_batch_paths(plan, config, manifest, tm_paths)
    source_lang = plan.corpus.source_lang
    memories = [] if no_tm else [*manifest_settings.tm, *tm_paths]
    memory = load_memory(memories, source_lang=source_lang)
    remote = bool(settings.get("server"))
    if ray_address is not None:
        if remote:
            raise ConfigError("--ray and --server cannot be combined: Ray workers load the model themselves")
        runner = ray_runner(
            RayConfig(ray_address, workers, cpus_per_worker, gpus_per_worker), settings,
            termbase=None if no_termbase else plan.corpus.termbase, memories=memories,
            source_lang=source_lang,
        )  # fmt: skip
        with runner:
            if dry_run:
                result = plan_batch(plan, config, signature=runner.signature, memory=memory)
            else:
                result = _run_with_progress(plan, None, config, functools.partial(run_batch, runner=runner))
        _show(result, plan, as_json)
        _raise_failed(result)
        return
    termbase = None
    if not no_termbase and plan.corpus.termbase is not None and not remote:
        termbase = load_termbase(plan.corpus.termbase)
    try:
        with build_stack(
            settings, termbase=termbase, memory=None if remote else memory, source_lang=source_lang
        ) as built:
            if dry_run:
                result = plan_batch(plan, config, signature=built.translator.signature, memory=memory)
            else:
                result = _run_with_progress(plan, built.translator, config, run_batch)
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
