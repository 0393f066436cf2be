"""Comma-separated termbases for spreadsheets; the same columns as TSV.

The column layout, multi-value separator and escaping are documented in
:mod:`termbase.formats._delimited`.
"""

from __future__ import annotations

from termalign.termbase.formats._delimited import COLUMNS, DelimitedFormat

__all__ = ["CsvFormat", "COLUMNS"]


class CsvFormat(DelimitedFormat):
    name = "csv"
    extensions = (".csv",)
    description = "comma-separated values, the same columns as TSV"
    delimiter = ","
