"""Evaluation of translations: sacrebleu metrics plus terminology accuracy.

:func:`score` computes corpus BLEU, chrF and TER (each with its sacrebleu
signature) and, when the sources and a termbase are given, term accuracy and
forbidden renderings through :func:`termbase.checks.check_pairs` — the same
checks the ``check`` command and the translator use.

:func:`evaluate_faq` is the main job's evaluation step: the FAQ's Chinese
segments that have an English counterpart are translated twice — by the model
alone and by model + termbase + TM — and both are scored side by side.  The TM
is used *leave-one-out*: a segment never finds its own entry (entries with
the same normalised source are hidden from its lookup), so the comparison
measures what the TM contributes beyond copying the answer.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import ConfigError, DocumentError
from termalign.kernel.signature import Signature
from termalign.termbase.checks import check_pairs
from termalign.termbase.extract import load_pairs

if TYPE_CHECKING:
    from termalign.translator.memory import TmEntry, TmMatch, TranslationMemory
    from termalign.translator.stack import Translator

__all__ = ["Score", "EvalResult", "score", "read_segments", "evaluate_faq", "LeaveOneOut"]


@dataclass(frozen=True)
class Score:
    name: str
    score: float
    signature: str
    detail: str = ""


@dataclass(frozen=True)
class EvalResult:
    """Metric scores and, with sources and a termbase, the terminology numbers."""

    segments: int
    scores: tuple[Score, ...]
    term_expected: int | None = None
    term_used: int | None = None
    forbidden: int | None = None
    termbase_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def term_accuracy(self) -> float | None:
        if not self.term_expected or self.term_used is None:
            return None
        return self.term_used / self.term_expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "metrics": {
                s.name: {"score": round(s.score, 4), "signature": s.signature, "detail": s.detail}
                for s in self.scores
            },
            "terms": {
                "expected": self.term_expected,
                "used": self.term_used,
                "accuracy": self.term_accuracy,
                "forbidden": self.forbidden,
                "termbase_hash": self.termbase_hash,
            },
            **self.extra,
        }


def score(
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    sources: Sequence[str] | None = None,
    termbase: Any = None,
) -> EvalResult:
    """Corpus BLEU/chrF/TER of ``hypotheses`` against ``references``; term numbers when possible."""
    # Lazy: sacrebleu (~0.3 s) to import (startup_bench.py).
    from sacrebleu.metrics import BLEU, CHRF, TER

    if len(hypotheses) != len(references):
        raise ConfigError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if sources is not None and len(sources) != len(hypotheses):
        raise ConfigError(f"{len(sources)} sources but {len(hypotheses)} hypotheses")
    if not hypotheses:
        raise ConfigError("nothing to evaluate: no segments")
    scores = []
    for metric in (BLEU(), CHRF(), TER()):
        result = metric.corpus_score(list(hypotheses), [list(references)])
        scores.append(Score(result.name, float(result.score), str(metric.get_signature()), str(result)))
    if sources is None or termbase is None:
        return EvalResult(len(hypotheses), tuple(scores))

    report = check_pairs(list(zip(sources, hypotheses, strict=True)), termbase)
    summary = report.summary
    return EvalResult(
        len(hypotheses), tuple(scores), summary.expected, summary.used, summary.forbidden,
        report.signature.get("termbase"),
    )  # fmt: skip


def read_segments(path: str | Path) -> tuple[list[str] | None, list[str]]:
    """``(sources or None, targets)`` from a TMX, an aligned JSONL or a text file (one per line)."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError("the file does not exist", path=path)
    suffix = path.suffix.lower()
    if suffix in (".tmx", ".jsonl"):
        pairs = load_pairs(path)
        return [p.source for p in pairs], [p.target for p in pairs]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"cannot read the file as UTF-8 ({exc})", path=path) from exc
    return None, text.removeprefix("\ufeff").splitlines()


# -- the FAQ evaluation ----------------------------------------------------------------------------


class LeaveOneOut:
    """A translation memory view in which no segment finds entries with its own source.

    It has what the termbase-aware layer uses (``lookup``, ``entries``, ``len``,
    ``key``, ``config``), so it can stand in for the memory it wraps.
    """

    def __init__(self, memory: TranslationMemory) -> None:
        self.memory = memory
        self.config = memory.config
        self.source_lang = memory.source_lang

    def __len__(self) -> int:
        return len(self.memory)

    @property
    def entries(self) -> tuple[TmEntry, ...]:
        return self.memory.entries

    def key(self, text: str) -> str:
        return self.memory.key(text)

    def lookup(
        self,
        source: str,
        *,
        min_score: float | None = None,
        exclude: Callable[[TmEntry], bool] | None = None,
        limit: int | None = None,
    ) -> list[TmMatch]:
        own = self.memory.key(source)

        def hidden(entry: TmEntry) -> bool:
            return self.memory.key(entry.source) == own or (exclude is not None and exclude(entry))

        return self.memory.lookup(source, min_score=min_score, exclude=hidden, limit=limit)


TranslatorFactory = Callable[[Any, Any], "Translator"]

# What each FAQ arm is given, and where it comes from: the termbase was curated from this FAQ and its
# English reference, so the FAQ arms are a development result, not a held-out one (see heldout.py).
FAQ_RESOURCES: dict[str, dict[str, Any]] = {
    "model": {"termbase": None, "tm": None, "held_out": True},
    "model+termbase+tm": {
        "termbase": "corpora/deepseek/termbase.tsv: curated from this FAQ and its English reference "
        "(its renderings are the reference's own words) -- not held out",
        "tm": "this FAQ's own alignment, leave-one-out (a segment never sees its own entry; every other "
        "segment's reference translation is available)",
        "held_out": False,
    },
}


def evaluate_faq(
    alignment_jsonl: str | Path,
    translator_factory: TranslatorFactory,
    termbase: Any,
    memory: TranslationMemory | None,
    *,
    limit: int | None = None,
    include_segments: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Translate the aligned FAQ twice and score both runs side by side (for ``eval.json``).

    ``translator_factory(termbase, memory)`` builds a translator; it is called
    with ``(None, None)`` for the model alone and with the termbase and a
    leave-one-out view of ``memory`` for the full stack.  ``limit`` keeps the
    first N segments (a quick subset).
    """
    pairs = [p for p in load_pairs(alignment_jsonl) if p.source.strip() and p.target.strip()]
    if limit is not None:
        pairs = pairs[: max(0, limit)]
    if not pairs:
        raise ConfigError(
            "the alignment has no segment with both a source and a target", path=alignment_jsonl
        )
    sources = [p.source for p in pairs]
    references = [p.target for p in pairs]
    ids = [p.id or str(k) for k, p in enumerate(pairs)]
    systems: dict[str, Any] = {}
    outputs: dict[str, list[Any]] = {}
    runs = (("model", None, None), ("model+termbase+tm", termbase, LeaveOneOut(memory) if memory else None))
    for name, tb, tm in runs:
        translator = translator_factory(tb, tm)
        started = time.perf_counter()
        done = [0]

        def tick(n: int, name: str = name, done: list[int] = done) -> None:
            done[0] += n
            if progress is not None:
                progress(name, done[0], len(sources))

        records = translator.translate(sources, ids=ids, progress=tick)
        seconds = time.perf_counter() - started
        hypotheses = [r.target for r in records]
        result = score(hypotheses, references, sources=sources, termbase=termbase)
        data = result.to_dict()
        data["origins"] = dict(Counter(r.origin for r in records))
        data["qa_issues"] = sum(len(r.issues) for r in records)
        data["seconds"] = round(seconds, 2)
        data["segments_per_second"] = round(len(records) / seconds, 3) if seconds > 0 else None
        data["signature"] = Signature.of(translator.signature).as_dict()
        data["resources"] = FAQ_RESOURCES[name]
        systems[name] = data
        outputs[name] = records
    report: dict[str, Any] = {
        **Signature.of().as_dict(),  # tool and version, in the one shape
        "alignment": str(alignment_jsonl),
        "segments": len(pairs),
        "limit": limit,
        "leave_one_out": "TM entries with the segment's own normalised source are hidden from it",
        "held_out": False,
        "note": "development evaluation: the termbase and TM come from the FAQ and its reference; "
        "the held-out result is the k8s-docs evaluation (translator/heldout.py)",
        "systems": systems,
    }
    if include_segments:
        report["per_segment"] = [
            {
                "id": seg_id,
                **{
                    f"{name}": {
                        "target": outputs[name][k].target,
                        "origin": outputs[name][k].origin,
                        "term_used": outputs[name][k].term_used,
                        "term_expected": outputs[name][k].term_expected,
                    }
                    for name in outputs
                },
            }  # fmt: skip
            for k, seg_id in enumerate(ids)
        ]
    return report


def write_eval(report: dict[str, Any], path: str | Path) -> Path:
    """Write an evaluation report as JSON, atomically."""
    atomic_write_text(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return Path(path)
