"""The one composition of the translation stack, from one resolved settings object.

A *translator* turns segments into :class:`~termalign.translator.records.SegmentRecord`
values and carries a reproducibility signature.  :func:`build_stack` is the
one place that assembles it, for every command (translate, batch, serve, run,
eval): a plain engine (chosen by the model's kind in
``translator.engine.ENGINES``) wrapped by a cache (``translator.cache``),
wrapped by the termbase-aware layer (``translator.terms``) — or, when the
settings name a server, the remote client (``translator.client``), which
satisfies the same :class:`Translator` protocol.  A setting that reaches the
engine from one command therefore reaches it from all (docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from termalign.kernel.errors import ConfigError
from termalign.kernel.settings import Settings
from termalign.kernel.signature import Signature
from termalign.translator.cache import CachedEngine
from termalign.translator.client import RemoteTranslator
from termalign.translator.engine import Engine, EngineConfig, open_engine
from termalign.translator.install import default_models_dir, get_model
from termalign.translator.memory import TranslationMemory
from termalign.translator.quality import QualityConfig, QualityTranslator
from termalign.translator.records import SegmentRecord
from termalign.translator.registry import DEFAULT_MODEL
from termalign.translator.terms import TermAwareTranslator, TranslateConfig

if TYPE_CHECKING:
    from termalign.termbase.store import Termbase
    from termalign.translator.memory import TranslationMemory

__all__ = [
    "Translator",
    "Stack",
    "build_stack",
    "build_translator",
    "open_cached_engine",
    "engine_config",
    "translate_config",
    "check_settings",
    "library_defaults",
    "load_memory",
]


@runtime_checkable
class Translator(Protocol):
    """Segments in, one record per segment out (input order), plus a signature."""

    @property
    def signature(self) -> Signature: ...

    def translate(
        self,
        segments: Sequence[str],
        *,
        ids: Sequence[str] | None = None,
        exclude: Any = None,
        progress: Callable[..., None] | None = None,
    ) -> list[SegmentRecord]: ...


def engine_config(settings: Settings) -> EngineConfig:
    """The engine's settings: the ``decoding`` values some layer set, library defaults for the rest."""
    return EngineConfig(**settings.table("decoding"))


def translate_config(settings: Settings, **overrides: Any) -> TranslateConfig:
    """The termbase-aware layer's settings (``terms`` values, then ``overrides`` on top)."""
    return TranslateConfig(**{**settings.table("terms"), **overrides})


def check_settings(settings: Settings) -> None:
    """Every out-of-range value of both config dataclasses, named in one ConfigError."""
    problems = []
    for build in (engine_config, translate_config):
        try:
            build(settings)
        except ConfigError as exc:
            problems.append(exc.message)
    if problems:
        where = f" (config file {settings.config_file})" if settings.config_file else ""
        raise ConfigError("; ".join(problems) + where)


def library_defaults() -> dict[str, Any]:
    """``{key: default}`` for every setting, as the builder applies them (for ``config show``)."""
    defaults: dict[str, Any] = {
        "model": DEFAULT_MODEL, "models_dir": default_models_dir(), "cache": None,
        "server": None, "server_termbase": None,
    }  # fmt: skip
    for group, cls in (("decoding", EngineConfig), ("terms", TranslateConfig)):
        for f in dataclasses.fields(cls):
            defaults[f"{group}.{f.name}"] = f.default
    return defaults


def load_memory(paths: Sequence[Path], *, source_lang: str) -> TranslationMemory | None:
    """A translation memory from TMX files (None when no path is given); all missing files named."""
    if not paths:
        return None
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise ConfigError(f"translation memory file(s) not found: {', '.join(missing)}")

    return TranslationMemory.from_tmx(paths, source_lang=source_lang)


def open_cached_engine(settings: Settings, *, in_memory: bool = True) -> Engine:
    """Engine -> cache: the installed model the settings name, with their decoding and cache.

    Without a ``cache`` path the cache lives in memory, for one run; a
    long-running process (the server) passes ``in_memory=False`` so that only an
    explicit cache file is used and memory does not grow with every request.
    """
    check_settings(settings)
    config = engine_config(settings)
    models_dir = settings.get("models_dir") or default_models_dir()
    engine = open_engine(get_model(settings.get("model") or DEFAULT_MODEL, models_dir), config)
    path = settings.get("cache")
    return CachedEngine(engine, path) if path is not None or in_memory else engine


def build_translator(
    engine: Engine,
    *,
    termbase: Termbase | None = None,
    memory: TranslationMemory | None = None,
    config: TranslateConfig | None = None,
    quality: QualityConfig | None = None,
    second: Engine | None = None,
) -> Translator:
    """The termbase-aware layer over ``engine`` (already cached), scored: the top of a local stack.

    Its records carry a quality score (:mod:`termalign.translator.quality`;
    ``quality`` defaults to the free signals and the generation score; with
    ``QualityConfig(agreement=True)``, ``second`` is the independent model whose own
    translations the agreement signal compares with).
    """
    inner = TermAwareTranslator(engine, termbase=termbase, memory=memory, config=config)
    return QualityTranslator(inner, engine, quality or QualityConfig(), second=second)


@dataclass
class Stack:
    """A built stack: the translator, and the cached engine under it (None for a remote one)."""

    translator: Translator
    engine: Engine | None
    _close: Callable[[], None]

    @property
    def remote(self) -> bool:
        return self.engine is None

    @property
    def cache_hits(self) -> int | None:
        return self.engine.hits if isinstance(self.engine, CachedEngine) else None

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_stack(
    settings: Settings,
    *,
    termbase: Termbase | None = None,
    memory: TranslationMemory | None = None,
    source_lang: str = "zh",
    engine: Engine | None = None,
    terms: Mapping[str, Any] | None = None,
    quality: QualityConfig | None = None,
) -> Stack:
    """The translation stack the settings describe.

    With ``server`` set: the remote client (the server's own model, termbases
    and memory are used, so ``termbase`` and ``memory`` must be None).
    Otherwise ``engine`` (an already opened cached engine, to share one model
    between several translators) or a new one from :func:`open_cached_engine`,
    under the termbase-aware layer configured by the settings' ``terms`` with
    ``terms`` overrides on top, scored as ``quality`` says (default :class:`QualityConfig`).
    Closing the stack closes only an engine it opened.
    """
    check_settings(settings)
    server = settings.get("server")
    if server:
        remote = RemoteTranslator(server, termbase=settings.get("server_termbase"), source=source_lang)
        return Stack(remote, None, remote.close)
    if settings.get("server_termbase"):
        raise ConfigError("--server-termbase names a termbase on a server: give --server URL too")
    cached = engine if engine is not None else open_cached_engine(settings)
    config = translate_config(settings, **dict(terms or {}))
    translator = build_translator(cached, termbase=termbase, memory=memory, config=config, quality=quality)
    # The stack closes (the cache of) an engine it opened, never one it was given to share.
    close = _nothing if engine is not None else getattr(cached, "close", _nothing)
    return Stack(translator, cached, close)


def _nothing() -> None:
    return None
