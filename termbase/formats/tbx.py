"""TBX termbases: TBX-Basic in the TBX 2008 ``<martif>`` dialect (the default, which
translate-toolkit and OmegaT read), and TBX v3 (ISO 30042:2019, DCA style) by name (``tbx3``).

Mapping of one :class:`~termbase.model.Entry` (one ``<conceptEntry>``):

* ``<descrip type="subjectField">`` — domain;
* ``<admin type="source">`` — one per provenance record (``source×count example``);
* ``<note>`` — the curator's note; two machine-readable notes carry what
  TBX-Basic has no data category for: ``termalign-status: approved`` and
  ``termalign-enforce: false`` (only written when enforcement is off);
* ``<langSec xml:lang="zh">`` — the preferred source term
  (``preferredTerm-admn-sts``) then source variants (``admittedTerm-admn-sts``);
* ``<langSec xml:lang="en">`` — the preferred rendering (``preferredTerm``),
  accepted variants (``admittedTerm``), forbidden renderings
  (``deprecatedTerm-admn-sts``);
* ``<termNote type="partOfSpeech">`` on both preferred terms, from TBX-Basic's
  picklist only (noun, verb, adjective, adverb, other): ``adj``/``adv`` are
  written ``adjective``/``adverb``, a proper noun (``propn``) is ``noun`` and
  any other value ``other``; the exact value then rides in a machine-readable
  ``termalign-pos: propn`` note so nothing is lost on re-import.  The reader
  also accepts TBX-Default's ``properNoun``.

The reader accepts both dialects (``<tbx>``/``conceptEntry``/``langSec``/``termSec``
and ``<martif>``/``termEntry``/``langSet``/``tig``/``ntig``), TBX v2 status
spellings, and files without termalign's notes (status then defaults to
candidate; ``supersededTerm`` counts as forbidden).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from lxml import etree

from termalign.kernel.errors import TermbaseError
from termalign.kernel.version import __version__
from termalign.termbase.formats.base import Format, Languages, atomic_write, check_xml_encoding
from termalign.termbase.model import Entry
from termalign.termbase.validate import POS_ALIASES, Draft, Problem, content_hash, format_bool

__all__ = ["TbxFormat", "Tbx3Format", "TBX_NAMESPACE", "BASIC_POS", "basic_pos"]

TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STATUS_NOTE = "termalign-status:"
_ENFORCE_NOTE = "termalign-enforce:"
_POS_NOTE = "termalign-pos:"
# TBX-Basic's partOfSpeech picklist, and how our values map onto it
BASIC_POS = ("noun", "verb", "adjective", "adverb", "other")
_POS_TO_TBX = {"adj": "adjective", "adv": "adverb", "propn": "noun"}
_POS_FROM_TBX = POS_ALIASES  # the reader's names back; an entry may not hold them (round trips stay exact)
_ENTRY_TAGS = {"conceptEntry", "termEntry"}
_LANG_TAGS = {"langSec", "langSet"}
_TERM_TAGS = {"termSec", "tig", "ntig"}


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def basic_pos(pos: str) -> str:
    """The TBX-Basic picklist value for one of our part-of-speech values ("" stays "")."""
    if not pos:
        return ""
    mapped = _POS_TO_TBX.get(pos, pos)
    return mapped if mapped in BASIC_POS else "other"


class Tbx3Format(Format):
    """TBX-Basic, TBX v3 (``<tbx type="TBX-Basic" style="dca">``); reads TBX 2008 too."""

    name = "tbx3"
    extensions: ClassVar[tuple[str, ...]] = ()  # chosen by name only; ``.tbx`` files are TBX 2008
    description = "TBX-Basic in TBX v3 (ISO 30042:2019, DCA style); TBX 2008 is read as well"
    # element names of the dialect written
    root: ClassVar[str] = "tbx"
    entry_tag: ClassVar[str] = "conceptEntry"
    lang_tag: ClassVar[str] = "langSec"
    term_tag: ClassVar[str] = "termSec"
    namespace: ClassVar[str | None] = TBX_NAMESPACE

    def _el(
        self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        name = f"{{{self.namespace}}}{tag}" if self.namespace else tag
        element = etree.Element(name, **attrs) if parent is None else etree.SubElement(parent, name, **attrs)
        if text is not None:
            element.text = text
        return element

    def _header(self, root: etree._Element, entries: Sequence[Entry]) -> None:
        header = self._el(root, "tbxHeader")
        file_desc = self._el(header, "fileDesc")
        self._el(self._el(file_desc, "titleStmt"), "title", "termalign termbase")
        source = self._el(file_desc, "sourceDesc")
        self._el(source, "p", f"termalign {__version__}; termbase sha256 {content_hash(entries)}")

    def _make_root(self, langs: Languages) -> etree._Element:
        if self.namespace:
            root = etree.Element(f"{{{self.namespace}}}{self.root}", nsmap={None: self.namespace})
            root.set("type", "TBX-Basic")
            root.set("style", "dca")
        else:
            root = etree.Element(self.root, type="TBX-Basic")
        root.set(_XML_LANG, langs.target)
        return root

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        root = self._make_root(langs)
        self._header(root, entries)
        body = self._el(self._el(root, "text"), "body")
        for number, entry in enumerate(entries, start=1):
            self._write_entry(body, entry, f"c{number}", langs)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        atomic_write(path, data)

    def _write_entry(self, body: etree._Element, entry: Entry, ident: str, langs: Languages) -> None:
        concept = self._el(body, self.entry_tag, id=ident)
        if entry.domain:
            self._el(concept, "descrip", entry.domain, type="subjectField")
        for record in entry.provenance:
            self._el(concept, "admin", str(record), type="source")
        self._el(concept, "note", f"{_STATUS_NOTE} {entry.status.value}")
        written = basic_pos(entry.pos)
        if entry.pos and _POS_FROM_TBX.get(written, written) != entry.pos:
            self._el(concept, "note", f"{_POS_NOTE} {entry.pos}")
        if not entry.enforce:
            self._el(concept, "note", f"{_ENFORCE_NOTE} {format_bool(entry.enforce)}")
        if entry.note:
            self._el(concept, "note", entry.note)
        source = self._el(concept, self.lang_tag)
        source.set(_XML_LANG, langs.source)
        self._term(source, entry.source, "preferredTerm-admn-sts", entry.pos)
        for variant in entry.source_variants:
            self._term(source, variant, "admittedTerm-admn-sts")
        target = self._el(concept, self.lang_tag)
        target.set(_XML_LANG, langs.target)
        self._term(target, entry.target, "preferredTerm-admn-sts", entry.pos)
        for variant in entry.target_variants:
            self._term(target, variant, "admittedTerm-admn-sts")
        for bad in entry.forbidden:
            self._term(target, bad, "deprecatedTerm-admn-sts")

    def _term(self, lang_section: etree._Element, text: str, status: str, pos: str = "") -> None:
        group = self._el(lang_section, self.term_tag)
        self._el(group, "term", text)
        if pos:
            self._el(group, "termNote", basic_pos(pos), type="partOfSpeech")
        self._el(group, "termNote", status, type="administrativeStatus")

    # -- reading -----------------------------------------------------------------------------------

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        check_xml_encoding(path)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            tree = etree.parse(str(path), parser)
        except OSError as exc:
            raise TermbaseError(f"cannot read the TBX file ({exc})", path=path) from exc
        except etree.XMLSyntaxError as exc:
            raise TermbaseError(f"not well-formed XML ({exc.msg})", path=path, line=exc.lineno) from exc
        root = tree.getroot()
        if _local(root) not in {"tbx", "martif"}:
            raise TermbaseError(f"not a TBX file (root element is <{_local(root)}>)", path=path)
        drafts: list[Draft] = []
        problems: list[Problem] = []
        for concept in root.iter():
            if _local(concept) in _ENTRY_TAGS:
                draft = _read_entry(concept, langs, problems)
                if draft is not None:
                    drafts.append(draft)
        return drafts, problems


class TbxFormat(Tbx3Format):
    """TBX-Basic in the TBX 2008 (ISO 30042:2008) ``<martif>`` dialect: what tools read today.

    translate-toolkit 3.20 and OmegaT 3.6 load this dialect and refuse TBX v3,
    so it is the default for ``.tbx``.
    """

    name = "tbx"
    extensions = (".tbx",)
    description = "TBX-Basic in the TBX 2008 <martif> dialect (read by translate-toolkit and OmegaT)"
    root = "martif"
    entry_tag = "termEntry"
    lang_tag = "langSet"
    term_tag = "tig"
    namespace = None

    def _header(self, root: etree._Element, entries: Sequence[Entry]) -> None:
        header = self._el(root, "martifHeader")
        file_desc = self._el(header, "fileDesc")
        self._el(self._el(file_desc, "titleStmt"), "title", "termalign termbase")
        source = self._el(file_desc, "sourceDesc")
        self._el(source, "p", f"termalign {__version__}; termbase sha256 {content_hash(entries)}")
        self._el(self._el(header, "encodingDesc"), "p", "TBXBasicXCSV02.xcs", type="XCSURI")


def _lang_matches(value: str, wanted: str) -> bool:
    return value.lower() == wanted.lower() or value.split("-")[0].lower() == wanted.split("-")[0].lower()


def _terms(section: etree._Element) -> list[tuple[str, str, str]]:
    """(term, administrative status, part of speech) for each term group, in document order."""
    found = []
    for group in section:
        if _local(group) not in _TERM_TAGS:
            continue
        term = next((e for e in group.iter() if _local(e) == "term"), None)
        if term is None:
            continue
        status = pos = ""
        for note in group.iter():
            if _local(note) == "termNote" and note.get("type") == "administrativeStatus":
                status = (note.text or "").strip().lower()
            elif _local(note) == "termNote" and note.get("type") == "partOfSpeech":
                pos = (note.text or "").strip()
        found.append(("".join(term.itertext()).strip(), status, pos))
    return found


def _split_terms(terms: list[tuple[str, str, str]]) -> tuple[str, list[str], list[str], str]:
    """Preferred term, accepted variants, forbidden terms and the preferred term's part of speech."""
    allowed = [t for t in terms if not t[1].startswith(("deprecated", "superseded", "forbidden"))]
    forbidden = [t[0] for t in terms if t not in allowed]
    preferred = next((t for t in allowed if t[1].startswith("preferred")), allowed[0] if allowed else None)
    if preferred is None:
        return "", [], forbidden, ""
    return preferred[0], [t[0] for t in allowed if t is not preferred], forbidden, preferred[2]


def _read_entry(concept: etree._Element, langs: Languages, problems: list[Problem]) -> Draft | None:
    line = concept.sourceline
    sections = [c for c in concept if _local(c) in _LANG_TAGS]
    source_section = next((s for s in sections if _lang_matches(s.get(_XML_LANG, ""), langs.source)), None)
    others = [s for s in sections if s is not source_section]
    target_section = next((s for s in others if _lang_matches(s.get(_XML_LANG, ""), langs.target)), None)
    if source_section is None or target_section is None:
        missing = langs.source if source_section is None else langs.target
        problems.append(Problem(line, f"the entry has no {missing!r} terms"))
        return None
    source, source_variants, _, source_pos = _split_terms(_terms(source_section))
    target, target_variants, forbidden, target_pos = _split_terms(_terms(target_section))
    draft = Draft(
        line=line,
        source=source,
        target=target,
        source_variants=tuple(source_variants),
        target_variants=tuple(target_variants),
        forbidden=tuple(forbidden),
        pos=_POS_FROM_TBX.get((source_pos or target_pos).lower(), source_pos or target_pos),
    )
    notes: list[str] = []
    for item in concept:
        kind, text = _local(item), "".join(item.itertext()).strip()
        if kind == "descrip" and item.get("type") == "subjectField":
            draft.domain = text
        elif kind == "admin" and item.get("type") == "source":
            draft.provenance += (text,)
        elif kind == "note" and text.startswith(_STATUS_NOTE):
            draft.status = text[len(_STATUS_NOTE) :].strip()
        elif kind == "note" and text.startswith(_POS_NOTE):
            draft.pos = text[len(_POS_NOTE) :].strip()
        elif kind == "note" and text.startswith(_ENFORCE_NOTE):
            draft.enforce = text[len(_ENFORCE_NOTE) :].strip()
        elif kind == "note" and text:
            notes.append(text)
    draft.note = "\n".join(notes)
    return draft
