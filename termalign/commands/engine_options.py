"""The translation options every translating command shares, and their resolution.

``translate``, ``batch``, ``serve``, ``run`` and ``eval`` all take
:func:`stack_options`; the decorated command receives one
:class:`StackOptions` and calls :meth:`StackOptions.resolve` once to get the
frozen :class:`~termalign.kernel.settings.Settings` it hands to
``termalign.translator.stack.build_stack``.  Precedence: flag, then
``TERMALIGN_*`` environment variable, then the config file (``--config`` or
``./termalign.toml``), then the corpus manifest (batch and run), then the
library default.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from termalign.cli_context import app_context
from termalign.kernel.errors import ConfigError
from termalign.kernel.settings import SPECS, ConfigFile, Settings, resolve_settings
from termalign.output import err_console

__all__ = [
    "FAST_MODEL",
    "FLAGS",
    "manifest_layer",
    "refuse_server",
    "StackOptions",
    "stack_options",
    "progress_display",
]

FAST_MODEL = "qwen2.5-coder-0.5b"

_KINDS: dict[type, Any] = {
    str: None,
    int: int,
    float: float,
    Path: click.Path(path_type=Path),
}
_CHOICES = {"terms.term_injection": click.Choice(["auto", "verify", "inline", "list", "both"])}
_FLAGGED = [s for s in SPECS if s.flag]
FLAGS: dict[str, str] = {s.key: str(s.flag) for s in _FLAGGED}  # setting key -> its flag


@dataclass(frozen=True)
class StackOptions:
    """The shared options as given on the command line, plus the config-file layer."""

    flags: Mapping[str, Any]
    config: ConfigFile
    env: Mapping[str, str]
    fast: bool = False  # --fast: the small model, unless --model names one

    def resolve(self, manifest: Mapping[str, Any] | None = None) -> Settings:
        """The settings, resolved once: flag > env > config file > ``manifest`` > default."""
        flags = dict(self.flags)
        if self.fast and flags.get("model") is None:
            flags["model"] = FAST_MODEL
        return resolve_settings(flags=flags, env=self.env, file=self.config, manifest=manifest)

    def given(self, keys: Mapping[str, str]) -> list[str]:
        """The flags among ``keys`` (setting key -> flag) given on the command line, --fast too."""
        given = []
        for key, flag in keys.items():
            given += [flag] if self.flags.get(key) is not None else []
            given += ["--fast"] if key == "model" and self.fast else []
        return given

    def refuse(self, keys: Mapping[str, str], why: str) -> None:
        """A usage error naming the flags among ``keys`` that were given (they cannot apply)."""
        given = self.given(keys)
        if given:
            raise click.UsageError(f"{', '.join(given)} cannot be used {why}.")


def stack_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared translation options; the command gets them as ``stack: StackOptions``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flags = {s.key: kwargs.pop(_param(s.key)) for s in _FLAGGED}
        fast = bool(kwargs.pop("fast"))
        ctx = click.get_current_context()
        kwargs["stack"] = StackOptions(flags, app_context(ctx).config, dict(os.environ), fast)
        return function(*args, **kwargs)

    options = []
    for s in _FLAGGED:
        env = f" [env: {s.env_var}]"
        options.append(
            click.option(
                str(s.flag),
                _param(s.key),
                type=_CHOICES.get(s.key, _KINDS[s.kind]),
                default=None,
                help=s.help + env,
            )  # fmt: skip
        )
        if s.key == "model":
            options.append(
                click.option("--fast", is_flag=True, help=f"Use the small, fast model ({FAST_MODEL}).")
            )
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _param(key: str) -> str:
    return "stack_" + key.replace(".", "_")


def manifest_layer(
    model: str | None, decoding: Mapping[str, Any], terms: Mapping[str, Any]
) -> dict[str, Any]:
    """A corpus manifest's ``[translate]`` model, decoding and terms as settings keys."""
    layer: dict[str, Any] = {"model": model}
    layer.update({f"decoding.{k}": v for k, v in decoding.items()})
    layer.update({f"terms.{k}": (tuple(v) if isinstance(v, list) else v) for k, v in terms.items()})
    return layer


def refuse_server(settings: Settings, command: str) -> None:
    """Commands that need the model here (leave-one-out evaluation, serving) refuse a server."""
    if settings.get("server"):
        raise ConfigError(
            f"`termalign {command}` needs a local model: unset the server "
            f"(it came from the {settings.origin('server')} setting)"
        )


def progress_display() -> Any:
    """A rich progress display on stderr (silent when stderr is not a terminal)."""
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
