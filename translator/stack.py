"""What batch runs, the server and evaluation need from a translator, and how one is built.

A *translator* turns segments into :class:`~translator.records.SegmentRecord`
values and carries a reproducibility signature.  The termbase-aware layer
(``translator.terms.TermAwareTranslator``) and the remote client
(``translator.client.RemoteTranslator``) both satisfy :class:`Translator`, so
the batch runner does not care whether the model is local or behind a server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from termalign.kernel.errors import ConfigError
from termalign.translator.records import SegmentRecord

if TYPE_CHECKING:
    from termalign.termbase.store import Termbase
    from termalign.translator.engine import Engine
    from termalign.translator.memory import TranslationMemory

__all__ = ["Translator", "build_translator", "load_memory"]


@runtime_checkable
class Translator(Protocol):
    """Segments in, one record per segment out (input order), plus a signature."""

    @property
    def signature(self) -> Mapping[str, Any]: ...

    def translate(
        self,
        segments: Sequence[str],
        *,
        ids: Sequence[str] | None = None,
        exclude: Any = None,
        progress: Callable[..., None] | None = None,
    ) -> list[SegmentRecord]: ...


def load_memory(paths: Sequence[Path], *, source_lang: str) -> TranslationMemory | None:
    """A translation memory from TMX files (None when no path is given); all missing files named."""
    if not paths:
        return None
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise ConfigError(f"translation memory file(s) not found: {', '.join(missing)}")
    from termalign.translator.memory import TranslationMemory

    return TranslationMemory.from_tmx(paths, source_lang=source_lang)


def build_translator(
    engine: Engine,
    *,
    termbase: Termbase | None = None,
    memory: TranslationMemory | None = None,
    config: Any = None,
    quality: Any = None,
) -> Translator:
    """The termbase-aware translator over ``engine`` (the one composition every command uses).

    Its records carry a quality score (``translator.quality``; ``quality`` is a
    ``QualityConfig``, default: the free signals and the generation score).
    """
    from termalign.translator.quality import QualityConfig, QualityTranslator
    from termalign.translator.terms import TermAwareTranslator

    inner = TermAwareTranslator(engine, termbase=termbase, memory=memory, config=config)
    return QualityTranslator(inner, engine, quality or QualityConfig())
