"""Resumable batch translation of the documents a manifest lists.

A manifest is a corpus manifest (``corpora/<name>/corpus.toml``, see
:mod:`align.corpus`) whose documents with role ``to-translate`` are translated.
An optional ``[translate]`` table sets the run (every key optional; paths are
relative to the manifest's folder)::

    [translate]
    model = "qwen2.5-coder-1.5b"      # installed model name (--model wins)
    tm = ["../../out/deepseek/faq.tmx"]  # translation memories (TMX)
    output_dir = "../../out/deepseek/translated"  # (-o wins)
    batch_segments = 32               # segments per translator call, across documents
    roles = ["to-translate"]          # which documents to translate
    [translate.decoding]              # any EngineConfig field: beam_size, max_new_tokens, ...
    beam_size = 1
    [translate.terms]                 # any TranslateConfig field: term_injection, n_best, ...
    term_injection = "inline"

The terminology comes from the manifest's ``[termbase]``.

Documents are planned into segments (``translator.document.plan_segments``),
segments already in the journal under the same signature and source are
reused, and the rest are sent to the translator in chunks of
``batch_segments`` that span document boundaries, sorted by length across
documents: on a CPU the engine is the bottleneck, and one full engine batch of
alike prompts beats several half-empty or ragged ones.  Every
chunk is journaled in one transaction; a document's output is assembled and
written atomically as soon as its last segment is in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termalign.align.corpus import Corpus, CorpusDocument, load_corpus
from termalign.align.documents import get_format
from termalign.align.reader import read_document
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import ConfigError, TermalignError
from termalign.kernel.signature import Signature
from termalign.translator.batch_report import write_report
from termalign.translator.distributed import ChunkRunner, LocalRunner
from termalign.translator.document import (
    FRONT_MATTER_PREFIX,
    DocumentTranslation,
    assemble,
    front_matter_fields,
    plan_segments,
)
from termalign.translator.engine import EngineConfig
from termalign.translator.journal import Journal, signature_key
from termalign.translator.markup import PLACEHOLDER_RE
from termalign.translator.progress import ProgressCallback, report
from termalign.translator.quality import REVIEW_THRESHOLD
from termalign.translator.records import SegmentRecord
from termalign.translator.terms import TranslateConfig

if TYPE_CHECKING:
    from termalign.align.document import Document
    from termalign.translator.memory import TranslationMemory
    from termalign.translator.stack import Translator
    from termalign.translator.terms import TranslateConfig

__all__ = [
    "TranslateSettings",
    "BatchPlan",
    "BatchConfig",
    "DocumentResult",
    "BatchReport",
    "load_batch_manifest",
    "run_batch",
    "plan_batch",
]

_TRANSLATE_KEYS = {"model", "tm", "output_dir", "batch_segments", "roles", "decoding", "terms"}


@dataclass(frozen=True)
class TranslateSettings:
    """The manifest's ``[translate]`` table, paths resolved against the manifest folder."""

    model: str | None = None
    tm: tuple[Path, ...] = ()
    output_dir: Path | None = None
    batch_segments: int | None = None
    roles: tuple[str, ...] = ("to-translate",)
    decoding: Mapping[str, Any] = field(default_factory=dict)
    terms: Mapping[str, Any] = field(default_factory=dict)  # TranslateConfig fields

    def translate_config(self) -> TranslateConfig:
        """The termbase-aware layer's settings from ``[translate.terms]`` (defaults for the rest)."""
        return TranslateConfig(**self.terms)


@dataclass(frozen=True)
class BatchPlan:
    """A corpus and its translation settings: what ``termalign batch MANIFEST`` reads."""

    corpus: Corpus
    settings: TranslateSettings

    @property
    def documents(self) -> tuple[CorpusDocument, ...]:
        return tuple(d for d in self.corpus.documents if d.role in self.settings.roles)

    def manifest_hash(self) -> str:
        return hashlib.sha256(self.corpus.manifest.read_bytes()).hexdigest()


@dataclass(frozen=True)
class BatchConfig:
    """How one run goes (resolved at the CLI edge)."""

    output_dir: Path
    journal: Path | None = None  # default: <output_dir>/journal.sqlite
    max_docs: int | None = None
    batch_segments: int = 32
    restart: bool = False
    review_threshold: float = REVIEW_THRESHOLD  # scored under this: marked for review (review.html)
    xliff: str = ""  # "1.2" or "2.1": also write <id>.<lang>.xlf, the pre-translated XLIFF, per document

    def __post_init__(self) -> None:
        if self.batch_segments < 1:
            raise ConfigError("batch_segments must be at least 1")
        if not 0.0 <= self.review_threshold <= 1.0:
            raise ConfigError("--review-threshold must be between 0 and 1")
        if self.max_docs is not None and self.max_docs < 0:
            raise ConfigError("--max-docs must be 0 or more")
        if self.xliff not in ("", "1.2", "2.1"):
            raise ConfigError(f"unknown XLIFF version {self.xliff!r} (use 1.2 or 2.1)")

    @property
    def journal_path(self) -> Path:
        return self.journal or self.output_dir / "journal.sqlite"


@dataclass
class DocumentResult:
    """Per-document numbers for the run report."""

    id: str
    path: str
    status: str = "pending"  # done | missing | error | dry-run
    error: str = ""
    output: str = ""
    segments: int = 0
    copies: int = 0  # nothing to translate (no Han character): kept as they are
    reused: int = 0  # taken from the journal (finished by an earlier run)
    translated: int = 0  # sent to the translator in this run
    tm_hits: int = 0
    mt: int = 0
    term_expected: int = 0
    term_used: int = 0
    qa_issues: int = 0
    tm_exact: int = 0  # dry run: segments the TM covers exactly
    tm_fuzzy: int = 0  # dry run: segments with a fuzzy TM match
    seconds: float = 0.0
    restore_problems: int = 0
    needs_review: int = 0  # segments under the review threshold or with an error left on them
    mean_quality: float | None = None  # mean quality score of the scored segments
    review: list[dict[str, Any]] = field(default_factory=list)  # those segments, lowest score first
    # every QA issue and markup repair, one dict each: segment, check, severity, term, message
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def term_accuracy(self) -> float | None:
        return self.term_used / self.term_expected if self.term_expected else None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["term_accuracy"] = self.term_accuracy
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass
class BatchReport:
    """What a run did, document by document, and how its outputs were made."""

    documents: list[DocumentResult]
    signature: dict[str, Any]
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def failed(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.status in ("missing", "error")]

    def totals(self) -> dict[str, Any]:
        keys = ("segments", "reused", "translated", "tm_hits", "mt", "term_expected", "term_used")
        totals: dict[str, Any] = {k: sum(getattr(d, k) for d in self.documents) for k in keys}
        totals["qa_issues"] = sum(d.qa_issues for d in self.documents)
        totals["needs_review"] = sum(d.needs_review for d in self.documents)
        totals["term_accuracy"] = (
            totals["term_used"] / totals["term_expected"] if totals["term_expected"] else None
        )
        totals["segments_per_second"] = totals["translated"] / self.seconds if self.seconds > 0 else None
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "signature": self.signature,
            "signature_text": str(Signature.of(self.signature)),
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "totals": self.totals(),
            "documents": [d.to_dict() for d in self.documents],
        }


# -- the manifest ----------------------------------------------------------------------------------


def load_batch_manifest(manifest: str | Path, data_dir: Path) -> BatchPlan:
    """Read a corpus manifest and its optional ``[translate]`` table; all problems reported at once."""
    manifest = Path(manifest)
    corpus = load_corpus(manifest, data_dir)
    raw = corpus.tables.get("translate", {})  # the manifest is parsed once, by load_corpus
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ConfigError("[translate] must be a table", path=manifest)
    unknown = sorted(set(raw) - _TRANSLATE_KEYS)
    if unknown:
        problems.append(f"unknown [translate] key(s) {', '.join(unknown)}")
    base = manifest.parent
    tm = raw.get("tm", [])
    if isinstance(tm, str):
        tm = [tm]
    if not isinstance(tm, list) or not all(isinstance(p, str) for p in tm):
        problems.append("[translate] tm must be a path or a list of paths")
        tm = []
    roles = raw.get("roles", ["to-translate"])
    if not isinstance(roles, list) or not roles:
        problems.append("[translate] roles must be a non-empty list")
        roles = ["to-translate"]
    batch_segments = raw.get("batch_segments")
    if batch_segments is not None and (not isinstance(batch_segments, int) or batch_segments < 1):
        problems.append("[translate] batch_segments must be a positive integer")
    decoding = raw.get("decoding", {})
    if not isinstance(decoding, dict):
        problems.append("[translate.decoding] must be a table")
        decoding = {}

    fields = {f.name for f in dataclasses.fields(EngineConfig)}
    bad = sorted(set(decoding) - fields)
    if bad:
        problems.append(f"unknown [translate.decoding] key(s) {', '.join(bad)}")
    terms = raw.get("terms", {})
    if not isinstance(terms, dict):
        problems.append("[translate.terms] must be a table")
        terms = {}
    problems.extend(_terms_problems(terms))
    if problems:
        raise ConfigError("invalid manifest: " + "; ".join(problems), path=manifest)
    output_dir = raw.get("output_dir")
    settings = TranslateSettings(
        model=raw.get("model"),
        tm=tuple(base / p for p in tm),
        output_dir=(base / output_dir) if output_dir else None,
        batch_segments=batch_segments,
        roles=tuple(str(r) for r in roles),
        decoding=dict(decoding),
        terms=dict(terms),
    )
    return BatchPlan(corpus, settings)


def _terms_problems(terms: Mapping[str, Any]) -> list[str]:
    """What is wrong with a ``[translate.terms]`` table (unknown keys, values TranslateConfig refuses)."""
    fields = {f.name for f in dataclasses.fields(TranslateConfig)}
    bad = sorted(set(terms) - fields)
    if bad:
        return [f"unknown [translate.terms] key(s) {', '.join(bad)}"]
    try:
        TranslateConfig(**terms)
    except (ConfigError, TypeError) as exc:
        return [f"[translate.terms]: {exc}"]
    return []


# -- planning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One thing to translate: a sentence (protected engine text) or a front-matter field."""

    id: str
    text: str


@dataclass
class _Doc:
    """One document in flight: what it needs translated and the records gathered so far."""

    meta: CorpusDocument
    result: DocumentResult
    document: Document | None = None
    units: list[_Unit] = field(default_factory=list)
    copies: dict[str, SegmentRecord] = field(default_factory=dict)  # nothing to translate
    records: dict[str, SegmentRecord] = field(default_factory=dict)
    pending: list[_Unit] = field(default_factory=list)
    fields: tuple[str, ...] = ()  # front-matter fields among the units

    @property
    def complete(self) -> bool:
        return self.document is not None and len(self.records) == len(self.units)


def _plan_document(item: _Doc, document: Document) -> None:
    item.document = document
    for seg in plan_segments(document):
        text = seg.protected.text
        if seg.copy:
            item.copies[seg.id] = SegmentRecord(seg.id, text, text, "copy", 0.0, attempts=0)
        else:
            item.units.append(_Unit(seg.id, text))
    fields = front_matter_fields(document)
    item.fields = tuple(fields)
    item.units += [_Unit(FRONT_MATTER_PREFIX + name, value) for name, value in fields.items()]
    item.result.segments = len(item.units) + len(item.copies)
    item.result.copies = len(item.copies)


def _open_documents(plan: BatchPlan, max_docs: int | None) -> list[_Doc]:
    """Read and plan every selected document; a missing or broken one is marked, not raised."""
    selected = plan.documents if max_docs is None else plan.documents[:max_docs]
    docs: list[_Doc] = []
    for meta in selected:
        item = _Doc(meta, DocumentResult(meta.id, str(meta.path)))
        docs.append(item)
        if not meta.path.is_file():
            item.result.status = "missing"
            item.result.error = f"the document {meta.id!r} is missing (looked for {meta.path})"
            continue
        try:
            _plan_document(item, read_document(meta.path, lang=meta.lang, fmt=meta.format))
        except TermalignError as exc:
            item.result.status = "error"
            item.result.error = f"the document {meta.id!r} cannot be read: {exc}"
            item.document = None
    return docs


def _signature(plan: BatchPlan, runner: ChunkRunner) -> dict[str, Any]:
    """How the run was made; ``distribution`` says where, and is not part of the journal key."""
    manifest = {"path": str(plan.corpus.manifest), "sha256": plan.manifest_hash()}
    signature = Signature.of(translator=runner.signature, manifest=manifest).as_dict()
    signature["distribution"] = runner.describe()
    return signature


def _journal_key(signature: Any) -> str:
    """The journal's key for a translator signature (the same for dry runs and runs)."""
    return signature_key(Signature.of(signature).as_dict())


def plan_batch(
    plan: BatchPlan,
    config: BatchConfig,
    *,
    signature: Signature | Mapping[str, Any],
    memory: TranslationMemory | None = None,
) -> BatchReport:
    """A dry run: per document, how many segments the journal and the TM already cover.

    Nothing is written; an absent journal counts as empty.
    """
    docs = _open_documents(plan, config.max_docs)
    key = _journal_key(signature)

    journal = None
    if config.journal_path.is_file() and not config.restart:
        journal = Journal.open(config.journal_path)
    try:
        for item in docs:
            if item.document is None:
                continue
            item.result.status = "dry-run"
            done = journal.finished(item.meta.id, key) if journal else {}
            for unit in item.units:
                text = unit.text
                if unit.id in done and done[unit.id][0] == text:
                    item.result.reused += 1
                    continue
                item.result.translated += 1
                if memory is not None:
                    matches = memory.lookup(PLACEHOLDER_RE.sub("", text), limit=1)
                    if matches and matches[0].kind == "exact":
                        item.result.tm_exact += 1
                    elif matches:
                        item.result.tm_fuzzy += 1
    finally:
        if journal is not None:
            journal.close()
    return BatchReport([d.result for d in docs], Signature.of(signature).as_dict(), dry_run=True)


# -- running ---------------------------------------------------------------------------------------


def run_batch(
    plan: BatchPlan,
    translator: Translator | None,
    config: BatchConfig,
    *,
    progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.perf_counter,
    runner: ChunkRunner | None = None,
) -> BatchReport:
    """Translate the plan's documents, resuming from the journal; write outputs and the report.

    Chunks go to ``runner`` (e.g. a :class:`~termalign.translator.distributed.RayRunner`)
    when given, else to ``translator`` in this process; either way this process alone
    journals and writes.  Progress events: ``document`` (done/total segments of the
    document named in ``detail``) and ``overall`` (all segments of the run).
    """
    started = clock()
    if runner is None:
        if translator is None:
            raise ConfigError("run_batch needs a translator or a chunk runner")
        runner = LocalRunner(translator)
    signature = _signature(plan, runner)
    key = _journal_key(runner.signature)
    docs = _open_documents(plan, config.max_docs)
    total = sum(len(d.units) for d in docs)
    with Journal.open(config.journal_path, restart=config.restart) as journal:
        journal.remember_signature(key, signature["translator"])
        for item in docs:
            _resume(item, journal, key)
        done = sum(len(d.records) for d in docs)
        report(progress, "overall", done, total)
        for item in docs:
            report(progress, "document", len(item.records), len(item.units), item.meta.id)
            if item.complete:
                _finish(item, plan, config, signature)
        chunks = _chunks(docs, config.batch_segments)
        calls = [([unit.text for _, unit in chunk], [unit.id for _, unit in chunk]) for chunk in chunks]
        chunk_started = clock()
        for index, records in runner.run(calls):
            chunk, texts = chunks[index], calls[index][0]
            if len(records) != len(chunk):
                raise TermalignError(f"the translator returned {len(records)} records for {len(chunk)}")
            rows = []
            for (item, unit), record, text in zip(chunk, records, texts, strict=True):
                record = record if record.id == unit.id else dataclasses.replace(record, id=unit.id)
                item.records[unit.id] = record
                item.result.translated += 1
                rows.append((item.meta.id, record, text))
            journal.record(key, rows)
            elapsed, chunk_started = clock() - chunk_started, clock()
            done += len(chunk)
            touched = list(dict.fromkeys(id(item) for item, _ in chunk))
            for item in (d for d in docs if id(d) in touched):
                share = sum(1 for i, _ in chunk if i is item) / len(chunk)
                item.result.seconds += elapsed * share
                report(progress, "document", len(item.records), len(item.units), item.meta.id)
                if item.complete:
                    _finish(item, plan, config, signature)
            report(progress, "overall", done, total)
    signature["distribution"] = runner.describe()  # after the run: it counts retried chunks
    result = BatchReport([d.result for d in docs], signature, seconds=clock() - started)
    from termalign.translator.review_page import ReviewDocument, write_review

    write_report(result, config.output_dir)
    pages = [ReviewDocument(d.meta.id, list(d.records.values())) for d in docs if d.complete]
    write_review(config.output_dir / "review.html", pages, threshold=config.review_threshold,
                 title=f"termalign review: {plan.corpus.name}", signature=signature)  # fmt: skip
    return result


def _resume(item: _Doc, journal: Journal, key: str) -> None:
    """Take finished records from the journal; queue the rest."""
    if item.document is None:
        return
    done = journal.finished(item.meta.id, key)
    for unit in item.units:
        entry = done.get(unit.id)
        if entry is not None and entry[0] == unit.text:
            item.records[unit.id] = entry[1]
            item.result.reused += 1
        else:
            item.pending.append(unit)


def _chunks(docs: Sequence[_Doc], size: int) -> list[list[tuple[_Doc, _Unit]]]:
    """Pending segments of all documents sorted by length, cut into chunks.

    The engine batches the prompts of one call; prompts of alike length pad
    nothing and share CTranslate2's one-pass prompt forward (translator.generator),
    so a chunk gathers segments of alike length from every document.  Ties keep
    document order; a document is written when its last segment is in.
    """
    flat = [(item, unit) for item in docs for unit in item.pending]
    flat.sort(key=lambda pair: len(pair[1].text))
    return [flat[i : i + size] for i in range(0, len(flat), size)]


def output_path(meta: CorpusDocument, corpus: Corpus, output_dir: Path) -> Path:
    """``<output_dir>/<document id>.<target lang>.md`` (``.txt`` for plain-text documents).

    The suffix follows the document's format, not its file name: the corpus keeps
    markdown and HTML-in-markdown articles in ``.txt`` files.
    """
    suffix = get_format(meta.format).output_suffix
    path = output_dir / f"{meta.id}.{corpus.target_lang}{suffix}"
    if not path.resolve().is_relative_to(output_dir.resolve()):  # ids are names (align.corpus)
        raise ConfigError(f"the output of document {meta.id!r} would land outside {output_dir}")
    return path


def _finish(item: _Doc, plan: BatchPlan, config: BatchConfig, signature: Mapping[str, Any]) -> None:
    """Assemble the translated document, write it atomically (and its XLIFF), fill in its numbers."""
    assert item.document is not None
    records = {**item.copies, **item.records}
    fm = {name: records.pop(FRONT_MATTER_PREFIX + name).target for name in item.fields}
    join_space = not plan.corpus.target_lang.lower().startswith(("zh", "ja"))
    assembled = assemble(item.document, records, front_matter_translations=fm, join_space=join_space)
    path = output_path(item.meta, plan.corpus, config.output_dir)
    atomic_write_text(path, assembled.text)
    if config.xliff and item.document.format != "xliff":  # an XLIFF source's output is its XLIFF already
        _write_xliff(item, assembled, path.with_suffix(".xlf"), config.xliff, signature, plan, join_space)
    result = item.result
    result.status, result.output = "done", str(path)
    result.restore_problems = len(getattr(assembled, "restore_problems", ()) or ())
    values = list(item.records.values())
    result.tm_hits = sum(1 for r in values if r.origin.startswith("tm-"))
    result.mt = sum(1 for r in values if r.origin.startswith("mt"))
    result.term_expected = sum(r.term_expected for r in values)
    result.term_used = sum(r.term_used for r in values)
    result.qa_issues = sum(len(r.issues) for r in values)
    from termalign.translator.quality import needs_review

    marked = [r for r in values if needs_review(r, config.review_threshold)]
    result.needs_review = len(marked)
    marked.sort(key=lambda r: 1.0 if r.quality is None else r.quality)
    result.review = [
        {"segment": r.id, "quality": r.quality, "issues": [i.check for i in r.issues]} for r in marked
    ]
    scores = [r.quality for r in values if r.quality is not None]
    result.mean_quality = round(sum(scores) / len(scores), 4) if scores else None
    result.problems = _problems(item.records, getattr(assembled, "restore_problems", ()) or ())


def _write_xliff(
    item: _Doc,
    assembled: Any,
    path: Path,
    version: str,
    signature: Mapping[str, Any],
    plan: BatchPlan,
    join_space: bool,
) -> None:
    """The document's pre-translated XLIFF, as ``translate doc -o doc.xlf`` writes it."""
    from termalign.align.documents.xliff import write_xliff
    from termalign.translator.bilingual import bilingual_from_translation

    assert item.document is not None
    records = {**item.copies, **item.records}
    planned = tuple(plan_segments(item.document))
    order = [s.id for s in planned] + [FRONT_MATTER_PREFIX + f for f in item.fields]
    result = DocumentTranslation(
        assembled.text,
        tuple(records[i] for i in order if i in records),
        dict(signature.get("translator") or signature),
        {},
        tuple(getattr(assembled, "restore_problems", ()) or ()),
        planned,
        dict(assembled.targets),
    )
    bilingual = bilingual_from_translation(
        item.document, result, target_lang=plan.corpus.target_lang, join_space=join_space
    )
    write_xliff(bilingual, path, version)


def _problems(records: Mapping[str, SegmentRecord], restore_problems: Sequence[Any]) -> list[dict[str, str]]:
    """The report's list of what is wrong, segment by segment (term misses first-class, not just counts)."""
    problems = [
        {"segment": r.id, "check": i.check, "severity": i.severity, "term": i.term, "message": i.message}
        for r in records.values()
        for i in r.issues
    ]
    for p in restore_problems:
        kinds = (("lost", p.missing), ("repeated", p.duplicated), ("invented", p.unknown))
        parts = [f"{what}: {', '.join(labels)}" for what, labels in kinds if labels]
        message = "markup repaired (" + "; ".join(parts) + ")"
        problems.append(
            {"segment": p.id, "check": "markup", "severity": "warning", "term": "", "message": message}
        )
    return problems
