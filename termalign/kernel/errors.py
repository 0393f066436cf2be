"""The one small error hierarchy shared by the libraries.

Library code raises these; only ``termalign.cli`` turns them into messages
and exit codes.  Every error carries the path and line it concerns when known,
and ``str(error)`` is one sentence a translator can act on.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "TermalignError",
    "DocumentError",
    "AlignmentError",
    "TermbaseError",
    "ModelError",
    "ConfigError",
]


class TermalignError(Exception):
    """Base of every error the libraries raise on purpose."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class DocumentError(TermalignError):
    """A document cannot be read: missing, binary, undecodable, malformed."""


class AlignmentError(TermalignError):
    """Two documents cannot be aligned as asked."""


class TermbaseError(TermalignError):
    """A termbase cannot be read, written or changed as asked."""


class ModelError(TermalignError):
    """A model cannot be installed, converted or loaded."""


class ConfigError(TermalignError):
    """A setting, manifest or command-line value is invalid."""

    exit_code = 2
