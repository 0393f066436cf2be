"""Wiring of the three libraries into the jobs the CLI offers.

No business logic lives here: each step calls one library function.  Steps
report through a ``progress`` callback so that the command decides how (or
whether) to show them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from termalign.align.aligner import AlignConfig, Alignment, align_documents, similarity_named
from termalign.align.corpus import Corpus
from termalign.align.outputs import write_alignment
from termalign.align.reader import read_document
from termalign.align.similarity import Similarity
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import ConfigError
from termalign.kernel.settings import Settings
from termalign.termbase.checks import check_pairs
from termalign.termbase.extract import load_pairs, write_candidates
from termalign.termbase.formats import export_entries
from termalign.termbase.store import Termbase, load_termbase
from termalign.termbase.terms import extract_terms
from termalign.termbase.termscore import evaluate, reference_from_termbase
from termalign.translator.batch import BatchConfig, BatchPlan, run_batch
from termalign.translator.engine import Engine
from termalign.translator.evaluate import evaluate_faq, write_eval
from termalign.translator.quality import QualityConfig
from termalign.translator.stack import build_stack, load_memory

__all__ = ["align_files", "check_corpus", "run_corpus", "RunResult", "TranslationJob"]

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def align_files(
    source: Path,
    target: Path,
    outputs: Sequence[Path],
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    threshold: float | None = None,
    source_format: str | None = None,
    target_format: str | None = None,
    similarity: str | Similarity = "none",
) -> Alignment:
    """Read two documents, align them, write every requested output."""
    src = read_document(source, lang=source_lang, fmt=source_format)
    tgt = read_document(target, lang=target_lang, fmt=target_format)
    config = AlignConfig()
    if threshold is not None:
        config = dataclasses.replace(config, flag_threshold=threshold)
    mode = similarity_named(similarity, src, tgt, config) if isinstance(similarity, str) else similarity
    alignment = align_documents(src, tgt, config, similarity=mode)
    for path in outputs:
        write_alignment(alignment, path)
    return alignment


@dataclass
class RunResult:
    """What the main job produced: files written and headline numbers."""

    files: list[Path] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def check_corpus(corpus: Corpus) -> None:
    """Fail early, naming the first missing document, before any slow work starts."""
    for doc in corpus.documents:
        if not doc.path.is_file():
            raise ConfigError(
                f"the corpus document {doc.id!r} is missing (looked for {doc.path}); "
                "set TERMALIGN_DATA or --data-dir to the folder holding the corpora",
                path=corpus.manifest,
            )


@dataclass(frozen=True)
class TranslationJob:
    """The translation part of the main job: the parsed manifest, the settings, the engine.

    ``plan`` is the manifest parsed once by the caller; ``engine`` (engine and
    cache, from ``translator.stack.open_cached_engine``) is opened once and shared
    by the batch run and the evaluation (docs/architecture.md, "one composition").
    ``eval_limit`` None evaluates every FAQ segment that has an English
    counterpart; 0 skips the evaluation.
    """

    plan: BatchPlan
    settings: Settings
    engine: Engine
    eval_limit: int | None = None


def run_corpus(
    corpus: Corpus,
    out_dir: Path,
    *,
    translation: TranslationJob | None = None,
    progress: Progress = _noop,
) -> RunResult:
    """The main job on a corpus: align the parallel pair, build the termbase outputs, then
    (with ``translation``) translate the documents to translate and evaluate on the FAQ."""
    check_corpus(corpus)
    result = RunResult()
    out_dir.mkdir(parents=True, exist_ok=True)
    source, reference = corpus.parallel_pair()

    progress(f"aligning {source.id} with {reference.id}")
    started = time.perf_counter()
    outputs = [out_dir / f"faq.{ext}" for ext in ("tmx", "html", "jsonl")]
    alignment = align_files(
        source.path,
        reference.path,
        outputs,
        source_lang=source.lang,
        target_lang=reference.lang,
        source_format=source.format,
        target_format=reference.format,
    )
    result.seconds["align"] = time.perf_counter() - started
    result.files += outputs
    result.numbers["beads"] = len(alignment.beads)
    result.numbers["flagged"] = sum(b.flagged for b in alignment.beads)
    # The termbase is imported (TSV -> SQLite) once and used by every step.
    with load_termbase(corpus.termbase) if corpus.termbase else contextlib.nullcontext() as termbase:
        termbase_step(corpus, out_dir, result, progress, termbase)
        if translation is not None:
            translate_step(corpus, out_dir, result, translation, progress, termbase)
            if translation.eval_limit != 0:
                evaluate_step(corpus, out_dir, result, translation, progress, termbase)
                heldout_step(corpus, out_dir, result, translation, progress)
    _write_json(
        out_dir / "run.json",
        {"files": [str(p) for p in result.files], "numbers": result.numbers, "seconds": result.seconds},
    )
    result.files.append(out_dir / "run.json")
    return result


def termbase_step(
    corpus: Corpus, out_dir: Path, result: RunResult, progress: Progress, termbase: Termbase | None
) -> None:
    """Extract term candidates from the aligned pairs, export the curated termbase, check the FAQ."""
    started = time.perf_counter()
    progress("extracting term candidates from the aligned pairs")
    pairs = load_pairs(out_dir / "faq.jsonl", "faq")
    candidates = extract_terms(pairs)
    write_candidates(candidates, out_dir / "terms.csv", pairs)
    result.files.append(out_dir / "terms.csv")
    result.numbers["term candidates"] = len(candidates)
    result.seconds["extract"] = time.perf_counter() - started
    if termbase is None or corpus.termbase is None:
        return
    started = time.perf_counter()
    progress(f"exporting the curated termbase {corpus.termbase.name}")
    entries = termbase.entries()
    for ext in ("tbx", "tmx", "po", "csv"):
        path = out_dir / f"termbase.{ext}"
        export_entries(entries, path)
        result.files.append(path)
    result.numbers["termbase entries"] = len(entries)
    result.numbers["approved entries"] = sum(e.approved for e in entries)
    reference = reference_from_termbase(entries, f"{corpus.name}/faq", min_count=2)
    terms = [c for c in candidates if c.kind == "term"]
    for key, value in evaluate(terms, reference).items():  # vs the curated termbase
        result.numbers[f"FAQ term extraction {key}"] = value
    progress("checking the human FAQ translation against the termbase")
    report = check_pairs(pairs, termbase)
    _write_json(out_dir / "faq.termcheck.json", report.to_dict())
    result.files.append(out_dir / "faq.termcheck.json")
    accuracy = report.summary.accuracy
    result.numbers["FAQ term accuracy (human)"] = accuracy if accuracy is not None else "n/a"
    result.seconds["termbase"] = time.perf_counter() - started


def translate_step(
    corpus: Corpus,
    out_dir: Path,
    result: RunResult,
    job: TranslationJob,
    progress: Progress,
    termbase: Termbase | None,
) -> None:
    """Translate the corpus's documents through the (resumable) batch runner."""
    started = time.perf_counter()
    plan = job.plan
    memory = load_memory([out_dir / "faq.tmx"], source_lang=corpus.source_lang)  # the TM just aligned
    progress(f"translating {len(plan.documents)} documents with {job.engine.model_id}")
    stack = build_stack(
        job.settings, engine=job.engine, termbase=termbase, memory=memory, source_lang=corpus.source_lang
    )
    config = BatchConfig(output_dir=out_dir, batch_segments=plan.settings.batch_segments or 32)
    report = run_batch(plan, stack.translator, config, progress=_batch_progress(progress))
    totals = report.totals()
    for key in ("segments", "tm_exact", "tm_fuzzy", "mt", "term_accuracy", "qa_issues"):
        if key in totals:
            result.numbers[f"batch {key}"] = totals[key]
    result.files += [out_dir / "report.json", out_dir / "report.html"]
    if report.failed:
        result.numbers["batch failed documents"] = ", ".join(d.id for d in report.failed)
    result.seconds["translate"] = time.perf_counter() - started


# The FAQ is scored against its references: no quality estimate needs the extra model pass (fluency).
UNSCORED = QualityConfig(fluency=False)


def evaluate_step(
    corpus: Corpus,
    out_dir: Path,
    result: RunResult,
    job: TranslationJob,
    progress: Progress,
    termbase: Termbase | None,
) -> None:
    """Translate the aligned FAQ twice (model alone; model + termbase + leave-one-out TM) and score."""
    if termbase is None:
        raise ConfigError("the evaluation needs a termbase in the corpus manifest", path=corpus.manifest)
    started = time.perf_counter()
    memory = load_memory([out_dir / "faq.tmx"], source_lang=corpus.source_lang)
    progress("evaluating on the aligned FAQ: model alone vs model + termbase + TM (leave-one-out)")

    def system(tb: Termbase | None, tm: Any) -> Any:
        # "model alone" is the model: no termbase, no TM and no English amounts written in
        overrides = {} if tb is not None else {"inline_numbers": False, "enforce_numbers": False}
        stack = build_stack(
            job.settings, engine=job.engine, termbase=tb, memory=tm, terms=overrides, quality=UNSCORED
        )
        return stack.translator

    report = evaluate_faq(out_dir / "faq.jsonl", system, termbase, memory, limit=job.eval_limit)
    write_eval(report, out_dir / "eval.json")
    result.files.append(out_dir / "eval.json")
    for name, system_report in report["systems"].items():
        for metric, data in system_report.get("metrics", {}).items():
            result.numbers[f"eval {name} {metric}"] = data["score"]
        result.numbers[f"eval {name} term accuracy"] = system_report.get("terms", {}).get("accuracy")
        result.seconds[f"evaluate {name}"] = system_report.get("seconds", 0.0)  # each system on its own
    result.seconds["evaluate"] = time.perf_counter() - started


def heldout_step(
    corpus: Corpus, out_dir: Path, result: RunResult, job: TranslationJob, progress: Progress
) -> None:
    """A small held-out slice (2 k8s-docs pages): model alone vs model + glossary, -> heldout.json."""
    from termalign.translator.evaluate import write_eval
    from termalign.translator.heldout import run_heldout, slice_config

    data = corpus.data_dir / "k8s-docs"
    if not (data / "glossary.tsv").is_file():
        result.numbers["heldout"] = f"skipped: no k8s-docs corpus in {corpus.data_dir}"
        return
    started = time.perf_counter()
    report = run_heldout(job.engine, slice_config(data), progress=progress)
    write_eval(report, out_dir / "heldout.json")
    result.files.append(out_dir / "heldout.json")
    for name, arm in report["arms"].items():
        result.numbers[f"heldout {name} chrF"] = arm["segment"]["chrF"]
        result.numbers[f"heldout {name} BLEU"] = arm["segment"]["BLEU"]
        result.numbers[f"heldout {name} term usage"] = arm["terms"]["usage"]
    result.seconds["heldout"] = time.perf_counter() - started


def _batch_progress(progress: Progress) -> Callable[..., None]:
    """Turn the batch runner's per-document events into occasional log lines."""

    def report(event: Any) -> None:
        stage = getattr(event, "stage", "")
        done, total = getattr(event, "done", 0), getattr(event, "total", 0)
        if stage == "document" and total and done == total:
            progress(f"translated {getattr(event, 'detail', '')} ({total} segments)")

    return report


def _write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
