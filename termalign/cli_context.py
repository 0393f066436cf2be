"""Access to the root group's context object from commands."""

from __future__ import annotations

import click

from termalign.cli import AppContext

__all__ = ["app_context"]


def app_context(ctx: click.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a command invoked without the root group (tests)
        from termalign.align.corpus import default_data_dir

        obj = AppContext(verbose=0, data_dir=default_data_dir())
    return obj
