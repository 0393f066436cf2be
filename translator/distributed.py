"""Batch chunks translated on a pool of Ray actors, while the driver stays the only writer.

The batch runner (:mod:`termalign.translator.batch`) cuts pending segments into
chunks and hands them to a *chunk runner*.  :class:`LocalRunner` translates them
in this process; :class:`RayRunner` sends them to Ray actors, each of which
builds the same translator stack once (engine, termbase-aware layer, memory)
from a :class:`StackRecipe` and keeps it loaded.  The driver journals each
chunk as it comes back and writes every document itself, so resuming, the
report and the outputs are those of a local run.

What travels to the workers, and why:

* **the model is not shipped**: each worker opens it from its own models
  folder (``TERMALIGN_MODELS`` or the user cache on that node, so run
  ``termalign model install`` on every node, or point ``TERMALIGN_MODELS`` at a
  shared folder).  Putting 1.7 GB of weights through the object store would
  copy them into every node's store and again into every worker's memory;
* **the termbase and the translation memories are shipped as file contents**
  inside the recipe (kilobytes to a few megabytes), so workers need no shared
  file system for them, and the translator's signature (which hashes content,
  not paths) is the same as a local run's.

Faults: a chunk whose actor dies is sent again to a replacement actor (up to
``RayConfig.max_attempts`` times); an error raised by the translator itself is
not retried and becomes one :class:`~termalign.kernel.errors.TermalignError`.
Greedy decoding of the same chunks gives the same records, so outputs are byte
for byte those of a local run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from termalign.kernel.errors import ConfigError, TermalignError
from termalign.kernel.settings import Settings
from termalign.termbase.store import load_termbase
from termalign.translator.install import default_models_dir
from termalign.translator.records import SegmentRecord
from termalign.translator.stack import build_stack, load_memory

if TYPE_CHECKING:
    from termalign.translator.stack import Translator

__all__ = [
    "Chunk",
    "ChunkRunner",
    "LocalRunner",
    "RayConfig",
    "RayRunner",
    "StackRecipe",
]

# One engine call's worth of segments: (engine texts, segment ids).
Chunk = tuple[list[str], list[str]]


class ChunkRunner(Protocol):
    """Translates chunks; yields ``(chunk index, records)`` as each chunk finishes."""

    @property
    def signature(self) -> Mapping[str, Any]: ...

    def describe(self) -> dict[str, Any]: ...

    def run(self, chunks: Sequence[Chunk]) -> Iterator[tuple[int, list[SegmentRecord]]]: ...


class LocalRunner:
    """Chunks translated one after another by ``translator``, in this process."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    @property
    def signature(self) -> Mapping[str, Any]:
        return self.translator.signature

    def describe(self) -> dict[str, Any]:
        return {"runner": "local", "workers": 1}

    def run(self, chunks: Sequence[Chunk]) -> Iterator[tuple[int, list[SegmentRecord]]]:
        for index, (texts, ids) in enumerate(chunks):
            yield index, self.translator.translate(texts, ids=ids)


@dataclass(frozen=True)
class StackRecipe:
    """Everything a worker needs to build the translator stack a local run would build.

    ``termbase`` and ``memories`` are ``(file name, content)`` pairs: the name's
    suffix picks the format, the content is what the driver read.
    """

    model: str
    models_dir: str | None = None  # None: the worker's own TERMALIGN_MODELS or user cache
    engine: Mapping[str, Any] = field(default_factory=dict)  # EngineConfig fields
    translate: Mapping[str, Any] = field(default_factory=dict)  # TranslateConfig fields
    termbase: tuple[str, bytes] | None = None
    memories: tuple[tuple[str, bytes], ...] = ()
    source_lang: str = "zh"

    @classmethod
    def from_files(
        cls,
        model: str,
        *,
        models_dir: Path | None,
        engine: Mapping[str, Any],
        translate: Mapping[str, Any],
        termbase: Path | None,
        memories: Sequence[Path],
        source_lang: str,
    ) -> StackRecipe:
        """A recipe carrying the contents of the termbase and TM files (all missing files named)."""
        missing = [str(p) for p in [*([termbase] if termbase else []), *memories] if not Path(p).is_file()]
        if missing:
            raise ConfigError(f"file(s) not found: {', '.join(missing)}")
        if termbase is not None and termbase.suffix.lower() in (".sqlite", ".db"):
            raise ConfigError("a distributed run needs the termbase as a file (TSV, TBX, ...), not SQLite")
        return cls(
            model=model,
            models_dir=str(models_dir) if models_dir is not None else None,
            engine=dict(engine),
            translate=dict(translate),
            termbase=(termbase.name, termbase.read_bytes()) if termbase is not None else None,
            memories=tuple((p.name, p.read_bytes()) for p in memories),
            source_lang=source_lang,
        )

    def build(self) -> Translator:
        """Build, on the worker, the stack ``build_stack`` builds for a local run with these settings."""
        models = Path(self.models_dir) if self.models_dir else default_models_dir(os.environ)
        folder = Path(tempfile.mkdtemp(prefix="termalign-worker-"))
        termbase = None
        if self.termbase is not None:
            name, data = self.termbase
            (folder / name).write_bytes(data)
            termbase = load_termbase(folder / name)
        paths = []
        for k, (name, data) in enumerate(self.memories):
            (folder / str(k)).mkdir()
            (folder / str(k) / name).write_bytes(data)
            paths.append(folder / str(k) / name)
        memory = load_memory(paths, source_lang=self.source_lang)
        stack = build_stack(
            self.settings(models), termbase=termbase, memory=memory, source_lang=self.source_lang
        )
        return stack.translator

    def settings(self, models_dir: Path) -> Settings:
        """The recipe as the one settings object ``build_stack`` takes (docs/architecture.md)."""
        values: dict[str, Any] = {"model": self.model, "models_dir": models_dir}
        values.update({f"decoding.{k}": v for k, v in self.engine.items()})
        values.update(
            {f"terms.{k}": tuple(v) if isinstance(v, list) else v for k, v in self.translate.items()}
        )
        return Settings(values)


@dataclass(frozen=True)
class RayConfig:
    """Where and how wide a distributed run goes (resolved at the CLI edge).

    ``address``: ``None`` or ``"local"`` starts a local Ray instance; ``"auto"``
    joins the cluster this machine belongs to; ``"ray://host:port"`` is a Ray
    client connection.
    """

    address: str | None = None
    workers: int = 1
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    max_attempts: int = 3
    num_cpus: int | None = None  # for a local instance only: CPUs Ray may use (default: all)

    def __post_init__(self) -> None:
        problems = []
        if self.workers < 1:
            problems.append("--workers must be at least 1")
        if self.cpus_per_worker <= 0:
            problems.append("--cpus-per-worker must be more than 0")
        if self.gpus_per_worker < 0:
            problems.append("--gpus-per-worker must be 0 or more")
        if self.max_attempts < 1:
            problems.append("max_attempts must be at least 1")
        address = self.address
        if address not in (None, "local", "auto") and not str(address).startswith("ray://"):
            problems.append(f"--ray takes local, auto or ray://host:port, not {address!r}")
        if problems:
            raise ConfigError("; ".join(problems))


def _import_ray() -> Any:
    try:
        import ray
    except ModuleNotFoundError:
        raise ConfigError("--ray needs Ray, which is not installed: pip install 'termalign[ray]'") from None
    return ray


class _Worker:
    """A Ray actor holding one translator stack (made a Ray actor class in :meth:`RayRunner.start`)."""

    def __init__(self, recipe: StackRecipe) -> None:
        self._translator = recipe.build()

    def signature(self) -> dict[str, Any]:
        return dict(self._translator.signature)

    def translate(self, texts: list[str], ids: list[str]) -> list[SegmentRecord]:
        return self._translator.translate(texts, ids=ids)

    def pid(self) -> int:
        return os.getpid()


class RayRunner:
    """Chunks spread over ``config.workers`` Ray actors; use as a context manager.

    Each actor has one chunk in flight at a time; results are yielded in the
    order they finish.  ``actors`` is the live pool (tests kill one to check
    that its chunk is retried).
    """

    def __init__(self, recipe: StackRecipe, config: RayConfig) -> None:
        self.recipe = recipe
        self.config = config
        self.actors: list[Any] = []
        self.retries = 0
        self._ray: Any = None
        self._actor_class: Any = None
        self._started_ray = False
        self._signature: dict[str, Any] | None = None

    def __enter__(self) -> RayRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Connect to (or start) Ray, start the actors, and check they agree on the signature."""
        ray = self._ray = _import_ray()
        if not ray.is_initialized():
            address = None if self.config.address in (None, "local") else self.config.address
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None and self.config.num_cpus is not None:
                options["num_cpus"] = self.config.num_cpus
            try:
                ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"cannot reach the Ray cluster at {address or 'local'}: {exc}") from exc
            self._started_ray = True
        self._actor_class = ray.remote(
            num_cpus=self.config.cpus_per_worker, num_gpus=self.config.gpus_per_worker, max_restarts=0
        )(_Worker)
        self.actors = [self._new_actor() for _ in range(self.config.workers)]
        signatures = self._get([actor.signature.remote() for actor in self.actors])
        if any(s != signatures[0] for s in signatures[1:]):
            raise ConfigError(
                "the Ray workers built different translators (is the same model installed on every node?)"
            )
        self._signature = signatures[0]

    def _new_actor(self) -> Any:
        return self._actor_class.remote(self.recipe)

    def _get(self, refs: Any) -> Any:
        ray = self._ray
        try:
            return ray.get(refs)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            if isinstance(cause, TermalignError):
                raise cause from None
            raise TermalignError(f"a Ray worker failed: {cause}") from None

    @property
    def signature(self) -> Mapping[str, Any]:
        if self._signature is None:
            raise TermalignError("the Ray runner has not been started")
        return self._signature

    def describe(self) -> dict[str, Any]:
        ray = self._ray or _import_ray()
        return {
            "runner": "ray",
            "workers": self.config.workers,
            "cpus_per_worker": self.config.cpus_per_worker,
            "gpus_per_worker": self.config.gpus_per_worker,
            "ray_version": ray.__version__,
            "address": self.config.address or "local",
            "retried_chunks": self.retries,
        }

    def run(self, chunks: Sequence[Chunk]) -> Iterator[tuple[int, list[SegmentRecord]]]:
        ray = self._ray
        if ray is None:
            raise TermalignError("the Ray runner has not been started")
        queue: deque[int] = deque(range(len(chunks)))
        attempts = [0] * len(chunks)
        in_flight: dict[Any, tuple[int, int]] = {}  # object ref -> (chunk index, actor slot)

        def submit(slot: int) -> None:
            if queue:
                index = queue.popleft()
                attempts[index] += 1
                texts, ids = chunks[index]
                in_flight[self.actors[slot].translate.remote(texts, ids)] = (index, slot)

        for slot in range(len(self.actors)):
            submit(slot)
        while in_flight:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            index, slot = in_flight.pop(ready[0])
            try:
                records = ray.get(ready[0])
            except ray.exceptions.RayActorError as exc:
                if attempts[index] >= self.config.max_attempts:
                    raise TermalignError(
                        f"chunk {index} failed on {attempts[index]} Ray workers in a row: {exc}"
                    ) from None
                self.retries += 1
                self.actors[slot] = self._new_actor()  # the dead actor's slot gets a fresh one
                queue.appendleft(index)
                submit(slot)
                continue
            except ray.exceptions.RayTaskError:
                self._get(ready[0])  # re-raises as a TermalignError
                raise
            yield index, records
            submit(slot)

    def close(self) -> None:
        """Stop the actors, and Ray itself if this runner started it."""
        ray = self._ray
        if ray is None:
            return
        for actor in self.actors:
            with contextlib.suppress(Exception):  # an actor that is already gone is fine
                ray.kill(actor)
        self.actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False
