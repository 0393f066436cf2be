"""TMX 1.4b reading and writing with lxml, shared by alignments and termbases.

One :class:`TranslationUnit` is a source/target pair with optional properties
(``<prop type="...">``) and notes.  The header records how the file was made
(docs/architecture.md, "Signatures"): tool name and version, the
``x-signature`` string, and any settings passed in ``properties``.

XML 1.0 cannot hold most control characters (ESC, NUL, U+0001...) nor U+FFFE/
U+FFFF.  A document that contains them still aligns and translates, so the
writer drops them from every text it writes (segments, notes, properties) —
the same way for every TMX output, before anything is written — instead of
failing half-way through a run.  Termbase exports never reach this: the
termbase refuses such characters in its entries, naming the field.

Inline markup: a unit may carry the raw source (and target) as *pieces* —
text, and markup that opens, closes or stands alone (``**``, ``[``/``](url)``,
a code span, ``<a href>``).  They are written as TMX inline codes, the raw
markup inside: an opening piece is ``<bpt i="n">``, its closing piece
``<ept i="n">``, a lone piece ``<ph>``, and an opening or closing piece whose
partner lies outside the segment ``<it pos="begin|end">``.  So the segment's
*text* (what a level-1 TMX reader and our own reader see) is the visible text,
and the markup is kept for tools that restore it.

Language tags are written in one BCP 47 form (:mod:`termalign.kernel.langtags`):
Chinese with its script, which is found in the units' text when the tag does
not say it (``zh`` on Traditional text is ``zh-Hant``).  Every ``<tuv>`` has
``xml:lang``.  On reading, a ``<tu>``'s own ``srclang`` wins over the header's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from termalign.align.script import detect_script
from termalign.kernel.atomic import atomic_write_bytes
from termalign.kernel.errors import DocumentError
from termalign.kernel.langtags import LanguageTagError, language_tag, same_language
from termalign.kernel.signature import Signature
from termalign.kernel.version import __version__

__all__ = [
    "TranslationUnit",
    "TmxFile",
    "Piece",
    "write_tmx",
    "append_tmx",
    "open_code_spans",
    "pieces_text",
    "read_tmx",
    "tmx_language",
    "xml_safe",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
Piece = tuple[Literal["text", "open", "close", "atom"], str]  # (kind, raw), as the document formats split
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})  # inline codes: their content is markup, not text
# everything XML 1.0 has no room for (its Char production, inverted)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, U+FFFE, surrogates)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class TranslationUnit:
    source: str
    target: str
    properties: tuple[tuple[str, str], ...] = ()  # (type, value) pairs, order kept
    notes: tuple[str, ...] = ()
    tuid: str = ""
    # the raw segments with their markup, when known; they must read as ``source``/``target``
    source_pieces: tuple[Piece, ...] = ()
    target_pieces: tuple[Piece, ...] = ()

    def prop(self, name: str, default: str = "") -> str:
        for key, value in self.properties:
            if key == name:
                return value
        return default

    @property
    def flagged(self) -> bool:
        """The aligner's low-confidence mark: ``x-flagged`` as the writer spells it (``flagged`` too)."""
        value = self.prop("x-flagged") or self.prop("flagged")
        return value.strip().lower() in {"yes", "true", "1"}


@dataclass(frozen=True)
class TmxFile:
    source_lang: str
    target_lang: str
    units: tuple[TranslationUnit, ...]
    header_properties: dict[str, str] = field(default_factory=dict)

    @property
    def signature(self) -> Signature | None:
        """The header's ``x-signature``, read back (None when the file has none)."""
        text = self.header_properties.get("x-signature")
        return Signature.parse(text) if text else None


def write_tmx(
    path: str | Path,
    units: Iterable[TranslationUnit],
    *,
    source_lang: str,
    target_lang: str,
    datatype: str = "plaintext",
    segtype: str = "sentence",
    properties: Mapping[str, str] | None = None,
    signature: Signature | None = None,
) -> None:
    """Write ``units`` as a TMX 1.4b document at ``path`` (atomically).

    The language tags are validated and normalised (a bad one is a
    :class:`DocumentError`); units with pieces get inline codes.  ``signature``
    goes into the header as ``<prop type="x-signature">`` in its one string form,
    before any other ``properties``.
    """
    units = list(units)
    source_lang = tmx_language(source_lang, [u.source for u in units], path)
    target_lang = tmx_language(target_lang, [u.target for u in units], path)
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(
        root,
        "header",
        creationtool="termalign",
        creationtoolversion=__version__,
        datatype=datatype,
        segtype=segtype,
        adminlang="en",
        srclang=xml_safe(source_lang),
        **{"o-tmf": "termalign"},
    )
    props = {"x-signature": str(signature)} if signature is not None else {}
    for key, value in {**props, **(properties or {})}.items():
        prop = etree.SubElement(header, "prop", type=xml_safe(key))
        prop.text = xml_safe(value)
    body = etree.SubElement(root, "body")
    for unit in units:
        _write_unit(body, unit, source_lang, target_lang)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    atomic_write_bytes(path, data, error=DocumentError)


_CODE_SPAN = re.compile(r"^(`+)(.*?)\1$", re.DOTALL)


def open_code_spans(pieces: Iterable[Piece]) -> tuple[Piece, ...]:
    """Markdown code spans (one atom for protection) as text between two codes: in a TM the
    code's text is text to match (``V3``), only its backticks are markup."""
    out: list[Piece] = []
    for kind, raw in pieces:
        span = _CODE_SPAN.match(raw) if kind == "atom" else None
        if span is None:
            out.append((kind, raw))
        else:
            out += [("open", span.group(1)), ("text", span.group(2)), ("close", span.group(1))]
    return tuple(out)


def pieces_text(pieces: Iterable[Piece]) -> str:
    """The text of ``pieces`` as a TMX reader sees it: the codes left out."""
    return "".join(raw for kind, raw in pieces if kind == "text")


def _write_unit(body: etree._Element, unit: TranslationUnit, source_lang: str, target_lang: str) -> None:
    tu = etree.SubElement(body, "tu")
    if unit.tuid:
        tu.set("tuid", xml_safe(unit.tuid))
    for note in unit.notes:
        etree.SubElement(tu, "note").text = xml_safe(note)
    for key, value in unit.properties:
        etree.SubElement(tu, "prop", type=xml_safe(key)).text = xml_safe(value)
    sides = ((source_lang, unit.source, unit.source_pieces), (target_lang, unit.target, unit.target_pieces))
    for lang, text, pieces in sides:
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, xml_safe(lang))
        seg = etree.SubElement(tuv, "seg")
        if pieces:
            _write_pieces(seg, [(kind, xml_safe(raw)) for kind, raw in pieces])
        else:
            seg.text = xml_safe(text)


def append_tmx(
    path: str | Path, units: Iterable[TranslationUnit], *, source_lang: str, target_lang: str
) -> int:
    """Add ``units`` to the TMX at ``path`` (created if missing), leaving what is there untouched.

    Units whose source and target text the file already holds are skipped;
    returns how many were added.
    """
    units = list(units)
    path = Path(path)
    if not path.exists():
        write_tmx(path, units, source_lang=source_lang, target_lang=target_lang)
        return len(units)
    existing = read_tmx(path, source_lang=source_lang)
    have = {(u.source, u.target) for u in existing.units}
    fresh: list[TranslationUnit] = []
    for unit in units:
        if (unit.source, unit.target) not in have:
            have.add((unit.source, unit.target))
            fresh.append(unit)
    if not fresh:
        return 0
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    body = tree.getroot().find("body")
    if body is None:
        raise DocumentError("the TMX file has no <body>", path=path)
    header = tree.getroot().find("header")
    src = tmx_language(source_lang, [u.source for u in fresh], path)
    tgt = tmx_language(existing.target_lang or target_lang, [u.target for u in fresh], path)
    if header is not None and header.get("srclang") and same_language(header.get("srclang", ""), src):
        src = header.get("srclang", src)  # keep the file's one tag for the language
    for unit in fresh:
        _write_unit(body, unit, src, tgt)
    etree.indent(tree, space="  ")
    atomic_write_bytes(
        path, etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), error=DocumentError
    )
    return len(fresh)


def tmx_language(tag: str, texts: Iterable[str] = (), path: str | Path | None = None) -> str:
    """``tag`` in BCP 47 form; for Chinese without a script subtag, the script of ``texts`` decides."""
    script = ""
    if tag.strip().lower().replace("_", "-").split("-")[0] in ("zh", "zho", "chi", "cmn"):
        script = detect_script("".join(t for _, t in zip(range(200), texts, strict=False)))
    try:
        return language_tag(tag, script=script)
    except LanguageTagError as exc:
        raise DocumentError(exc.message, path=path) from exc


def _write_pieces(seg: etree._Element, pieces: Iterable[Piece]) -> None:
    """Pieces as text and inline codes; an open piece pairs with the next unmatched close."""
    pieces = list(pieces)
    partner: dict[int, int] = {}
    stack: list[int] = []
    for k, (kind, _) in enumerate(pieces):
        if kind == "open":
            stack.append(k)
        elif kind == "close" and stack:
            partner[k] = stack.pop()
            partner[partner[k]] = k
    last: etree._Element | None = None
    number = 0
    ids: dict[int, str] = {}

    def add_text(text: str) -> None:
        if last is None:
            seg.text = (seg.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    for k, (kind, raw) in enumerate(pieces):
        if kind == "text":
            add_text(raw)
            continue
        if kind == "open" and k in partner:
            number += 1
            ids[k] = str(number)
            code = etree.SubElement(seg, "bpt", i=ids[k])
        elif kind == "close" and k in partner:
            code = etree.SubElement(seg, "ept", i=ids[partner[k]])
        elif kind in ("open", "close"):
            code = etree.SubElement(seg, "it", pos="begin" if kind == "open" else "end")
        else:
            code = etree.SubElement(seg, "ph")
        code.text = raw
        last = code


def _seg_text(seg: etree._Element) -> str:
    """The segment's text: inline codes' content is markup and left out (``<hi>`` text is kept)."""
    parts = [seg.text or ""]
    for child in seg:
        if isinstance(child.tag, str) and child.tag not in _CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_tmx(path: str | Path, *, source_lang: str | None = None) -> TmxFile:
    """Read a TMX file; the source language defaults to the header's ``srclang``."""
    path = Path(path)
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        tree = etree.parse(str(path), parser)
    except OSError as exc:
        raise DocumentError(f"cannot read the TMX file ({exc.strerror or exc})", path=path) from exc
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"not well-formed XML: {exc.msg}", path=path, line=exc.lineno) from exc
    root = tree.getroot()
    if root.tag != "tmx":
        raise DocumentError(f"not a TMX file (root element is <{root.tag}>)", path=path)
    header = root.find("header")
    if header is None:
        raise DocumentError("the TMX file has no <header>", path=path)
    src = source_lang or header.get("srclang") or ""
    if src == "*all*":  # TMX: any language may be the source; then each <tu> must say
        src = ""
    header_props = {p.get("type", ""): p.text or "" for p in header.findall("prop")}
    units: list[TranslationUnit] = []
    target_lang = ""
    for tu in root.iterfind("body/tu"):
        segs: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
            seg = tuv.find("seg")
            if seg is not None:
                segs[lang] = _seg_text(seg)
        if len(segs) < 2:
            continue
        # the caller's language wins; else the <tu>'s own srclang, else the header's
        wanted = source_lang or tu.get("srclang") or src
        source_key = _pick_lang(segs, wanted)
        if source_key is None:
            raise DocumentError(
                f"a <tu> has no variant in the source language {wanted!r}", path=path, line=tu.sourceline
            )
        target_key = next(k for k in segs if k != source_key)
        target_lang = target_lang or target_key
        units.append(
            TranslationUnit(
                source=segs[source_key],
                target=segs[target_key],
                properties=tuple((p.get("type", ""), p.text or "") for p in tu.findall("prop")),
                notes=tuple(n.text or "" for n in tu.findall("note")),
                tuid=tu.get("tuid", ""),
            )
        )
    return TmxFile(src, target_lang, tuple(units), header_props)


def _pick_lang(segs: Mapping[str, str], lang: str) -> str | None:
    """Find the variant for ``lang``, accepting script and region variants (zh matches zh-Hant)."""
    if lang in segs:
        return lang
    return next((key for key in segs if same_language(key, lang)), None)
