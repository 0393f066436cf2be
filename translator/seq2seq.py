"""Translation with an encoder-decoder NMT model (Argos / OPUS-MT layout).

The model folder holds a CTranslate2 Transformer plus SentencePiece models:
``source.spm``/``target.spm`` (OPUS-MT) or one shared ``sentencepiece.model``
(Argos).  NMT models take no instructions; terminology is enforced by the
layer above, which may use ``target_prefixes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termalign.kernel.errors import ModelError
from termalign.translator.engine import CT2EngineBase, EngineConfig, Hypotheses, Hypothesis, per_segment

if TYPE_CHECKING:
    from termalign.translator.install import InstalledModel

__all__ = ["Seq2SeqEngine"]


class Seq2SeqEngine(CT2EngineBase):
    """A CTranslate2 ``Translator`` with SentencePiece tokenization."""

    engine_name = "ctranslate2.Translator"

    def __init__(
        self,
        model_dir: Path,
        config: EngineConfig | None = None,
        *,
        model_id: str | None = None,
        source_spm: str = "source.spm",
        target_spm: str = "target.spm",
    ) -> None:
        super().__init__(model_dir, config, model_id=model_id)
        self.source_spm = source_spm
        self.target_spm = target_spm
        self._translator: Any = None
        self._source_sp: Any = None
        self._target_sp: Any = None
        self.device = ""  # where the model was loaded ("cpu" or "cuda"), known after loading
        self.compute_type = ""

    @classmethod
    def from_model(cls, model: InstalledModel, config: EngineConfig) -> Seq2SeqEngine:
        """The engine of an installed seq2seq model (its manifest names the SentencePiece files)."""
        tokenizer = model.manifest.get("tokenizer", {})
        return cls(
            model.model_dir, config, model_id=model.model_id,
            source_spm=str(tokenizer.get("source", "source.spm")),
            target_spm=str(tokenizer.get("target", "target.spm")),
        )  # fmt: skip

    @property
    def signature(self) -> dict[str, Any]:
        import ctranslate2

        device, compute_type = self.config.placement(ctranslate2.get_cuda_device_count())
        return self._signature(device=device, compute_type=compute_type)

    def _load(self) -> None:
        with self._lock:
            if self._translator is not None:
                return
            # Lazy: ctranslate2 (~0.3 s) and sentencepiece (~80 ms) to import (startup_bench.py).
            import ctranslate2
            import sentencepiece

            processors = []
            for name in (self.source_spm, self.target_spm):
                path = self.model_dir / name
                if not path.is_file():
                    raise ModelError("SentencePiece model not found", path=path)
                try:
                    processors.append(sentencepiece.SentencePieceProcessor(model_file=str(path)))
                except (OSError, RuntimeError) as exc:
                    raise ModelError(f"cannot load SentencePiece model ({exc})", path=path) from exc
            cfg = self.config
            device, compute_type = cfg.placement(ctranslate2.get_cuda_device_count())
            try:
                translator = ctranslate2.Translator(
                    str(self.model_dir),
                    device=device,
                    compute_type=compute_type,
                    intra_threads=cfg.intra_threads,
                    inter_threads=cfg.inter_threads,
                )
            except (RuntimeError, ValueError) as exc:
                message = f"cannot load CTranslate2 model on {device} ({exc})"
                raise ModelError(message, path=self.model_dir) from exc
            self._source_sp, self._target_sp = processors
            self.device, self.compute_type = device, compute_type
            self._translator = translator

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        """Translate ``segments``; ``instructions`` are accepted for the protocol and ignored."""
        count = len(segments)
        per_segment(instructions, count, "instructions")
        prefixes = per_segment(target_prefixes, count, "target prefixes")
        if count == 0:
            return []
        self._load()
        cfg = self.config
        sources = [self._source_sp.encode(s, out_type=str) for s in segments]
        prefix_tokens = [self._target_sp.encode(p, out_type=str) if p else None for p in prefixes]
        longest = max(len(tokens) for tokens in sources)
        try:
            raw = self._translator.translate_batch(
                sources,
                target_prefix=prefix_tokens if any(prefix_tokens) else None,
                beam_size=max(cfg.beam_size, num_hypotheses),
                num_hypotheses=num_hypotheses,
                return_scores=True,
                max_decoding_length=cfg.new_token_budget(longest),
                max_batch_size=cfg.max_batch_tokens,
                batch_type="tokens",
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"translation failed ({exc})", path=self.model_dir) from exc
        return [
            Hypotheses(
                source=segment,
                candidates=tuple(
                    Hypothesis(
                        text=self._target_sp.decode(tokens), score=float(score), num_tokens=len(tokens)
                    )
                    for tokens, score in zip(result.hypotheses, result.scores, strict=True)
                ),
            )
            for segment, result in zip(segments, raw, strict=True)
        ]
