"""Terminology QA checks: each one fires and stays quiet; accuracy arithmetic."""

from __future__ import annotations

import pytest

from termalign.termbase.checks import (
    CHECKS,
    Severity,
    check,
    check_pairs,
    check_segment,
    source_numbers,
    target_numbers,
)
from termalign.termbase.extract import AlignedPair
from termalign.termbase.matcher import TermMatcher
from termalign.termbase.model import Entry, Status
from termalign.termbase.store import Termbase

A = Status.APPROVED
ENTRIES = [
    Entry("中芯国际", "SMIC", forbidden=("Xintiandi",), status=A),
    Entry("混合专家", "mixture of experts", target_variants=("MoE",), forbidden=("mixed experts",), status=A),
    Entry("蒸馏", "distillation", target_variants=("distill",), status=A),
    Entry("推理", "inference", target_variants=("reasoning",), status=A, enforce=False),
    Entry("推理模型", "reasoning model", status=A),
    Entry("护城河", "moat", status=Status.CANDIDATE),
]
MATCHER = TermMatcher(ENTRIES)


def names(issues):
    return [i.check for i in issues]


def test_registry_has_the_checks_with_severities():
    assert CHECKS["term-missing"].severity is Severity.ERROR
    assert CHECKS["forbidden-term"].severity is Severity.ERROR
    assert CHECKS["number-mismatch"].severity is Severity.WARNING
    assert CHECKS["untranslated"].severity is Severity.WARNING
    assert all(c.description for c in CHECKS.values())
    with pytest.raises(ValueError):
        check("term-missing", "error")(lambda seg: [])


def test_term_missing_fires_and_names_the_span():
    issues = check_segment("我们讨论蒸馏。", "We discuss training.", MATCHER)
    assert names(issues) == ["term-missing"]
    assert issues[0].source_span == (4, 6) and issues[0].term == "蒸馏"
    assert issues[0].severity is Severity.ERROR


def test_term_missing_quiet_for_preferred_variant_unenforced_and_candidates():
    assert check_segment("我们讨论蒸馏。", "We discuss distillation.", MATCHER) == []
    assert check_segment("他们会蒸馏模型。", "They distill models.", MATCHER) == []
    assert check_segment("推理很贵。", "Thinking is expensive.", MATCHER) == []  # enforce=False
    assert check_segment("护城河很深。", "The ditch is deep.", MATCHER) == []  # candidate only
    # the longer term carries the rule: 推理模型 needs "reasoning model(s)"
    assert names(check_segment("推理模型很贵。", "Inference is expensive.", MATCHER)) == ["term-missing"]
    assert check_segment("推理模型很贵。", "Reasoning models are expensive.", MATCHER) == []


def test_forbidden_term():
    issues = check_segment("中芯国际制造芯片。", "Xintiandi makes chips.", MATCHER)
    assert sorted(names(issues)) == ["forbidden-term", "term-missing"]
    forbidden = next(i for i in issues if i.check == "forbidden-term")
    assert "Xintiandi" in forbidden.message and forbidden.term == "中芯国际"
    assert names(check_segment("混合专家模型", "a mixed experts model", MATCHER)).count("forbidden-term") == 1
    assert check_segment("中芯国际制造芯片。", "SMIC makes chips.", MATCHER) == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("每个专家大约有1100亿个参数。", "Each expert has about 110 billion parameters."),
        ("仅花费557.6万美元。", "It cost a mere $5.576 million."),
        ("仅花费557.6万美元。", "It cost only $5.576M."),
        ("模型有15亿参数。", "The model has 1.5B parameters."),
        ("需要18万GPU小时。", "It needs 180K GPU hours."),
        ("训练花费了2,788,000个GPU小时。", "Training took 2,788 thousand GPU hours."),
        ("现在是1月27日。", "It is January 27."),  # the month becomes a word
        ("训练集包含14.8万亿个token。", "The training set had 14.8 trillion tokens."),
        ("有2个奖励函数。", "There were two reward functions."),
    ],
)
def test_number_mismatch_quiet(source, target):
    assert [i for i in check_segment(source, target, MATCHER) if i.check == "number-mismatch"] == []


def test_number_mismatch_fires():
    issues = check_segment("每个专家大约有1100亿个参数。", "Each expert has 1.1 billion parameters.", MATCHER)
    assert names(issues) == ["number-mismatch"]
    # an amount with a Chinese unit is an error (it triggers repair); a bare number only warns
    assert issues[0].severity is Severity.ERROR and "1100亿" in issues[0].message
    assert issues[0].source_span == (7, 12)


def test_number_parsing():
    assert [v for _, v, _ in source_numbers("3.97亿亿次，370亿个，GPT-4和H800")] == [3.97e16, 3.7e10]
    assert target_numbers("3.97 billion billion FLOPS and 37 billion, GPT-4, H800") == [3.97e18, 3.7e10]


def test_untranslated():
    assert names(check_segment("你好。", "", MATCHER)) == ["untranslated"]
    issues = check_segment("你好世界。", "Hello 世界.", MATCHER)
    assert names(issues) == ["untranslated"] and "2 Chinese" in issues[0].message
    assert check_segment("你好。", "Hello.", MATCHER) == []


def test_traditional_script_source():
    issues = check_segment("我們討論蒸餾與中芯國際。", "We discuss training and Xintiandi.", MATCHER)
    assert sorted(names(issues)) == ["forbidden-term", "term-missing", "term-missing"]
    assert check_segment("我們討論蒸餾與中芯國際。", "We discuss distillation and SMIC.", MATCHER) == []


def test_check_pairs_accuracy_and_per_term_stats():
    pairs = [
        AlignedPair("蒸馏很重要。", "Distillation matters.", "s1"),
        AlignedPair("蒸馏和中芯国际。", "Training and Xintiandi.", "s2"),  # both missed, one forbidden
        ("混合专家（混合专家）", "MoE (mixture of experts)"),  # two occurrences, two renderings
        AlignedPair("推理很贵。", "Thinking is expensive.", "s4"),  # not enforced: not expected
    ]
    with Termbase.memory(ENTRIES) as termbase:
        report = check_pairs(pairs, termbase)
    summary = report.summary
    assert (summary.expected, summary.used) == (5, 3)
    assert summary.accuracy == pytest.approx(3 / 5)
    assert summary.forbidden == 1
    assert summary.by_check == {"term-missing": 2, "forbidden-term": 1}
    assert summary.segments == 4 and summary.segments_with_issues == 1
    stats = {t.source: t for t in report.terms}
    assert (stats["蒸馏"].expected, stats["蒸馏"].used) == (2, 1)
    assert stats["中芯国际"].forbidden == 1 and stats["中芯国际"].accuracy == 0
    assert [t.source for t in report.inconsistent] == ["混合专家"]  # MoE and mixture of experts
    assert report.segments[2].id == "3"
    data = report.to_dict()
    assert data["summary"]["accuracy"] == pytest.approx(0.6)
    assert len(data["signature"]["termbase"]) == 64 and data["signature"]["tool"] == "termalign"
    assert [s["id"] for s in data["segments"]] == ["s2"]


def test_check_pairs_with_no_expected_terms_and_selected_checks():
    report = check_pairs([("你好。", "")], ENTRIES, checks=["term-missing"])
    assert report.summary.accuracy is None and report.summary.by_check == {}
    with pytest.raises(KeyError):
        check_pairs([("你好。", "")], ENTRIES, checks=["no-such-check"])
