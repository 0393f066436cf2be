"""Real-model checks: translate a few sentences with installed Qwen2.5-Coder models.

Skipped unless the model is installed in $TERMALIGN_MODELS (or the user cache):
``termalign model install qwen2.5-coder-0.5b``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from termalign.kernel.errors import ModelError
from termalign.translator.engine import EngineConfig, open_engine
from termalign.translator.install import InstalledModel, get_model

pytestmark = pytest.mark.slow

# Each source with a word every usable translation contains.
SENTENCES = [
    ("请把这个文件发给我。", "file"),
    ("混合专家模型可以降低推理成本。", "cost"),
    ("我喜欢喝茶。", "tea"),
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _models_dir() -> Path:
    if "TERMALIGN_MODELS" in os.environ:
        return Path(os.environ["TERMALIGN_MODELS"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("termalign")) / "models"


def _installed(name: str) -> InstalledModel:
    try:
        return get_model(name, _models_dir())
    except ModelError:
        pytest.skip(f"{name} is not installed in {_models_dir()}")


@pytest.mark.parametrize("name", ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
def test_translates_short_sentences(name: str) -> None:
    model = _installed(name)
    engine = open_engine(model, EngineConfig(max_new_tokens=48))
    results = engine.translate_batch([source for source, _ in SENTENCES])
    assert [r.source for r in results] == [source for source, _ in SENTENCES]
    for (_, keyword), result in zip(SENTENCES, results, strict=True):
        text = result.best.text
        assert keyword in text.lower(), text
        assert not _CJK.search(text), text
    assert engine.signature["model"].startswith(f"{name}@")


def test_rebuilt_tokenizer_round_trips_chinese() -> None:
    from tokenizers import Tokenizer

    model = _installed("qwen2.5-coder-0.5b")
    tokenizer = Tokenizer.from_file(str(model.model_dir / "tokenizer.json"))
    text = "混合专家（MoE）模型在2024年降低了推理成本。<|im_end|>"
    encoding = tokenizer.encode(text)
    assert encoding.tokens[-1] == "<|im_end|>" and encoding.ids[-1] == 151645
    assert tokenizer.decode(encoding.ids, skip_special_tokens=False) == text
    assert max(encoding.ids) < model.manifest["architecture"]["vocab_size"]
