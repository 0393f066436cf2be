"""termbase: concept entries, a SQLite store, exchange formats and term matching.

Importing this package loads only the data model; the store, formats and
matcher load on first use of their names (nothing heavy happens at import).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from termbase.model import STATUSES, Entry, Provenance, Status

if TYPE_CHECKING:
    from termbase.formats import FORMATS, ImportResult, export_entries, import_entries
    from termbase.matcher import TargetSpan, TermHit, TermMatcher, find_forbidden, find_targets, find_terms
    from termbase.store import Termbase, load_termbase
    from termbase.validate import Problem, TermbaseProblems, content_hash

__all__ = [
    "Entry",
    "Status",
    "Provenance",
    "STATUSES",
    "Termbase",
    "load_termbase",
    "FORMATS",
    "ImportResult",
    "import_entries",
    "export_entries",
    "TermMatcher",
    "TermHit",
    "TargetSpan",
    "find_terms",
    "find_targets",
    "find_forbidden",
    "Problem",
    "TermbaseProblems",
    "content_hash",
]

_LAZY = {
    "Termbase": "termbase.store",
    "load_termbase": "termbase.store",
    "FORMATS": "termbase.formats",
    "ImportResult": "termbase.formats",
    "import_entries": "termbase.formats",
    "export_entries": "termbase.formats",
    "TermMatcher": "termbase.matcher",
    "TermHit": "termbase.matcher",
    "TargetSpan": "termbase.matcher",
    "find_terms": "termbase.matcher",
    "find_targets": "termbase.matcher",
    "find_forbidden": "termbase.matcher",
    "Problem": "termbase.validate",
    "TermbaseProblems": "termbase.validate",
    "content_hash": "termbase.validate",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'termbase' has no attribute {name!r}")
