"""``termalign translate INPUT -o OUTPUT``: translate a document with termbase and TM.

Settings are resolved here, once (flag, then ``TERMALIGN_*`` environment
variable, then config file, then default), and the stack is built by
``termalign.translator.stack.build_stack`` like every other command's.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from termalign.commands.engine_options import FLAGS, StackOptions, stack_options
from termalign.commands.paths import check_paths
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import DocumentError
from termalign.kernel.signature import Signature
from termalign.output import console, err_console

if TYPE_CHECKING:
    from collections.abc import Callable

    from termalign.align.document import Document
    from termalign.translator.document import DocumentTranslation
    from termalign.translator.stack import Translator

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["translate"]

# Characters XML 1.0 cannot hold at all (a model may emit them); they are dropped from the run TMX.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _Outputs:
    output: Path
    tmx: Path | None
    report: Path | None
    review: Path | None = None
    review_threshold: float = 0.33  # translator.quality.REVIEW_THRESHOLD (not imported: startup)


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the translated document; .xlf/.xliff writes a bilingual XLIFF to post-edit.",
)
@click.option(
    "--xliff-version",
    type=click.Choice(["1.2", "2.1"]),
    default="1.2",
    show_default=True,
    help="XLIFF version when OUTPUT is .xlf/.xliff.",
)
@click.option(
    "--retranslate-confirmed",
    is_flag=True,
    help="With an XLIFF INPUT: translate units whose target is confirmed too (default: left as they are).",
)
@click.option(
    "--termbase",
    "termbase_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Termbase to enforce (TSV, CSV, TBX, PO, TMX or .sqlite).",
)
@click.option(
    "--no-termbase",
    is_flag=True,
    help="Do not prompt with or enforce --termbase; only measure the output against it.",
)
@click.option(
    "--tm",
    "tm_paths",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Translation memory TMX (repeatable): exact matches reused, fuzzy ones shown as examples.",
)
@stack_options
@click.option(
    "--tmx",
    "tmx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the run as a bilingual TMX.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JSON report: every segment, and a summary.",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a bilingual review page (HTML): source, translation, issues, score per segment.",
)
@click.option(
    "--review-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.33,
    show_default=True,
    envvar="TERMALIGN_REVIEW_THRESHOLD",
    help="Segments scored under this (or with an error) are marked for review.",
)
def translate(
    input_path: Path,
    output: Path,
    xliff_version: str,
    retranslate_confirmed: bool,
    termbase_path: Path | None,
    no_termbase: bool,
    tm_paths: tuple[Path, ...],
    stack: StackOptions,
    tmx_path: Path | None,
    report_path: Path | None,
    review_path: Path | None,
    review_threshold: float,
) -> None:
    """Translate INPUT (markdown, HTML, plain text or XLIFF) into OUTPUT, keeping its markup.

    Terms found in each sentence are given to the model, checked afterwards and
    repaired; exact TM matches are reused. An XLIFF INPUT (from any tool) gets its
    targets filled, marked for review; units with a confirmed target stay as they are.
    """
    from termalign.align.reader import read_document
    from termalign.termbase.store import load_termbase
    from termalign.translator.document import front_matter_fields, translate_document
    from termalign.translator.stack import build_stack, load_memory

    settings = stack.resolve()
    check_paths(
        inputs={"INPUT": input_path, "--termbase": termbase_path, "--tm": tm_paths},
        outputs={
            "-o": output,
            "--tmx": tmx_path,
            "--report": report_path,
            "--cache": settings.get("cache"),
        },  # fmt: skip
    )
    if settings.get("server"):
        _refuse_local_options_with_server(stack)
    doc = read_document(input_path)
    if doc.format == "xliff" and output.suffix.lower() not in (".xlf", ".xliff"):
        raise click.UsageError(
            "an XLIFF INPUT is translated into an XLIFF: name -o .xlf or .xliff "
            "(then `termalign xliff merge` rebuilds the document from it, for files termalign wrote)"
        )
    if doc.format == "xliff" and not retranslate_confirmed:
        from termalign.align.documents.xliff_document import without_confirmed

        doc = without_confirmed(doc)
    termbase = memory = None
    if not settings.get("server"):
        termbase = load_termbase(termbase_path) if termbase_path is not None else None
        memory = load_memory(tm_paths, source_lang=doc.lang)
    overrides = {"glossary": False, "enforce_terms": False} if no_termbase else {}
    built = build_stack(settings, termbase=termbase, memory=memory, source_lang=doc.lang, terms=overrides)
    started = time.perf_counter()
    try:
        with _progress(len(doc.sentences) + len(front_matter_fields(doc))) as advance:
            result = translate_document(doc, built.translator, progress=advance)
    finally:
        built.close()
    seconds = time.perf_counter() - started
    outs = _Outputs(output, tmx_path, report_path, review_path, review_threshold)
    _write_outputs(result, outs, doc.lang, seconds, _xliff_writer(doc, built.translator, xliff_version))
    console().print(_summary_table(result, outs, seconds, built.cache_hits))


def _refuse_local_options_with_server(stack: StackOptions) -> None:
    """Options that only mean something for a local model are refused, not silently ignored.

    Only options given on the command line count: $TERMALIGN_MODEL and friends
    may well be set for other commands.
    """
    ctx = click.get_current_context()
    flags = {"termbase_path": "--termbase", "no_termbase": "--no-termbase", "tm_paths": "--tm"}
    given = [f for name, f in flags.items() if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE]
    local = {key: flag for key, flag in FLAGS.items() if key not in ("server", "server_termbase")}
    given += stack.given(local)
    if given:
        raise click.UsageError(
            f"{', '.join(given)} cannot be used with --server: the server uses its own model, termbases "
            "and translation memory (choose its termbase with --server-termbase NAME)."
        )


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A rich bar on stderr (quiet when stderr is not a terminal), advanced by segment counts."""
    bar = Progress(
        TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console(), transient=True,
    )  # fmt: skip
    task = bar.add_task("translate", total=total)
    with bar:
        yield lambda n: bar.advance(task, n)


def _xliff_writer(
    doc: Document, translator: Translator, version: str
) -> Callable[[DocumentTranslation, Path], None] | None:
    """For an .xlf/.xliff OUTPUT: what writes the bilingual file (see ``termalign.commands.xliff``).

    None for an XLIFF INPUT: its translation is already the XLIFF with targets filled.
    """
    if doc.format == "xliff":
        return None

    def write(result: DocumentTranslation, path: Path) -> None:
        from termalign.align.documents.xliff import write_xliff
        from termalign.translator.bilingual import bilingual_from_translation

        memory = getattr(translator, "memory", None)
        write_xliff(bilingual_from_translation(doc, result, memory=memory), path, version)

    return write


def _write_outputs(
    result: DocumentTranslation,
    outs: _Outputs,
    source_lang: str,
    seconds: float,
    xliff: Callable[[DocumentTranslation, Path], None] | None = None,
) -> None:
    from termalign.align.documents.xliff import is_xliff

    if xliff is not None and is_xliff(outs.output):
        xliff(result, outs.output)
    else:
        atomic_write_text(outs.output, result.text, error=DocumentError)
    if outs.tmx is not None:
        _write_run_tmx(result, outs.tmx, source_lang, outs.review_threshold)
    if outs.report is not None:
        report = {
            "signature": result.signature,
            "signature_text": str(Signature.of(result.signature)),
            "summary": {**result.summary, "seconds": round(seconds, 2)},
            "restore_problems": [vars(p) for p in result.restore_problems],
            "segments": [r.to_dict() for r in result.records],
        }
        text = json.dumps(report, ensure_ascii=False, indent=2, default=list) + "\n"
        atomic_write_text(outs.report, text, error=DocumentError)
    if outs.review is not None:
        from termalign.translator.review_page import ReviewDocument, write_review

        write_review(
            outs.review, [ReviewDocument(outs.output.name, result.records)],
            threshold=outs.review_threshold, title=f"termalign review: {outs.output.name}",
            signature=result.signature,
        )  # fmt: skip


def _write_run_tmx(result: DocumentTranslation, path: Path, source_lang: str, threshold: float) -> None:
    from termalign.align.tmx import TranslationUnit, write_tmx
    from termalign.translator.quality import needs_review

    records = {r.id: r for r in result.records}
    units = []
    for seg in result.segments:
        record = records.get(seg.id)
        if record is None or record.origin == "copy":
            continue
        props: tuple[tuple[str, str], ...] = (
            ("x-origin", record.origin), ("x-score", f"{record.score:.4f}"), ("x-id", seg.id),
        )  # fmt: skip
        target = result.targets.get(seg.id, seg.raw)
        notes = record.notes + (("control characters dropped",) if _NOT_XML.search(target) else ())
        if record.quality is not None:
            props += (("x-quality", f"{record.quality:.4f}"),)
            review = " (needs review)" if needs_review(record, threshold) else ""
            notes += (f"quality {record.quality:.2f}{review}",)
        units.append(TranslationUnit(seg.raw, _NOT_XML.sub("", target), props, notes, seg.id))
    signature = Signature.of(result.signature)
    model = signature.get("engine.model") or signature.get("server.engine.model")  # local or remote
    header = {"x-model": str(model or ""), "x-termbase": str(signature.get("termbase") or "")}
    write_tmx(path, units, source_lang=source_lang, target_lang="en", properties=header, signature=signature)


def _summary_table(
    result: DocumentTranslation, outs: _Outputs, seconds: float, cache_hits: int | None
) -> Table:
    summary = result.summary
    table = Table(title="termalign translate", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("segments", str(summary["segments"]))
    for origin, count in summary["origins"].items():
        table.add_row(f"  {origin}", str(count))
    accuracy = summary["term_accuracy"]
    shown = "n/a" if accuracy is None else f"{accuracy:.1%}"
    table.add_row("term accuracy", f"{shown} ({summary['terms_used']}/{summary['terms_expected']})")
    for check, count in summary["issues"].items():
        table.add_row(f"issues: {check}", str(count))
    from termalign.translator.quality import needs_review

    marked = sum(1 for r in result.records if r.origin != "copy" and needs_review(r, outs.review_threshold))
    table.add_row(f"needs review (score < {outs.review_threshold:g} or an error)", str(marked))
    if cache_hits is None:
        table.add_row("segment attempts", str(summary["engine_calls"]))
    else:
        table.add_row("segment attempts (cache hits)", f"{summary['engine_calls']} ({cache_hits})")
    table.add_row("time", f"{seconds:.1f} s")
    for path in (outs.output, outs.tmx, outs.report, outs.review):
        if path is not None:
            table.add_row("written", str(path))
    return table
