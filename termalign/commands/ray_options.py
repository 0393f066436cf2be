"""The options of a distributed batch run (`termalign batch --ray`), and the runner they build."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from termalign.translator.distributed import RayConfig, RayRunner, StackRecipe

__all__ = ["ray_options", "ray_runner"]


def ray_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--ray [ADDRESS], --workers, --cpus-per-worker, --gpus-per-worker."""
    options = [
        click.option(
            "--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
            help="Translate on Ray workers: local (default: start a local Ray), auto, or ray://host:port.",
        ),  # fmt: skip
        click.option("--workers", type=int, default=1, show_default=True, help="With --ray: worker actors."),
        click.option("--cpus-per-worker", type=float, default=1.0, show_default=True,
                     help="With --ray: CPUs each worker reserves.",),  # fmt: skip
        click.option("--gpus-per-worker", type=float, default=0.0, show_default=True,
                     help="With --ray: GPUs per worker (CTranslate2 then runs on CUDA).",),  # fmt: skip
    ]
    for option in reversed(options):
        function = option(function)
    return function


def ray_runner(
    config: RayConfig,
    *,
    model: str | None,
    models_dir: Path | None,
    decoding: Mapping[str, Any] | None,
    beam_size: int | None,
    max_new_tokens: int | None,
    translate: Any,
    termbase: Path | None,
    memories: Sequence[Path],
    source_lang: str,
) -> RayRunner:
    """A Ray runner whose workers build the stack a local run with the same options would build."""
    from termalign.translator.registry import DEFAULT_MODEL

    engine = dict(decoding or {})
    if beam_size is not None:
        engine["beam_size"] = beam_size
    if max_new_tokens is not None:
        engine["max_new_tokens"] = max_new_tokens
    if config.gpus_per_worker > 0:
        engine.setdefault("device", "cuda")
    recipe = StackRecipe.from_files(
        model or DEFAULT_MODEL,
        models_dir=models_dir,
        engine=engine,
        translate=_fields(translate),
        termbase=termbase,
        memories=memories,
        source_lang=source_lang,
    )
    return RayRunner(recipe, config)


def _fields(config: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return dict(config or {})
