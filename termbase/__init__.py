"""termbase: concept entries, a SQLite store, exchange formats and term matching.

Importing this package loads only the data model; the store, formats and
matcher load on first use of their names (nothing heavy happens at import).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from termalign.termbase.model import STATUSES, Entry, Provenance, Status

if TYPE_CHECKING:
    from termalign.termbase.formats import FORMATS, ImportResult, export_entries, import_entries
    from termalign.termbase.matcher import (
        TargetSpan,
        TermHit,
        TermMatcher,
        find_forbidden,
        find_targets,
        find_terms,
    )
    from termalign.termbase.store import Termbase, load_termbase
    from termalign.termbase.validate import Problem, TermbaseProblems, content_hash

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
    "Termbase": "termalign.termbase.store",
    "load_termbase": "termalign.termbase.store",
    "FORMATS": "termalign.termbase.formats",
    "ImportResult": "termalign.termbase.formats",
    "import_entries": "termalign.termbase.formats",
    "export_entries": "termalign.termbase.formats",
    "TermMatcher": "termalign.termbase.matcher",
    "TermHit": "termalign.termbase.matcher",
    "TargetSpan": "termalign.termbase.matcher",
    "find_terms": "termalign.termbase.matcher",
    "find_targets": "termalign.termbase.matcher",
    "find_forbidden": "termalign.termbase.matcher",
    "Problem": "termalign.termbase.validate",
    "TermbaseProblems": "termalign.termbase.validate",
    "content_hash": "termalign.termbase.validate",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'termalign.termbase' has no attribute {name!r}")
