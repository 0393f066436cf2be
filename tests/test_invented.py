"""The invented-content check: names and numbers of a translation with no evidence in the source."""

from __future__ import annotations

import pytest

from termalign.termbase.checks import CHECKS, check_segment
from termalign.termbase.invented import source_names, write_names
from termalign.termbase.matcher import TermMatcher
from termalign.termbase.model import Entry, Status
from termalign.translator.terms import TermAwareTranslator
from tests.test_terms import CandidateEngine

ONLY = ["invented-content"]


def flagged(source: str, target: str, entries: list[Entry] | None = None) -> list[str]:
    return [i.message for i in check_segment(source, target, TermMatcher(entries or []), checks=ONLY)]


def test_registered_with_the_other_checks() -> None:
    assert CHECKS["invented-content"].severity.value == "warning"


# The invented names of issue 14, read in the default model's output of the DeepSeek articles.
@pytest.mark.parametrize(
    ("source", "target", "name"),
    [
        (
            "一位美銀證券分析師表示，這是一個好消息。",
            "A senior financial analyst at the Federal Reserve Bank of New York said it was good news.",
            "Federal Reserve Bank of New York",
        ),
        ("這讓人想起玄武門之變。", "This recalls the Lantern Gate incident.", "Lantern Gate"),
        ("玄武門之變", "Lantern Gate", "Lantern Gate"),
    ],
)
def test_the_invented_names_of_the_issue_are_caught(source: str, target: str, name: str) -> None:
    [message] = flagged(source, target)
    assert repr(name) in message


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("這讓人想起玄武門之變。", "This recalls the Xuanwu Gate incident."),  # pinyin + gloss
        ("山姆·奥特曼说这很好。", "Sam Altman said it was good."),  # loose transliteration
        ("英伟达股价下跌了17%。", "Nvidia shares fell 17%."),  # CC-CEDICT gloss 英伟达 NVIDIA
        ("DeepSeek发布了V3。", "DeepSeek released V3."),  # Latin in the source
        ("成本为557.6万美元，即1100亿。", "It cost $5.576M, that is 110 billion."),  # amounts normalised
        ("三十个人来了。", "Thirty people came, 30 in all."),  # Chinese numerals
        ("现在是1月27日星期一。", "It’s Monday, January 27."),
        ("我完蛋了吗？", "Am I screwed?"),  # a question's capital I is not a name
        ("DeepSeek的商业模式是什么？", "What Is DeepSeek’s Business Model?"),  # title case
    ],
)
def test_supported_content_is_not_flagged(source: str, target: str) -> None:
    assert flagged(source, target) == []


def test_termbase_renderings_are_evidence_and_forbidden_ones_are_not_reported_twice() -> None:
    entry = Entry("中芯国际", "SMIC", forbidden=("Xintiandi",), status=Status.APPROVED)
    assert flagged("中芯国际很大。", "SMIC is big.") != []  # no dictionary knows SMIC
    assert flagged("中芯国际很大。", "SMIC is big.", [entry]) == []
    assert flagged("中芯国际很大。", "Xintiandi is big.", [entry]) == []  # forbidden-term reports it
    assert flagged("中芯国际很大。", "Xintiandi is big.") != []


def test_invented_numbers_are_flagged() -> None:
    assert flagged("英伟达股价下跌了17%。", "Nvidia shares fell 23%.") == [
        "the number '23%' is not in the source"
    ]
    assert flagged("训练花了两个月。", "Training took 2 months and 2048 machines.") == [
        "the number '2048' is not in the source"
    ]


def test_the_source_names_come_from_the_dictionary_or_their_pinyin_and_only_when_missing() -> None:
    source = "這讓人想起玄武門之變和李世民。"
    assert [r for _, _, r in source_names(source, "This recalls the Lantern Gate.")] == [
        "Xuanwu gate coup",  # CC-CEDICT's longest proper noun there, cut at "of ..."
        "Li Shimin",
    ]
    assert source_names(source, "This recalls the Xuanwu Gate coup and Li Shimin.") == []
    [(start, stop, rendering)] = source_names("美銀證券分析師表示。", "A Fed analyst said.")
    assert (start, stop, rendering) == (0, 2, "Meiyin")  # jieba: an organisation; no dictionary name
    assert write_names("美銀證券分析師表示。", "A Fed analyst said.") == "Meiyin 證券分析師表示。"
    assert write_names("训练花了两个月。", "Training took 2 months.") == "训练花了两个月。"


def test_an_invented_name_is_reprompted_with_the_source_names_written_in() -> None:
    source = "一位美銀證券分析師表示。"
    invented = "An analyst at the Federal Reserve Bank of New York said."
    rewritten = write_names(source, invented)
    assert "Meiyin" in rewritten and "美銀" not in rewritten
    engine = CandidateEngine({source: [invented], rewritten: ["A Meiyin Securities analyst said."]})
    [record] = TermAwareTranslator(engine).translate([source])
    assert engine.calls[1]["segments"] == [rewritten]
    assert "Federal" not in (engine.calls[1]["instructions"][0] or "")  # naming it primes the model
    assert record.target == "A Meiyin Securities analyst said." and record.origin == "mt-repaired"
    assert record.source == source and record.issues == ()


def test_an_invented_number_is_reprompted_by_naming_it() -> None:
    source = "训练花了两个月。"
    engine = CandidateEngine(
        {source: ["Training took 2 months and 2048 machines."]},
        repair={source: ["Training took two months."]},
    )
    [record] = TermAwareTranslator(engine).translate([source])
    assert engine.calls[1]["segments"] == [source]  # no name to write in
    assert "without '2048'" in engine.calls[1]["instructions"][0]
    assert record.target == "Training took two months." and record.origin == "mt-repaired"
