"""Terminology QA: small registered checks with a severity (docs/architecture.md).

Each check is a function from one :class:`Segment` (source, target, and the
termbase hits found in the source's Simplified view) to the :class:`Issue`
values it finds.  ``@check(name, severity)`` adds it to :data:`CHECKS`; the
``check`` command and the translator's self-check run the same functions.

:func:`check_segment` runs the checks on one pair; :func:`check_pairs` runs them
over aligned pairs and adds the document-level summary: term accuracy (target
renderings used / expected, over the occurrences of approved, enforced terms),
forbidden renderings seen, and per-term statistics.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from termalign.align.script import HAN_RUN
from termalign.kernel.signature import Signature
from termalign.termbase.matcher import TermMatcher, find_forbidden, find_targets
from termalign.termbase.model import Entry, Status

if TYPE_CHECKING:
    from termalign.termbase.matcher import TermHit

__all__ = [
    "Severity",
    "Issue",
    "Segment",
    "Check",
    "CHECKS",
    "check",
    "check_segment",
    "check_pairs",
    "CheckReport",
    "SegmentResult",
    "TermStat",
    "Summary",
    "source_numbers",
    "target_numbers",
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Issue:
    """One problem in one segment; ``source_span`` indexes the source text (None: whole segment)."""

    check: str
    severity: Severity
    message: str
    source_span: tuple[int, int] | None = None
    term: str = ""  # preferred source term of the entry concerned, if any


class Finder(Protocol):
    """What the checks need from :class:`termbase.matcher.TermMatcher`."""

    def find(self, text: str) -> Sequence[TermHit]: ...


@dataclass(frozen=True)
class Segment:
    """The input of every check: one source/target pair and the term hits in the source."""

    source: str
    target: str
    hits: tuple[TermHit, ...] = ()
    id: str = ""


SegmentCheck = Callable[[Segment], Iterable[Issue]]


@dataclass(frozen=True)
class Check:
    name: str
    severity: Severity
    func: SegmentCheck
    description: str = ""


CHECKS: dict[str, Check] = {}


def check(name: str, severity: Severity | str) -> Callable[[SegmentCheck], SegmentCheck]:
    """Register a segment check under ``name`` with a default ``severity``."""
    level = Severity(severity)

    def register(func: SegmentCheck) -> SegmentCheck:
        if name in CHECKS:
            raise ValueError(f"a check named {name!r} is already registered")
        doc = (func.__doc__ or "").strip().splitlines()
        CHECKS[name] = Check(name, level, func, doc[0] if doc else "")
        return func

    return register


# -- target matching -------------------------------------------------------------------------------


def target_count(text: str, entry: Entry) -> int:
    """How often any accepted rendering of ``entry`` occurs in ``text`` (the matcher's rules)."""
    return len(find_targets(text, entry))


def _active(entry: Entry) -> bool:
    return entry.status is not Status.DEPRECATED


def _enforced(entry: Entry) -> bool:
    return entry.status is Status.APPROVED and entry.enforce


# -- the checks ------------------------------------------------------------------------------------


@check("term-missing", Severity.ERROR)
def term_missing(seg: Segment) -> Iterator[Issue]:
    """An approved, enforced source term whose rendering (preferred or variant) is not in the target."""
    if not seg.target.strip():
        return
    reported: set[str] = set()
    for hit in seg.hits:
        entry = hit.entry
        if not _enforced(entry) or entry.source in reported:
            continue
        if target_count(seg.target, entry) == 0:
            reported.add(entry.source)
            wanted = " / ".join(entry.accepted_targets[:3])
            yield Issue(
                "term-missing",
                CHECKS["term-missing"].severity,
                f"{hit.term} should be rendered as {wanted!r}",
                (hit.start, hit.end),
                entry.source,
            )


@check("forbidden-term", Severity.ERROR)
def forbidden_term(seg: Segment) -> Iterator[Issue]:
    """A rendering the termbase forbids for a source term occurs in the target."""
    seen: set[tuple[str, str]] = set()
    for hit in seg.hits:
        entry = hit.entry
        if not _active(entry) or not entry.forbidden:
            continue
        for span in find_forbidden(seg.target, entry):
            if (entry.source, span.term) in seen:
                continue
            seen.add((entry.source, span.term))
            yield Issue(
                "forbidden-term",
                CHECKS["forbidden-term"].severity,
                f"{hit.term} is rendered with the forbidden {span.term!r}; use {entry.target!r}",
                (hit.start, hit.end),
                entry.source,
            )


@check("number-mismatch", Severity.WARNING)
def number_mismatch(seg: Segment) -> Iterator[Issue]:
    """A source number missing from the target; a wrong amount, percentage, date or currency is an error.

    Read on the Simplified, half-width view (560萬美元 is 5.6 million US dollars,
    5.5萬億人民幣 5.5 trillion yuan); see :mod:`termbase.amounts`.  A bare number
    or a year keeps the check's own severity (a warning).
    """
    from termalign.termbase.amounts import amount_problems

    for amount, why in amount_problems(seg.source, seg.target):
        severity = Severity.ERROR if amount.strict else CHECKS["number-mismatch"].severity
        yield Issue("number-mismatch", severity, why, amount.span)


@check("untranslated", Severity.WARNING)
def untranslated(seg: Segment) -> Iterator[Issue]:
    """The target is empty, or still contains Chinese characters."""
    if not HAN_RUN.search(seg.source) and not seg.source.strip():
        return
    if not seg.target.strip():
        yield Issue("untranslated", CHECKS["untranslated"].severity, "the target is empty")
        return
    left = HAN_RUN.findall(seg.target)
    if left:
        sample = "".join(left)[:12]
        yield Issue(
            "untranslated",
            CHECKS["untranslated"].severity,
            f"the target still contains {sum(map(len, left))} Chinese character(s), e.g. {sample!r}",
        )


# -- numbers (kept for callers of the old interface; the rules live in termbase.amounts) -----------


def source_numbers(text: str) -> list[tuple[str, float, tuple[int, int]]]:
    """Numbers of a Chinese segment as ``(raw, value, span)``: 1100亿 is 1.1e11, 560萬 5.6e6; no dates."""
    from termalign.termbase.amounts import source_amounts

    return [(a.raw, a.value, a.span) for a in source_amounts(text) if a.kind != "date"]


def target_numbers(text: str) -> list[float]:
    """Numbers of an English segment; "110 billion", "$5.576M", "180K", "a trillion" are normalised."""
    from termalign.termbase.amounts import target_numbers as numbers

    return [n.value for n in numbers(text)]


# -- running the checks ----------------------------------------------------------------------------


def _matcher(termbase: Any) -> Finder:
    """A finder from a TermMatcher, a Termbase (its ``matcher()``) or a sequence of entries."""
    if hasattr(termbase, "matcher"):
        return termbase.matcher()
    if hasattr(termbase, "find"):
        return termbase

    return TermMatcher(list(termbase))


def _selected(names: Iterable[str] | None) -> list[Check]:
    if names is None:
        return list(CHECKS.values())
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise KeyError(f"unknown check(s): {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    return [CHECKS[n] for n in names]


def _segment(source: str, target: str, finder: Finder, seg_id: str = "") -> Segment:
    return Segment(source, target, tuple(finder.find(source)), seg_id)


def run_checks(seg: Segment, checks: Iterable[str] | None = None) -> list[Issue]:
    """Run registered checks on a prepared segment."""
    return [issue for chk in _selected(checks) for issue in chk.func(seg)]


def check_segment(
    source: str, target: str, termbase: Any, *, checks: Iterable[str] | None = None
) -> list[Issue]:
    """All issues of one pair; ``termbase`` is a TermMatcher, a Termbase or a list of entries."""
    return run_checks(_segment(source, target, _matcher(termbase)), checks)


# -- reports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermStat:
    """How one approved, enforced term fared: occurrences expected, renderings used, forbidden seen."""

    source: str
    target: str
    expected: int = 0
    used: int = 0
    forbidden: int = 0
    forms: tuple[str, ...] = ()  # accepted renderings seen in the targets

    @property
    def accuracy(self) -> float | None:
        return self.used / self.expected if self.expected else None


@dataclass(frozen=True)
class SegmentResult:
    id: str
    source: str
    target: str
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class Summary:
    segments: int
    segments_with_issues: int
    expected: int
    used: int
    forbidden: int
    by_check: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        """Term accuracy: renderings used / expected over approved enforced occurrences."""
        return self.used / self.expected if self.expected else None


@dataclass(frozen=True)
class CheckReport:
    segments: tuple[SegmentResult, ...]
    summary: Summary
    terms: tuple[TermStat, ...]
    inconsistent: tuple[TermStat, ...] = ()  # terms rendered in more than one accepted way
    signature: dict[str, Any] = field(default_factory=dict)  # Signature.as_dict(): tool, version, ...

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (issues per segment, summary, per-term stats)."""
        return {
            "signature": dict(self.signature),
            "summary": {
                "segments": self.summary.segments,
                "segments_with_issues": self.summary.segments_with_issues,
                "expected": self.summary.expected,
                "used": self.summary.used,
                "accuracy": self.summary.accuracy,
                "forbidden": self.summary.forbidden,
                "by_check": self.summary.by_check,
                "by_severity": self.summary.by_severity,
            },
            "segments": [
                {
                    "id": s.id,
                    "issues": [
                        {
                            "check": i.check,
                            "severity": i.severity.value,
                            "message": i.message,
                            "source_span": list(i.source_span) if i.source_span else None,
                            "term": i.term,
                        }
                        for i in s.issues
                    ],
                }
                for s in self.segments
                if s.issues
            ],
            "terms": [
                {
                    "source": t.source,
                    "target": t.target,
                    "expected": t.expected,
                    "used": t.used,
                    "forbidden": t.forbidden,
                    "accuracy": t.accuracy,
                    "forms": list(t.forms),
                }
                for t in self.terms
            ],
            "inconsistent": [{"source": t.source, "forms": list(t.forms)} for t in self.inconsistent],
        }


def _pair_fields(pair: Any, k: int) -> tuple[str, str, str]:
    if isinstance(pair, tuple):
        return str(pair[0]), str(pair[1]), str(k)
    seg_id = getattr(pair, "id", "") or getattr(pair, "tuid", "") or str(k)
    return pair.source, pair.target, str(seg_id)


class _Tally:
    """Per-term counts gathered while the segments are checked."""

    def __init__(self) -> None:
        self.expected: Counter[str] = Counter()
        self.used: Counter[str] = Counter()
        self.forbidden: Counter[str] = Counter()
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)
        self.entries: dict[str, Entry] = {}

    def add(self, seg: Segment, issues: Sequence[Issue]) -> None:
        self.forbidden.update(i.term for i in issues if i.check == "forbidden-term")
        for hit in seg.hits:
            self.entries.setdefault(hit.entry.source, hit.entry)
        if not seg.target.strip():
            return  # an untranslated segment is the untranslated check's finding, not a term miss
        occurrences: Counter[str] = Counter(h.entry.source for h in seg.hits if _enforced(h.entry))
        for source, n in occurrences.items():
            entry = self.entries[source]
            self.expected[source] += n
            self.used[source] += min(n, target_count(seg.target, entry))
            for span in find_targets(seg.target, entry):
                self.forms[source][span.term.casefold()] += 1

    def stats(self) -> tuple[TermStat, ...]:
        sources = sorted(set(self.expected) | set(self.forbidden))
        return tuple(
            TermStat(
                s,
                self.entries[s].target,
                self.expected[s],
                self.used[s],
                self.forbidden[s],
                tuple(self.forms[s]),
            )
            for s in sources
        )


def check_pairs(pairs: Iterable[Any], termbase: Any, *, checks: Iterable[str] | None = None) -> CheckReport:
    """Check aligned pairs (objects with ``source``/``target``[/``id``], or tuples) against a termbase."""
    finder = _matcher(termbase)
    names = [c.name for c in _selected(checks)]
    tally = _Tally()
    results: list[SegmentResult] = []
    by_check: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for k, pair in enumerate(pairs, start=1):
        source, target, seg_id = _pair_fields(pair, k)
        seg = _segment(source, target, finder, seg_id)
        issues = run_checks(seg, names)
        tally.add(seg, issues)
        by_check.update(i.check for i in issues)
        by_severity.update(i.severity.value for i in issues)
        results.append(SegmentResult(seg_id, source, target, tuple(issues)))
    terms = tally.stats()
    summary = Summary(
        segments=len(results),
        segments_with_issues=sum(1 for r in results if r.issues),
        expected=sum(t.expected for t in terms),
        used=sum(t.used for t in terms),
        forbidden=sum(t.forbidden for t in terms),
        by_check=dict(by_check),
        by_severity=dict(by_severity),
    )
    inconsistent = tuple(t for t in terms if len(t.forms) > 1)
    termbase_hash = str(termbase.hash()) if hasattr(termbase, "hash") else None
    signature = Signature.of(checks=",".join(names), termbase=termbase_hash).as_dict()
    return CheckReport(tuple(results), summary, terms, inconsistent, signature)


from termalign.termbase import invented as _invented  # noqa: E402,F401  registers "invented-content"
