"""TMX 1.4b through :mod:`align.tmx`; unaligned (1-0 / 0-1) beads are left out.

Each side's raw text (the sentences' span in the original file) is split by its
document format's inline tokenizer, and the markup is written as TMX inline
codes (``<bpt>/<ept>/<ph>``) around the visible text, so a CAT tool that
restores tags can match the unit against the document.  Where the tokenizer
cannot tile the raw text, or its text differs from the aligned sentences' text,
the unit is written as plain text.  Language tags are BCP 47, Chinese with its
script (found in the text).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from termalign.align.aligner import Alignment
from termalign.align.beads import Bead
from termalign.align.document import Document, Sentence
from termalign.align.documents import Misaligned, get_format
from termalign.align.srx import SrxRules, srx_rules
from termalign.align.tmx import Piece, TranslationUnit, open_code_spans, pieces_text, write_tmx
from termalign.kernel.errors import ConfigError
from termalign.kernel.signature import Signature

__all__ = ["TmxLayout", "layout_units", "raw_pieces", "write"]


def _sentences(doc: Document) -> dict[str, Sentence]:
    return {s.id: s for block in doc.blocks for s in block.sentences}


def raw_pieces(doc: Document | None, ids: Sequence[str], visible: str) -> tuple[Piece, ...]:
    """The raw text of sentences ``ids`` as (kind, raw) pieces, or () when they do not read as ``visible``."""
    if doc is None or not ids:
        return ()
    index = _sentences(doc)
    try:
        first, last = index[ids[0]], index[ids[-1]]
        pieces = get_format(doc.format).inline(doc.text[first.start : last.end])
    except (KeyError, Misaligned):
        return ()
    if len(ids) > 1 or not any(p.kind != "text" for p in pieces):
        return ()  # plain text, or sentences joined with separators the raw span does not have
    coded = open_code_spans((p.kind, p.raw) for p in pieces)
    return coded if pieces_text(coded) == visible else ()


def write(alignment: Alignment, path: Path, layout: TmxLayout | None = None) -> None:
    """Write ``alignment`` as TMX; ``layout`` says what a unit spans and how markup is written."""
    layout = layout or TmxLayout()
    units = layout_units(alignment, layout)
    props = {f"x-{k}": v for k, v in alignment.signature.items()}
    props["x-source-document"] = alignment.source_path
    props["x-target-document"] = alignment.target_path
    if layout != TmxLayout():
        props["x-layout"] = f"segments={layout.segments} markup={layout.markup}" + (
            f" srx={layout.srx}" if layout.srx else ""
        )
    write_tmx(
        path,
        units,
        source_lang=alignment.source_lang,
        target_lang=alignment.target_lang,
        segtype=layout.segtype,
        properties=props,
        signature=Signature.of(alignment.signature),
    )


# --- layouts: what a unit spans and how its markup is written --------------------------------

Segments = Literal["sentence", "paragraph", "both"]
Markup = Literal["codes", "text"]
_BLANK_LINE = re.compile(r"\n\r?\n")  # an empty line; one of spaces does not end it


@dataclass(frozen=True)
class TmxLayout:
    """How an alignment becomes TMX units.

    ``segments``: one unit per bead (``sentence``), one per pair of aligned
    paragraphs (``paragraph``), or both, paragraphs first.  With paragraph units
    the header says ``segtype="paragraph"``, which tells a CAT tool to cut the
    units with its own segmentation rules (OmegaT does, keeping the pieces where
    both sides give the same number of sentences, else the whole unit).

    ``markup``: ``codes`` writes markup as TMX inline codes around the visible
    text (for tools whose filter turns markup into tags); ``text`` writes each
    unit as the file's own characters, the way a plain-text filter shows them
    (OmegaT 3.6 reads markdown so: ``**``, ``> `` and link URLs are text).  A
    ``text`` unit runs from the end of the sentence before it (in the same
    paragraph) to its own end, the last one to the paragraph's end: the markup
    between two sentences goes to the second, as segmentation rules that break
    after the full stop cut it.
    """

    segments: Segments = "sentence"
    markup: Markup = "codes"
    srx: str = ""  # SRX rules (``omegat`` or a path): sentence units cut as the CAT tool cuts segments

    def __post_init__(self) -> None:
        if self.srx and self.markup != "text":
            raise ConfigError("SRX-cut units are the file's own text: use them with markup 'text'")

    @property
    def segtype(self) -> str:
        return "sentence" if self.segments == "sentence" else "paragraph"


def _paragraphs(doc: Document) -> list[tuple[int, int]]:
    """Spans of the text's paragraphs as a plain-text filter reads them: runs of non-blank lines."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in _BLANK_LINE.finditer(doc.text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(doc.text)))
    return [(a, b) for a, b in spans if doc.text[a:b].strip()]


class _Side:
    """One document's sentences placed in its plain-text paragraphs."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.sentences = _sentences(doc)
        self.paragraphs = _paragraphs(doc)
        starts = [a for a, _ in self.paragraphs]
        self.para_of = {sid: bisect_right(starts, s.start) - 1 for sid, s in self.sentences.items()}
        ends: dict[int, list[int]] = {}
        for sid, s in self.sentences.items():
            ends.setdefault(self.para_of[sid], []).append(s.end)
        self.ends = {k: sorted(v) for k, v in ends.items()}

    def paragraph_text(self, k: int) -> str:
        a, b = self.paragraphs[k]
        return self.doc.text[a:b].strip()

    def cut(self, ids: Sequence[str]) -> str | None:
        """The raw text of sentences ``ids``, cut as a break-after-the-stop rule cuts it."""
        if not ids or any(i not in self.sentences for i in ids):
            return None
        first, last = self.sentences[ids[0]], self.sentences[ids[-1]]
        k = self.para_of[ids[0]]
        if self.para_of[ids[-1]] != k:
            return None
        a, b = self.paragraphs[k]
        ends = self.ends[k]
        before = [e for e in ends if e <= first.start]
        start = before[-1] if before else a
        end = b if last.end >= ends[-1] else last.end
        return self.doc.text[start:end].strip() or None


def layout_units(alignment: Alignment, layout: TmxLayout) -> list[TranslationUnit]:
    """The units of ``alignment`` in ``layout``: paragraph units first, then sentence units."""
    beads = [b for b in alignment.beads if not b.is_unaligned]
    lonely = [b for b in alignment.beads if b.is_unaligned]
    src_doc, tgt_doc = alignment.source_document, alignment.target_document
    plain = layout.markup == "text" and src_doc is not None and tgt_doc is not None
    units: list[TranslationUnit] = []
    if layout.segments != "sentence" and src_doc is not None and tgt_doc is not None:
        units += _paragraph_units(beads, lonely, _Side(src_doc), _Side(tgt_doc), plain)
    if layout.segments != "paragraph" and layout.srx and src_doc is not None and tgt_doc is not None:
        rules = srx_rules(layout.srx)
        units += _srx_units(alignment, rules, _Side(src_doc), _Side(tgt_doc))
    elif layout.segments != "paragraph":
        sides = (_Side(src_doc), _Side(tgt_doc)) if plain and src_doc and tgt_doc else None
        for n, bead in enumerate(beads, start=1):
            units.append(_sentence_unit(alignment, bead, n, sides))
    return units


def _sentence_unit(
    alignment: Alignment, b: Bead, n: int, sides: tuple[_Side, _Side] | None
) -> TranslationUnit:
    properties = (
        ("x-score", f"{b.score:.4f}"),
        ("x-source-ids", " ".join(b.source_ids)),
        ("x-target-ids", " ".join(b.target_ids)),
        ("x-block", b.block_id),
        ("x-kind", b.kind),
        ("x-flagged", "yes" if b.flagged else "no"),
    )
    if sides is not None:
        source, target = sides[0].cut(b.source_ids), sides[1].cut(b.target_ids)
        if source is not None and target is not None:
            return TranslationUnit(source, target, properties, tuid=f"{n}")
        return TranslationUnit(b.source, b.target, properties, tuid=f"{n}")
    return TranslationUnit(
        source=b.source,
        target=b.target,
        properties=properties,
        tuid=f"{n}",
        source_pieces=raw_pieces(alignment.source_document, b.source_ids, b.source),
        target_pieces=raw_pieces(alignment.target_document, b.target_ids, b.target),
    )


def _paragraph_units(
    beads: Sequence[Bead], lonely: Sequence[Bead], src: _Side, tgt: _Side, plain: bool
) -> list[TranslationUnit]:
    """One unit per pair of paragraphs whose sentences are all aligned, and only to each other."""
    partial = {("s", src.para_of.get(i)) for b in lonely for i in b.source_ids}
    partial |= {("t", tgt.para_of.get(i)) for b in lonely for i in b.target_ids}
    partners: dict[int, set[int]] = {}
    back: dict[int, set[int]] = {}
    groups: dict[int, list[Bead]] = {}
    for bead in beads:
        s = {src.para_of[i] for i in bead.source_ids if i in src.para_of}
        t = {tgt.para_of[i] for i in bead.target_ids if i in tgt.para_of}
        for k in s:
            partners.setdefault(k, set()).update(t)
            groups.setdefault(k, []).append(bead)
        for k in t:
            back.setdefault(k, set()).update(s)
    units: list[TranslationUnit] = []
    for k in sorted(partners):
        (j,) = partners[k] if len(partners[k]) == 1 else (None,)
        if j is None or back.get(j) != {k} or ("s", k) in partial or ("t", j) in partial:
            continue
        if plain:
            source, target = src.paragraph_text(k), tgt.paragraph_text(j)
        else:
            source = _join(b.source for b in groups[k])
            target = _join(b.target for b in groups[k])
        units.append(
            TranslationUnit(
                source, target, (("x-kind", "paragraph"), ("x-paragraphs", f"{k} {j}")), tuid=f"p{k}"
            )
        )
    return units


def _join(texts: Iterable[str]) -> str:
    """Sentences of one paragraph as one text: a space between them unless one side is CJK."""
    out = ""
    for text in texts:
        if out and not (_CJK.match(out[-1]) or _CJK.match(text[:1])):
            out += " "
        out += text
    return out


_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


# --- units cut as the CAT tool's SRX rules cut segments ------------------------------------------


def _srx_units(alignment: Alignment, rules: SrxRules, src: _Side, tgt: _Side) -> list[TranslationUnit]:
    """One unit per CAT segment of the source where the beads say what its translation is.

    Each paragraph is cut by ``rules``; a sentence of ours reaches the segments
    it shares words with, and segments and beads that reach each other form
    groups (:func:`_pair` gives their targets).  A segment of markup alone (the
    ``**`` that a stop before the closing ``**`` leaves) gets an empty
    translation where a sentence's translation carries that markup, its own
    text where none does.  Groups with an unaligned sentence, or whose target
    is not one stretch of one paragraph, give nothing.
    """
    bead_of = {i: b for b in alignment.beads for i in b.source_ids}
    units: dict[tuple[str, str], TranslationUnit] = {}
    for k, (a, b) in enumerate(src.paragraphs):
        text = src.doc.text
        segs = [(a + s, a + e) for s, e in rules.cut(text[a:b], alignment.source_lang)]
        for seg_range, group in _groups(segs, k, src, bead_of):
            pieces = [text[s:e] for s, e in segs[seg_range[0] : seg_range[1] + 1]]
            pairs: list[tuple[str, str, str]] = []
            if group is None:  # markup alone: empty where a sentence's translation carries it
                start, end = segs[seg_range[0]]
                carried = any(x.start < end and x.end > start for x in src.sentences.values())
                pairs = [(p, "" if carried else p, "markup") for p in pieces if not _has_words(p)]
            else:
                target_ids = sorted(
                    (i for bead in group for i in bead.target_ids), key=lambda i: tgt.sentences[i].start
                )
                target = tgt.cut(target_ids)
                if target is not None:
                    pairs = _pair(pieces, target, rules, alignment.target_lang)
            for source, target_text, how in pairs:
                props = (("x-kind", "segment"), ("x-cut", how), ("x-paragraph", f"{k}"))
                unit = TranslationUnit(source, target_text, props)
                units.setdefault((source, target_text), unit)
    return [
        TranslationUnit(u.source, u.target, u.properties, tuid=f"s{n}")
        for n, u in enumerate(units.values(), start=1)
    ]


def _groups(
    segs: Sequence[tuple[int, int]], k: int, src: _Side, bead_of: dict[str, Bead]
) -> list[tuple[tuple[int, int], list[Bead] | None]]:
    """Runs of segments joined by beads: (first, last) segment index and the beads (None: no bead)."""
    ranges: list[tuple[int, int, Bead]] = []
    for bead in dict.fromkeys(bead_of[sid] for sid, p in src.para_of.items() if p == k and sid in bead_of):
        spans = [src.sentences[i] for i in bead.source_ids]
        text = src.doc.text  # a sentence reaches a segment where they share words, not just markup
        hit = [
            n
            for n, (s, e) in enumerate(segs)
            if any(_has_words(text[max(s, x.start) : min(e, x.end)]) for x in spans)
        ]
        if hit:
            ranges.append((hit[0], hit[-1], bead))
    ranges.sort(key=lambda r: (r[0], r[1]))
    groups: list[tuple[tuple[int, int], list[Bead] | None]] = []
    covered: set[int] = set()
    for first, last, bead in ranges:
        if groups and groups[-1][1] is not None and first <= groups[-1][0][1]:
            (g0, g1), beads = groups[-1]
            groups[-1] = ((g0, max(g1, last)), [*(beads or []), bead])
        else:
            groups.append(((first, last), [bead]))
        covered.update(range(first, last + 1))
    for n in range(len(segs)):
        if n not in covered:
            groups.append(((n, n), None))
    out: list[tuple[tuple[int, int], list[Bead] | None]] = []
    for seg_range, beads in groups:
        bad = beads is not None and any(
            bead.is_unaligned or any(src.para_of.get(i) != k for i in bead.source_ids) for bead in beads
        )
        if not bad:
            out.append((seg_range, beads))
    return out


def _pair(pieces: list[str], target: str, rules: SrxRules, target_lang: str) -> list[tuple[str, str, str]]:
    """Source segments of one group with their target text and how it was found (``x-cut``):
    ``group`` (one segment: the group's whole target), ``counted`` (several: the target cut by
    the same rules into as many segments, paired in order; else nothing)."""
    if len(pieces) == 1:
        return [(pieces[0], target, "group")] if target else []
    cuts = [target[s:e] for s, e in rules.cut(target, target_lang)]
    if len(cuts) == len(pieces):
        return [(p, c, "counted") for p, c in zip(pieces, cuts, strict=True)]
    return []


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
