"""Offset invariants every read Document must satisfy (shared by the reader tests)."""

from __future__ import annotations

import html

from termalign.align.document import Document


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def check_offsets(doc: Document) -> None:
    """Blocks and sentences are ordered, non-overlapping, nested, and each sentence's
    visible text (spaces aside) can be read, in order, inside its raw source slice."""
    prev_block_end = 0
    for b_index, block in enumerate(doc.blocks):
        assert block.id == f"b{b_index}"
        assert prev_block_end <= block.start < block.end <= len(doc.text), block.id
        assert block.sentences, block.id
        prev_end = block.start
        for s_index, sent in enumerate(block.sentences):
            assert sent.id == f"{block.id}.s{s_index}"
            assert prev_end <= sent.start < sent.end <= block.end, sent.id
            raw = doc.text[sent.start : sent.end]
            visible = "".join(sent.text.split())
            assert visible, sent.id
            readable = is_subsequence(visible, raw) or is_subsequence(visible, html.unescape(raw))
            assert readable, (sent.id, sent.text, raw)
            assert raw == raw.strip(), (sent.id, raw)
            prev_end = sent.end
        prev_block_end = block.end
    for start, end in doc.images:
        assert 0 <= start < end <= len(doc.text)
