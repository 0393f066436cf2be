"""Term extraction over tiny aligned pairs written here (no corpus text)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from termalign.align.tmx import TranslationUnit, write_tmx
from termalign.kernel.errors import TermbaseError
from termalign.termbase.extract import (
    AlignedPair,
    ExtractConfig,
    dice,
    en_ngrams,
    extract_candidates,
    load_pairs,
    log_likelihood,
    write_candidates,
    zh_ngrams,
)

PAIRS = [
    AlignedPair("蒸馏是一种训练方法。", "Distillation is a training method.", "s1"),
    AlignedPair("我们用蒸馏训练学生模型。", "We use distillation to train the student model.", "s2"),
    AlignedPair("蒸馏很便宜。", "Distillation is cheap.", "s3"),
    AlignedPair("芯片禁令禁止了2048个芯片。", "The chip ban prohibited 2048 chips.", "s4"),
    AlignedPair("芯片禁令没有禁止H800。", "The chip ban did not prohibit the H800.", "s5"),
    AlignedPair("H800的内存带宽更低。", "The H800 has lower memory bandwidth.", "s6"),
    AlignedPair("模型需要2048个GPU。", "The model needs 2048 GPUs.", "s7"),
    AlignedPair("这个模型很好。", "This model is good.", "s8"),
]


def _best(cands, source):
    return next(c for c in cands if c.source == source)


def test_true_pairs_rank_first_for_their_source():
    cands = extract_candidates(PAIRS, ExtractConfig(min_count=2))
    assert _best(cands, "蒸馏").target == "distillation"
    assert _best(cands, "芯片禁令").target == "chip ban"
    assert _best(cands, "H800").target == "H800"
    top = cands[0]
    assert (top.source, top.target) in {("蒸馏", "distillation"), ("芯片禁令", "chip ban"), ("H800", "H800")}


def test_evidence_fields_are_consistent():
    cand = _best(extract_candidates(PAIRS, ExtractConfig(min_count=2)), "蒸馏")
    assert (cand.count_source, cand.count_target, cand.count_pair) == (3, 3, 3)
    assert cand.dice == pytest.approx(1.0)
    assert cand.llr > 3.84
    assert cand.cedict  # CC-CEDICT glosses 蒸馏 as "distillation"
    assert cand.examples == ("s1", "s2", "s3")


def test_numbers_and_stopwords_are_filtered():
    cands = extract_candidates(PAIRS, ExtractConfig(min_count=2, per_source=10))
    assert cands
    for cand in cands:
        assert "2048" not in cand.source and "2048" not in cand.target
        words = cand.target.lower().split()
        assert words[0] not in {"the", "a", "is", "this"} and words[-1] not in {"the", "a", "is", "this"}
        assert cand.source not in {"的", "这个", "了"}


def test_ngram_helpers():
    zh = zh_ngrams("芯片禁令禁止了2048个芯片。")
    assert "芯片" in zh and "芯片禁令" in zh
    assert not any("2048" in g for g in zh)
    en = en_ngrams("The chip ban prohibited 2048 chips, sadly.")
    assert "chip ban" in en and "the chip" not in en
    assert not any("2048" in g for g in en)
    assert "chips sadly" not in en  # n-grams do not cross punctuation
    assert "H800" in en_ngrams("The H800 is slower.")  # Latin model names keep their case


def test_traditional_source_uses_simplified_view():
    assert "蒸馏" in zh_ngrams("蒸餾是一種方法")


def test_association_formulas():
    assert dice(3, 3, 3) == 1.0
    assert dice(1, 3, 5) == pytest.approx(0.25)
    # independence: the pair occurs exactly as often as chance predicts
    assert log_likelihood(1, 2, 5, 10) == pytest.approx(0.0, abs=1e-9)
    assert log_likelihood(5, 5, 5, 100) > 30


def test_flagged_pairs_are_skipped_by_default():
    flagged = [AlignedPair("蒸馏方法", "distillation method", f"f{k}", flagged=True) for k in range(3)]
    pairs = flagged + PAIRS[3:]
    assert not any("蒸馏" in c.source for c in extract_candidates(pairs, ExtractConfig(min_count=2)))
    kept = extract_candidates(pairs, ExtractConfig(min_count=2, skip_flagged=False))
    # 蒸馏/distillation only ever occurs inside 蒸馏方法/distillation method: the longer pair wins
    assert _best(kept, "蒸馏方法").target == "distillation method"
    assert not any(c.source == "蒸馏" and c.target == "distillation" for c in kept)


def test_load_pairs_jsonl_and_tmx(tmp_path: Path):
    jsonl = tmp_path / "a.jsonl"
    rows = [
        {"source": "蒸馏", "target": "distillation", "score": 0.9, "source_ids": ["b1.s0"], "flagged": False},
        {"source": "芯片", "target": "chip", "score": 0.2, "source_ids": ["b2.s0", "b2.s1"], "flagged": True},
    ]
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    pairs = load_pairs(jsonl)
    assert pairs[0] == AlignedPair("蒸馏", "distillation", "b1.s0", 0.9, False)
    assert pairs[1].id == "b2.s0,b2.s1" and pairs[1].flagged

    tmx = tmp_path / "a.tmx"
    units = [TranslationUnit("蒸馏", "distillation", (("source_ids", "b1.s0"),))]
    write_tmx(tmx, units, source_lang="zh", target_lang="en")
    assert load_pairs(tmx) == [AlignedPair("蒸馏", "distillation", "b1.s0")]


def test_bad_jsonl_names_every_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"source": "a", "target": "b"}\nnot json\n{"source": "x"}\n', encoding="utf-8")
    with pytest.raises(TermbaseError) as info:
        load_pairs(path)
    assert "line 2" in str(info.value) and "line 3" in str(info.value)
    with pytest.raises(TermbaseError):
        load_pairs(tmp_path / "missing.jsonl")


def test_write_candidates_csv(tmp_path: Path):
    cands = extract_candidates(PAIRS, ExtractConfig(min_count=2))
    out = tmp_path / "sub" / "cands.csv"
    write_candidates(cands, out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(cands)
    assert rows[0]["source"] == cands[0].source and float(rows[0]["score"]) > 0
    assert set(rows[0]) >= {"dice", "llr", "count_pair", "cedict", "examples"}
    assert not list(out.parent.glob(".cands.csv.*"))  # no temporary file left behind
