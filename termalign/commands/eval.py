"""``termalign eval HYPOTHESIS REFERENCE``: BLEU, chrF, TER and term accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from termalign.commands.engine_options import model_options, open_local_engine
from termalign.kernel.errors import ConfigError
from termalign.output import console

__all__ = ["eval_"]


@click.command(name="eval")
@click.argument("hypothesis", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.argument("reference", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--termbase", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Termbase for term accuracy and forbidden renderings (needs the sources).")  # fmt: skip
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Source segments (one per line, or a TMX/JSONL) when REFERENCE is not a TMX.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--heldout", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run the held-out evaluation on this k8s-docs folder (loads the model).")  # fmt: skip
@click.option(
    "--per-page", type=int, default=6, show_default=True, help="Held-out: beads per test page (0: all)."
)
@click.option("--arms", default=None, help="Held-out: comma-separated arms (default: all).")
@model_options
def eval_(
    hypothesis: Path | None,
    reference: Path | None,
    termbase: Path | None,
    source: Path | None,
    as_json: bool,
    heldout: Path | None,
    per_page: int,
    arms: str | None,
    **engine: Any,
) -> None:
    """Score HYPOTHESIS against REFERENCE (text files with one segment per line, TMX or aligned JSONL).

    A TMX or JSONL reference also gives the sources; otherwise pass --source for term accuracy.
    With --heldout DIR, translate the held-out Kubernetes test pages with each arm (model alone,
    + glossary in each injection mode, + TM) and print BLEU/chrF, term usage, numbers and time.
    """
    if heldout is not None:
        _heldout(heldout, per_page, arms, as_json, engine)
        return
    if hypothesis is None or reference is None:
        raise ConfigError("give HYPOTHESIS and REFERENCE, or --heldout DIR")
    from termalign.translator.evaluate import read_segments, score

    ref_sources, references = read_segments(reference)
    hyp_sources, hypotheses = read_segments(hypothesis)
    sources = ref_sources or hyp_sources
    if source is not None:
        given, lines = read_segments(source)
        sources = given if given is not None else lines
    if termbase is not None and sources is None:
        raise ConfigError("term accuracy needs the source segments: give --source or a TMX reference")
    tb = None
    if termbase is not None:
        from termalign.termbase.store import load_termbase

        tb = load_termbase(termbase)
    try:
        result = score(hypotheses, references, sources=sources if tb is not None else None, termbase=tb)
    finally:
        if tb is not None:
            tb.close()
    data = {
        "hypothesis": str(hypothesis),
        "reference": str(reference),
        "termbase": str(termbase) if termbase else None,
        **result.to_dict(),
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"termalign eval: {hypothesis.name} vs {reference.name} ({result.segments} segments)")
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("signature", overflow="fold")
    for item in result.scores:
        table.add_row(item.name, f"{item.score:.2f}", item.signature)
    if tb is not None:
        accuracy = result.term_accuracy
        table.add_row(
            "term accuracy",
            "n/a" if accuracy is None else f"{accuracy:.3f}",
            f"{result.term_used}/{result.term_expected} approved renderings used; "
            f"termbase {result.termbase_hash or ''}",
        )
        table.add_row("forbidden terms", str(result.forbidden), "")
    console().print(table)


def _heldout(data_dir: Path, per_page: int, arms: str | None, as_json: bool, engine: dict[str, Any]) -> None:
    from termalign.output import err_console
    from termalign.translator.heldout import ARMS, HeldoutConfig, run_heldout, table_lines

    config = HeldoutConfig(
        data_dir, per_page=per_page or None, arms=tuple(arms.split(",")) if arms else tuple(ARMS)
    )
    report = run_heldout(open_local_engine(**engine), config, progress=err_console().print)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    subset = report["subset"]
    click.echo(
        f"held-out {data_dir}: test pages {', '.join(report['split']['test'])}; {subset['beads']} beads"
    )
    click.echo("\n".join(table_lines(report)))
