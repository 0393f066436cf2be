"""XLIFF files of either version: pick the writer by version, the reader by the file's namespace.

XLIFF 1.2 (:mod:`~termalign.align.documents.xliff12`) is the default: every CAT
tool reads it.  XLIFF 2.1 (:mod:`~termalign.align.documents.xliff21`) by name.
"""

from __future__ import annotations

import re
from pathlib import Path

from termalign.align.documents.xliff12 import NAMESPACE as NS12
from termalign.align.documents.xliff12 import read_xliff12, write_xliff12
from termalign.align.documents.xliff21 import NAMESPACE as NS2
from termalign.align.documents.xliff21 import read_xliff21, write_xliff21
from termalign.align.documents.xliff_common import BilingualDocument
from termalign.kernel.errors import ConfigError, DocumentError

__all__ = ["XLIFF_SUFFIXES", "XLIFF_VERSIONS", "is_xliff", "write_xliff", "read_xliff"]

XLIFF_SUFFIXES = (".xlf", ".xliff")
XLIFF_VERSIONS = ("1.2", "2.1")
_NAMESPACE = re.compile(rb"""xmlns\s*=\s*["']([^"']+)["']""")


def is_xliff(path: str | Path) -> bool:
    return Path(path).suffix.lower() in XLIFF_SUFFIXES


def write_xliff(bilingual: BilingualDocument, path: str | Path, version: str = "1.2") -> None:
    if version == "1.2":
        write_xliff12(bilingual, path)
    elif version in ("2.0", "2.1"):
        write_xliff21(bilingual, path)
    else:
        raise ConfigError(f"unknown XLIFF version {version!r} (use {' or '.join(XLIFF_VERSIONS)})")


def read_xliff(path: str | Path) -> BilingualDocument:
    """Read an XLIFF 1.2 or 2.x file (told apart by its namespace)."""
    try:
        head = Path(path).read_bytes()[:4096]
    except OSError as exc:
        raise DocumentError(f"cannot read the XLIFF file ({exc.strerror or exc})", path=path) from exc
    found = _NAMESPACE.search(head)
    namespace = found.group(1).decode("ascii", "replace") if found else ""
    if namespace == NS12:
        return read_xliff12(path)
    if namespace == NS2:
        return read_xliff21(path)
    raise DocumentError("not an XLIFF 1.2 or 2.x file (its namespace is not OASIS XLIFF's)", path=path)
