"""The plain-text ↔ source-offset map shared by the readers, and block building.

A reader turns each text block of a document into a :class:`Run`: a sequence of
:class:`Piece` values, each tying a stretch of *visible* text (or none, for
markup) to its span in the original source.  :func:`build_blocks` then segments
each run's visible text into sentences and maps the sentence spans back to the
source, so ``Document.text[s.start:s.end]`` is the raw markup of sentence ``s``.

Where a sentence boundary falls between two characters, markup that *closes*
(``**``, ``](url)``, ``</a>``) goes with the sentence before it and markup that
*opens* goes with the sentence after it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from termalign.align.document import Block, BlockKind, Sentence
from termalign.align.script import detect_lang, fold_punct, simplified_view
from termalign.align.segment import SegmentOptions, segment

__all__ = ["PieceKind", "Piece", "Run", "RawBlock", "Parsed", "build_blocks"]

_SPACES = re.compile(r"\s+")


class PieceKind(Enum):
    TEXT = "text"  # visible text, one source character per visible character
    ATOMIC = "atomic"  # visible text standing for a whole source span (escape, entity, <br>)
    OPEN = "open"  # markup opening an inline element, no visible text
    CLOSE = "close"  # markup closing one
    NEUTRAL = "neutral"  # other markup with no visible text (image, comment, <br/> in markdown)
    GAP = "gap"  # source between lines that joins to nothing (a soft break between hanzi)


@dataclass(frozen=True)
class Piece:
    plain_start: int
    plain_end: int
    raw_start: int
    raw_end: int
    kind: PieceKind
    order: int  # index in Run.pieces
    url: str | None = None  # href of the link this text is in
    code: str | None = None  # content of the inline code span this text is
    bold: bool = False
    small: bool = False


@dataclass
class Run:
    """The visible text of one block, with its map back to the source."""

    pieces: list[Piece] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _length: int = 0
    _visible: list[Piece] = field(default_factory=list)  # pieces with visible text, in order
    _starts: list[int] = field(default_factory=list)  # their plain_start, for bisect

    @property
    def plain(self) -> str:
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def last_char(self) -> str:
        for part in reversed(self._parts):
            if part:
                return part[-1]
        return ""

    def add(
        self,
        plain: str,
        raw_start: int,
        raw_end: int,
        kind: PieceKind,
        *,
        url: str | None = None,
        code: str | None = None,
        bold: bool = False,
        small: bool = False,
    ) -> None:
        """Append a piece; TEXT needs ``raw_end - raw_start == len(plain)``."""
        if kind is PieceKind.TEXT and raw_end - raw_start != len(plain):
            kind = PieceKind.ATOMIC
        piece = Piece(
            self._length,
            self._length + len(plain),
            raw_start,
            raw_end,
            kind,
            len(self.pieces),
            url=url,
            code=code,
            bold=bold,
            small=small,
        )
        self.pieces.append(piece)
        if plain:
            self._parts.append(plain)
            self._visible.append(piece)
            self._starts.append(self._length)
            self._length += len(plain)

    def _piece_at(self, index: int) -> Piece:
        return self._visible[bisect_right(self._starts, index) - 1]

    def raw_start_of(self, index: int) -> int:
        """Source offset where the sentence starting at visible ``index`` begins."""
        piece = self._piece_at(index)
        raw = piece.raw_start + index - piece.plain_start if piece.kind is PieceKind.TEXT else piece.raw_start
        if index == piece.plain_start:
            k = piece.order - 1
            while k >= 0 and self.pieces[k].kind is PieceKind.OPEN:
                raw = self.pieces[k].raw_start
                k -= 1
        return raw

    def raw_end_of(self, end: int) -> int:
        """Source offset where the sentence ending before visible ``end`` ends."""
        piece = self._piece_at(end - 1)
        raw = piece.raw_start + end - piece.plain_start if piece.kind is PieceKind.TEXT else piece.raw_end
        if end == piece.plain_end:
            k = piece.order + 1
            while k < len(self.pieces) and self.pieces[k].kind in (PieceKind.CLOSE, PieceKind.NEUTRAL):
                raw = self.pieces[k].raw_end
                k += 1
        return raw

    def merge_inside_atoms(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Join sentences split inside an inline code span or an atomic piece
        (the segmenter sees only plain text, e.g. a ";中" inside code)."""
        out: list[tuple[int, int]] = []
        for start, end in spans:
            if out:
                before, after = self._piece_at(out[-1][1] - 1), self._piece_at(start)
                if (_atom(before) and out[-1][1] < before.plain_end) or (
                    _atom(after) and start > after.plain_start
                ):
                    out[-1] = (out[-1][0], end)
                    continue
            out.append((start, end))
        return out

    def span(self) -> tuple[int, int] | None:
        """Source span of the block: from the first markup or visible non-space
        character to the last one."""
        plain = self.plain
        edges = [p for p in self.pieces if _counts(p, plain)]
        if not edges:
            return None
        first, last = edges[0], edges[-1]
        start, end = first.raw_start, last.raw_end
        if first.kind is PieceKind.TEXT:
            text = plain[first.plain_start : first.plain_end]
            start += len(text) - len(text.lstrip())
        if last.kind is PieceKind.TEXT:
            text = plain[last.plain_start : last.plain_end]
            end -= len(text) - len(text.rstrip())
        return start, end

    def visible_in(self, start: int, end: int) -> list[Piece]:
        """Pieces whose visible text overlaps ``[start, end)``."""
        i = bisect_right(self._starts, start) - 1
        out = []
        for piece in self._visible[max(i, 0) :]:
            if piece.plain_start >= end:
                break
            if piece.plain_end > start:
                out.append(piece)
        return out

    def all_visible(self, flag: str) -> bool:
        """True if every visible non-space character is in a piece with ``flag`` set."""
        plain = self.plain
        solid = [p for p in self._visible if plain[p.plain_start : p.plain_end].strip()]
        return bool(solid) and all(getattr(p, flag) for p in solid)


def _atom(piece: Piece) -> bool:
    """Visible text that must not be cut: an escape/entity, or inline code."""
    return piece.kind is not PieceKind.TEXT or piece.code is not None


def _counts(piece: Piece, plain: str) -> bool:
    if piece.kind is PieceKind.GAP:
        return False
    if piece.plain_end > piece.plain_start:
        return bool(plain[piece.plain_start : piece.plain_end].strip())
    return True


@dataclass
class RawBlock:
    """A block as a reader found it, before segmentation."""

    run: Run
    kind: BlockKind
    depth: int = 0
    presplit: bool = False  # the block is one sentence already (pre-split input): do not segment


@dataclass
class Parsed:
    """What a reader returns: raw blocks in order, metadata, image spans."""

    blocks: list[RawBlock] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    images: list[tuple[int, int]] = field(default_factory=list)


def build_blocks(
    raw_blocks: list[RawBlock], lang: str, options: SegmentOptions | None = None
) -> tuple[Block, ...]:
    """Segment each raw block; blocks without letters or digits are dropped."""
    blocks: list[Block] = []
    for raw in raw_blocks:
        block = _build_block(raw, f"b{len(blocks)}", lang, options)
        if block is not None:
            blocks.append(block)
    return tuple(blocks)


def _build_block(raw: RawBlock, block_id: str, lang: str, options: SegmentOptions | None) -> Block | None:
    run = raw.run
    plain = run.plain
    bounds = run.span()
    if bounds is None or not any(ch.isalnum() for ch in plain):
        return None
    seg_lang = lang
    if lang in ("zh", "en"):  # an English quote in a Chinese text, or the reverse
        guess = detect_lang(plain)
        seg_lang = guess if guess in ("zh", "en") else lang
    presplit = [(0, len(plain))]  # a pre-split block is one sentence
    spans = presplit if raw.presplit else run.merge_inside_atoms(segment(plain, seg_lang, options))
    sentences: list[Sentence] = []
    prev_end = bounds[0]
    for k, (ps, pe) in enumerate(spans):
        start = bounds[0] if k == 0 else max(run.raw_start_of(ps), prev_end)
        end = bounds[1] if k == len(spans) - 1 else max(run.raw_end_of(pe), start)
        text = _SPACES.sub(" ", plain[ps:pe]).strip()
        pieces = run.visible_in(ps, pe)
        sentences.append(
            Sentence(
                id=f"{block_id}.s{k}",
                text=text,
                start=start,
                end=end,
                norm=fold_punct(simplified_view(text)) if lang == "zh" else "",
                urls=_unique(p.url for p in pieces),
                codes=_unique(p.code for p in pieces),
            )
        )
        prev_end = end
    kind = raw.kind
    if kind is BlockKind.PARAGRAPH and run.all_visible("bold"):
        kind = BlockKind.HEADING  # a bold line standing alone: a FAQ / interview question
    elif kind is BlockKind.PARAGRAPH and run.all_visible("small"):
        kind = BlockKind.CAPTION
    return Block(
        id=block_id,
        kind=kind,
        start=bounds[0],
        end=bounds[1],
        sentences=tuple(sentences),
        depth=raw.depth,
        urls=_unique(p.url for p in run.pieces),
    )


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return tuple(seen)
