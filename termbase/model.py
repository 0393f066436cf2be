"""The termbase's data model: concept entries with source terms and renderings.

An :class:`Entry` is one concept.  It has a preferred source term plus source
variants (the FAQ writes chain-of-thought as 思维链, 链式思维 and 推理链思维),
one preferred target rendering, allowed target variants, forbidden renderings,
and curation data (status, part of speech, domain, note, provenance).

``enforce=False`` marks an ambiguous term (推理 alone: reasoning or inference?)
that is recorded and matched, but never forces a rendering; the longer, context
bearing terms (推理模型, 推理成本) carry the rule instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = ["Status", "Provenance", "Entry", "STATUSES"]


class Status(str, Enum):  # noqa: UP042 - the fixed model; str mix-in kept as designed
    CANDIDATE = "candidate"
    APPROVED = "approved"
    DEPRECATED = "deprecated"

    def __str__(self) -> str:
        return self.value


STATUSES = tuple(s.value for s in Status)


@dataclass(frozen=True)
class Provenance:
    """Where the rendering was seen: a document (or TMX) and segment ids, with a count."""

    source: str  # e.g. "deepseek/faq" or a file name
    count: int = 1
    example: str = ""  # segment ids or a short pointer, never copied article text

    def __str__(self) -> str:
        tail = f" {self.example}" if self.example else ""
        return f"{self.source}×{self.count}{tail}"


@dataclass(frozen=True)
class Entry:
    """One concept of the termbase."""

    source: str  # preferred source term (e.g. 蒸馏)
    target: str  # preferred target rendering (e.g. distillation)
    source_variants: tuple[str, ...] = ()
    target_variants: tuple[str, ...] = ()  # also accepted in a translation
    forbidden: tuple[str, ...] = ()  # must not appear for this source term
    status: Status = Status.CANDIDATE
    pos: str = ""  # part of speech: noun, verb, propn, ...
    domain: str = ""
    note: str = ""
    enforce: bool = True  # False: ambiguous, never forces a rendering
    provenance: tuple[Provenance, ...] = ()
    id: int | None = None  # store id, None until stored
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def source_terms(self) -> tuple[str, ...]:
        return (self.source, *self.source_variants)

    @property
    def accepted_targets(self) -> tuple[str, ...]:
        return (self.target, *self.target_variants)

    @property
    def approved(self) -> bool:
        return self.status is Status.APPROVED
