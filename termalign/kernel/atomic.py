"""Atomic file writes shared by every library: a crash never leaves half a file.

Data goes to a temporary file in the destination folder, which is then renamed
over the destination.  OS errors become the caller's error class, naming the file.
A destination that already exists keeps its permission bits (a 0600 termbase
stays 0600); a new file is 0644.  A symbolic link is written through: its
target is replaced and the link stays.  :func:`locked` serialises the
read-modify-write of one file between processes (an advisory lock on its folder).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from termalign.kernel.errors import TermalignError

__all__ = ["atomic_write_bytes", "atomic_write_text", "locked", "same_file"]

_NEW_FILE_MODE = 0o644  # outputs are ordinary shared files


def _destination(path: Path) -> Path:
    """Where the bytes really go: a symlink's final target (relative links resolved), else ``path``."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write_bytes(
    path: str | Path, data: bytes, *, error: type[TermalignError] = TermalignError
) -> None:
    """Write ``data`` to ``path`` atomically; an OS failure raises ``error`` naming the file."""
    path = Path(path)
    target = _destination(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    except OSError as exc:
        raise error(f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise error(f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the old file's bits, or 0644 for a new one
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise error(f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str, *, error: type[TermalignError] = TermalignError) -> None:
    """Write ``text`` as UTF-8 (newlines untranslated) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), error=error)


@contextmanager
def locked(path: str | Path, *, error: type[TermalignError] = TermalignError) -> Iterator[None]:
    """Hold an exclusive advisory lock for ``path`` (waits while another process holds it).

    The lock is an ``flock`` on the (symlink-resolved) file's folder, not on the
    file itself, because an atomic write replaces the file's inode; the folder
    stays, and no lock file is left behind.  Without ``fcntl`` (Windows) a
    ``.NAME.lock`` file beside it is locked instead.
    """
    target = _destination(Path(path))
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is not None:
            fd = os.open(target.parent, os.O_RDONLY)
        else:
            fd = os.open(target.with_name(f".{target.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise error(f"cannot lock the file ({exc.strerror or exc})", path=path) from exc
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            _windows_lock(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _windows_lock(fd: int) -> None:
    import msvcrt
    import time

    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            return
        except OSError:
            time.sleep(0.05)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (resolved paths, or the same inode when both exist)."""
    first, second = Path(a), Path(b)
    try:
        if first.exists() and second.exists():
            return os.path.samefile(first, second)
    except OSError:
        pass
    return first.resolve() == second.resolve()
