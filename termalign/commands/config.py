"""``termalign config show``: the resolved translation settings and where each came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from termalign.cli_context import app_context
from termalign.commands.engine_options import StackOptions, manifest_layer, stack_options
from termalign.kernel.settings import SPECS
from termalign.output import console

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["config"]


@click.group()
def config() -> None:
    """Inspect the settings (flag > TERMALIGN_* env > termalign.toml / --config > manifest > default)."""


@config.command()
@stack_options
@click.option(
    "--manifest", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
    help="Also apply a corpus manifest's [translate] table, as batch and run do.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {key: {value, origin, env}}.")
@click.pass_context
def show(ctx: click.Context, stack: StackOptions, manifest: Path | None, as_json: bool) -> None:
    """Print every setting the translation stack uses, its value and its origin.

    The shared translation options may be given to see their effect, e.g.
    `termalign config show --beam-size 4`.
    """
    from termalign.translator.stack import check_settings, library_defaults

    layer = None
    if manifest is not None:
        from termalign.translator.batch import load_batch_manifest

        plan = load_batch_manifest(manifest, app_context(ctx).data_dir)
        layer = manifest_layer(plan.settings.model, plan.settings.decoding, plan.settings.terms)
    settings = stack.resolve(layer)
    check_settings(settings)
    defaults = library_defaults()
    rows = {
        s.key: {
            "value": _plain(settings.get(s.key, defaults[s.key])),
            "origin": settings.origin(s.key),
            "env": s.env_var,
        }
        for s in SPECS
    }
    if as_json:
        file = str(settings.config_file) if settings.config_file else None
        click.echo(json.dumps({"config_file": file, "settings": rows}, ensure_ascii=False, indent=2))
        return
    where = str(settings.config_file) if settings.config_file else "none (no ./termalign.toml, no --config)"
    table = Table(title=f"termalign settings (config file: {where})")
    for column in ("setting", "value", "from", "variable"):
        table.add_column(column, overflow="fold")
    for key, row in rows.items():
        table.add_row(key, json.dumps(row["value"], ensure_ascii=False), row["origin"], row["env"])
    console().print(table)


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value
