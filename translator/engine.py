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

COMPUTE_TYPES = (
    "default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float32",
    "float16", "bfloat16",
)  # fmt: skip
_CPU_COMPUTE_TYPES = (
    "default", "auto", "int8", "int8_float32", "int8_bfloat16", "int16", "float32", "bfloat16",
)  # fmt: skip


@dataclass(frozen=True)
class EngineConfig:
    """Decoding, batching and device settings, resolved once at the CLI edge.

    The CPU defaults were measured by ``bench/engine_bench.py`` on a shared 2-core
    Xeon (AVX-512 VNNI), see the README's engine table:

    * ``compute_type="int8"``: on CPU CTranslate2 runs it as ``int8_float32`` (the load
      log says so); ``int16`` and ``float32`` read 2x and 4x the weights per token;
      ``int8_bfloat16`` is not offered by the CPU build of CTranslate2 4.8
      (``get_supported_compute_types``).  ``bench/engine_bench.py --sweep`` (packed GEMM,
      AVX-512, threads) ran only under a load average of 6-9 and was inconclusive, so
      nothing is changed from CTranslate2's defaults there.
    * ``intra_threads=2, inter_threads=1``: one translation at a time over both cores
      (best on the quiet machine; MODEL_NOTES.md).  ``CT2_USE_MKL`` is deliberately never
      touched (on the AMD machine forcing MKL made decoding 10x slower).
    * ``max_batch_size=32`` with ``max_batch_tokens=6144``: a decoding step at batch 8
      costs ~1.6x a step at batch 1, so segments/s grows with the batch: 3.1 (batch 8),
      4.6 (16), 5.2 (32), 5.7 (48, but +0.7 GiB RSS) on the bench's 48 short segments.
    * ``reuse_prefix``: the instruction part of the prompt, the same for every segment,
      is computed once and its KV cache reused (``generate_batch(static_prompt=...)``).

    ``device="auto"`` takes the GPU when CTranslate2 sees one (``device="cuda"`` with
    ``cuda_compute_type``) and the CPU otherwise (``compute_type``).
    """

    device: str = "auto"
    intra_threads: int = 2
    inter_threads: int = 1
    compute_type: str = "int8"
    cuda_compute_type: str = "int8_float16"
    max_batch_tokens: int = 6144
    max_batch_size: int = 32
    reuse_prefix: bool = True
    # Greedy by default.  Held-out k8s test (bench/heldout_eval.py --per-page 3 --beam-sizes 2,4, 1.5B):
    # chrF 67.26 greedy, 68.55 beam 2, 68.22 beam 4 -- on only 18 segments, timed on a shared CPU
    # (1.00x / 0.96x / 1.09x, which cannot be right for twice the hypotheses).  Greedy keeps the
    # batched throughput of bench/engine_bench.py; pass --beam-size 2 for the measured +1.3 chrF.
    beam_size: int = 1
    max_new_tokens: int = 256
    length_ratio: float = 2.0
    source_language: str = "Chinese"
    target_language: str = "English"

    def __post_init__(self) -> None:
        problems = []
        if self.device not in ("cpu", "cuda", "auto"):
            problems.append(f"device must be cpu, cuda or auto, not {self.device!r}")
        if self.compute_type not in _CPU_COMPUTE_TYPES:
            problems.append(f"compute_type (CPU) must be one of {', '.join(_CPU_COMPUTE_TYPES)}")
        if self.cuda_compute_type not in COMPUTE_TYPES:
            problems.append(f"cuda_compute_type must be one of {', '.join(COMPUTE_TYPES)}")
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

    def placement(self, cuda_devices: int) -> tuple[str, str]:
        """``(device, compute_type)`` to load with, given how many CUDA devices CTranslate2 sees.

        ``cuda`` is refused with one clear sentence when there is no GPU, rather than
        failing inside CTranslate2.
        """
        if self.device == "cuda" and cuda_devices < 1:
            raise ConfigError("device cuda was asked for, but CTranslate2 sees no CUDA device")
        if self.device == "cuda" or (self.device == "auto" and cuda_devices > 0):
            return "cuda", self.cuda_compute_type
        return "cpu", self.compute_type

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
