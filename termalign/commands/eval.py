"""``termalign eval HYPOTHESIS REFERENCE``: BLEU, chrF, TER and term accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from termalign.commands.engine_options import FLAGS as _FLAGS
from termalign.commands.engine_options import StackOptions, stack_options
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import ConfigError
from termalign.output import console

if TYPE_CHECKING:
    from termalign.termbase.store import Termbase

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["eval_"]


@click.command(name="eval")
@click.argument("hypothesis", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.argument("reference", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--termbase", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Termbase for term accuracy and forbidden renderings (needs the sources).")  # fmt: skip
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Source segments (one per line, or a TMX/JSONL) when REFERENCE is not a TMX.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--translate", "translate_sources", is_flag=True,
    help="First translate the sources with the model (and --termbase) and write them to HYPOTHESIS.",
)  # fmt: skip
@click.option("--heldout", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run the held-out evaluation on this k8s-docs folder (loads the model).")  # fmt: skip
@click.option(
    "--per-page", type=int, default=6, show_default=True, help="Held-out: beads per test page (0: all)."
)
@click.option("--arms", default=None, help="Held-out: comma-separated arms (default: all).")
@stack_options
def eval_(
    hypothesis: Path | None,
    reference: Path | None,
    termbase: Path | None,
    source: Path | None,
    as_json: bool,
    translate_sources: bool,
    heldout: Path | None,
    per_page: int,
    arms: str | None,
    stack: StackOptions,
) -> None:
    """Score HYPOTHESIS against REFERENCE (text files with one segment per line, TMX or aligned JSONL).

    A TMX or JSONL reference also gives the sources; otherwise pass --source for term accuracy.
    With --translate, HYPOTHESIS is written first: the sources translated by the
    stack every translating command builds (same options, same config file).
    With --heldout DIR, translate the held-out Kubernetes test pages with each arm (model alone,
    + glossary in each injection mode, + TM) and print BLEU/chrF, term usage, numbers and time.
    """
    if heldout is not None:
        _heldout(heldout, per_page, arms, as_json, stack)
        return
    if hypothesis is None or reference is None:
        raise ConfigError("give HYPOTHESIS and REFERENCE, or --heldout DIR")
    from termalign.termbase.store import load_termbase
    from termalign.translator.evaluate import read_segments, score

    if not translate_sources:
        stack.refuse({key: flag for key, flag in _FLAGS.items()}, "without --translate")
    ref_sources, references = read_segments(reference)
    hyp_sources: list[str] | None = None
    if not translate_sources:
        hyp_sources, hypotheses = read_segments(hypothesis)
    sources = ref_sources or hyp_sources
    if source is not None:
        given, lines = read_segments(source)
        sources = given if given is not None else lines
    if termbase is not None and sources is None:
        raise ConfigError("term accuracy needs the source segments: give --source or a TMX reference")
    if translate_sources and sources is None:
        raise ConfigError("--translate needs the source segments: give --source or a TMX reference")
    tb = load_termbase(termbase) if termbase is not None else None
    try:
        if translate_sources:
            assert sources is not None
            hypotheses = _translate(stack, sources, tb, hypothesis)
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


def _heldout(data_dir: Path, per_page: int, arms: str | None, as_json: bool, stack: StackOptions) -> None:
    from termalign.output import err_console
    from termalign.translator.heldout import ARMS, HeldoutConfig, run_heldout, table_lines
    from termalign.translator.stack import open_cached_engine

    config = HeldoutConfig(
        data_dir, per_page=per_page or None, arms=tuple(arms.split(",")) if arms else tuple(ARMS)
    )
    report = run_heldout(open_cached_engine(stack.resolve()), config, progress=err_console().print)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    subset = report["subset"]
    click.echo(
        f"held-out {data_dir}: test pages {', '.join(report['split']['test'])}; {subset['beads']} beads"
    )
    click.echo("\n".join(table_lines(report)))


def _translate(stack: StackOptions, sources: list[str], termbase: Termbase | None, out: Path) -> list[str]:
    """The sources translated by the one stack, written one per line to ``out``."""
    from termalign.translator.stack import build_stack

    with build_stack(stack.resolve(), termbase=termbase) as built:
        records = built.translator.translate(sources)
    hypotheses = [" ".join(r.target.splitlines()) for r in records]
    atomic_write_text(out, "".join(h + "\n" for h in hypotheses))
    return hypotheses
