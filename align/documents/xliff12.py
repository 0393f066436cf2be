"""XLIFF 1.2 (OASIS, strict schema): a pre-translated bilingual file and its read-back.

One ``<trans-unit>`` per sentence, id = the sentence id.  Inline markup is kept
as native codes (``<bpt>``/``<ept>`` for a pair, ``<it>`` for half a pair,
``<ph>`` for a lone piece; their content is the raw markup), so a CAT tool shows
them as tags and :func:`~termalign.align.documents.xliff_common.merge` can put
them back byte for byte.  A machine translation is the ``<target>`` with
``state="needs-review-translation"`` and ``state-qualifier="mt-suggestion"``;
TM matches are ``<alt-trans match-quality>``; term checks are ``<note>``s.  The
whole original is the internal skeleton (``<skl><internal-file>``), and the
header carries the tool, the document format and the reproducibility signature.

Reading back, a unit counts as *confirmed* when ``approved="yes"`` or its state
is ``translated``, ``final`` or ``signed-off``.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from termalign.align.documents.xliff_common import (
    BilingualDocument,
    BilingualUnit,
    Code,
    Match,
    Part,
    State,
    add_text,
    local_name,
    pairs,
    parse_xliff,
)
from termalign.align.documents.xliff_document import QUALIFIERS
from termalign.kernel.atomic import atomic_write_bytes
from termalign.kernel.errors import DocumentError
from termalign.kernel.version import __version__

__all__ = ["NAMESPACE", "write_xliff12", "read_xliff12"]

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
_NS = f"{{{NAMESPACE}}}"
_META = "termalign-"
_DATATYPE = {"markdown": "x-markdown", "html": "html", "text": "plaintext"}
_FORM = {"markdown": "text/markdown", "html": "text/html", "text": "text/plain"}


def _state12(unit: BilingualUnit) -> str:
    if unit.target is None:
        return "needs-translation"
    if unit.needs_review:
        return "needs-review-translation"
    return {"initial": "needs-translation", "translated": "translated", "reviewed": "signed-off"}.get(
        unit.state, "final"
    )


def _state_from12(state: str) -> tuple[State, bool]:
    if state.startswith("needs-review"):
        return "translated", True
    if state in ("new", "needs-translation", "needs-l10n", "needs-adaptation", ""):
        return "initial", False
    return {"translated": "translated", "signed-off": "reviewed"}.get(state, "final"), False  # type: ignore[return-value]


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _NS + tag, **attrs)
    if text is not None:
        element.text = text
    return element


def _write_parts(container: etree._Element, parts: tuple[Part, ...]) -> None:
    partner = pairs(parts)
    last: etree._Element | None = None
    for k, part in enumerate(parts):
        if isinstance(part, str):
            if last is None:
                container.text = (container.text or "") + part
            else:
                last.tail = (last.tail or "") + part
            continue
        if part.kind == "atom":
            last = _el(container, "ph", part.raw, id=str(part.id))
        elif k in partner:
            opening = part if part.kind == "open" else parts[partner[k]]
            assert isinstance(opening, Code)
            last = _el(container, "bpt" if part.kind == "open" else "ept", part.raw, id=str(opening.id))
        else:
            last = _el(container, "it", part.raw, id=str(part.id), pos=part.kind)


def write_xliff12(bilingual: BilingualDocument, path: str | Path) -> None:
    """Write ``bilingual`` as an XLIFF 1.2 file at ``path`` (atomically)."""
    root = etree.Element(_NS + "xliff", nsmap={None: NAMESPACE}, version="1.2")
    file = _el(
        root,
        "file",
        original=bilingual.original,
        datatype=_DATATYPE.get(bilingual.format, "plaintext"),
        **{"source-language": bilingual.source_lang, "target-language": bilingual.target_lang},
    )
    file.set("tool-id", "termalign")
    header = _el(file, "header")
    _el(
        _el(header, "skl"),
        "internal-file",
        bilingual.skeleton,
        form=_FORM.get(bilingual.format, "text/plain"),
    )
    _el(header, "tool", **{"tool-id": "termalign", "tool-name": "termalign", "tool-version": __version__})
    meta = {
        "format": bilingual.format,
        "document-lang": bilingual.document_lang or bilingual.source_lang,
        "join-space": "yes" if bilingual.join_space else "no",
        "signature": json.dumps(dict(bilingual.signature), sort_keys=True, ensure_ascii=False),
    }
    for key, value in meta.items():
        _el(header, "note", f"{_META}{key}: {value}", **{"from": "termalign"})
    body = _el(file, "body")
    for unit in bilingual.units:
        _write_unit(body, unit)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=False)
    atomic_write_bytes(path, data, error=DocumentError)


def _write_unit(body: etree._Element, unit: BilingualUnit) -> None:
    tu = _el(body, "trans-unit", id=unit.id, translate="yes" if unit.translate else "no")
    if unit.target is not None and unit.state in ("reviewed", "final") and not unit.needs_review:
        tu.set("approved", "yes")
    _write_parts(_el(tu, "source"), unit.source)
    if unit.target is not None:
        target = _el(tu, "target", state=_state12(unit))
        if unit.origin in QUALIFIERS:
            target.set("state-qualifier", QUALIFIERS[unit.origin])
        _write_parts(target, unit.target)
    for match in unit.matches:
        alt = _el(tu, "alt-trans", **{"match-quality": f"{round(match.score * 100)}"})
        if match.origin:
            alt.set("origin", match.origin)
        _el(alt, "source", match.source)
        _el(alt, "target", match.target)
    if unit.origin:
        _el(tu, "note", f"{_META}origin: {unit.origin}", **{"from": "termalign"})
    for note in unit.notes:
        _el(tu, "note", note, **{"from": "termalign", "annotates": "target"})


# -- reading -----------------------------------------------------------------------------------------


def _read_parts(container: etree._Element) -> tuple[Part, ...]:
    parts: list[Part] = []

    add_text(parts, container.text)
    counter = 1000
    for child in container:
        name = local_name(child)
        raw = "".join(child.itertext())
        ident = child.get("id", "")
        number = int(ident) if ident.isdigit() else (counter := counter + 1)
        if name in ("bpt", "bx"):
            parts.append(Code(number, "open", raw))
        elif name in ("ept", "ex"):
            parts.append(Code(number, "close", raw))
        elif name == "it":
            parts.append(Code(number, "open" if child.get("pos") == "open" else "close", raw))
        elif name in ("ph", "x"):
            parts.append(Code(number, "atom", raw))
        elif name in ("g", "mrk"):  # written by another tool: keep its content, drop the wrapper
            parts.extend(p for p in _read_parts(child))
        add_text(parts, child.tail)
    return tuple(parts)


def _notes(element: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for note in element.findall(_NS + "note"):
        body = (note.text or "").strip()
        if body.startswith(_META) and ": " in body:
            key, _, value = body[len(_META) :].partition(": ")
            found[key] = value
    return found


def read_xliff12(path: str | Path) -> BilingualDocument:
    """Read an XLIFF 1.2 file written by :func:`write_xliff12` (and edited in a CAT tool)."""
    path = Path(path)
    tree = parse_xliff(path)
    file = tree.getroot().find(_NS + "file")
    if local_name(tree.getroot()) != "xliff" or file is None:
        raise DocumentError("not an XLIFF 1.2 file (no <xliff><file> in its namespace)", path=path)
    header = file.find(_NS + "header")
    skeleton = header.find(f"{_NS}skl/{_NS}internal-file") if header is not None else None
    if header is None or skeleton is None:
        raise DocumentError(
            "the XLIFF file has no internal skeleton, so the document cannot be rebuilt", path=path
        )
    meta = _notes(header)
    units = tuple(_read_unit(tu) for tu in file.iter(_NS + "trans-unit"))
    return BilingualDocument(
        original=file.get("original", ""),
        format=meta.get("format", "text"),
        source_lang=file.get("source-language", ""),
        target_lang=file.get("target-language", ""),
        skeleton=skeleton.text or "",
        units=units,
        join_space=meta.get("join-space", "yes") != "no",
        signature=json.loads(meta.get("signature", "{}")),
        document_lang=meta.get("document-lang", ""),
    )


def _read_unit(tu: etree._Element) -> BilingualUnit:
    source = tu.find(_NS + "source")
    target = tu.find(_NS + "target")
    state, review = _state_from12(target.get("state", "") if target is not None else "")
    if tu.get("approved") == "yes":
        state, review = ("final" if state != "reviewed" else state), False
    matches = []
    for alt in tu.findall(_NS + "alt-trans"):
        alt_source, alt_target = alt.find(_NS + "source"), alt.find(_NS + "target")
        matches.append(
            Match(
                "".join(alt_source.itertext()) if alt_source is not None else "",
                "".join(alt_target.itertext()) if alt_target is not None else "",
                float(alt.get("match-quality", "0").rstrip("%") or 0) / 100,
                alt.get("origin", ""),
            )
        )
    notes = tuple(
        (n.text or "").strip()
        for n in tu.findall(_NS + "note")
        if not (n.text or "").strip().startswith(_META)
    )
    return BilingualUnit(
        id=tu.get("id", ""),
        source=_read_parts(source) if source is not None else (),
        target=_read_parts(target) if target is not None else None,
        state=state,
        needs_review=review,
        origin=_notes(tu).get("origin", ""),
        translate=tu.get("translate", "yes") != "no",
        matches=tuple(matches),
        notes=notes,
    )
