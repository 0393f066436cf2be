"""The document model: ordered blocks of sentences with offsets into the source.

A reader (markdown, HTML, plain text) turns a file into a :class:`Document`.
Every :class:`Block` and :class:`Sentence` keeps ``start``/``end`` character
offsets into ``Document.text`` (the decoded original, front matter included),
so later stages can write translated text back in place while everything
outside the sentence spans (markup, URLs, images, front matter) stays as it was.

``Sentence.text`` is the *visible* text: link text kept, link URLs removed (they
are remembered in ``Sentence.urls``), emphasis markers and HTML tags removed.
``Sentence.norm`` is the matching view: for Chinese, Simplified script (OpenCC)
with full-width punctuation folded, so anchors and termbase matching work the
same on Traditional-script documents while outputs keep the original text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["BlockKind", "Sentence", "Block", "Document"]


class BlockKind(StrEnum):
    """What a block is in the document's structure."""

    HEADING = "heading"  # a markdown/HTML heading, or a bold line standing alone (a FAQ question)
    PARAGRAPH = "paragraph"
    QUOTE = "quote"  # paragraph inside a blockquote; Block.depth says how deep
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    CAPTION = "caption"  # small print under an image (HTML <small>, <figcaption>)


@dataclass(frozen=True)
class Sentence:
    """One sentence: visible text plus its span in the original document text."""

    id: str  # stable within the document: "<block id>.s<k>", e.g. "b12.s3"
    text: str  # visible text (markup stripped, link text kept)
    start: int  # offset of the sentence's first character in Document.text
    end: int  # offset one past its last character in Document.text
    norm: str = ""  # matching view (Simplified script, folded punctuation); "" means same as text
    urls: tuple[str, ...] = ()  # URLs of links whose text lies in this sentence
    codes: tuple[str, ...] = ()  # inline code spans in this sentence

    @property
    def view(self) -> str:
        """The text to match against: ``norm`` if set, else ``text``."""
        return self.norm or self.text


@dataclass(frozen=True)
class Block:
    """A structural unit: a heading/question, paragraph, quote paragraph or list item."""

    id: str  # "b<k>", k counted from 0 over the blocks that hold text
    kind: BlockKind
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    depth: int = 0  # blockquote nesting depth (1 for "> ", 2 for "> > "), list depth for items
    urls: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Document:
    """A read document: original text, detected language/script, blocks, metadata."""

    path: str
    text: str  # decoded original text (BOM removed), offsets refer to it
    lang: str  # BCP-47-ish: "zh", "en", ...
    blocks: tuple[Block, ...]
    script: str = ""  # "Hans" / "Hant" for Chinese, "" otherwise
    encoding: str = "utf-8"
    format: str = "markdown"  # "markdown", "html", "text"
    metadata: dict[str, str] = field(default_factory=dict)  # title, url, date, ...
    images: tuple[tuple[int, int], ...] = ()  # spans of images (never translated)

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for b in self.blocks for s in b.sentences)

    def block(self, block_id: str) -> Block:
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)
