"""XLIFF 1.2 and 2.x files as documents to translate: each unit's source is one sentence.

An XLIFF made by another tool (or by ``translate doc.md -o doc.xlf``) is read as
it is: every translatable ``<trans-unit>`` (1.2) or ``<segment>`` (2.x) holds
one sentence whose span is the ``<source>``'s content in the file, already
segmented (never cut further).  Inline elements are markup: ``<g>``/``<pc>``/
``<mrk>`` open and close around visible text, ``<x/>``, ``<ph>``, ``<it>`` stand
alone, ``<bpt>``/``<bx/>``/``<sc/>`` open, ``<ept>``/``<ex/>``/``<ec/>`` close
(with their content), and entities are one visible character each; so the
translator's markup protection keeps every code in the target.

Writing back fills each unit's ``<target>`` (replacing the old one, or placed
right after ``<source>``/``<seg-source>``) and marks it for review: 1.2
``state="needs-review-translation" state-qualifier="mt-suggestion"`` (``exact-match`` /
``fuzzy-match`` for a TM match), 2.x the segment's ``state="translated"
subState="termalign:mt-review"`` (``termalign:tm-exact-review`` ...).  Everything
else in the file stays byte for byte.  Units with a confirmed target (1.2:
``approved="yes"``, or a non-empty target whose state is not ``new`` or
``needs-*``; 2.x: ``reviewed``/``final``, or ``translated`` without a review
sub-state) are listed in the document's metadata; :func:`without_confirmed`
drops them so a translation leaves them untouched.

The file is scanned for element spans with a small tag scanner (lxml gives no
character offsets); lxml then checks that every target written is well-formed.
"""

from __future__ import annotations

import dataclasses
import html
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from lxml import etree

from termalign.align.document import BlockKind, Document
from termalign.align.documents.base import DocumentFormat, InlinePiece, PieceKind
from termalign.align.textmap import Parsed, RawBlock, Run
from termalign.align.textmap import PieceKind as RunKind
from termalign.kernel.errors import DocumentError

__all__ = ["FORMAT", "CONFIRMED", "VERSION", "without_confirmed", "xliff_pieces"]

SUFFIXES = (".xlf", ".xliff")
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS2 = "urn:oasis:names:tc:xliff:document:2.0"
CONFIRMED = "xliff.confirmed"  # metadata: "start:end" spans of the sources with a confirmed target
VERSION = "xliff.version"
REVIEW_SUBSTATE = "termalign:mt-review"
# XLIFF 1.2 state qualifiers by origin (the spec's values); anything else machine-made is an MT suggestion
QUALIFIERS = {
    "mt": "mt-suggestion",
    "mt-repaired": "mt-suggestion",
    "tm-exact": "exact-match",
    "tm-fuzzy": "fuzzy-match",
}

_MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(?P<close>/)?(?P<name>[A-Za-z_][\w.:-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?P<empty>/)?>",
    re.DOTALL,
)
_ATTR = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(\"[^\"]*\"|'[^']*')")
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);")
# inline elements whose whole content is markup (1.2 native codes), and how each kind of tag counts
_CODE_CONTENT = {"bpt": "open", "ept": "close", "ph": "atom", "it": "atom"}
_EMPTY = {"x": "atom", "ph": "atom", "bx": "open", "ex": "close", "sc": "open", "ec": "close"}
_EMPTY |= {"sm": "open", "em": "close", "it": "atom"}
_PAIRED = frozenset({"g", "pc", "mrk", "sub"})
_INLINE = frozenset(_CODE_CONTENT) | frozenset(_EMPTY) | _PAIRED


@dataclass
class _El:
    """One element of the file: where its tags are, its attributes, its children."""

    qname: str
    start: int
    open_end: int
    close_start: int = -1
    end: int = -1
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_El] = field(default_factory=list)
    parent: _El | None = None

    @property
    def name(self) -> str:
        return self.qname.rsplit(":", 1)[-1]

    def child(self, name: str) -> _El | None:
        return next((c for c in self.children if c.name == name), None)

    def inner(self, text: str) -> str:
        return text[self.open_end : self.close_start]


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1).rsplit(":", 1)[-1]: html.unescape(m.group(2)[1:-1]) for m in _ATTR.finditer(raw)}


def _scan(text: str, path: str) -> _El:
    """The element tree of ``text`` with character offsets; a file that does not nest is an error."""
    root = _El("#document", 0, 0)
    stack = [root]
    for m in _MARKUP.finditer(text):
        name = m.group("name")
        if name is None:
            continue  # comment, CDATA, processing instruction, doctype
        if m.group("close"):
            top = stack[-1]
            if len(stack) == 1 or top.qname != name:
                line = text.count("\n", 0, m.start()) + 1
                message = f"not well-formed XML (</{name}> closes nothing open)"
                raise DocumentError(message, path=path, line=line)
            top.close_start, top.end = m.start(), m.end()
            stack.pop()
            continue
        el = _El(name, m.start(), m.end(), attrs=_attrs(m.group("attrs")), parent=stack[-1])
        stack[-1].children.append(el)
        if m.group("empty"):
            el.close_start = el.end = m.end()
        else:
            stack.append(el)
    if len(stack) != 1:
        raise DocumentError(f"not well-formed XML (<{stack[-1].qname}> is never closed)", path=path)
    return root


@dataclass(frozen=True)
class _Seg:
    """One translatable stretch: its source element, target (if any), and how to write a new one."""

    source: _El
    target: _El | None
    after: int  # where a new <target> goes
    state_holder: _El | None  # 2.x: the <segment> carrying state
    confirmed: bool
    translate: bool


def _translatable(el: _El) -> bool:
    node: _El | None = el
    while node is not None:
        if node.attrs.get("translate") == "no":
            return False
        node = node.parent
    return True


def _walk(el: _El) -> list[_El]:
    out = [el]
    for child in el.children:
        out += _walk(child)
    return out


def _version(root: _El, path: str) -> str:
    xliff = root.child("xliff")
    if xliff is None:
        raise DocumentError("not an XLIFF file (its root element is not <xliff>)", path=path)
    namespaces = set(xliff.attrs.values())
    raw = xliff.attrs.get("version", "")
    if NS12 in namespaces or raw.startswith("1."):
        return "1.2"
    if NS2 in namespaces or raw.startswith("2."):
        return "2"
    raise DocumentError("not an XLIFF 1.2 or 2.x file (its namespace is not OASIS XLIFF's)", path=path)


def _segments(text: str, path: str) -> tuple[str, list[_Seg]]:
    root = _scan(text, path)
    version = _version(root, path)
    segs: list[_Seg] = []
    if version == "1.2":
        for unit in (e for e in _walk(root) if e.name == "trans-unit"):
            source, target = unit.child("source"), unit.child("target")
            if source is None:
                continue
            anchor = unit.child("seg-source") or source
            filled = target is not None and bool(target.inner(text).strip())
            state = target.attrs.get("state", "") if target is not None else ""
            confirmed = filled and (
                unit.attrs.get("approved") == "yes" or not (state == "new" or state.startswith("needs-"))
            )
            segs.append(_Seg(source, target, anchor.end, None, confirmed, _translatable(unit)))
        return version, segs
    for segment in (e for e in _walk(root) if e.name == "segment"):
        source, target = segment.child("source"), segment.child("target")
        if source is None:
            continue
        filled = target is not None and bool(target.inner(text).strip())
        state, sub = segment.attrs.get("state", "initial"), segment.attrs.get("subState", "")
        review = sub.startswith("termalign:") and sub.endswith("-review")
        confirmed = filled and (state in ("reviewed", "final") or (state == "translated" and not review))
        segs.append(_Seg(source, target, source.end, segment, confirmed, _translatable(segment)))
    return version, segs


def xliff_pieces(raw: str) -> list[InlinePiece]:
    """A ``<source>``/``<target>`` content as text, codes (tags, with native codes' content) and entities."""
    pieces: list[InlinePiece] = []
    at = 0
    depth: list[str] = []  # open native codes whose content is markup (<bpt>...</bpt>)
    code_start = 0
    for m in re.finditer(rf"{_MARKUP.pattern}|{_ENTITY.pattern}", raw, re.DOTALL):
        name = (m.group("name") or "").rsplit(":", 1)[-1]
        if depth:
            if m.group("close") and name == depth[-1]:
                depth.pop()
                if not depth:
                    kind = _CODE_CONTENT.get(name, "atom")
                    pieces.append(InlinePiece(kind, raw[code_start : m.end()], f"xliff:{name}"))  # type: ignore[arg-type]
                    at = m.end()
            elif name in _CODE_CONTENT and not m.group("close") and not m.group("empty"):
                depth.append(name)
            continue
        if m.start() > at:
            pieces.append(InlinePiece("text", raw[at : m.start()]))
        at = m.end()
        token = m.group(0)
        if not name:  # entity, comment, CDATA
            what = "xliff:entity" if token.startswith("&") else "xliff:other"
            pieces.append(InlinePiece("atom", token, what))
        elif m.group("close"):
            pieces.append(InlinePiece("close", token, f"xliff:{name}"))
        elif m.group("empty"):
            pieces.append(InlinePiece(_EMPTY.get(name, "atom"), token, f"xliff:{name}"))  # type: ignore[arg-type]
        elif name in _CODE_CONTENT:
            depth.append(name)
            code_start = m.start()
        else:
            pieces.append(InlinePiece("open", token, f"xliff:{name}"))
    if depth:  # an unclosed native code: the rest is markup
        pieces.append(InlinePiece("atom", raw[code_start:], "xliff:code"))
    elif at < len(raw):
        pieces.append(InlinePiece("text", raw[at:]))
    return pieces


_RUN_KIND: dict[PieceKind, RunKind] = {"open": RunKind.OPEN, "close": RunKind.CLOSE, "atom": RunKind.NEUTRAL}


def _run(text: str, source: _El) -> Run:
    run = Run()
    at = source.open_end
    for piece in xliff_pieces(source.inner(text)):
        start, end = at, at + len(piece.raw)
        at = end
        if piece.kind == "text":
            run.add(piece.raw, start, end, RunKind.TEXT)
        elif piece.name == "xliff:entity":
            run.add(html.unescape(piece.raw), start, end, RunKind.ATOMIC)
        elif piece.raw.startswith("<![CDATA["):
            run.add(piece.raw[9:-3], start, end, RunKind.ATOMIC)
        else:
            run.add("", start, end, _RUN_KIND[piece.kind])
    return run


def parse_xliff_document(text: str, path: str = "<string>") -> Parsed:
    """One pre-split block per translatable source that has visible text."""
    version, segs = _segments(text, path)
    parsed = Parsed(metadata={VERSION: version})
    confirmed: list[str] = []
    for seg in segs:
        if not seg.translate:
            continue
        run = _run(text, seg.source)
        if not run.plain.strip():
            continue
        parsed.blocks.append(RawBlock(run, BlockKind.PARAGRAPH, presplit=True))
        if seg.confirmed:
            confirmed.append(f"{seg.source.open_end}:{seg.source.close_start}")
    if confirmed:
        parsed.metadata[CONFIRMED] = " ".join(confirmed)
    return parsed


def without_confirmed(doc: Document) -> Document:
    """``doc`` without the sentences of units whose target is confirmed (they stay as they are)."""
    spans = [tuple(int(x) for x in s.split(":")) for s in doc.metadata.get(CONFIRMED, "").split()]
    if not spans:
        return doc
    blocks = tuple(b for b in doc.blocks if not any(a <= s.start < e for s in b.sentences for a, e in spans))
    return dataclasses.replace(doc, blocks=blocks)


def _claims(path: str, text: str) -> bool:
    if PurePath(path).suffix.lower() in SUFFIXES:
        return True
    head = text[:4096]
    return "<xliff" in head and (NS12 in head or NS2 in head)


# --- writing the targets back ---------------------------------------------------------------


def _escape_text(raw: str, allowed: frozenset[str]) -> str:
    """``raw`` with its inline codes and entities kept and every other ``&``, ``<``, ``>`` escaped."""
    out: list[str] = []
    at = 0
    for m in re.finditer(rf"{_MARKUP.pattern}|{_ENTITY.pattern}", raw, re.DOTALL):
        name = (m.group("name") or "").rsplit(":", 1)[-1]
        if name and name not in allowed:
            continue
        out.append(html.escape(raw[at : m.start()], quote=False))
        out.append(m.group(0))
        at = m.end()
    out.append(html.escape(raw[at:], quote=False))
    return "".join(out)


def _well_formed(fragment: str, namespace: str) -> bool:
    try:
        etree.fromstring(f'<t xmlns="{namespace}">{fragment}</t>'.encode())
    except etree.XMLSyntaxError:
        return False
    return True


def _start_tag(qname: str, attrs: Mapping[str, str], raw: str = "", drop: tuple[str, ...] = ()) -> str:
    """A start tag: ``raw``'s attributes with ``attrs`` set (added or replaced), ``drop`` left out."""
    gone = {*attrs, *drop}
    kept = [m.group(0) for m in _ATTR.finditer(raw) if m.group(1).rsplit(":", 1)[-1] not in gone]
    kept += [f'{k}="{html.escape(v)}"' for k, v in attrs.items()]
    return f"<{qname}{''.join(' ' + a for a in kept)}>"


def write_back_xliff(
    doc: Document,
    translations: Mapping[str, str],
    *,
    join_space: bool = True,
    origins: Mapping[str, str] | None = None,
) -> str:
    """The XLIFF with a target for every sentence in ``translations``, marked for review and labelled
    with its origin (``origins``: 1.2 ``state-qualifier`` mt-suggestion / exact-match / fuzzy-match,
    2.x ``subState="termalign:ORIGIN-review"``; MT when not given); the rest of the file unchanged,
    byte for byte."""
    del join_space  # one sentence per unit: nothing is joined
    origins = origins or {}
    text = doc.text
    version, segs = _segments(text, doc.path)
    namespace = NS12 if version == "1.2" else NS2
    by_start = {s.source.open_end: s for s in segs}
    starts = sorted(by_start)
    edits: list[tuple[int, int, str]] = []
    for sentence in doc.sentences:
        k = bisect_right(starts, sentence.start) - 1
        if k < 0:
            continue
        seg = by_start[starts[k]]
        inner_start, inner_end = seg.source.open_end, seg.source.close_start
        if not inner_start <= sentence.start <= sentence.end <= inner_end:
            continue
        middle = translations.get(sentence.id)
        if middle is None:  # nothing to translate (a number, a name): left for the CAT tool to copy
            continue
        body = text[inner_start : sentence.start] + middle + text[sentence.end : inner_end]
        body = _escape_text(body, _INLINE)
        if not _well_formed(body, namespace):
            body = html.escape(re.sub(r"<[^>]*>", "", middle), quote=False)  # codes lost rather than bad XML
        edits += _target_edits(text, seg, body, version, origins.get(sentence.id, "mt"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _target_edits(text: str, seg: _Seg, body: str, version: str, origin: str) -> list[tuple[int, int, str]]:
    qname = seg.source.qname[: -len("source")] + "target"
    attrs: dict[str, str] = {}
    if version == "1.2":  # 2.x keeps the state on the <segment>
        attrs["state"] = "needs-review-translation"
        attrs["state-qualifier"] = QUALIFIERS.get(origin, "mt-suggestion")
    old = text[seg.target.start : seg.target.open_end].rstrip("/>") if seg.target is not None else ""
    element = f"{_start_tag(qname, attrs, old)}{body}</{qname}>"
    edits: list[tuple[int, int, str]] = []
    unit = seg.source.parent
    if version == "1.2" and unit is not None and unit.attrs.get("approved") == "yes":
        raw = text[unit.start : unit.open_end].rstrip("/>")
        edits.append((unit.start, unit.open_end, _start_tag(unit.qname, {}, raw, drop=("approved",))))
    if seg.target is not None:
        edits.append((seg.target.start, seg.target.end, element))
    else:
        line_start = text.rfind("\n", 0, seg.source.start) + 1
        indent = text[line_start : seg.source.start]
        gap = "\n" + indent if not indent.strip() else ""
        edits.append((seg.after, seg.after, gap + element))
    if version != "1.2" and seg.state_holder is not None:
        holder = seg.state_holder
        raw = text[holder.start : holder.open_end]
        empty = raw.endswith("/>")
        sub = REVIEW_SUBSTATE if origin in ("mt", "mt-repaired") else f"termalign:{origin}-review"
        tag = _start_tag(holder.qname, {"state": "translated", "subState": sub}, raw.rstrip("/>"))
        edits.append((holder.start, holder.open_end, tag[:-1] + "/>" if empty else tag))
    return edits


FORMAT = DocumentFormat(
    name="xliff",
    description="an XLIFF 1.2 or 2.x file: every unit's source is one sentence; targets are filled",
    suffixes=SUFFIXES,
    output_suffix=".xlf",
    parse=parse_xliff_document,
    claims=_claims,
    write_back=write_back_xliff,
    inline=xliff_pieces,
)
