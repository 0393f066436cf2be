"""Tab-separated termbases: the committed, diffable form (``corpora/*/termbase.tsv``).

The column layout, multi-value separator and escaping are documented in
:mod:`termbase.formats._delimited`, shared with CSV.
"""

from __future__ import annotations

from termalign.termbase.formats._delimited import COLUMNS, DelimitedFormat

__all__ = ["TsvFormat", "COLUMNS"]


class TsvFormat(DelimitedFormat):
    name = "tsv"
    extensions = (".tsv", ".tab")
    description = "tab-separated values, one concept per row (the curated, diffable form)"
    delimiter = "\t"
