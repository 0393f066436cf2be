"""Evaluation: sacrebleu metrics with signatures, term accuracy through the shared checks, the FAQ run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from termalign.kernel.errors import ConfigError
from termalign.termbase.store import load_termbase
from termalign.translator.evaluate import LeaveOneOut, evaluate_faq, read_segments, score
from termalign.translator.identity import IdentityEngine
from termalign.translator.memory import TranslationMemory
from termalign.translator.terms import TermAwareTranslator
from tests.batch_samples import TERMBASE


def test_metrics_carry_signatures() -> None:
    hyps = ["The cat sat on the mat.", "It rained all day."]
    result = score(hyps, hyps)
    by_name = {s.name: s for s in result.scores}
    assert by_name["BLEU"].score == pytest.approx(100.0)
    assert by_name["chrF2"].score == pytest.approx(100.0)
    assert by_name["TER"].score == pytest.approx(0.0)
    assert all("version:" in s.signature for s in result.scores)
    worse = score(["The dog ran.", "It rained."], hyps)
    assert {s.name: s.score for s in worse.scores}["BLEU"] < 50
    with pytest.raises(ConfigError, match="2 hypotheses but 1 references"):
        score(hyps, hyps[:1])


def test_term_accuracy_and_forbidden_renderings() -> None:
    sources = ["我们研究蒸馏。", "这是混合专家模型。"]
    hyps = ["We study distillation.", "This is a mixed experts model."]
    with load_termbase(TERMBASE) as termbase:
        result = score(hyps, hyps, sources=sources, termbase=termbase)
    assert result.term_expected == 2 and result.term_used == 1
    assert result.term_accuracy == pytest.approx(0.5)
    assert result.forbidden == 1
    assert result.termbase_hash
    assert result.to_dict()["terms"]["accuracy"] == pytest.approx(0.5)


def test_read_segments_from_lines_and_jsonl(tmp_path: Path) -> None:
    lines = tmp_path / "h.txt"
    lines.write_text("one\ntwo\n", "utf-8")
    assert read_segments(lines) == (None, ["one", "two"])
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(json.dumps({"source": "你好", "target": "hello"}) + "\n", "utf-8")
    assert read_segments(jsonl) == (["你好"], ["hello"])


def _alignment(path: Path) -> Path:
    rows = [
        {"source": "我们研究蒸馏。", "target": "We study distillation.", "source_ids": ["b0.s0"]},
        {
            "source": "这是混合专家模型。",
            "target": "This is a mixture of experts model.",
            "source_ids": ["b1.s0"],
        },
        {"source": "没有译文。", "target": "", "source_ids": ["b2.s0"]},
        {"source": "我们研究蒸馏", "target": "We study distillation", "source_ids": ["b3.s0"]},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_leave_one_out_hides_only_the_segment_itself() -> None:
    memory = TranslationMemory(source_lang="zh")
    memory.add("我们研究蒸馏。", "We study distillation.")
    memory.add("我们研究蒸馏", "We study distillation")
    view = LeaveOneOut(memory)
    matches = view.lookup("我们研究蒸馏。", min_score=0.5)
    assert [m.source for m in matches] == ["我们研究蒸馏"]
    assert memory.lookup("我们研究蒸馏。", min_score=0.5)[0].kind == "exact"


def test_evaluate_faq_runs_both_systems_side_by_side(tmp_path: Path) -> None:
    alignment = _alignment(tmp_path / "faq.jsonl")
    memory = TranslationMemory(source_lang="zh")
    for row in map(json.loads, alignment.read_text("utf-8").splitlines()):
        memory.add(row["source"], row["target"])
    engine = IdentityEngine()
    seen: list[tuple[Any, Any]] = []

    def factory(termbase: Any, tm: Any) -> TermAwareTranslator:
        seen.append((termbase, tm))
        return TermAwareTranslator(engine, termbase=termbase, memory=tm)

    with load_termbase(TERMBASE) as termbase:
        report = evaluate_faq(alignment, factory, termbase, memory)
        subset = evaluate_faq(alignment, factory, termbase, memory, limit=1, include_segments=False)
    assert seen[0] == (None, None) and isinstance(seen[1][1], LeaveOneOut)
    assert report["segments"] == 3  # the pair without a target is left out
    model, full = report["systems"]["model"], report["systems"]["model+termbase+tm"]
    assert model["origins"] == {"mt": 3}
    assert "tm-exact" not in full["origins"]  # leave-one-out: no segment finds itself
    for system in (model, full):
        assert set(system["metrics"]) == {"BLEU", "chrF2", "TER"}
        assert system["terms"]["expected"] >= 2
        assert system["signature"]["engine"]["engine"] == "identity"
    assert full["signature"]["termbase"] and model["signature"]["termbase"] is None
    assert [s["id"] for s in report["per_segment"]] == ["b0.s0", "b1.s0", "b3.s0"]
    assert subset["segments"] == 1 and "per_segment" not in subset
    # the arms say honestly where their resources come from
    assert report["held_out"] is False and full["resources"]["held_out"] is False
    assert "reference" in full["resources"]["termbase"] and model["resources"]["termbase"] is None
