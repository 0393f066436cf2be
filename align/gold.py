"""Hand-aligned gold beads and strict bead F1.

A gold file is JSON Lines.  An optional first line ``{"meta": {...}}`` names
the documents; every other line is one bead::

    {"source_ids": ["b3.s0"], "target_ids": ["b3.s0", "b3.s1"],
     "source_spans": [[812, 840]], "target_spans": [[901, 950], [951, 990]]}

Only sentence ids and character offsets are stored, never text (the corpus is
third-party).  The offsets say where each sentence lay in the original file
when the gold was made; :func:`check_gold` compares them with a fresh reading
so that a change in segmentation is reported instead of silently lowering F1.

**Strict bead F1.**  Let ``G`` be the gold beads and ``C`` the sentences they
cover (source and target ids, kept apart).  A predicted bead is *in scope* if
any of its sentences is in ``C``; predicted beads entirely outside ``C`` are
ignored, since the gold says nothing about them.  A predicted bead is
*correct* only if its source ids and target ids both equal those of one gold
bead (order kept).  Precision = correct / in-scope predicted beads; recall =
correct / gold beads; F1 is their harmonic mean.  1-0 and 0-1 beads count like
any other bead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from termalign.align.beads import Bead
from termalign.align.document import Document
from termalign.kernel.errors import DocumentError

__all__ = [
    "GoldBead",
    "GoldSet",
    "F1Result",
    "Calibration",
    "calibration",
    "IndexBead",
    "IndexScore",
    "load_gold",
    "check_gold",
    "bead_f1",
    "gold_line",
    "index_beads",
    "parse_index_gold",
]

Ids = tuple[str, ...]


@dataclass(frozen=True)
class GoldBead:
    source_ids: Ids
    target_ids: Ids
    source_spans: tuple[tuple[int, int], ...] = ()
    target_spans: tuple[tuple[int, int], ...] = ()

    @property
    def key(self) -> tuple[Ids, Ids]:
        return self.source_ids, self.target_ids


@dataclass(frozen=True)
class GoldSet:
    beads: tuple[GoldBead, ...]
    meta: dict[str, str] = field(default_factory=dict)
    path: str = ""


@dataclass(frozen=True)
class F1Result:
    precision: float
    recall: float
    f1: float
    correct: int
    predicted: int  # predicted beads in scope
    gold: int
    errors: tuple[tuple[Ids, Ids], ...] = ()  # in-scope predicted beads that are not gold


def _ids(value: object) -> Ids | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _spans(value: object) -> tuple[tuple[int, int], ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v) for v in value
    ):
        return tuple((int(a), int(b)) for a, b in value)
    return None


def _parse_line(record: object) -> tuple[GoldBead | None, str]:
    if not isinstance(record, dict):
        return None, "a line must hold a JSON object"
    src, tgt = _ids(record.get("source_ids")), _ids(record.get("target_ids"))
    src_spans, tgt_spans = _spans(record.get("source_spans")), _spans(record.get("target_spans"))
    if src is None or tgt is None:
        return None, "source_ids and target_ids must be lists of strings"
    if not src and not tgt:
        return None, "a bead needs at least one sentence"
    if src_spans is None or tgt_spans is None:
        return None, "spans must be lists of [start, end] integer pairs"
    if (src_spans and len(src_spans) != len(src)) or (tgt_spans and len(tgt_spans) != len(tgt)):
        return None, "there must be one span per sentence id"
    return GoldBead(src, tgt, src_spans, tgt_spans), ""


def load_gold(path: str | Path) -> GoldSet:
    """Read a gold file; every malformed line is reported at once."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DocumentError(f"cannot read the gold file ({exc.strerror or exc})", path=path) from exc
    beads: list[GoldBead] = []
    meta: dict[str, str] = {}
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg})")
            continue
        if isinstance(record, dict) and "meta" in record:
            meta = {str(k): str(v) for k, v in dict(record["meta"]).items()}
            continue
        bead, problem = _parse_line(record)
        if bead is None:
            problems.append(f"line {number}: {problem}")
            continue
        for sid in (*("s:" + i for i in bead.source_ids), *("t:" + i for i in bead.target_ids)):
            if sid in seen:
                problems.append(
                    f"line {number}: sentence {sid[2:]} is already in the bead on line {seen[sid]}"
                )
            seen[sid] = number
        beads.append(bead)
    if problems:
        raise DocumentError("invalid gold file: " + "; ".join(problems), path=path)
    return GoldSet(tuple(beads), meta, str(path))


def check_gold(gold: GoldSet, source: Document, target: Document) -> list[str]:
    """Differences between the gold's ids/offsets and a fresh reading (empty if they agree)."""
    problems: list[str] = []
    for side, doc, pick in (("source", source, 0), ("target", target, 1)):
        where = {s.id: (s.start, s.end) for s in doc.sentences}
        for bead in gold.beads:
            ids = bead.source_ids if pick == 0 else bead.target_ids
            spans = bead.source_spans if pick == 0 else bead.target_spans
            for k, sid in enumerate(ids):
                if sid not in where:
                    problems.append(f"{side} sentence {sid} no longer exists")
                elif spans and where[sid] != spans[k]:
                    problems.append(
                        f"{side} sentence {sid} moved from {list(spans[k])} to {list(where[sid])}"
                    )
    return problems


def _key(bead: Bead | tuple[Sequence[str], Sequence[str]]) -> tuple[Ids, Ids]:
    if isinstance(bead, Bead):
        return bead.source_ids, bead.target_ids
    return tuple(bead[0]), tuple(bead[1])


def bead_f1(predicted: Iterable[Bead | tuple[Sequence[str], Sequence[str]]], gold: GoldSet) -> F1Result:
    """Strict bead precision, recall and F1 over the region the gold covers (see the module docstring)."""
    gold_keys = {b.key for b in gold.beads}
    covered_src = {i for b in gold.beads for i in b.source_ids}
    covered_tgt = {i for b in gold.beads for i in b.target_ids}
    in_scope = [
        key
        for key in map(_key, predicted)
        if any(i in covered_src for i in key[0]) or any(i in covered_tgt for i in key[1])
    ]
    correct = sum(1 for key in in_scope if key in gold_keys)
    precision = correct / len(in_scope) if in_scope else 0.0
    recall = correct / len(gold_keys) if gold_keys else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    errors = tuple(key for key in in_scope if key not in gold_keys)
    return F1Result(precision, recall, f1, correct, len(in_scope), len(gold_keys), errors)


def gold_line(bead: GoldBead) -> str:
    """One bead as a gold-file line."""
    record = {
        "source_ids": list(bead.source_ids),
        "target_ids": list(bead.target_ids),
        "source_spans": [list(s) for s in bead.source_spans],
        "target_spans": [list(s) for s in bead.target_spans],
    }
    return json.dumps(record, ensure_ascii=False)


# --- Index gold (Vecalign / Bertalign ``[src ids]:[tgt ids]`` files) and their scores ----------

IndexBead = tuple[tuple[int, ...], tuple[int, ...]]


def parse_index_gold(text: str, path: str = "<string>") -> list[IndexBead]:
    """Beads of a ``[0,1]:[0]`` file (one bead per line, 0-based line ids); bad lines reported at once."""
    beads: list[IndexBead] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            left, right = line.split(":")
            src = tuple(json.loads(left))
            tgt = tuple(json.loads(right))
            if not all(isinstance(x, int) for x in (*src, *tgt)):
                raise ValueError
        except ValueError:
            problems.append(f"line {number}: expected [ids]:[ids]")
            continue
        beads.append((src, tgt))
    if problems:
        raise DocumentError("invalid alignment file: " + "; ".join(problems), path=path)
    return beads


@dataclass
class IndexScore:
    """Counts behind strict and lax precision/recall, summed over documents (micro-average)."""

    strict_tp_p: int = 0  # system beads that are gold beads
    lax_tp_p: int = 0  # system beads that are gold beads or link a gold-linked pair
    system: int = 0
    strict_tp_r: int = 0  # gold beads (both sides non-empty) found among system beads
    lax_tp_r: int = 0
    gold: int = 0

    def add(self, system: Sequence[IndexBead], gold: Sequence[IndexBead]) -> None:
        gold_set = set(gold)
        gold_links = {(i, j) for s, t in gold for i in s for j in t}
        sys_full = [b for b in system if b[0] and b[1]]
        sys_set, sys_links = set(sys_full), {(i, j) for s, t in sys_full for i in s for j in t}
        for bead in system:
            self.system += 1
            if bead in gold_set:
                self.strict_tp_p += 1
                self.lax_tp_p += 1
            elif any((i, j) in gold_links for i in bead[0] for j in bead[1]):
                self.lax_tp_p += 1
        for bead in gold:
            if not (bead[0] and bead[1]):
                continue
            self.gold += 1
            if bead in sys_set:
                self.strict_tp_r += 1
                self.lax_tp_r += 1
            elif any((i, j) in sys_links for i in bead[0] for j in bead[1]):
                self.lax_tp_r += 1

    @staticmethod
    def _f1(tp_p: int, n_p: int, tp_r: int, n_r: int) -> float:
        p = tp_p / n_p if n_p else 0.0
        r = tp_r / n_r if n_r else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strict_f1(self) -> float:
        return self._f1(self.strict_tp_p, self.system, self.strict_tp_r, self.gold)

    @property
    def lax_f1(self) -> float:
        return self._f1(self.lax_tp_p, self.system, self.lax_tp_r, self.gold)


def index_beads(beads: Iterable[Bead], source: Document, target: Document) -> list[IndexBead]:
    """Beads as 0-based line numbers of the two documents' sentences (for pre-split files)."""

    def line_of(doc: Document) -> dict[str, int]:
        starts: dict[str, int] = {}
        for s in doc.sentences:
            starts[s.id] = doc.text.count("\n", 0, s.start)
        return starts

    ls, lt = line_of(source), line_of(target)
    return [(tuple(ls[i] for i in b.source_ids), tuple(lt[i] for i in b.target_ids)) for b in beads]


@dataclass(frozen=True)
class Calibration:
    """Is a bead's score worth trusting?  Counts of right beads above and below the flag threshold."""

    threshold: float
    high: int  # beads scoring >= threshold
    high_right: int
    low: int  # flagged beads
    low_wrong: int

    @property
    def high_precision(self) -> float:
        """Share of unflagged beads that are right (target: >= 0.9)."""
        return self.high_right / self.high if self.high else 0.0

    @property
    def flag_precision(self) -> float:
        """Share of flagged beads that are wrong (target: > 0.5)."""
        return self.low_wrong / self.low if self.low else 0.0


def calibration(scored: Iterable[tuple[float, bool]], threshold: float = 0.5) -> Calibration:
    """:class:`Calibration` of (score, right) pairs at ``threshold``."""
    high = high_right = low = low_wrong = 0
    for score, right in scored:
        if score >= threshold:
            high += 1
            high_right += right
        else:
            low += 1
            low_wrong += not right
    return Calibration(threshold, high, high_right, low, low_wrong)
