"""Shared setup of the batch and server benchmarks: an engine and the same segments for both."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.batch_samples import SENTENCES, install_tiny  # noqa: E402

__all__ = ["open_bench_engine", "bench_segments", "bare_generate"]


def open_bench_engine(model: str, models_dir: Path | None, max_new_tokens: int) -> Any:
    """``tiny``: the tiny random-weight model, built in a temporary folder; else an installed model."""
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    if model == "tiny":
        models_dir = install_tiny(Path(tempfile.mkdtemp(prefix="bench-")) / "models")
    config = EngineConfig(max_new_tokens=max_new_tokens)
    return open_engine(get_model(model, models_dir or default_models_dir()), config)


def bench_segments(count: int) -> list[str]:
    """``count`` distinct Chinese sentences (the test sentences, numbered)."""
    return [f"{SENTENCES[k % len(SENTENCES)]}（{k}）" for k in range(count)]


def bare_generate(engine: Any, segments: list[str]) -> list[str]:
    """Bare CTranslate2: the engine's own prompts, one ``generate_batch`` call, same decoding settings."""
    cfg = engine.config
    engine._load()
    prompts = [engine.prompt_tokens(s) for s in segments]
    budget = max(cfg.new_token_budget(len(engine._text_tokenizer.encode(s).ids)) for s in segments)
    results = engine._generator.generate_batch(
        prompts, max_batch_size=cfg.max_batch_size, max_length=budget, sampling_topk=1,
        beam_size=cfg.beam_size, include_prompt_in_result=False, end_token=engine.end_token,
    )  # fmt: skip
    return [engine._tokenizer.decode(r.sequences_ids[0], skip_special_tokens=True) for r in results]
