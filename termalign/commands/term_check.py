"""``termalign term check``: terminology QA of a translation against a termbase."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from termalign.kernel.errors import ConfigError, DocumentError
from termalign.output import console

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

ALIGNED_SUFFIXES = (".tmx", ".jsonl")


def pairs_from_documents(source: Path, translation: Path) -> list[Any]:
    """Pair two documents: with the sentence aligner when it is installed, else block by block."""
    from termalign.termbase.extract import AlignedPair

    try:
        from termalign.align.aligner import align_documents
        from termalign.align.reader import read_document
    except ImportError:  # aligner not available: fall back to blank-line separated blocks, in order
        return _pairs_by_block(source, translation)
    alignment = align_documents(read_document(source), read_document(translation))
    return [
        AlignedPair(b.source, b.target, ",".join(b.source_ids) or ",".join(b.target_ids), b.score, b.flagged)
        for b in alignment.beads
    ]


def _blocks(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"cannot read the document ({exc})", path=path) from exc
    return [b.strip() for b in text.split("\n\n") if b.strip()]


def _pairs_by_block(source: Path, translation: Path) -> list[Any]:
    from termalign.termbase.extract import AlignedPair

    src, tgt = _blocks(source), _blocks(translation)
    if len(src) != len(tgt):
        raise ConfigError(
            f"the documents have {len(src)} and {len(tgt)} blocks; align them first "
            "(termalign align SOURCE TRANSLATION -o aligned.tmx) and check the TMX",
            path=translation,
        )
    return [AlignedPair(s, t, f"b{k}") for k, (s, t) in enumerate(zip(src, tgt, strict=True))]


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("translation", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-t",
    "--termbase",
    "termbase_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Termbase: .tsv/.csv/.tbx/.tmx/.po, or a .sqlite store.",
)
@click.option("--check", "only", multiple=True, help="Run only this check (repeatable).")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any error-severity issue is found.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(
    source: Path,
    translation: Path | None,
    termbase_path: Path,
    only: tuple[str, ...],
    strict: bool,
    as_json: bool,
) -> None:
    """Check terminology, numbers and untranslated text of a translation.

    Either SOURCE is an aligned TMX/JSONL file (no TRANSLATION), or SOURCE and
    TRANSLATION are two documents that are aligned segment by segment first.
    """
    from termalign.termbase.checks import CHECKS, check_pairs
    from termalign.termbase.extract import load_pairs
    from termalign.termbase.store import load_termbase

    if only:
        unknown = [n for n in only if n not in CHECKS]
        if unknown:
            raise ConfigError(f"unknown check {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    if translation is None:
        if source.suffix.lower() not in ALIGNED_SUFFIXES:
            raise ConfigError(
                "give an aligned .tmx/.jsonl file, or SOURCE and TRANSLATION documents", path=source
            )
        pairs = load_pairs(source)
    else:
        pairs = pairs_from_documents(source, translation)
    with load_termbase(termbase_path) as termbase:
        report = check_pairs(pairs, termbase, checks=only or None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        _print_report(report)
    if strict and report.summary.by_severity.get("error"):
        raise click.exceptions.Exit(1)


def _print_report(report: Any) -> None:
    issues = Table(title="Issues")
    for name in ("segment", "severity", "check", "message"):
        issues.add_column(name)
    for seg in report.segments:
        for issue in seg.issues:
            style = "red" if issue.severity.value == "error" else "yellow"
            issues.add_row(seg.id, f"[{style}]{issue.severity.value}[/]", issue.check, issue.message)
    out = console()
    if issues.row_count:
        out.print(issues)
    summary = report.summary
    table = Table(title="Summary", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    accuracy = "n/a" if summary.accuracy is None else f"{summary.accuracy:.1%}"
    table.add_row("segments", str(summary.segments))
    table.add_row("segments with issues", str(summary.segments_with_issues))
    table.add_row("term accuracy (used / expected)", f"{accuracy} ({summary.used}/{summary.expected})")
    table.add_row("forbidden renderings", str(summary.forbidden))
    for name, count in sorted(summary.by_check.items()):
        table.add_row(f"  {name}", str(count))
    out.print(table)
    missed = [t for t in report.terms if t.used < t.expected or t.forbidden]
    if missed:
        terms = Table(title="Terms not always rendered as required")
        for name in ("source", "target", "used/expected", "forbidden"):
            terms.add_column(name)
        for stat in missed:
            terms.add_row(stat.source, stat.target, f"{stat.used}/{stat.expected}", str(stat.forbidden))
        out.print(terms)
