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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from termalign.kernel.atomic import atomic_write_bytes
from termalign.kernel.errors import DocumentError
from termalign.kernel.signature import Signature
from termalign.kernel.version import __version__

__all__ = ["TranslationUnit", "TmxFile", "write_tmx", "read_tmx", "xml_safe"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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

    def prop(self, name: str, default: str = "") -> str:
        for key, value in self.properties:
            if key == name:
                return value
        return default


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

    ``signature`` goes into the header as ``<prop type="x-signature">`` in its
    one string form, before any other ``properties``.
    """
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
        tu = etree.SubElement(body, "tu")
        if unit.tuid:
            tu.set("tuid", xml_safe(unit.tuid))
        for note in unit.notes:
            etree.SubElement(tu, "note").text = xml_safe(note)
        for key, value in unit.properties:
            etree.SubElement(tu, "prop", type=xml_safe(key)).text = xml_safe(value)
        for lang, text in ((source_lang, unit.source), (target_lang, unit.target)):
            tuv = etree.SubElement(tu, "tuv")
            tuv.set(XML_LANG, xml_safe(lang))
            etree.SubElement(tuv, "seg").text = xml_safe(text)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    atomic_write_bytes(path, data, error=DocumentError)


def _seg_text(seg: etree._Element) -> str:
    # Inline markup (<ph>, <bpt>, ...) may occur in TMX written by other tools: keep its text.
    return "".join(seg.itertext())


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
        source_key = _pick_lang(segs, src)
        if source_key is None:
            raise DocumentError(
                f"a <tu> has no variant in the source language {src!r}", path=path, line=tu.sourceline
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
    """Find the variant for ``lang``, accepting region variants (zh matches zh-CN)."""
    if lang in segs:
        return lang
    base = lang.split("-")[0].lower()
    for key in segs:
        if key.split("-")[0].lower() == base:
            return key
    return None
