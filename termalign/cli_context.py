"""Access to the root group's context object from commands."""

from __future__ import annotations

from pathlib import Path

import click

from termalign.cli import AppContext
from termalign.kernel.settings import find_config_file, load_config_file

__all__ = ["app_context"]


def app_context(ctx: click.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a command invoked without the root group (tests)
        from termalign.align.corpus import default_data_dir  # lazy: see termalign.cli

        config = load_config_file(find_config_file(None, Path.cwd()))
        obj = AppContext(verbose=0, data_dir=default_data_dir(), config=config)
    return obj
