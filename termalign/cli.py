"""The click front door: root group, context object, error handling.

Each command lives in its own module under ``termalign.commands`` (click's
"complex" example).  Library errors (:class:`termalign.errors.TermalignError`)
become one clear sentence on stderr and a non-zero exit code; nothing else in
the project prints or exits.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from termalign.kernel.errors import TermalignError
from termalign.kernel.settings import ConfigFile, find_config_file, load_config_file
from termalign.kernel.version import __version__

__all__ = ["main", "cli", "AppContext"]

CONFIG_HELP = "termalign.toml"


@dataclass(frozen=True)
class AppContext:
    """Settings resolved once at the CLI edge and handed to commands."""

    verbose: int
    data_dir: Path
    config: ConfigFile = field(default_factory=ConfigFile)  # the config-file layer, read once


class TermalignGroup(click.Group):
    """A group that turns library errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TermalignError as exc:
            raise _failure(str(exc), exc.exit_code) from exc
        except KeyboardInterrupt:
            raise _failure("interrupted", 130) from None
        except MemoryError:
            raise _failure("out of memory; try a smaller input or batch", 1) from None


class _Failure(click.ClickException):
    """A ClickException printed as the library error's one sentence."""

    def format_message(self) -> str:
        return self.message


def _failure(message: str, code: int) -> click.ClickException:
    # click reads exit_code from the class (a ClassVar), so each code gets its own subclass.
    kind = type(f"_Failure{code}", (_Failure,), {"exit_code": code})
    return kind(message)


@click.group(cls=TermalignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="termalign")
@click.option("-v", "--verbose", count=True, help="Log progress (-v) or debug details (-vv) to stderr.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TERMALIGN_DATA",
    default=None,
    help="Where corpus texts live (default: $TERMALIGN_DATA, else ../shared/corpora).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TERMALIGN_CONFIG",
    default=None,
    help=f"Settings file (TOML; default: ./{CONFIG_HELP} if present). `termalign config show` lists them.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, data_dir: Path | None, config_path: Path | None) -> None:
    """termalign: align, build termbases and translate with terminology, offline."""
    # Lazy: importing termalign.align loads numpy and the aligner (~0.1 s) that `--help` never needs.
    from termalign.align.corpus import default_data_dir

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        config = load_config_file(find_config_file(config_path, Path.cwd()))
    except TermalignError as exc:  # the group's invoke() has not started: report it the same way
        raise _failure(str(exc), exc.exit_code) from exc
    ctx.obj = AppContext(verbose=verbose, data_dir=data_dir or default_data_dir(), config=config)


def _register() -> None:
    # Lazy to break a cycle, not for speed: the command modules import termalign.cli_context -> here.
    from termalign.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    _register()
    cli.main(args=argv, prog_name="termalign")
