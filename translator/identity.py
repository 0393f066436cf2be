"""An engine that returns its input: the reference point of round-trip tests.

Translating a document with :class:`IdentityEngine` through the whole stack
(protect markup, translate, restore, write back with ``join_space=False``) must
reproduce the input byte for byte; any difference is a bug in the stack, not in
a model.  It satisfies :class:`translator.engine.Engine`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from termalign.kernel.errors import ConfigError
from termalign.translator.engine import Hypotheses, Hypothesis, per_segment

__all__ = ["IdentityEngine"]


class IdentityEngine:
    """Translate every segment to itself (score 0.0, the log-probability of certainty)."""

    def __init__(self, model_id: str = "identity") -> None:
        self._model_id = model_id
        self.batches = 0  # batches served, so caching layers can be tested
        self.segments = 0  # segments served

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def signature(self) -> dict[str, Any]:
        return {"model_id": self._model_id, "engine": "identity"}

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        """One candidate per segment: the segment itself.

        ``instructions`` are ignored.  A forced target prefix the segment does not
        already start with is put in front, as a real engine would be forced to.
        Only one candidate is returned whatever ``num_hypotheses`` asks (the n-best
        list of an engine that knows one answer).
        """
        if num_hypotheses < 1:
            raise ConfigError("num_hypotheses must be at least 1")
        per_segment(instructions, len(segments), "instructions")
        prefixes = per_segment(target_prefixes, len(segments), "target prefixes")
        self.batches += 1
        self.segments += len(segments)
        results: list[Hypotheses] = []
        for segment, prefix in zip(segments, prefixes, strict=True):
            text = segment if not prefix or segment.startswith(prefix) else prefix + segment
            results.append(Hypotheses(segment, (Hypothesis(text, 0.0, len(text.split())),)))
        return results
