"""Document reading, sentence segmentation and alignment.

Importing this package loads no model or tokenizer: OpenCC and pysbd are
loaded on first use.
"""

from align.aligner import Alignment, align_documents
from align.beads import Bead
from align.costs import AlignConfig
from align.document import Block, BlockKind, Document, Sentence
from align.encoding import decode_bytes, read_text
from align.outputs import write_alignment
from align.reader import guess_format, read_document, read_string
from align.script import detect_lang, detect_script, fold_punct, simplified_view
from align.segment import SegmentOptions, segment
from align.tmx import TranslationUnit, read_tmx, write_tmx

__all__ = [
    "AlignConfig",
    "Alignment",
    "Bead",
    "align_documents",
    "write_alignment",
    "TranslationUnit",
    "read_tmx",
    "write_tmx",
    "Block",
    "BlockKind",
    "Document",
    "Sentence",
    "decode_bytes",
    "read_text",
    "guess_format",
    "read_document",
    "read_string",
    "detect_lang",
    "detect_script",
    "fold_punct",
    "simplified_view",
    "SegmentOptions",
    "segment",
]
