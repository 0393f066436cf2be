"""Wiring of the three libraries into the jobs the CLI offers.

No business logic lives here: each step calls one library function.  Steps
report through a ``progress`` callback so that the command decides how (or
whether) to show them.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from align.aligner import AlignConfig, Alignment, align_documents
from align.corpus import Corpus
from align.outputs import write_alignment
from align.reader import read_document
from termalign.atomic import atomic_write_text
from termalign.errors import ConfigError

__all__ = ["align_files", "run_corpus", "RunResult"]

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
) -> Alignment:
    """Read two documents, align them, write every requested output."""
    src = read_document(source, lang=source_lang, fmt=source_format)
    tgt = read_document(target, lang=target_lang, fmt=target_format)
    config = AlignConfig()
    if threshold is not None:
        config = dataclasses.replace(config, flag_threshold=threshold)
    alignment = align_documents(src, tgt, config)
    for path in outputs:
        write_alignment(alignment, path)
    return alignment


@dataclass
class RunResult:
    """What the main job produced: files written and headline numbers."""

    files: list[Path] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_corpus(corpus: Corpus, out_dir: Path, *, progress: Progress = _noop) -> RunResult:
    """The main job on a corpus: align the parallel pair, then build the termbase outputs."""
    for doc in corpus.documents:
        if not doc.path.is_file():
            raise ConfigError(
                f"the corpus document {doc.id!r} is missing (looked for {doc.path}); "
                "set TERMALIGN_DATA or --data-dir to the folder holding the corpora",
                path=corpus.manifest,
            )
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
    for step in _steps():
        step(corpus, out_dir, result, progress)
    _write_json(
        out_dir / "run.json",
        {"files": [str(p) for p in result.files], "numbers": result.numbers, "seconds": result.seconds},
    )
    result.files.append(out_dir / "run.json")
    return result


Step = Callable[[Corpus, Path, RunResult, Progress], None]


def termbase_step(corpus: Corpus, out_dir: Path, result: RunResult, progress: Progress) -> None:
    """Extract term candidates from the aligned pairs, export the curated termbase, check the FAQ."""
    from termbase.checks import check_pairs
    from termbase.extract import extract_candidates, load_pairs, write_candidates
    from termbase.formats import export_entries
    from termbase.store import load_termbase

    started = time.perf_counter()
    progress("extracting term candidates from the aligned pairs")
    pairs = load_pairs(out_dir / "faq.jsonl")
    candidates = extract_candidates(pairs)
    write_candidates(candidates, out_dir / "terms.csv")
    result.files.append(out_dir / "terms.csv")
    result.numbers["term candidates"] = len(candidates)
    result.seconds["extract"] = time.perf_counter() - started
    if corpus.termbase is None:
        return
    started = time.perf_counter()
    progress(f"exporting the curated termbase {corpus.termbase.name}")
    with load_termbase(corpus.termbase) as termbase:
        entries = termbase.entries()
        for ext in ("tbx", "tmx", "po", "csv"):
            path = out_dir / f"termbase.{ext}"
            export_entries(entries, path)
            result.files.append(path)
        result.numbers["termbase entries"] = len(entries)
        result.numbers["approved entries"] = sum(e.approved for e in entries)
        progress("checking the human FAQ translation against the termbase")
        report = check_pairs(pairs, termbase)
    _write_json(out_dir / "faq.termcheck.json", report.to_dict())
    result.files.append(out_dir / "faq.termcheck.json")
    accuracy = report.summary.accuracy
    result.numbers["FAQ term accuracy (human)"] = accuracy if accuracy is not None else "n/a"
    result.seconds["termbase"] = time.perf_counter() - started


def _write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _steps() -> list[Step]:
    """Later stages of the main job, in order."""
    return [termbase_step]
