"""Scoring ranked term candidates against a reference termbase (recall@k, precision@k).

A candidate matches a reference entry when its source is one of the entry's source forms
and its target one of the entry's target forms, both normalised: Chinese in the Simplified
view without spaces, English lowercased with hyphens as spaces and nouns lemmatised
(``chains-of-thought`` = ``chain of thought``, ``experts`` = ``expert``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termalign.align.script import simplified_view
from termalign.termbase.extract import Candidate
from termalign.termbase.model import Entry
from termalign.termbase.termhood import en_tokens

__all__ = ["Reference", "norm_zh", "norm_en", "reference_entry", "reference_from_termbase", "evaluate"]

KS = (50, 100, 200)


def norm_zh(text: str) -> str:
    return re.sub(r"\s+", "", simplified_view(text)).lower()


def norm_en(text: str) -> str:
    return " ".join(t.key.lower() for t in en_tokens(text.replace("-", " ")) if t is not None)


@dataclass(frozen=True)
class Reference:
    """One reference entry: its normalised source and target forms, and a label to print."""

    sources: frozenset[str]
    targets: frozenset[str]
    label: str


def reference_entry(sources: Sequence[str], targets: Sequence[str]) -> Reference:
    src = frozenset(norm_zh(s) for s in sources if s.strip())
    tgt = frozenset(norm_en(t) for t in targets if t.strip())
    return Reference(src, tgt, f"{sources[0]} -> {targets[0]}")


def reference_from_termbase(entries: Iterable[Entry], document: str, min_count: int = 2) -> list[Reference]:
    """Translated entries (source ≠ target) seen ``min_count``+ times in ``document`` by their provenance."""
    out = []
    for e in entries:
        seen = sum(p.count for p in e.provenance if p.source == document)
        if seen >= min_count and e.source != e.target:
            out.append(reference_entry([e.source, *e.source_variants], [e.target, *e.target_variants]))
    return out


def match(cand: Candidate, ref: Sequence[Reference]) -> int:
    """Index of the reference entry the candidate matches, -1 if none."""
    s, t = norm_zh(cand.source), norm_en(cand.target)
    return next((k for k, e in enumerate(ref) if s in e.sources and t in e.targets), -1)


def evaluate(cands: Sequence[Candidate], ref: Sequence[Reference]) -> dict[str, float]:
    """recall@50/100/200/all and precision@50 (share of the top 50 that match an entry)."""
    hits = [match(c, ref) for c in cands]
    out: dict[str, float] = {}
    for k in (*KS, len(cands)):
        label = f"recall@{k}" if k in KS else "recall@all"
        out[label] = round(len({h for h in hits[:k] if h >= 0}) / max(len(ref), 1), 4)
    out["precision@50"] = round(sum(h >= 0 for h in hits[:50]) / max(min(50, len(cands)), 1), 4)
    out["reference"] = len(ref)
    out["candidates"] = len(cands)
    return out
