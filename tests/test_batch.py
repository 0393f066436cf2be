"""Batch runs through the library: resume, cross-document batching, missing documents, reports."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from termalign.kernel.errors import ConfigError
from termalign.translator.batch import BatchConfig, load_batch_manifest, plan_batch, run_batch
from termalign.translator.identity import IdentityEngine
from termalign.translator.journal import Journal, JournalError
from termalign.translator.progress import ProgressEvent
from termalign.translator.records import SegmentRecord
from termalign.translator.terms import TermAwareTranslator
from tests.batch_samples import SENTENCES, TERMBASE, install_tiny, tiny_engine, write_corpus

PER_DOC = 2 * len(SENTENCES) + 1  # the heading, plus two sentences per paragraph


class Counting:
    """A translator wrapper that records every call's segment ids."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []
        self.texts: list[list[str]] = []

    @property
    def signature(self) -> dict[str, Any]:
        return dict(self.inner.signature)

    def translate(
        self, segments: Sequence[str], *, ids: Sequence[str] | None = None, **_: Any
    ) -> list[SegmentRecord]:
        self.calls.append(list(ids or []))
        self.texts.append(list(segments))
        return self.inner.translate(segments, ids=ids)  # type: ignore[no-any-return]


def _identity() -> Counting:
    return Counting(TermAwareTranslator(IdentityEngine()))


def test_manifest_translate_table_is_read_and_checked(tmp_path: Path) -> None:
    manifest = write_corpus(
        tmp_path,
        translate='model = "tiny"\ntm = ["a.tmx"]\nbatch_segments = 7\n[translate.decoding]\nbeam_size = 2\n'
        '[translate.terms]\nterm_injection = "both"\nn_best = 2\n',
    )
    plan = load_batch_manifest(manifest, tmp_path / "data")
    assert plan.settings.model == "tiny"
    assert plan.settings.tm == (tmp_path / "a.tmx",)
    assert plan.settings.batch_segments == 7
    assert plan.settings.decoding == {"beam_size": 2}
    config = plan.settings.translate_config()
    assert (config.term_injection, config.n_best, config.repair) == ("both", 2, True)
    assert [d.id for d in plan.documents] == ["doc0", "doc1", "doc2"]
    bad = write_corpus(tmp_path / "bad", translate='colour = "red"\n[translate.decoding]\nbeams = 2\n')
    with pytest.raises(ConfigError) as info:
        load_batch_manifest(bad, tmp_path / "bad" / "data")
    assert "colour" in str(info.value) and "beams" in str(info.value)
    wrong_tables = (
        ("shout = 1", "unknown [translate.terms] key(s) shout"),
        ('term_injection = "loud"', "term_injection must be one of auto, verify, inline, list, both"),
    )
    for table, fragment in wrong_tables:
        wrong = write_corpus(tmp_path / "wrong", translate=f"[translate.terms]\n{table}\n")
        with pytest.raises(ConfigError, match=re.escape(fragment)):
            load_batch_manifest(wrong, tmp_path / "wrong" / "data")


def test_the_deepseek_manifest_works_as_a_batch_manifest() -> None:
    repo = Path(__file__).resolve().parent.parent
    plan = load_batch_manifest(repo / "corpora/deepseek/corpus.toml", repo.parent / "shared" / "corpora")
    assert {d.id for d in plan.documents} == {"huyong", "shockwave", "huyong-plain", "dw-interview"}
    assert plan.corpus.termbase is not None


def test_chunks_span_documents_and_a_rerun_redoes_nothing(tmp_path: Path) -> None:
    plan = load_batch_manifest(write_corpus(tmp_path), tmp_path / "data")
    translator = _identity()
    events: list[ProgressEvent] = []
    config = BatchConfig(output_dir=tmp_path / "out", batch_segments=8)
    report = run_batch(plan, translator, config, progress=events.append)
    assert [d.segments for d in report.documents] == [PER_DOC] * 3
    assert all(d.status == "done" for d in report.documents)
    assert sum(len(c) for c in translator.calls) == PER_DOC * 3
    assert all(len(c) <= 8 for c in translator.calls)
    # one engine call carried segments of two documents
    assert len(translator.calls) == -(-PER_DOC * 3 // 8)
    # segments go to the translator sorted by length across documents (every document has short
    # and long ones, so document order would not be sorted), so each call's prompts are alike
    lengths = [len(t) for call in translator.texts for t in call]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    overall = [e for e in events if e.stage == "overall"]
    assert overall[-1].done == overall[-1].total == PER_DOC * 3
    assert {e.detail for e in events if e.stage == "document"} == {"doc0", "doc1", "doc2"}

    for k in range(3):
        text = (tmp_path / "out" / f"doc{k}.en.md").read_text("utf-8")
        assert "**第1段**" in text  # markup restored around the (identity) translation
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert data["signature"]["tool"] == "termalign" and "tool" not in data["signature"]["translator"]
    assert data["signature"]["translator"]["engine"]["engine"] == "identity"
    assert len(data["signature"]["manifest"]["sha256"]) == 64
    text = data["signature_text"]
    assert text.startswith("tool:termalign|version:") and "|translator.engine.engine:identity|" in text
    assert {d["id"] for d in data["documents"]} == {"doc0", "doc1", "doc2"}
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "doc1" in html and "How this was made" in html
    assert f"<code>{text}</code>" in html  # the one string form, as in report.json

    again = _identity()
    second = run_batch(plan, again, config)
    assert again.calls == []
    assert [d.reused for d in second.documents] == [PER_DOC] * 3


def test_the_report_lists_every_term_miss_by_segment(tmp_path: Path) -> None:
    from termalign.termbase.store import load_termbase
    from termalign.translator.terms import TranslateConfig

    plan = load_batch_manifest(write_corpus(tmp_path, docs=1), tmp_path / "data")
    # the identity engine keeps the Chinese, so every approved term (开源模型, 芯片…) is missed;
    # the listed glossary: an inline rendering would be echoed and count as used
    config = TranslateConfig(term_injection="list", term_repair="demand")
    translator = TermAwareTranslator(IdentityEngine(), load_termbase(TERMBASE), config=config)
    report = run_batch(plan, translator, BatchConfig(output_dir=tmp_path / "out"))
    [doc] = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["documents"]
    misses = {(p["term"], p["segment"]) for p in doc["problems"] if p["check"] == "term-missing"}
    assert {term for term, _ in misses} == {"开源模型", "大语言模型", "芯片"}
    assert all(segment.startswith("b") for _, segment in misses)
    assert len(doc["problems"]) == doc["qa_issues"] + sum(p["check"] == "markup" for p in doc["problems"])
    assert report.documents[0].term_used < report.documents[0].term_expected
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert f"Problems ({len(doc['problems'])})" in html and "大语言模型" in html


def test_changed_signature_or_source_retranslates(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path, docs=1)
    plan = load_batch_manifest(manifest, tmp_path / "data")
    config = BatchConfig(output_dir=tmp_path / "out")
    run_batch(plan, _identity(), config)
    other = Counting(TermAwareTranslator(IdentityEngine("identity-2")))
    run_batch(plan, other, config)
    assert sum(len(c) for c in other.calls) == PER_DOC
    doc = tmp_path / "data" / "doc0.md"
    doc.write_text(doc.read_text("utf-8").replace("今天的会议", "昨天的会议"), "utf-8")
    changed = _identity()
    run_batch(plan, changed, config)
    assert sum(len(c) for c in changed.calls) == 1


def test_missing_document_is_named_and_the_others_still_run(tmp_path: Path) -> None:
    plan = load_batch_manifest(write_corpus(tmp_path), tmp_path / "data")
    (tmp_path / "data" / "doc1.md").unlink()
    report = run_batch(plan, _identity(), BatchConfig(output_dir=tmp_path / "out"))
    statuses = {d.id: d.status for d in report.documents}
    assert statuses == {"doc0": "done", "doc1": "missing", "doc2": "done"}
    assert [d.id for d in report.failed] == ["doc1"]
    assert "doc1" in report.failed[0].error and "doc1.md" in report.failed[0].error
    assert (tmp_path / "out" / "doc2.en.md").is_file()
    assert not (tmp_path / "out" / "doc1.en.md").exists()


def test_corrupt_journal_is_reported_and_restart_runs_cleanly(tmp_path: Path) -> None:
    plan = load_batch_manifest(write_corpus(tmp_path, docs=1), tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    (out / "journal.sqlite").write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(JournalError, match="--restart"):
        run_batch(plan, _identity(), BatchConfig(output_dir=out))
    report = run_batch(plan, _identity(), BatchConfig(output_dir=out, restart=True))
    assert report.documents[0].status == "done"
    with Journal.open(out / "journal.sqlite") as journal:
        assert journal.counts() == {"doc0": PER_DOC}


def test_dry_run_counts_journal_and_tm_and_writes_nothing(tmp_path: Path) -> None:
    from termalign.translator.memory import TranslationMemory

    plan = load_batch_manifest(write_corpus(tmp_path, docs=2), tmp_path / "data")
    out = tmp_path / "out"
    translator = _identity()
    memory = TranslationMemory(source_lang="zh")
    memory.add("第1篇文章", "Article 1")
    dry = plan_batch(plan, BatchConfig(output_dir=out), signature=translator.signature, memory=memory)
    assert dry.dry_run and not out.exists()
    assert [d.translated for d in dry.documents] == [PER_DOC] * 2
    assert dry.documents[0].tm_exact == 1  # the heading has its own TM entry
    assert dry.documents[1].tm_fuzzy + dry.documents[1].tm_exact >= 1  # the second heading is close to it
    run_batch(plan, translator, BatchConfig(output_dir=out, max_docs=1))
    dry = plan_batch(plan, BatchConfig(output_dir=out), signature=translator.signature)
    assert [(d.reused, d.translated) for d in dry.documents] == [(PER_DOC, 0), (0, PER_DOC)]


def test_max_docs_and_a_real_tiny_model(tmp_path: Path) -> None:
    models = install_tiny(tmp_path / "models")
    plan = load_batch_manifest(write_corpus(tmp_path, docs=3), tmp_path / "data")
    translator = TermAwareTranslator(tiny_engine(models))
    report = run_batch(plan, translator, BatchConfig(output_dir=tmp_path / "out", max_docs=2))
    assert [d.id for d in report.documents] == ["doc0", "doc1"]
    assert all(d.mt + d.tm_hits == d.segments - d.copies for d in report.documents)
    assert report.signature["translator"]["engine"]["model"].startswith("tiny@")
    assert not (tmp_path / "out" / "doc2.en.md").exists()
    assert report.totals()["segments_per_second"] > 0
