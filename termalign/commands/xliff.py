"""``termalign xliff merge|harvest``: bring a post-edited XLIFF back into the document and the TM.

``translate doc.md -o doc.xlf`` writes the bilingual file (see
:func:`termalign.translator.bilingual.bilingual_from_translation`); a translator post-edits it in a CAT tool;
``xliff merge`` rebuilds the translated document from it, and ``xliff harvest``
adds the confirmed segments to a TMX and lists the term renderings the
translator changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from termalign.output import console

if TYPE_CHECKING:
    from termalign.align.documents.xliff_common import BilingualUnit
    from termalign.align.tmx import Piece, TranslationUnit

__all__ = ["xliff"]


@click.group()
def xliff() -> None:
    """Work with XLIFF files post-edited in a CAT tool (OmegaT, Trados, memoQ, Phrase)."""


@xliff.command()
@click.argument("xliff_path", metavar="XLIFF", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--confirmed-only",
    is_flag=True,
    help="Use only confirmed targets; the others keep the source text.",
)
def merge(xliff_path: Path, output: Path, confirmed_only: bool) -> None:
    """Rebuild the translated document from XLIFF (1.2 or 2.x, as written by `translate -o x.xlf`).

    Every markup outside the translated text is kept byte for byte.
    """
    from dataclasses import replace

    from termalign.align.documents.xliff import read_xliff
    from termalign.align.documents.xliff_common import confirmed, merge
    from termalign.kernel.atomic import atomic_write_text
    from termalign.kernel.errors import DocumentError

    bilingual = read_xliff(xliff_path)
    if confirmed_only:
        kept = tuple(u if confirmed(u) else replace(u, target=None) for u in bilingual.units)
        bilingual = replace(bilingual, units=kept)
    atomic_write_text(output, merge(bilingual), error=DocumentError)
    translated = sum(1 for u in bilingual.units if u.target is not None and u.translate)
    console().print(f"{output}: {translated} of {len(bilingual.units)} segments from {xliff_path}")


@xliff.command()
@click.argument("xliff_path", metavar="XLIFF", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--tm",
    "tm_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="TMX to add the confirmed segments to (created if missing).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def harvest(xliff_path: Path, tm_path: Path, as_json: bool) -> None:
    """Add XLIFF's confirmed segments to a TM, and list the term renderings the translator changed."""
    from termalign.align.documents.xliff import read_xliff
    from termalign.align.documents.xliff_common import confirmed
    from termalign.align.tmx import append_tmx

    bilingual = read_xliff(xliff_path)
    done = [u for u in bilingual.units if confirmed(u)]
    units = [_tm_unit(u, xliff_path.name) for u in done]
    added = append_tmx(tm_path, units, source_lang=bilingual.source_lang, target_lang=bilingual.target_lang)
    changed = [c for u in done for c in _changed_terms(u)]
    if as_json:
        report = {"confirmed": len(done), "added": added, "tm": str(tm_path), "changed_terms": changed}
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console().print(f"{tm_path}: {added} new of {len(done)} confirmed segments (of {len(bilingual.units)})")
    if changed:
        table = Table("segment", "source term", "termbase rendering", "translator's target")
        for c in changed:
            table.add_row(c["segment"], c["source"], c["rendering"], c["target"])
        console().print("Term renderings the translator changed (candidates for the termbase):")
        console().print(table)


def _tm_unit(unit: BilingualUnit, origin: str) -> TranslationUnit:
    from termalign.align.documents.xliff_common import Code, Part
    from termalign.align.tmx import TranslationUnit, open_code_spans, pieces_text

    def pieces(parts: tuple[Part, ...]) -> tuple[Piece, ...]:
        return open_code_spans((p.kind, p.raw) if isinstance(p, Code) else ("text", p) for p in parts)

    source, target = pieces(unit.source), pieces(unit.target or ())
    return TranslationUnit(
        pieces_text(source),
        pieces_text(target),
        properties=(("x-origin", f"xliff:{unit.origin or 'human'}"), ("x-id", unit.id), ("x-file", origin)),
        tuid=unit.id,
        source_pieces=source if any(k != "text" for k, _ in source) else (),
        target_pieces=target if any(k != "text" for k, _ in target) else (),
    )


def _changed_terms(unit: BilingualUnit) -> list[dict[str, str]]:
    """Term notes whose rendering the confirmed target no longer has."""
    from termalign.align.documents.xliff_common import text_of
    from termalign.translator.bilingual import ARROW as _ARROW
    from termalign.translator.bilingual import TERM_NOTE

    target = text_of(unit.target or ()).casefold()
    changed = []
    for note in unit.notes:
        if not note.startswith(TERM_NOTE) or _ARROW not in note:
            continue
        source, _, rest = note[len(TERM_NOTE) :].partition(_ARROW)
        rendering = rest.rsplit(" (", 1)[0]
        if rendering.casefold() not in target:
            text = text_of(unit.target or ())
            changed.append({"segment": unit.id, "source": source, "rendering": rendering, "target": text})
    return changed
