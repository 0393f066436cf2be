"""What a translation of a document becomes in XLIFF: one bilingual unit per sentence.

Used by ``translate doc.md -o doc.xlf`` and ``batch --xliff`` (one XLIFF beside
each translated document); the units carry the markup as codes, the
translation as a target to review, TM matches and term checks as notes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from termalign.align.document import Document
    from termalign.align.documents.xliff_common import BilingualDocument, BilingualUnit
    from termalign.translator.document import DocumentTranslation
    from termalign.translator.memory import TranslationMemory
    from termalign.translator.records import SegmentRecord

__all__ = ["ARROW", "NOT_XML", "TERM_NOTE", "bilingual_from_translation"]

TERM_NOTE = "term: "
# Characters XML 1.0 cannot hold (a model may emit them): dropped from targets, with a note.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # "term: 蒸馏 → distillation (used)"
ARROW = " → "


def _notes(record: SegmentRecord) -> tuple[str, ...]:
    notes = [
        f"{TERM_NOTE}{t.source}{ARROW}{t.target} ({'used' if t.used else 'missing'}"
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
            target = NOT_XML.sub("", record.target)
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
        dropped = ("control characters dropped",) if NOT_XML.search(target) else ()
        units.append(
            BilingualUnit(
                seg.id,
                source,
                parts_of(doc.format, NOT_XML.sub("", target), source),
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
