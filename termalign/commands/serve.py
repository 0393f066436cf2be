"""``termalign serve``: the translation server (LibreTranslate-compatible API) on one model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from termalign.commands.engine_options import StackOptions, refuse_server, stack_options
from termalign.kernel.errors import ConfigError

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["serve"]


def _termbase_pairs(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    pairs = []
    problems = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name.strip() or not path.strip():
            problems.append(f"{value!r} (expected NAME=PATH)")
        elif not Path(path).exists():
            problems.append(f"{value!r} (no such file)")
        else:
            pairs.append((name.strip(), Path(path)))
    if problems:
        raise ConfigError("bad --termbase value(s): " + "; ".join(problems))
    return pairs


def _api_keys(given: tuple[str, ...], key_file: Path | None) -> tuple[str, ...]:
    """Keys from --api-key, --api-key-file (one a line, # comments) and $TERMALIGN_API_KEY."""
    keys = [k for k in given if k]
    if key_file is not None:
        try:
            lines = key_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the API key file ({exc})", path=key_file) from exc
        found = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not found:
            raise ConfigError("the API key file holds no key", path=key_file)
        keys += found
    env = os.environ.get("TERMALIGN_API_KEY", "").strip()
    if env:
        keys.append(env)
    return tuple(dict.fromkeys(keys))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=5000, show_default=True, help="Port (LibreTranslate's default).")
@stack_options
@click.option("--termbase", "termbases", multiple=True, metavar="NAME=PATH",
              help="Load a termbase under NAME (requests pick it with `termbase`); repeatable.")  # fmt: skip
@click.option("--tm", "tm_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Translation memory (TMX) used for every request; repeatable.")  # fmt: skip
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="Accept only requests with this api_key (visible in `ps`: prefer --api-key-file).",
)
@click.option("--api-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A file of accepted api_keys, one a line (also: $TERMALIGN_API_KEY).")  # fmt: skip
@click.option("--max-request-bytes", type=int, default=256 * 1024, show_default=True)
@click.option("--max-queue", type=int, default=64, show_default=True, help="Waiting requests before 503.")
@click.option("--batch-wait-ms", type=float, default=5.0, show_default=True, help="Time to gather a batch.")
@click.option("--max-batch-segments", type=int, default=32, show_default=True)
def serve(
    host: str,
    port: int,
    stack: StackOptions,
    termbases: tuple[str, ...],
    tm_paths: tuple[Path, ...],
    api_keys: tuple[str, ...],
    api_key_file: Path | None,
    max_request_bytes: int,
    max_queue: int,
    batch_wait_ms: float,
    max_batch_segments: int,
) -> None:
    """Serve POST /translate (LibreTranslate API), /languages, /health and /metrics.

    The model is loaded once; concurrent requests are translated together.
    """
    from termalign.termbase.store import load_termbase
    from termalign.translator.server import ServerConfig, create_app, serve_app
    from termalign.translator.stack import Stack, build_stack, load_memory, open_cached_engine

    settings = stack.resolve()
    refuse_server(settings, "serve")
    pairs = _termbase_pairs(termbases)
    engine = open_cached_engine(settings, in_memory=False)  # one model for every termbase's stack
    config = ServerConfig(
        max_request_bytes=max_request_bytes, max_queue=max_queue, batch_wait_ms=batch_wait_ms,
        max_batch_segments=max_batch_segments, api_keys=_api_keys(api_keys, api_key_file),
    )  # fmt: skip

    def factory() -> dict[str | None, Any]:
        # Runs in the worker thread: termbase SQLite connections belong to it.
        memory = load_memory(list(tm_paths), source_lang=config.source_lang)
        stacks: dict[str | None, Stack] = {
            None: build_stack(settings, engine=engine, memory=memory, source_lang=config.source_lang)
        }
        for name, path in pairs:
            stacks[name] = build_stack(
                settings, engine=engine, termbase=load_termbase(path), memory=memory,
                source_lang=config.source_lang,
            )  # fmt: skip
        return {name: built.translator for name, built in stacks.items()}

    app = create_app(factory, config)
    serve_app(app, host, port)
