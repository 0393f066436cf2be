"""What XLIFF 1.2 and 2.1 share: the bilingual document model, inline codes, and the merge.

A :class:`BilingualDocument` is a source document cut into one
:class:`BilingualUnit` per sentence, with the original text kept whole as the
skeleton so the translated document can be rebuilt.  A unit's source and
target are sequences of :class:`Code`-or-text parts: the sentence's inline
markup (``**``, ``[``…``](url)``, a code span, ``<a href>``) becomes numbered
codes holding the raw markup, and the text between them is what a translator
edits.  A target's codes are matched to the source's by their markup, so a code
keeps its number on both sides.

:func:`merge` rebuilds the target document: each unit's target (codes turned
back into their raw markup) replaces its sentence in the skeleton through the
document format's own write-back, so all markup outside the edited text stays
byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from termalign.align.documents import InlinePiece, Misaligned, get_format
from termalign.align.documents.writeback import replace_front_matter
from termalign.align.reader import read_string
from termalign.kernel.errors import DocumentError

__all__ = [
    "Code",
    "Part",
    "Match",
    "BilingualUnit",
    "BilingualDocument",
    "XLIFF_STATES",
    "FRONT_MATTER",
    "parts_of",
    "raw_of",
    "text_of",
    "merge",
    "confirmed",
    "pairs",
    "merged_translations",
    "parse_xliff",
    "local_name",
    "add_text",
]

CodeKind = Literal["open", "close", "atom"]
FRONT_MATTER = "fm."  # unit id prefix of a YAML front-matter field (fm.title), as the translator names them
# A unit's state, in XLIFF 2 terms; 1.2 spells them its own way (see xliff12).
State = Literal["initial", "translated", "reviewed", "final"]
XLIFF_STATES: tuple[State, ...] = ("initial", "translated", "reviewed", "final")


@dataclass(frozen=True)
class Code:
    """One piece of inline markup: its number in the unit, what it does, and the raw markup."""

    id: int
    kind: CodeKind
    raw: str
    pair: int | None = None  # for an open code, the number of its closing partner's position


Part = str | Code


@dataclass(frozen=True)
class Match:
    """A translation-memory match offered with a unit (XLIFF 1.2 alt-trans, 2.1 matches module)."""

    source: str
    target: str
    score: float  # 0-1
    origin: str = ""


@dataclass(frozen=True)
class BilingualUnit:
    id: str  # the sentence id in the source document ("b3.s1")
    source: tuple[Part, ...]
    target: tuple[Part, ...] | None  # None: not translated
    state: State = "initial"
    needs_review: bool = False
    origin: str = ""  # how the target was made: mt, tm-exact, tm-fuzzy, copy, human
    translate: bool = True  # False: nothing to translate (kept as it is)
    matches: tuple[Match, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BilingualDocument:
    original: str  # the source document's path or name
    format: str  # its document format ("markdown", "html", "text")
    source_lang: str
    target_lang: str
    skeleton: str  # the whole original text
    units: tuple[BilingualUnit, ...]
    join_space: bool = True  # how sentences are joined when written back
    signature: Mapping[str, str] = field(default_factory=dict)
    # the language the document was read with ("zh"): re-reading with it gives the same sentences
    document_lang: str = ""

    def unit(self, unit_id: str) -> BilingualUnit:
        return next(u for u in self.units if u.id == unit_id)


def _pieces(format_name: str, raw: str) -> list[InlinePiece]:
    try:
        return get_format(format_name).inline(raw)
    except Misaligned:
        return [InlinePiece("text", raw)]


def add_text(parts: list[Part], value: str | None) -> None:
    """Append ``value`` to ``parts``, joined to a text part already at the end (nothing if empty)."""
    if value:
        if parts and isinstance(parts[-1], str):
            parts[-1] += value
        else:
            parts.append(value)


def parts_of(format_name: str, raw: str, source: Sequence[Part] = ()) -> tuple[Part, ...]:
    """``raw`` markup as text and codes; with ``source``, codes reuse the source's numbers.

    A target code takes the number of the first unused source code with the
    same kind and markup; markup the source does not have gets a new number.
    """
    free = [p for p in source if isinstance(p, Code)]
    next_id = max((c.id for c in free), default=0) + 1
    parts: list[Part] = []
    for piece in _pieces(format_name, raw):
        if piece.kind == "text":
            add_text(parts, piece.raw)
            continue
        twin = next((c for c in free if c.kind == piece.kind and c.raw == piece.raw), None)
        if twin is not None:
            free.remove(twin)
            parts.append(Code(twin.id, twin.kind, twin.raw))
        else:
            parts.append(Code(next_id, piece.kind, piece.raw))
            next_id += 1
    return tuple(parts)


def raw_of(parts: Iterable[Part]) -> str:
    """The raw markup text of ``parts``: codes become their markup again."""
    return "".join(p.raw if isinstance(p, Code) else p for p in parts)


def text_of(parts: Iterable[Part]) -> str:
    """The text a translator sees, without markup."""
    return "".join(p for p in parts if isinstance(p, str))


def pairs(parts: Sequence[Part]) -> dict[int, int]:
    """Positions of open codes mapped to the position of their closing code, and back (stack order)."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    for k, part in enumerate(parts):
        if isinstance(part, Code) and part.kind == "open":
            stack.append(k)
        elif isinstance(part, Code) and part.kind == "close" and stack:
            opened = stack.pop()
            partner[opened], partner[k] = k, opened
    return partner


def confirmed(unit: BilingualUnit) -> bool:
    """Whether the unit's target was confirmed: translated, reviewed or final, and not flagged for review."""
    return unit.target is not None and unit.translate and unit.state != "initial" and not unit.needs_review


def merged_translations(bilingual: BilingualDocument) -> dict[str, str]:
    """Sentence id → raw target markup, for every unit that has a target."""
    return {u.id: raw_of(u.target) for u in bilingual.units if u.target is not None and u.translate}


def merge(bilingual: BilingualDocument) -> str:
    """The target document: the skeleton with every unit's target in place of its sentence."""
    lang = bilingual.document_lang or bilingual.source_lang
    doc = read_string(bilingual.skeleton, path=bilingual.original, fmt=bilingual.format, lang=lang)
    known = {s.id for s in doc.sentences}
    merged = merged_translations(bilingual)
    translations = {k: v for k, v in merged.items() if k in known}
    text = get_format(bilingual.format).write_back(doc, translations, join_space=bilingual.join_space)
    # front-matter fields (title, summary) are units "fm.<field>": their values are replaced in the YAML
    fields = {u.id[len(FRONT_MATTER) :]: u for u in bilingual.units if u.id.startswith(FRONT_MATTER)}
    by_value = {
        raw_of(u.source): merged[u.id]
        for u in fields.values()
        if merged.get(u.id, raw_of(u.source)) != raw_of(u.source)
    }
    if not by_value:
        return text  # nothing differs: the block stays byte for byte
    return replace_front_matter(text, lambda value: by_value.get(value, value), tuple(fields))


def parse_xliff(path: str | Path) -> etree._ElementTree:
    """The XML tree of an XLIFF file (no entities, no network); unreadable or malformed is one error."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        return etree.parse(str(path), parser)
    except OSError as exc:
        raise DocumentError(f"cannot read the XLIFF file ({exc})", path=path) from exc
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"not well-formed XML ({exc.msg})", path=path, line=exc.lineno) from exc


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace ("" for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
