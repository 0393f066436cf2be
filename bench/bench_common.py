"""Shared setup of the batch, server and engine benchmarks: an engine and the same segments for all."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.batch_samples import SENTENCES, install_tiny  # noqa: E402

__all__ = ["open_bench_engine", "bench_segments", "bare_generate"]


def open_bench_engine(model: str, models_dir: Path | None, max_new_tokens: int, **settings: Any) -> Any:
    """``tiny``: the tiny random-weight model, built in a temporary folder; else an installed model."""
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model

    if model == "tiny":
        models_dir = install_tiny(Path(tempfile.mkdtemp(prefix="bench-")) / "models")
    config = EngineConfig(max_new_tokens=max_new_tokens, **settings)
    return open_engine(get_model(model, models_dir or default_models_dir()), config)


def bench_segments(count: int) -> list[str]:
    """``count`` distinct Chinese sentences (the test sentences, numbered)."""
    return [f"{SENTENCES[k % len(SENTENCES)]}（{k}）" for k in range(count)]


def bare_generate(
    engine: Any, segments: list[str], *, reuse_prefix: bool | None = None, batch_size: int | None = None
) -> list[Any]:
    """Bare CTranslate2: the engine's own prompts, one ``generate_batch`` call, same decoding settings.

    ``reuse_prefix`` (default: the engine's setting) passes the shared prompt prefix as
    ``static_prompt``; ``batch_size`` (default: the engine's ``max_batch_size``) is
    CTranslate2's own ``max_batch_size`` (it sorts by length and splits).  Returns
    CTranslate2's results (``sequences_ids[0]`` is the translation).
    """
    cfg = engine.config
    reuse = cfg.reuse_prefix if reuse_prefix is None else reuse_prefix
    engine._load()
    parts = [engine.prompt_parts(s) for s in segments]
    prompts = [rest if reuse else prefix + rest for prefix, rest in parts]
    static = {"static_prompt": parts[0][0]} if reuse and parts else {}
    budget = max(cfg.new_token_budget(len(engine._text_tokenizer.encode(s).ids)) for s in segments)
    return list(
        engine._generator.generate_batch(
            prompts, max_batch_size=batch_size or cfg.max_batch_size, max_length=budget, sampling_topk=1,
            beam_size=cfg.beam_size, include_prompt_in_result=False, end_token=engine.end_token, **static,
        )
    )  # fmt: skip
