"""Atomic file writes shared by every library: a crash never leaves half a file.

Data goes to a temporary file in the destination folder, which is then renamed
over the destination.  OS errors become the caller's error class, naming the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from termalign.kernel.errors import TermalignError

__all__ = ["atomic_write_bytes", "atomic_write_text"]


def atomic_write_bytes(
    path: str | Path, data: bytes, *, error: type[TermalignError] = TermalignError
) -> None:
    """Write ``data`` to ``path`` atomically; an OS failure raises ``error`` naming the file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise error(f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary shared files
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise error(f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str, *, error: type[TermalignError] = TermalignError) -> None:
    """Write ``text`` as UTF-8 (newlines untranslated) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), error=error)
