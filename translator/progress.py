"""Progress reporting: the library calls back, the CLI draws.

Library code never prints; long operations accept an optional callback that
receives :class:`ProgressEvent` values and may be ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ProgressEvent", "ProgressCallback", "report"]


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` units of ``stage`` finished (``total`` None when unknown)."""

    stage: str
    done: int
    total: int | None
    detail: str = ""


ProgressCallback = Callable[[ProgressEvent], None]


def report(
    callback: ProgressCallback | None, stage: str, done: int, total: int | None, detail: str = ""
) -> None:
    """Call ``callback`` if there is one."""
    if callback is not None:
        callback(ProgressEvent(stage, done, total, detail))
