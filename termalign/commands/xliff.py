"""``termalign xliff merge|harvest``: bring a post-edited XLIFF back into the document and the TM.

``translate doc.md -o doc.xlf`` writes the bilingual file (see
:func:`bilingual_from_translation`); a translator post-edits it in a CAT tool;
``xliff merge`` rebuilds the translated document from it, and ``xliff harvest``
adds the confirmed segments to a TMX and lists the term renderings the
translator changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from termalign.output import console

if TYPE_CHECKING:
    from termalign.align.document import Document
    from termalign.align.documents.xliff_common import BilingualDocument, BilingualUnit
    from termalign.align.tmx import Piece, TranslationUnit
    from termalign.translator.document import DocumentTranslation
    from termalign.translator.memory import TranslationMemory
    from termalign.translator.records import SegmentRecord

__all__ = ["xliff", "bilingual_from_translation", "TERM_NOTE"]

TERM_NOTE = "term: "
# Characters XML 1.0 cannot hold (a model may emit them): dropped from targets, with a note.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # "term: 蒸馏 → distillation (used)"
_ARROW = " → "


def _notes(record: SegmentRecord) -> tuple[str, ...]:
    notes = [
        f"{TERM_NOTE}{t.source}{_ARROW}{t.target} ({'used' if t.used else 'missing'}"
        f"{'' if t.enforced else ', not enforced'})"
        for t in record.terms
    ]
    notes += [f"{i.severity}: {i.check}: {i.message}" for i in record.issues]
    notes += [f"score: {record.score:.4f}"] if record.origin != "copy" else []
    return tuple(notes)


def bilingual_from_translation(
    doc: Document,
    result: DocumentTranslation,
    *,
    memory: TranslationMemory | None = None,
    target_lang: str = "en",
    join_space: bool = True,
) -> BilingualDocument:
    """One unit per sentence of ``doc``: its markup as codes, the translation as a target to review."""
    from termalign.align.documents.xliff_common import BilingualDocument, BilingualUnit, Match, parts_of
    from termalign.align.script import detect_script
    from termalign.kernel.langtags import language_tag
    from termalign.translator.document import FRONT_MATTER_PREFIX, front_matter_fields
    from termalign.translator.markup import PLACEHOLDER_RE

    records = {r.id: r for r in result.records}
    units: list[BilingualUnit] = []
    for name, value in front_matter_fields(doc).items():  # title, summary: units too
        record = records.get(FRONT_MATTER_PREFIX + name)
        if record is not None:
            target = _NOT_XML.sub("", record.target)
            units.append(
                BilingualUnit(
                    FRONT_MATTER_PREFIX + name,
                    (value,),
                    (target,),
                    "translated",
                    needs_review=record.origin != "tm-exact",
                    origin=record.origin,
                    notes=_notes(record),
                )
            )
    for seg in result.segments:
        source = parts_of(doc.format, seg.raw)
        record = records.get(seg.id)
        if record is None or record.origin == "copy" or seg.id not in result.targets:
            units.append(BilingualUnit(seg.id, source, source, "final", origin="copy", translate=False))
            continue
        matches: tuple[Match, ...] = ()
        if memory is not None:
            found = memory.lookup(PLACEHOLDER_RE.sub("", seg.protected.text), limit=3)
            matches = tuple(Match(m.source, m.target, m.score, m.origin) for m in found)
        target = result.targets[seg.id]
        dropped = ("control characters dropped",) if _NOT_XML.search(target) else ()
        units.append(
            BilingualUnit(
                seg.id,
                source,
                parts_of(doc.format, _NOT_XML.sub("", target), source),
                "translated",
                needs_review=record.origin != "tm-exact",
                origin=record.origin,
                matches=matches,
                notes=_notes(record) + dropped,
            )
        )
    signature = {
        k: v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
        for k, v in result.signature.items()
    }
    return BilingualDocument(
        original=Path(doc.path).name,
        format=doc.format,
        source_lang=language_tag(doc.lang, script=doc.script or detect_script(doc.text[:2000])),
        target_lang=language_tag(target_lang),
        skeleton=doc.text,
        units=tuple(units),
        join_space=join_space,
        signature=signature,
        document_lang=doc.lang,
    )


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
