"""Options and helpers shared by the commands that load a model (batch, serve, eval).

Resolution order for the model: --model, then $TERMALIGN_MODEL (click fills
it), then the manifest's ``[translate] model``, then the registry default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from termalign.commands.model import resolve_models_dir

if TYPE_CHECKING:
    from termalign.translator.engine import Engine

__all__ = ["model_options", "open_local_engine", "progress_display"]


def model_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--model, --models-dir, --beam-size, --max-new-tokens."""
    options = [
        click.option("--model", envvar="TERMALIGN_MODEL", default=None, help="Installed model name."),
        click.option(
            "--models-dir",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="TERMALIGN_MODELS",
            default=None,
            help="Model cache folder (default: $TERMALIGN_MODELS, else the user cache folder).",
        ),
        click.option("--beam-size", type=int, default=None, help="Beam size (default 2; 1: greedy)."),
        click.option("--max-new-tokens", type=int, default=None, help="Longest translation in tokens."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def open_local_engine(
    model: str | None,
    models_dir: Path | None,
    *,
    decoding: Mapping[str, Any] | None = None,
    fallback_model: str | None = None,
    beam_size: int | None = None,
    max_new_tokens: int | None = None,
) -> Engine:
    """The engine of an installed model with decoding settings from the manifest and flags."""
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import get_model
    from termalign.translator.registry import DEFAULT_MODEL

    settings = dict(decoding or {})
    if beam_size is not None:
        settings["beam_size"] = beam_size
    if max_new_tokens is not None:
        settings["max_new_tokens"] = max_new_tokens
    config = dataclasses.replace(EngineConfig(), **settings)
    installed = get_model(model or fallback_model or DEFAULT_MODEL, resolve_models_dir(models_dir))
    return open_engine(installed, config)


def progress_display() -> Any:
    """A rich progress display on stderr (silent when stderr is not a terminal)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from termalign.output import err_console

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console(),
    )
