"""What the translation stack returns per segment, shared by documents, batch runs and the server.

A :class:`SegmentRecord` says where a translation came from (translation
memory or machine translation, repaired or not), which termbase terms the
source held, which QA issues remain, and how many attempts it took.  Records
are plain frozen data with a JSON form, so a batch journal can store them and
a server can return them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Origin", "TermUse", "SegmentIssue", "SegmentRecord"]

Origin = Literal["tm-exact", "tm-fuzzy", "mt", "mt-repaired", "copy"]


@dataclass(frozen=True)
class TermUse:
    """One approved term occurrence in a source segment and whether its rendering was used."""

    source: str  # the source term as stored (preferred or variant)
    target: str  # the preferred rendering
    used: bool  # preferred rendering or an allowed variant is present in the translation
    enforced: bool = True  # False for do-not-enforce entries (recorded, never required)


@dataclass(frozen=True)
class SegmentIssue:
    """A QA finding left on the final translation (from ``termbase.checks``)."""

    check: str
    severity: str
    message: str
    term: str = ""


@dataclass(frozen=True)
class SegmentRecord:
    """The outcome for one segment."""

    id: str  # sentence id in its document ("b3.s1"), or the request index for the server
    source: str  # the text the engine saw (inline markup protected as placeholders)
    target: str  # the translation of ``source`` (placeholders still in place)
    origin: Origin
    score: float  # TM similarity for tm-*, engine score (log-probability) for mt
    terms: tuple[TermUse, ...] = ()
    issues: tuple[SegmentIssue, ...] = ()
    attempts: int = 1  # engine calls spent on this segment (0 for TM hits)
    notes: tuple[str, ...] = field(default=())  # e.g. "repaired: re-prompt", "markup restored: 1 missing"
    quality: float | None = None  # estimated quality in [0, 1] (translator.quality); None: not scored

    @property
    def term_expected(self) -> int:
        return sum(1 for t in self.terms if t.enforced)

    @property
    def term_used(self) -> int:
        return sum(1 for t in self.terms if t.enforced and t.used)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentRecord:
        return cls(
            id=data["id"],
            source=data["source"],
            target=data["target"],
            origin=data["origin"],
            score=float(data["score"]),
            terms=tuple(TermUse(**t) for t in data.get("terms", ())),
            issues=tuple(SegmentIssue(**i) for i in data.get("issues", ())),
            attempts=int(data.get("attempts", 1)),
            notes=tuple(data.get("notes", ())),
            quality=None if data.get("quality") is None else float(data["quality"]),
        )
