"""Translate whole documents: plan segments, translate them, put the markup and text back.

:func:`plan_segments` turns each sentence's raw markup into engine text with
placeholders (:func:`translator.markup.protect`); sentences with nothing to
translate (no Han character in a Chinese document, or blank) are kept as copies.
:func:`assemble` restores the markup into each translation, writes the
translations back in place (the format's ``write_back``, :mod:`termalign.align.documents`) and translates
the front matter's title and summary.  :func:`translate_document` does both
around any :class:`~translator.stack.Translator` (the termbase-aware layer, or a
remote server through :class:`~translator.client.RemoteTranslator`).

Translating with :class:`~translator.identity.IdentityEngine` reproduces the
input byte for byte: the whole stack runs, and sentences are joined without
added spaces when the engine is the identity (it "translates" into Chinese).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from termalign.align.document import Document
from termalign.align.documents import REGISTRY
from termalign.align.documents.writeback import front_matter_span, replace_front_matter
from termalign.align.script import HAN
from termalign.kernel.signature import Signature
from termalign.translator.markup import PLACEHOLDER_RE, Protected, protect, restore
from termalign.translator.records import SegmentRecord
from termalign.translator.shortcodes import protect_shortcodes
from termalign.translator.stack import Translator
from termalign.translator.terms import STRUCTURE_NOTE

__all__ = [
    "SourceSegment",
    "RestoreProblem",
    "AssembledDocument",
    "DocumentTranslation",
    "FRONT_MATTER_FIELDS",
    "plan_segments",
    "front_matter_fields",
    "assemble",
    "translate_document",
    "summarise",
]

FRONT_MATTER_FIELDS = ("title", "summary")
FRONT_MATTER_PREFIX = "fm."


@dataclass(frozen=True)
class SourceSegment:
    """One sentence to translate: its id, raw markup and the protected engine text."""

    id: str
    raw: str
    protected: Protected
    copy: bool = False  # nothing to translate: kept as it is (origin "copy")


@dataclass(frozen=True)
class RestoreProblem:
    """Placeholders a translation lost, repeated or invented (the restore policy fixed them)."""

    id: str
    missing: tuple[str, ...] = ()  # labels of the lost pieces ("md:link", "html:a"…)
    duplicated: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssembledDocument:
    text: str
    restore_problems: tuple[RestoreProblem, ...] = ()
    targets: dict[str, str] = field(default_factory=dict)  # sentence id → restored raw translation


@dataclass(frozen=True)
class DocumentTranslation:
    """A translated document and how it was made."""

    text: str
    records: tuple[SegmentRecord, ...]
    signature: dict[str, Any]
    summary: dict[str, Any]
    restore_problems: tuple[RestoreProblem, ...] = ()
    segments: tuple[SourceSegment, ...] = ()  # the plan, in text order
    targets: dict[str, str] = field(default_factory=dict)  # sentence id → restored raw translation


def plan_segments(doc: Document) -> list[SourceSegment]:
    """Every sentence of ``doc`` in text order, protected for the engine."""
    fmt = doc.format if doc.format in REGISTRY else "text"
    chinese = doc.lang.lower().startswith("zh")
    planned: list[SourceSegment] = []
    for s in sorted(doc.sentences, key=lambda s: s.start):
        raw = doc.text[s.start : s.end]
        protected = protect_shortcodes(protect(raw, fmt)) if fmt == "markdown" else protect(raw, fmt)
        visible = _visible_text(protected)
        copy = not visible.strip() or (chinese and not HAN.search(visible))
        planned.append(SourceSegment(s.id, raw, protected, copy))
    return planned


def _visible_text(protected: Protected) -> str:
    return PLACEHOLDER_RE.sub("", protected.text)


def front_matter_fields(doc: Document, fields: Sequence[str] = FRONT_MATTER_FIELDS) -> dict[str, str]:
    """The non-empty string values of ``fields`` in the document's YAML front matter."""
    span = front_matter_span(doc.text)
    if span is None:
        return {}
    try:
        data = yaml.safe_load(doc.text[span[0] : span[1]])
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {f: data[f].strip() for f in fields if isinstance(data.get(f), str) and data[f].strip()}


def _with_edges(source: str, target: str) -> str:
    """``target`` with the leading and trailing whitespace of ``source`` (engines strip theirs)."""
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return lead + target.strip() + trail


def assemble(
    doc: Document,
    records: Mapping[str, SegmentRecord],
    *,
    front_matter_translations: Mapping[str, str] | None = None,
    join_space: bool = True,
) -> AssembledDocument:
    """``doc`` with each recorded sentence replaced by its restored translation.

    Sentences without a record, and records of origin ``copy``, keep their
    original text.  ``front_matter_translations`` maps front-matter field names
    ("title", "summary") to their translations.
    """
    translations: dict[str, str] = {}
    origins: dict[str, str] = {}
    problems: list[RestoreProblem] = []
    for seg in plan_segments(doc):
        record = records.get(seg.id)
        if record is None or record.origin == "copy":
            continue
        restored = restore(_with_edges(seg.protected.text, record.target), seg.protected)
        translations[seg.id] = restored.text
        origins[seg.id] = record.origin
        if not restored.ok:
            problems.append(
                RestoreProblem(
                    seg.id,
                    tuple(p.label for p in restored.missing),
                    tuple(p.label for p in restored.duplicated),
                    restored.unknown,
                )
            )
    text = REGISTRY[doc.format if doc.format in REGISTRY else "text"].write_back(
        doc, translations, join_space=join_space, origins=origins
    )
    text = _front_matter(doc, text, front_matter_translations or {})
    return AssembledDocument(text, tuple(problems), translations)


def _front_matter(doc: Document, text: str, translations: Mapping[str, str]) -> str:
    original = front_matter_fields(doc)
    changed = {f: t for f, t in translations.items() if f in original and t != original[f]}
    if not changed:
        return text  # nothing differs: leave the block byte for byte
    by_value = {original[f]: t for f, t in changed.items()}
    return replace_front_matter(text, lambda value: by_value.get(value, value), tuple(changed))


def _is_identity(translator: Translator) -> bool:
    engine = getattr(translator, "engine", None)  # a remote translator has no local engine
    return engine is not None and engine.signature.get("engine") == "identity"


def translate_document(
    doc: Document,
    translator: Translator,
    *,
    progress: Callable[[int], None] | None = None,
    join_space: bool | None = None,
) -> DocumentTranslation:
    """Translate ``doc`` (sentences and front-matter title/summary) in one translator call.

    ``join_space`` defaults to True, except for the identity engine, whose
    "translation" stays Chinese (written without spaces between sentences).
    """
    planned = plan_segments(doc)
    copies = [s for s in planned if s.copy]
    todo = [s for s in planned if not s.copy]
    fields = front_matter_fields(doc)
    sources = [s.protected.text for s in todo] + list(fields.values())
    ids = [s.id for s in todo] + [FRONT_MATTER_PREFIX + f for f in fields]
    if progress is not None and copies:
        progress(len(copies))
    translated = translator.translate(sources, ids=ids, progress=progress)
    records = {r.id: r for r in translated}
    for seg in copies:
        records[seg.id] = SegmentRecord(
            seg.id, seg.protected.text, seg.protected.text, "copy", 0.0, attempts=0
        )
    fm = {f: records[FRONT_MATTER_PREFIX + f].target for f in fields}
    space = not _is_identity(translator) if join_space is None else join_space
    assembled = assemble(doc, records, front_matter_translations=fm, join_space=space)
    order = [s.id for s in planned] + [FRONT_MATTER_PREFIX + f for f in fields]
    ordered = tuple(records[i] for i in order)
    return DocumentTranslation(
        assembled.text,
        ordered,
        Signature.of(translator.signature).as_dict(),
        summarise(ordered, assembled.restore_problems),
        assembled.restore_problems,
        tuple(planned),
        assembled.targets,
    )


def summarise(
    records: Sequence[SegmentRecord], restore_problems: Sequence[RestoreProblem] = ()
) -> dict[str, Any]:
    """Counts for a report: origins, term accuracy (used / expected), issues by check, attempts."""
    expected = sum(r.term_expected for r in records)
    used = sum(r.term_used for r in records)
    issues = Counter(i.check for r in records for i in r.issues)
    notes = [n for r in records for n in r.notes]
    reshaped = [n.removeprefix(STRUCTURE_NOTE) for n in notes if n.startswith(STRUCTURE_NOTE)]
    return {
        "segments": len(records),
        "origins": dict(sorted(Counter(r.origin for r in records).items())),
        "terms_expected": expected,
        "terms_used": used,
        "term_accuracy": round(used / expected, 4) if expected else None,
        "issues": dict(sorted(issues.items())),
        "segments_with_errors": sum(1 for r in records if any(i.severity == "error" for i in r.issues)),
        "engine_calls": sum(r.attempts for r in records),
        "restore_problems": len(restore_problems),
        # structure the model invented (code fences, backticks, emphasis, headings, blank lines), dropped
        "structure_removed": {
            "segments": len(reshaped),
            "by_kind": dict(sorted(Counter(k for n in reshaped for k in n.split(", ")).items())),
        },
    }
