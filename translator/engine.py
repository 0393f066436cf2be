"""The plain translation engine: a small protocol, its settings and result types.

Engines are the bottom of the translation stack (termbase-aware and caching
layers wrap them).  They are registered in :data:`ENGINES` by model kind:
``GeneratorEngine`` for decoder LLMs (``translator.generator``) and
``Seq2SeqEngine`` for Argos/OPUS-MT encoder-decoder models
(``translator.seq2seq``); neither knows the other.  Both load their model on
first use, never at construction.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from termalign.kernel.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from termalign.translator.install import InstalledModel

__all__ = [
    "Engine",
    "EngineConfig",
    "Hypothesis",
    "Hypotheses",
    "plan_batches",
    "open_engine",
    "engine_class",
    "ENGINES",
    "COMPUTE_TYPES",
]

COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int16", "float32", "int8_float16", "float16")


@dataclass(frozen=True)
class EngineConfig:
    """Decoding and threading settings, resolved once at the CLI edge.

    ``intra_threads=2, inter_threads=1`` measured best on the 2-core machine;
    ``CT2_USE_MKL`` is deliberately never touched (it made decoding 10x slower).
    """

    device: str = "cpu"
    intra_threads: int = 2
    inter_threads: int = 1
    compute_type: str = "int8"
    max_batch_tokens: int = 4096
    max_batch_size: int = 8
    beam_size: int = 1
    max_new_tokens: int = 256
    length_ratio: float = 2.0
    source_language: str = "Chinese"
    target_language: str = "English"

    def __post_init__(self) -> None:
        problems = []
        if self.device not in ("cpu", "cuda", "auto"):
            problems.append(f"device must be cpu, cuda or auto, not {self.device!r}")
        if self.compute_type not in COMPUTE_TYPES:
            problems.append(f"compute_type must be one of {', '.join(COMPUTE_TYPES)}")
        if self.intra_threads < 0:
            problems.append("intra_threads must be 0 (CTranslate2's default) or more")
        for name in ("inter_threads", "max_batch_tokens", "max_batch_size", "beam_size"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if self.max_new_tokens < 1 or self.length_ratio <= 0:
            problems.append("max_new_tokens and length_ratio must be positive")
        if problems:
            raise ConfigError("invalid engine settings: " + "; ".join(problems))

    def new_token_budget(self, source_tokens: int) -> int:
        """How many tokens a translation of ``source_tokens`` tokens may use."""
        return min(self.max_new_tokens, max(8, int(source_tokens * self.length_ratio) + 16))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hypothesis:
    """One candidate translation; ``score`` is CTranslate2's (length-normalised) log-probability."""

    text: str
    score: float
    num_tokens: int


@dataclass(frozen=True)
class Hypotheses:
    """The n-best candidates for one source segment, best first."""

    source: str
    candidates: tuple[Hypothesis, ...]

    @property
    def best(self) -> Hypothesis:
        return self.candidates[0]


@runtime_checkable
class Engine(Protocol):
    """What the layers above need from a translation engine."""

    @property
    def model_id(self) -> str: ...

    @property
    def signature(self) -> dict[str, Any]:
        """Everything needed to reproduce an output: model id and hash, decoding settings."""
        ...

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        """Translate ``segments``; results are in input order.

        ``instructions`` are extra per-segment lines for engines that take
        instructions (e.g. a glossary); ``target_prefixes`` force the start of
        each translation.
        """
        ...


class CT2EngineBase:
    """What both CTranslate2 engines share: model folder, settings, id, load lock, signature core.

    Subclasses load their model lazily in ``_load()`` under ``self._lock``.
    """

    engine_name = "ctranslate2"

    def __init__(self, model_dir: Path, config: EngineConfig | None = None, *, model_id: str | None) -> None:
        self.model_dir = Path(model_dir)
        self.config = config or EngineConfig()
        self._model_id = model_id or self.model_dir.name
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    def _signature(self, **extra: Any) -> dict[str, Any]:
        # Lazy: ctranslate2 (~0.3 s) to import (startup_bench.py).
        import ctranslate2

        return {
            "engine": self.engine_name,
            "model": self._model_id,
            "ctranslate2": ctranslate2.__version__,
            "compute_type": self.config.compute_type,
            "beam_size": self.config.beam_size,
            "max_new_tokens": self.config.max_new_tokens,
            "length_ratio": self.config.length_ratio,
            **extra,
        }


def per_segment(values: Sequence[str | None] | None, count: int, what: str) -> list[str | None]:
    """``values`` checked to have one entry per segment (``None`` → all None)."""
    if values is None:
        return [None] * count
    if len(values) != count:
        raise ConfigError(f"{len(values)} {what} given for {count} segments")
    return list(values)


def plan_batches(costs: Sequence[int], *, max_tokens: int, max_size: int) -> list[list[int]]:
    """Group item indices into batches whose padded token cost stays under ``max_tokens``.

    Items are sorted by cost so each batch pads little; an item costlier than
    the budget gets a batch of its own.  Callers restore input order.
    """
    order = sorted(range(len(costs)), key=lambda i: costs[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        widest = max(costs[index], max((costs[i] for i in current), default=0))
        if current and (len(current) >= max_size or widest * (len(current) + 1) > max_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# One line per engine: the model manifest's ``kind`` -> "module:class".  Resolved by name on
# first use, so this base module imports no engine (each engine imports it) and ctranslate2 is
# not imported until a model is opened.  A new engine is a module with a class that has
# ``from_model(model, config)``, plus one line here.
ENGINES: dict[str, str] = {
    "generator": "termalign.translator.generator:GeneratorEngine",
    "seq2seq": "termalign.translator.seq2seq:Seq2SeqEngine",
}


def engine_class(kind: str) -> Any:
    """The engine class registered for a model ``kind`` (ModelError naming the known kinds)."""
    target = ENGINES.get(kind)
    if target is None:
        known = ", ".join(sorted(ENGINES))
        raise ModelError(f"no engine for models of kind {kind!r} (known: {known})")
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def open_engine(model: InstalledModel, config: EngineConfig | None = None) -> Engine:
    """The engine for an installed model (nothing is loaded until the first batch)."""
    engine: Engine = engine_class(model.kind).from_model(model, config or EngineConfig())
    return engine
