"""Pure cost functions: length, anchors, dictionary, structure, configuration."""

from __future__ import annotations

import time

import pytest

from termalign.align.costs import (
    AlignConfig,
    BeadCost,
    UnitFeatures,
    anchor_penalty,
    gale_church_cost,
    kind_penalty,
)
from termalign.align.dictionary import (
    clear_cedict_cache,
    english_stems,
    evidence,
    load_cedict,
    parse_cedict,
    stem,
)
from termalign.kernel.errors import ConfigError

PAIRS = [
    (
        "英伟达在将多个芯片组合成一个大型虚拟处理器方面具有巨大优势。",
        "Nvidia has a massive lead in its ability to combine many chips into one large virtual processor.",
    ),
    (
        "蒸馏是一种从其他模型中提取理解的方法。",
        "Distillation is a means of extracting understanding from another model.",
    ),
    ("微软对为其客户提供推理感兴趣。", "Microsoft is interested in providing inference to its customers."),
    (
        "芯片禁令禁止了这些芯片,但没有禁止其他芯片。",
        "The chip ban prohibited these chips, but not the others.",
    ),
    ("强化学习是一种机器学习技术。", "Reinforcement learning is a machine learning technique."),
]


def test_gale_church_prefers_the_expected_ratio() -> None:
    ratio, variance = 3.0, 4.0
    expected = gale_church_cost(20, 60, ratio, variance)
    assert expected == pytest.approx(0.0, abs=1e-9)
    assert gale_church_cost(20, 90, ratio, variance) > gale_church_cost(20, 70, ratio, variance) > expected
    assert gale_church_cost(20, 10, ratio, variance) > 0
    # Beyond |delta| = 2 the cost grows linearly, so free translation cannot outweigh everything else.
    far, farther = gale_church_cost(1000, 1, ratio, variance), gale_church_cost(2000, 1, ratio, variance)
    assert 10 < far < farther < float("inf")
    assert farther - far < 2 * far


def test_anchor_penalty_rewards_shared_anchors() -> None:
    shared = frozenset({"n:2023", "w:h800"})
    assert anchor_penalty(shared, shared) < anchor_penalty(frozenset(), frozenset()) == 0.5
    assert anchor_penalty(shared, frozenset({"n:7"})) > 0.5
    url = frozenset({"u:example.com/a"})
    assert anchor_penalty(url, url) < anchor_penalty(frozenset({"n:1"}), frozenset({"n:1"}))


def test_kind_penalty() -> None:
    assert kind_penalty(["heading"], ["heading"]) == 0.0
    assert kind_penalty(["heading"], ["paragraph"]) == 1.0
    assert 0 < kind_penalty(["quote:1"], ["quote:2"]) < 1.0
    assert kind_penalty(["paragraph", "paragraph"], ["paragraph"]) == 0.0
    assert kind_penalty([""], [""]) == 0.0  # sentences have no kind


def test_dictionary_scores_true_pairs_above_shuffled_pairs() -> None:
    index = load_cedict()
    true_scores, false_scores = [], []
    for k, (zh, _) in enumerate(PAIRS):
        words = index.word_glosses(zh)
        for m, (_, en) in enumerate(PAIRS):
            score = evidence(words, english_stems(en)).score
            (true_scores if k == m else false_scores).append(score)
    assert min(true_scores) > max(false_scores)


def test_dictionary_maps_chinese_names_to_latin_anchors() -> None:
    index = load_cedict()
    assert "w:nvidia" in index.name_anchors("英伟达的股价")
    assert "w:microsoft" in index.name_anchors("微软表示")


def test_dictionary_loads_fast_and_is_cached() -> None:
    clear_cedict_cache()
    started = time.perf_counter()
    first = load_cedict()
    elapsed = time.perf_counter() - started
    assert elapsed < 6.0  # about 2 s on a laptop; generous for slow CI machines
    started = time.perf_counter()
    assert load_cedict() is first
    assert time.perf_counter() - started < 0.01


def test_parse_cedict_skips_noise() -> None:
    lines = [
        "# comment",
        "英偉達 英伟达 [Ying1 wei3 da2] /NVIDIA, computer graphics card company/",
        "蒸餾 蒸馏 [zheng1 liu2] /to distill/distillation/",
        "個 个 [ge4] /individual/this/that/",  # single character: kept apart
        "門 门 [men2] /gate/door/CL:扇[shan4]/gate/opening/valve/switch/",
        "門 门 [Men2] /surname Men/",
        "穀歌 谷歌 [Gu3 ge1] /variant of 谷歌[Gu3 ge1]/",
    ]
    index = parse_cedict(lines)
    assert index.stems("蒸馏") == {stem("distill"), stem("distillation")}
    assert "个" not in index and index.segment("个") == []
    assert index.char_stems("门") == {"gate", "door"}  # the first senses of common readings only
    assert index.char_stems("个") == {"indiv"} and index.char_stems("无") == frozenset()
    assert index.stems("谷歌") == frozenset()  # cross-references only
    assert index.name("英伟达") == "nvidia"
    assert index.name("蒸馏") is None
    assert index.segment("蒸馏个英伟达") == ["蒸馏", "英伟达"]


def test_bead_cost_prefers_the_true_pairing() -> None:
    index = load_cedict()
    zh = [UnitFeatures(len(z), zh_words=index.word_glosses(z)) for z, _ in PAIRS[:3]]
    en = [UnitFeatures(len(e.replace(" ", "")), en_stems=english_stems(e)) for _, e in PAIRS[:3]]
    cost = BeadCost(zh, en, AlignConfig(), zh_side="source")
    assert cost(0, 1, 0, 1) < cost(0, 1, 1, 2)
    assert cost(1, 2, 1, 2) < cost(1, 2, 2, 3)
    assert 0.0 <= cost.confidence(0, 1, 1, 2) < cost.confidence(0, 1, 0, 1) <= 1.0
    assert cost(0, 1, 0, 0) > 0  # a 1-0 bead pays its prior and the full lexical penalty


def test_extra_scorer_hook_changes_the_cost() -> None:
    zh = [UnitFeatures(10)]
    en = [UnitFeatures(30)]
    good = BeadCost(zh, en, AlignConfig(), zh_side="", extra=lambda *a: 1.0)
    bad = BeadCost(zh, en, AlignConfig(), zh_side="", extra=lambda *a: 0.0)
    assert good(0, 1, 0, 1) < bad(0, 1, 0, 1)


def test_config_reports_all_problems_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        AlignConfig(band=0, flag_threshold=2.0, bead_types=((1, 1), (4, 4)))
    message = str(err.value)
    assert "band" in message and "flag_threshold" in message and "4-4" in message and "1-0" in message
