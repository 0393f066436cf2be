"""Seq2SeqEngine on a tiny random-weight CTranslate2 Transformer with a real SentencePiece model."""

from __future__ import annotations

from pathlib import Path

import pytest

from termalign.kernel.errors import ConfigError, ModelError
from termalign.translator.engine import Engine, EngineConfig, plan_batches
from termalign.translator.seq2seq import Seq2SeqEngine
from termalign.translator.tiny import write_tiny_seq2seq

SEGMENTS = ["今天天气很好。", "请把这个文件发给我。", "模型可以降低成本。", "我们去公园散步。"]


@pytest.fixture(scope="module")
def opus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_seq2seq(tmp_path_factory.mktemp("opus"), layout="opus")


@pytest.fixture(scope="module")
def engine(opus_dir: Path) -> Seq2SeqEngine:
    return Seq2SeqEngine(opus_dir, EngineConfig(intra_threads=1, max_new_tokens=12, max_batch_tokens=16))


def test_engine_loads_lazily_and_satisfies_the_protocol(opus_dir: Path) -> None:
    lazy = Seq2SeqEngine(opus_dir)
    assert isinstance(lazy, Engine)
    assert lazy._translator is None
    assert lazy.signature["engine"] == "ctranslate2.Translator"
    assert lazy.translate_batch([]) == []
    assert lazy._translator is None


def test_batch_translation_keeps_order_and_is_deterministic(engine: Seq2SeqEngine) -> None:
    first = engine.translate_batch(SEGMENTS)
    assert [h.source for h in first] == SEGMENTS
    for hypotheses in first:
        assert len(hypotheses.candidates) == 1
        assert hypotheses.best.text.strip()
        assert 1 <= hypotheses.best.num_tokens <= 12
        assert hypotheses.best.score < 0
    # Each segment translated alone gives the same result as inside the (token-split) batch.
    alone = [engine.translate_batch([s])[0].best for s in SEGMENTS]
    assert [h.best for h in first] == alone


def test_n_best_and_target_prefix(engine: Seq2SeqEngine) -> None:
    result = engine.translate_batch(SEGMENTS[:2], num_hypotheses=3, target_prefixes=["the weather", None])
    assert [len(h.candidates) for h in result] == [3, 3]
    scores = [c.score for c in result[1].candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(c.text.startswith("the weather") for c in result[0].candidates)


def test_argos_layout_with_shared_sentencepiece(tmp_path: Path) -> None:
    folder = write_tiny_seq2seq(tmp_path / "argos", layout="argos")
    argos = Seq2SeqEngine(
        folder / "model", source_spm="../sentencepiece.model", target_spm="../sentencepiece.model"
    )
    assert len(argos.translate_batch(SEGMENTS[:2])) == 2


def test_errors_are_model_and_config_errors(tmp_path: Path, opus_dir: Path) -> None:
    with pytest.raises(ModelError, match="SentencePiece"):
        Seq2SeqEngine(tmp_path).translate_batch(["x"])
    with pytest.raises(ConfigError, match="2 target prefixes given for 1 segments"):
        Seq2SeqEngine(opus_dir).translate_batch(["x"], target_prefixes=["a", "b"])
    with pytest.raises(ConfigError, match="beam_size"):
        EngineConfig(beam_size=0)


def test_plan_batches_respects_budgets() -> None:
    costs = [5, 50, 7, 6, 40, 100]
    batches = plan_batches(costs, max_tokens=100, max_size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(costs)))
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or max(costs[i] for i in batch) * len(batch) <= 100
    assert [5] in batches  # the 100-token item is alone
