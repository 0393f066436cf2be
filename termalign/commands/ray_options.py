"""The options of a distributed batch run (`termalign batch --ray`), and the runner they build."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from termalign.kernel.settings import Settings

if TYPE_CHECKING:
    from termalign.translator.distributed import RayConfig, RayRunner

# Lazy: the translator library is imported inside ray_runner; `termalign --help` must not load it
# (0.2-0.8 s, bench/startup_bench.py).

__all__ = ["ray_options", "ray_runner"]


def ray_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--ray [ADDRESS], --workers, --cpus-per-worker, --gpus-per-worker."""
    options = [
        click.option(
            "--ray",
            "ray_address",
            is_flag=False,
            flag_value="local",
            default=None,
            metavar="[ADDRESS]",
            help="Translate on Ray workers: local (default: start a local Ray), auto, or ray://host:port.",
        ),  # fmt: skip
        click.option("--workers", type=int, default=1, show_default=True, help="With --ray: worker actors."),
        click.option(
            "--cpus-per-worker",
            type=float,
            default=1.0,
            show_default=True,
            help="With --ray: CPUs each worker reserves.",
        ),  # fmt: skip
        click.option(
            "--gpus-per-worker",
            type=float,
            default=0.0,
            show_default=True,
            help="With --ray: GPUs per worker (CTranslate2 then runs on CUDA).",
        ),  # fmt: skip
    ]
    for option in reversed(options):
        function = option(function)
    return function


def ray_runner(
    config: RayConfig,
    settings: Settings,
    *,
    termbase: Path | None,
    memories: Sequence[Path],
    source_lang: str,
) -> RayRunner:
    """A Ray runner whose workers build, with ``build_stack``, the stack a local run would build.

    The resolved settings travel as plain values (model, models folder, the
    ``decoding`` and ``terms`` tables); a ``cache`` file does not (it is the
    driver's), so workers cache in memory.
    """
    from termalign.translator.distributed import RayRunner, StackRecipe
    from termalign.translator.registry import DEFAULT_MODEL

    engine = settings.table("decoding")
    if config.gpus_per_worker > 0:
        engine.setdefault("device", "cuda")
    recipe = StackRecipe.from_files(
        settings.get("model") or DEFAULT_MODEL,
        models_dir=settings.get("models_dir"),
        engine=engine,
        translate=settings.table("terms"),
        termbase=termbase,
        memories=memories,
        source_lang=source_lang,
    )
    return RayRunner(recipe, config)
