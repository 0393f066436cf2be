"""``termalign term review``: a review page for term candidates, and its decisions applied.

``termalign term review candidates.csv -t termbase.tsv`` writes ``candidates.review.html``;
the reviewer approves, edits or rejects each candidate in a browser and downloads
``decisions.csv``; ``termalign term review --apply decisions.csv -t termbase.tsv`` adds the
approved and edited items to the termbase (status approved, with provenance).
"""

from __future__ import annotations

from pathlib import Path

import click

from termalign.kernel.errors import ConfigError


@click.command(name="review")
@click.argument("candidates", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-t",
    "--termbase",
    "termbase_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TERMALIGN_TERMBASE",
    required=True,
    help="Termbase to check candidates against and to add approved items to (created if absent).",
)
@click.option(
    "--apply",
    "decisions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Apply a decisions.csv downloaded from the review page instead of writing a page.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Review page to write (default: CANDIDATES with the extension .review.html).",
)
@click.option(
    "--limit", type=click.IntRange(1), default=500, show_default=True, help="Candidates on the page."
)
def review(
    candidates: Path | None, termbase_path: Path, decisions: Path | None, output: Path | None, limit: int
) -> None:
    """Write a review page for CANDIDATES, or (with --apply) add the decisions to the termbase."""
    if decisions is not None:
        _apply(decisions, termbase_path)
        return
    if candidates is None:
        raise ConfigError("give a candidates CSV to review, or --apply DECISIONS.csv")
    from termalign.kernel.atomic import atomic_write_text
    from termalign.kernel.errors import TermbaseError
    from termalign.termbase.review import read_candidate_rows, review_page

    rows = read_candidate_rows(candidates)[:limit]
    known: dict[str, str] = {}
    if termbase_path.exists():
        from termalign.termbase.store import load_termbase

        with load_termbase(termbase_path) as store:
            known = {term: e.target for e in store.entries() for term in e.source_terms}
    page = output or candidates.with_suffix(".review.html")
    atomic_write_text(
        page, review_page(rows, title=f"Term candidates: {candidates.name}", known=known), error=TermbaseError
    )
    click.echo(
        f"wrote {page} ({len(rows)} candidates); open it, decide, download decisions.csv, then run "
        f"termalign term review --apply decisions.csv -t {termbase_path}",
        err=True,
    )


def _apply(decisions: Path, termbase_path: Path) -> None:
    from termalign.commands.term import _editing
    from termalign.termbase.review import decided_entries, read_decisions

    entries, lines, rejected = decided_entries(read_decisions(decisions))
    with _editing(termbase_path, create=True) as store:
        added, _ = store.add_many(entries, lines=lines)
    click.echo(f"added {len(added)} approved item(s) to {termbase_path}; {rejected} rejected", err=True)
