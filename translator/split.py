"""Split free text (a server request's ``q`` item) into sentences and put the translations back together.

LibreTranslate clients send whole paragraphs or documents in one ``q`` item; a
decoder LLM given a long paragraph in one prompt runs out of its token budget
and truncates.  :func:`split_text` cuts an item into sentence spans with the
aligner's segmenter (:func:`align.segment.segment`), keeping placeholder tags
that close a sentence (``</g1>`` after ``。``) and fragments with no word in
them (``（3）``) with the sentence before;
:func:`join_translations` writes the translated sentences back, keeping line
breaks and the item's leading and trailing whitespace; :func:`merge_records`
folds the sentence records of one item into one record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from termalign.align.script import HAN_CHARS
from termalign.align.segment import segment
from termalign.translator.markup import PLACEHOLDER_RE
from termalign.translator.records import Origin, SegmentRecord

__all__ = ["SplitText", "split_text", "join_translations", "merge_records"]

_CLOSING_TAGS = re.compile(r"(?:\s*<\s*/\s*g\s*\d{1,5}\s*>|\s*<\s*x\s*\d{1,5}\s*/\s*>)+", re.IGNORECASE)
_WORDY = re.compile(f"[A-Za-z{HAN_CHARS}]")
_ORIGIN_RANK: dict[str, int] = {"copy": 0, "tm-exact": 1, "tm-fuzzy": 2, "mt": 3, "mt-repaired": 4}


@dataclass(frozen=True)
class SplitText:
    """An item and its sentence spans (``text[start:end]``), in order, not overlapping."""

    text: str
    spans: tuple[tuple[int, int], ...]

    @property
    def sentences(self) -> list[str]:
        return [self.text[s:e] for s, e in self.spans]


def split_text(text: str, lang: str) -> SplitText:
    """Sentence spans of ``text``; closing placeholder tags right after a sentence stay with it."""
    spans = segment(text, lang)
    fixed: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(spans):
        if fixed and fixed[-1][1] > start:
            start = fixed[-1][1]  # the previous sentence took this one's leading closing tags
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                continue
        limit = spans[k + 1][1] if k + 1 < len(spans) else len(text)
        closing = _CLOSING_TAGS.match(text, end, limit)
        if closing is not None and PLACEHOLDER_RE.search(closing.group(0)):
            end = closing.end()
        if fixed and not _WORDY.search(PLACEHOLDER_RE.sub("", text[start:end])):
            fixed[-1] = (fixed[-1][0], end)  # "（3）" after "。": nothing to translate on its own
            continue
        fixed.append((start, end))
    return SplitText(text, tuple(fixed))


def join_translations(split: SplitText, targets: Sequence[str], *, space: str = " ") -> str:
    """``split.text`` with each sentence replaced by its translation.

    Text between sentences is kept when it holds a line break; otherwise
    sentences are joined with ``space`` (Chinese has no spaces between
    sentences, English does).  Text before the first and after the last
    sentence is kept as it is.
    """
    if len(targets) != len(split.spans):
        raise ValueError(f"{len(targets)} translations for {len(split.spans)} sentences")
    if not split.spans:
        return split.text
    text = split.text
    out = [text[: split.spans[0][0]]]
    for k, ((_, end), target) in enumerate(zip(split.spans, targets, strict=True)):
        out.append(target.strip())
        if k + 1 < len(split.spans):
            gap = text[end : split.spans[k + 1][0]]
            out.append(gap if "\n" in gap else space)
    out.append(text[split.spans[-1][1] :])
    return "".join(out)


def merge_records(seg_id: str, source: str, target: str, parts: Sequence[SegmentRecord]) -> SegmentRecord:
    """One record for an item translated sentence by sentence.

    Terms, issues and notes are concatenated, attempts summed, the score
    averaged, and the origin is the most machine-made of the parts
    (``mt-repaired`` > ``mt`` > ``tm-fuzzy`` > ``tm-exact`` > ``copy``).
    """
    if not parts:
        return SegmentRecord(seg_id, source, target, "copy", 0.0, attempts=0)
    origin: Origin = max((p.origin for p in parts), key=lambda o: _ORIGIN_RANK.get(o, 3))
    return SegmentRecord(
        seg_id,
        source,
        target,
        origin,
        sum(p.score for p in parts) / len(parts),
        terms=tuple(t for p in parts for t in p.terms),
        issues=tuple(i for p in parts for i in p.issues),
        attempts=sum(p.attempts for p in parts),
        notes=tuple(dict.fromkeys(n for p in parts for n in p.notes)),
    )
