"""Document reading, sentence segmentation and alignment.

Importing this package loads no model or tokenizer: OpenCC and pysbd are
loaded on first use.
"""

from termalign.align.aligner import Alignment, align_documents
from termalign.align.beads import Bead
from termalign.align.costs import AlignConfig
from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.encoding import decode_bytes, read_text
from termalign.align.outputs import write_alignment
from termalign.align.reader import guess_format, read_document, read_string
from termalign.align.script import detect_lang, detect_script, fold_punct, simplified_view
from termalign.align.segment import SegmentOptions, segment
from termalign.align.tmx import TranslationUnit, read_tmx, write_tmx

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
