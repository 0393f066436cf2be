"""XLIFF 2.1 (OASIS core + matches module): a pre-translated bilingual file and its read-back.

One ``<unit>`` per sentence (id = the sentence id) with one ``<segment>``.
Inline markup is ``<pc>`` for a pair (well nested by construction), ``<sc>``/``<ec
isolated="yes">`` for half a pair and ``<ph>`` for a lone piece, each pointing
at its raw markup in ``<originalData>``.  A machine translation is the target
with ``state="translated"`` and the review flag ``subState="termalign:mt-review"``;
TM matches are ``<mtc:match matchQuality>`` in the matches module; term checks
are ``<note>``s.  The whole original is the ``<skeleton>``, and file-level notes
carry the document format and the reproducibility signature.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from termalign.align.documents.xliff_common import (
    XLIFF_STATES,
    BilingualDocument,
    BilingualUnit,
    Code,
    Match,
    Part,
    add_text,
    local_name,
    pairs,
    parse_xliff,
)
from termalign.kernel.atomic import atomic_write_bytes
from termalign.kernel.errors import DocumentError
from termalign.kernel.version import __version__

__all__ = ["NAMESPACE", "MATCHES_NAMESPACE", "write_xliff21", "read_xliff21"]

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
MATCHES_NAMESPACE = "urn:oasis:names:tc:xliff:matches:2.0"
_NS = f"{{{NAMESPACE}}}"
_MTC = f"{{{MATCHES_NAMESPACE}}}"
_META = "termalign-"
_REVIEW = "-review"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag if tag.startswith("{") else _NS + tag, **attrs)
    if text is not None:
        element.text = text
    return element


def _append_text(container: etree._Element, last: etree._Element | None, text: str) -> None:
    if last is None:
        container.text = (container.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def _write_parts(container: etree._Element, parts: tuple[Part, ...], data: dict[str, str]) -> None:
    """Parts as inline codes; ``data`` collects each code's raw markup under its data id."""
    partner = pairs(parts)
    stack: list[tuple[etree._Element, etree._Element | None]] = []  # (container, last child) to return to
    here, last = container, None
    for k, part in enumerate(parts):
        if isinstance(part, str):
            _append_text(here, last, part)
            continue
        ref = f"d{part.id}"
        data[ref] = part.raw
        if part.kind == "open" and k in partner:
            closing = parts[partner[k]]
            assert isinstance(closing, Code)
            data[f"d{closing.id}"] = closing.raw
            pc = _el(here, "pc", id=str(part.id), dataRefStart=ref, dataRefEnd=f"d{closing.id}")
            stack.append((here, pc))
            here, last = pc, None
        elif part.kind == "close" and k in partner:
            here, last = stack.pop()
        elif part.kind == "atom":
            last = _el(here, "ph", id=str(part.id), dataRef=ref)
        else:
            last = _el(
                here, "sc" if part.kind == "open" else "ec", id=str(part.id), dataRef=ref, isolated="yes"
            )


def write_xliff21(bilingual: BilingualDocument, path: str | Path) -> None:
    """Write ``bilingual`` as an XLIFF 2.1 file at ``path`` (atomically)."""
    root = etree.Element(
        _NS + "xliff",
        nsmap={None: NAMESPACE, "mtc": MATCHES_NAMESPACE},
        version="2.1",
        srcLang=bilingual.source_lang,
        trgLang=bilingual.target_lang,
    )
    file = _el(root, "file", id="f1", original=bilingual.original)
    _el(file, "skeleton", bilingual.skeleton)
    notes = _el(file, "notes")
    meta = {
        "tool": f"termalign {__version__}",
        "format": bilingual.format,
        "document-lang": bilingual.document_lang or bilingual.source_lang,
        "join-space": "yes" if bilingual.join_space else "no",
        "signature": json.dumps(dict(bilingual.signature), sort_keys=True, ensure_ascii=False),
    }
    for key, value in meta.items():
        _el(notes, "note", value, category=f"{_META}{key}")
    for unit in bilingual.units:
        _write_unit(file, unit)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=False)
    atomic_write_bytes(path, data, error=DocumentError)


def _write_unit(file: etree._Element, unit: BilingualUnit) -> None:
    element = _el(file, "unit", id=unit.id)
    if not unit.translate:
        element.set("translate", "no")
    if unit.matches:
        matches = _el(element, _MTC + "matches")
        for match in unit.matches:
            found = _el(matches, _MTC + "match", ref="#s1", matchQuality=f"{match.score * 100:.1f}")
            if match.origin:
                found.set("origin", match.origin)
            _el(found, "source", match.source)
            _el(found, "target", match.target)
    notes = [(f"{_META}origin", unit.origin)] if unit.origin else []
    notes += [(f"{_META}check", note) for note in unit.notes]
    if notes:
        container = _el(element, "notes")
        for category, text in notes:
            _el(container, "note", text, category=category, appliesTo="target")
    data: dict[str, str] = {}
    original = _el(element, "originalData")
    segment = _el(element, "segment", id="s1")
    _write_parts(_el(segment, "source"), unit.source, data)
    if unit.target is not None:
        segment.set("state", unit.state if unit.state != "initial" else "translated")
        if unit.needs_review or unit.origin:
            segment.set(
                "subState", f"termalign:{unit.origin or 'human'}{_REVIEW if unit.needs_review else ''}"
            )
        _write_parts(_el(segment, "target"), unit.target, data)
    else:
        segment.set("state", "initial")
    if data:
        for ref in sorted(data, key=lambda r: int(r[1:])):
            _el(original, "data", data[ref], id=ref)
    else:
        element.remove(original)


# -- reading -----------------------------------------------------------------------------------------


def _read_parts(container: etree._Element, data: dict[str, str]) -> list[Part]:
    parts: list[Part] = []

    add_text(parts, container.text)
    for child in container:
        name = local_name(child)
        ident = child.get("id", "0")
        number = int(ident) if ident.isdigit() else 0
        if name == "pc":
            start, end = child.get("dataRefStart", ""), child.get("dataRefEnd", "")
            parts.append(Code(number, "open", data.get(start, "")))
            parts.extend(_read_parts(child, data))
            end_id = end[1:] if end.startswith("d") and end[1:].isdigit() else "0"
            parts.append(Code(int(end_id), "close", data.get(end, "")))
        elif name in ("sc", "ec", "ph"):
            kind = {"sc": "open", "ec": "close", "ph": "atom"}[name]
            parts.append(Code(number, kind, data.get(child.get("dataRef", ""), "")))  # type: ignore[arg-type]
        elif name == "mrk":  # an annotation another tool added: keep its content
            parts.extend(_read_parts(child, data))
        add_text(parts, child.tail)
    return parts


def read_xliff21(path: str | Path) -> BilingualDocument:
    """Read an XLIFF 2.x file written by :func:`write_xliff21` (and edited in a CAT tool)."""
    path = Path(path)
    tree = parse_xliff(path)
    root = tree.getroot()
    file = root.find(_NS + "file")
    if local_name(root) != "xliff" or file is None:
        raise DocumentError("not an XLIFF 2 file (no <xliff><file> in its namespace)", path=path)
    skeleton = file.find(_NS + "skeleton")
    if skeleton is None:
        raise DocumentError("the XLIFF file has no skeleton, so the document cannot be rebuilt", path=path)
    meta = {
        n.get("category", "")[len(_META) :]: n.text or ""
        for n in file.iterfind(f"{_NS}notes/{_NS}note")
        if n.get("category", "").startswith(_META)
    }
    return BilingualDocument(
        original=file.get("original", ""),
        format=meta.get("format", "text"),
        source_lang=root.get("srcLang", ""),
        target_lang=root.get("trgLang", ""),
        skeleton=skeleton.text or "",
        units=tuple(_read_unit(u) for u in file.iter(_NS + "unit")),
        join_space=meta.get("join-space", "yes") != "no",
        signature=json.loads(meta.get("signature") or "{}"),
        document_lang=meta.get("document-lang", ""),
    )


def _read_unit(element: etree._Element) -> BilingualUnit:
    data = {d.get("id", ""): "".join(d.itertext()) for d in element.iterfind(f"{_NS}originalData/{_NS}data")}
    segments = element.findall(_NS + "segment")
    source: list[Part] = []
    target: list[Part] | None = None
    state, review, origin = "initial", False, ""
    for segment in segments:  # a CAT tool may have split the unit: join its segments back
        src, tgt = segment.find(_NS + "source"), segment.find(_NS + "target")
        source += _read_parts(src, data) if src is not None else []
        if tgt is not None:
            target = (target or []) + _read_parts(tgt, data)
        state = segment.get("state", "initial")
        sub = segment.get("subState", "")
        if sub.startswith("termalign:"):
            origin = sub[len("termalign:") :].removesuffix(_REVIEW)
            review = sub.endswith(_REVIEW)
    notes = {n.get("category", ""): n.text or "" for n in element.iterfind(f"{_NS}notes/{_NS}note")}
    matches = tuple(
        Match(
            "".join(m.find(_NS + "source").itertext()) if m.find(_NS + "source") is not None else "",
            "".join(m.find(_NS + "target").itertext()) if m.find(_NS + "target") is not None else "",
            float(m.get("matchQuality", "0")) / 100,
            m.get("origin", ""),
        )
        for m in element.iterfind(f"{_MTC}matches/{_MTC}match")
    )
    return BilingualUnit(
        id=element.get("id", ""),
        source=tuple(source),
        target=tuple(target) if target is not None else None,
        state=state if state in XLIFF_STATES else "initial",
        needs_review=review and state == "translated",
        origin=notes.get(f"{_META}origin", origin),
        translate=element.get("translate", "yes") != "no",
        matches=matches,
        notes=tuple(
            n.text or ""
            for n in element.iterfind(f"{_NS}notes/{_NS}note")
            if n.get("category") == f"{_META}check"
        ),
    )
