"""Translation log-likelihoods of (source, target) text pairs, for the aligner's likelihood mode.

``align.likelihood`` cannot import the translator; :func:`pair_scorer` builds
the function it takes, ``pairs -> log P(target | source)`` in nats, from an
installed generator model, by forced decoding (``score_batch``).

The prompt is a short ChatML turn (``Translate Chinese to English:`` and the
source), not the translation prompt of :mod:`translator.generator` with its
system message: the prompt is recomputed for every pair (``score_batch`` has no
shared prefix), and on this CPU the 52-token prefix would more than double the
cost of a short pair.  An empty source gives the target's likelihood with no
source, which the aligner subtracts (the pair's PMI).  Pairs are sorted by
length before batching (padding wastes little) and every result can be kept
in a JSON-lines cache, keyed by model, prompt version and both texts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["PROMPT_VERSION", "PairScorer", "pair_scorer", "pair_prompt"]

PROMPT_VERSION = "pair-likelihood-1"


def pair_prompt(source_language: str, target_language: str, source: str) -> str:
    """The prompt text whose continuation is scored (special tokens written out)."""
    return (
        f"<|im_start|>user\nTranslate {source_language} to {target_language}:\n{source}"
        "<|im_end|>\n<|im_start|>assistant\n"
    )


def _tokens(engine: Any, source: str, target: str) -> tuple[list[str], int]:
    """Token strings of one scored sequence and how many of its last tokens are the target's."""
    cfg = engine.config
    head, tail = pair_prompt(cfg.source_language, cfg.target_language, "\x00").split("\x00")
    tokens = engine.encode(head, special=True) + engine.encode(source) + engine.encode(tail, special=True)
    answer = engine.encode(target) + [engine.end_token]
    return tokens + answer, len(answer)


class PairScorer:
    """``pairs -> log P(target | source)`` with a :class:`~translator.generator.GeneratorEngine`.

    Results are cached in memory and, with ``cache_path``, appended to that
    JSON-lines file (lines cut off by a stopped run are skipped on reading).
    ``scored``/``cached`` count the pairs the model scored and those read from
    the cache; ``seconds`` is the time spent in the model (benchmarks report it).
    """

    def __init__(self, engine: Any, cache_path: Path | None = None, *, batch_size: int = 16) -> None:
        self.engine, self.cache_path, self.batch_size = engine, cache_path, batch_size
        self.model = f"{engine.model_id}|{PROMPT_VERSION}"
        self.scored = self.cached = 0
        self.seconds = 0.0
        self._cache: dict[tuple[str, str], float] = {}
        if cache_path is not None and cache_path.exists():
            for line in cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if record.get("model") == self.model:
                    self._cache[(record["source"], record["target"])] = float(record["logprob"])

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        todo = list(dict.fromkeys(p for p in pairs if p not in self._cache))
        self.cached += len(set(pairs)) - len(todo)
        if todo:
            started = time.perf_counter()
            self._score(todo)
            self.seconds += time.perf_counter() - started
            self.scored += len(todo)
        return [self._cache[p] for p in pairs]

    def _score(self, todo: list[tuple[str, str]]) -> None:
        engine, size = self.engine, self.batch_size
        encoded = [_tokens(engine, s, t) for s, t in todo]
        order = sorted(range(len(todo)), key=lambda k: len(encoded[k][0]))
        for k in range(0, len(order), size):
            batch = order[k : k + size]
            raw = engine.score_tokens([encoded[i][0] for i in batch], max_batch_size=size)
            fresh = {todo[i]: float(sum(r[-encoded[i][1] :])) for i, r in zip(batch, raw, strict=True)}
            self._cache.update(fresh)
            if self.cache_path is not None:  # per batch: a stopped run keeps what it scored
                _append(self.cache_path, self.model, fresh)


def pair_scorer(engine: Any, cache_path: Path | None = None, *, batch_size: int = 16) -> PairScorer:
    """The :class:`PairScorer` of a loaded generator engine (see there)."""
    return PairScorer(engine, cache_path, batch_size=batch_size)


def _append(path: Path, model: str, scores: dict[tuple[str, str], float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for (source, target), value in scores.items():
            record = {"model": model, "source": source, "target": target, "logprob": value}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
