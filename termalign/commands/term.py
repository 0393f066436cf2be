"""``termalign term``: list, show, edit, import and export termbases.

A termbase is any file :mod:`termbase.formats` knows (``.tsv``, ``.csv``,
``.tbx``, ``.tmx``, ``.po``) or a SQLite store (``.sqlite``, ``.db``).  Edits to
a file are made in an in-memory store and written back to the same file and
format atomically, touching only the rows that changed (a TSV/CSV edit is a
one-line diff); edits to SQLite are transactions.  Without ``-t`` the termbase
read is ``$TERMALIGN_TERMBASE``, else the one the DeepSeek corpus manifest names
(the committed, curated TSV); ``add``/``set``/``remove`` refuse to edit that
packaged file unless it is named with ``-t``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from termalign.commands.paths import check_paths
from termalign.kernel.errors import ConfigError, TermbaseError
from termalign.termbase.model import STATUSES, Entry, Status

# Lazy: the libraries (termalign.align/termbase/translator, termalign.pipeline) are imported
# inside the commands; loading them takes 0.2-0.8 s that `termalign --help` and every other
# command would pay (bench/startup_bench.py).

__all__ = ["term"]

_STATUS = click.Choice(STATUSES)


def _default_termbase() -> Path:
    from termalign.align.corpus import load_corpus

    manifest = Path(__file__).resolve().parents[1] / "corpora" / "deepseek" / "corpus.toml"
    termbase = load_corpus(manifest, Path(".")).termbase
    if termbase is None:
        raise ConfigError("no termbase given; pass -t PATH or set TERMALIGN_TERMBASE")
    return termbase


def _termbase_path(ctx: click.Context, path: Path | None) -> Path:
    return path if path is not None else _default_termbase()


def _editable_path(ctx: click.Context, path: Path | None) -> Path:
    """The termbase an edit goes to: never the packaged corpus termbase unless named with -t."""
    if path is None:
        raise ConfigError(
            f"no termbase to edit: pass -t PATH (or set $TERMALIGN_TERMBASE); edits never go to the "
            f"packaged {_default_termbase()} unless it is named with -t"
        )
    return path


termbase_option = click.option(
    "-t",
    "--termbase",
    "termbase_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TERMALIGN_TERMBASE",
    default=None,
    help="Termbase file or SQLite store (default: $TERMALIGN_TERMBASE, else the corpus termbase).",
)


def _is_sqlite(path: Path) -> bool:
    from termalign.termbase.store import SQLITE_EXTENSIONS

    return path.suffix.lower() in SQLITE_EXTENSIONS


@contextmanager
def _editing(path: Path, *, create: bool = False) -> Iterator[Any]:
    """A store to change, locked against other writers; a file termbase is written back if all went well."""
    from termalign.termbase.store import edit_termbase

    with edit_termbase(path, create=create) as store:
        yield store


def _entry_json(entry: Entry) -> dict[str, object]:
    from termalign.termbase.validate import entry_to_dict

    return entry_to_dict(entry)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(name="term")
def term() -> None:
    """Manage termbases: list, show, add, set, remove, import and export."""


@term.command(name="export")
@click.argument("termbase_path", metavar="TERMBASE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Format name (default: from OUTPUT's extension); tbx3 = TBX v3 (.tbx is TBX 2008).",
)
@click.option("--status", type=_STATUS, default=None, help="Export only entries of this status.")
def export_command(termbase_path: Path, output: Path, fmt: str | None, status: str | None) -> None:
    """Write TERMBASE to OUTPUT in another format (tsv csv tbx tbx3 tmx po omegat deepl, or .sqlite)."""
    from termalign.termbase.formats import export_entries
    from termalign.termbase.store import Termbase, load_termbase

    check_paths(inputs={"TERMBASE": termbase_path}, outputs={"-o": output})
    with load_termbase(termbase_path) as store:
        entries = store.entries(status)
    if _is_sqlite(output) and fmt is None:
        if output.exists():
            raise TermbaseError(
                "the SQLite termbase already exists; use `term import` to add to it", path=output
            )
        with Termbase.open(output) as target:
            target.add_many(entries)
    else:
        export_entries(entries, output, format=fmt)
    click.echo(f"exported {len(entries)} entries to {output}", err=True)


@term.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "termbase_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The termbase to import into (created if missing; TSV, CSV, ... or SQLite).",
)
@click.option("--format", "fmt", default=None, help="FILE's format name (default: from its extension).")
@click.option(
    "--skip-bad", is_flag=True, help="Import the good rows and report the bad ones, instead of nothing."
)
def import_command(file: Path, termbase_path: Path, fmt: str | None, skip_bad: bool) -> None:
    """Import FILE into a termbase; bad rows and conflicts are all reported at once."""
    from termalign.termbase.formats import ImportResult, import_entries
    from termalign.termbase.store import Termbase
    from termalign.termbase.validate import TermbaseProblems

    check_paths(inputs={"FILE": file}, outputs={"-o": termbase_path})
    if _is_sqlite(file) and fmt is None:
        with Termbase.open(file, create=False) as source:
            entries = tuple(source.entries())
        result = ImportResult(entries, (), (None,) * len(entries), file)
    else:
        result = import_entries(file, format=fmt, skip_bad=skip_bad)
    try:
        with _editing(termbase_path, create=True) as store:
            added, conflicts = store.add_many(result.entries, skip_bad=skip_bad, lines=result.lines)
    except TermbaseProblems as exc:
        raise TermbaseProblems(exc.message, exc.problems, path=file) from exc
    for problem in (*result.problems, *conflicts):
        click.echo(f"skipped {file}: {problem}", err=True)
    skipped = len(result.problems) + len(conflicts)
    tail = f" ({skipped} skipped)" if skipped else ""
    click.echo(f"imported {len(added)} entries from {file} into {termbase_path}{tail}", err=True)


@term.command(name="list")
@termbase_option
@click.option("--status", type=_STATUS, default=None, help="Only entries of this status.")
@click.option("--query", "-q", default="", help="Only entries with a term or rendering containing this text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def list_command(
    ctx: click.Context, termbase_path: Path | None, status: str | None, query: str, as_json: bool
) -> None:
    """List the entries of a termbase."""
    from termalign.termbase.store import load_termbase

    with load_termbase(_termbase_path(ctx, termbase_path)) as store:
        entries = store.find(query, status=status)
    if as_json:
        _echo_json([_entry_json(e) for e in entries])
        return

    table = Table(title=f"{len(entries)} entries", show_lines=False)
    for column in ("source", "target", "status", "variants", "forbidden", "enforce", "pos"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            " / ".join(e.source_terms),
            e.target,
            e.status.value,
            " / ".join(e.target_variants),
            " / ".join(e.forbidden),
            "yes" if e.enforce else "no",
            e.pos,
        )
    Console().print(table)


def _lookup(store: Any, term_text: str) -> Entry:
    entry: Entry | None = store.get(term_text)
    if entry is None:
        hits = store.matcher().find(term_text)  # a Traditional spelling finds its Simplified entry
        exact = [h for h in hits if h.start == 0 and h.end == len(term_text)]
        entry = exact[0].entry if exact else None
    if entry is None:
        raise TermbaseError(f"no entry for {term_text!r} in the termbase", path=store.path)
    return entry


@term.command(name="show")
@termbase_option
@click.argument("term_text", metavar="TERM")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def show_command(ctx: click.Context, termbase_path: Path | None, term_text: str, as_json: bool) -> None:
    """Show the entry that has TERM as a source term (preferred or variant)."""
    from termalign.termbase.store import load_termbase

    with load_termbase(_termbase_path(ctx, termbase_path)) as store:
        entry = _lookup(store, term_text)
    if as_json:
        _echo_json(_entry_json(entry))
        return

    table = Table(show_header=False, title=entry.source)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in _entry_json(entry).items():
        if key == "provenance":
            value = " | ".join(str(p) for p in entry.provenance)
        elif isinstance(value, list):
            value = " | ".join(map(str, value))
        table.add_row(key, str(value))
    Console().print(table)


@term.command(name="add")
@termbase_option
@click.argument("source")
@click.argument("target")
@click.option("--variant", multiple=True, help="Another accepted rendering (repeatable).")
@click.option("--source-variant", multiple=True, help="Another spelling of the source term (repeatable).")
@click.option("--forbidden", multiple=True, help="A rendering that must not be used (repeatable).")
@click.option("--status", type=_STATUS, default=Status.CANDIDATE.value, show_default=True)
@click.option("--note", default="")
@click.option("--pos", default="", help="Part of speech: noun, verb, propn, ...")
@click.option("--domain", default="")
@click.option("--no-enforce", is_flag=True, help="Ambiguous term: match it, never force its rendering.")
@click.pass_context
def add_command(
    ctx: click.Context,
    termbase_path: Path | None,
    source: str,
    target: str,
    variant: tuple[str, ...],
    source_variant: tuple[str, ...],
    forbidden: tuple[str, ...],
    status: str,
    note: str,
    pos: str,
    domain: str,
    no_enforce: bool,
) -> None:
    """Add SOURCE rendered as TARGET (merged if SOURCE already has that rendering)."""
    entry = Entry(
        source=source,
        target=target,
        source_variants=source_variant,
        target_variants=variant,
        forbidden=forbidden,
        status=Status(status),
        pos=pos,
        domain=domain,
        note=note,
        enforce=not no_enforce,
    )
    path = _editable_path(ctx, termbase_path)
    with _editing(path, create=True) as store:
        stored = store.add(entry)
    click.echo(f"added {stored.source} → {stored.target} to {path}", err=True)


def _drop(values: tuple[str, ...], drop: tuple[str, ...]) -> tuple[str, ...]:
    gone = {d.casefold() for d in drop}
    return tuple(v for v in values if v.casefold() not in gone)


@term.command(name="set")
@termbase_option
@click.argument("term_text", metavar="TERM")
@click.option("--target", default=None, help="New preferred rendering.")
@click.option("--status", type=_STATUS, default=None)
@click.option("--note", default=None)
@click.option("--pos", default=None)
@click.option("--domain", default=None)
@click.option("--enforce/--no-enforce", default=None, help="Force the rendering, or only match (ambiguous).")
@click.option("--add-variant", multiple=True, help="Add an accepted rendering.")
@click.option("--add-source-variant", multiple=True, help="Add a source spelling.")
@click.option("--add-forbidden", multiple=True, help="Add a forbidden rendering.")
@click.option("--drop", multiple=True, help="Remove a variant, source variant or forbidden rendering.")
@click.pass_context
def set_command(
    ctx: click.Context,
    termbase_path: Path | None,
    term_text: str,
    target: str | None,
    status: str | None,
    note: str | None,
    pos: str | None,
    domain: str | None,
    enforce: bool | None,
    add_variant: tuple[str, ...],
    add_source_variant: tuple[str, ...],
    add_forbidden: tuple[str, ...],
    drop: tuple[str, ...],
) -> None:
    """Change the entry that has TERM as a source term."""
    path = _editable_path(ctx, termbase_path)
    with _editing(path) as store:
        entry = _lookup(store, term_text)
        changed = replace(
            entry,
            target=target if target is not None else entry.target,
            status=Status(status) if status is not None else entry.status,
            note=note if note is not None else entry.note,
            pos=pos if pos is not None else entry.pos,
            domain=domain if domain is not None else entry.domain,
            enforce=enforce if enforce is not None else entry.enforce,
            target_variants=_drop(entry.target_variants, drop) + add_variant,
            source_variants=_drop(entry.source_variants, drop) + add_source_variant,
            forbidden=_drop(entry.forbidden, drop) + add_forbidden,
        )
        store.update(changed)
    click.echo(f"updated {entry.source} in {path}", err=True)


@term.command(name="remove")
@termbase_option
@click.argument("term_text", metavar="TERM")
@click.pass_context
def remove_command(ctx: click.Context, termbase_path: Path | None, term_text: str) -> None:
    """Remove the entry that has TERM as a source term."""
    path = _editable_path(ctx, termbase_path)
    with _editing(path) as store:
        entry = store.remove(_lookup(store, term_text).id)
    click.echo(f"removed {entry.source} → {entry.target} from {path}", err=True)


# ``extract`` and ``check`` live in their own modules; the group works without them.
try:
    from termalign.commands.term_extract import extract
except ImportError as exc:
    if exc.name != "termalign.commands.term_extract":  # the module exists but is broken: say so
        raise
else:
    term.add_command(extract)
try:
    from termalign.commands.term_check import check
except ImportError as exc:
    if exc.name != "termalign.commands.term_check":
        raise
else:
    term.add_command(check)
from termalign.commands.term_review import review  # noqa: E402  (its own module, like extract and check)

term.add_command(review)
