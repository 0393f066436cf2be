"""A caching engine layer: the same request is never decoded twice.

:class:`CachedEngine` wraps any :class:`~translator.engine.Engine` and keys each
segment's result by (engine signature, segment, instruction, target prefix,
number of hypotheses), so re-runs, repairs that repeat a prompt and the server
reuse earlier work.  Without a path the cache lives in memory; with one it is a
SQLite file shared across runs.  Misses of one call go to the wrapped engine in
one batch, so caching never breaks up batching.

Cached output is what the engine would produce again (decoding is greedy or
beam search, deterministic), so the signature passes through unchanged.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from termalign.kernel.errors import ConfigError
from termalign.kernel.signature import Signature
from termalign.translator.engine import Engine, Hypotheses, Hypothesis, per_segment

__all__ = ["CachedEngine", "CacheStats"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    size: int


class CachedEngine:
    """``engine`` with a result cache, in memory or in SQLite at ``path``."""

    def __init__(self, engine: Engine, path: str | Path | None = None) -> None:
        self.engine = engine
        self.path = Path(path) if path is not None else None
        self.hits = 0
        self.misses = 0
        self._memory: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._prefix: str | None = None

    @property
    def model_id(self) -> str:
        return self.engine.model_id

    @property
    def signature(self) -> dict[str, Any]:
        return self.engine.signature

    @property
    def stats(self) -> CacheStats:
        with self._lock:
            if self.path is None:
                size = len(self._memory)
            else:
                size = int(self._connect().execute("SELECT COUNT(*) FROM translations").fetchone()[0])
            return CacheStats(self.hits, self.misses, size)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> CachedEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            assert self.path is not None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(self.path), check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
                db.commit()
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"cannot open the translation cache ({exc})", path=self.path) from exc
            self._db = db
        return self._db

    def key(self, segment: str, instruction: str | None, prefix: str | None, n: int) -> str:
        """The cache key of one request (a SHA-256 over the signature and the request)."""
        if self._prefix is None:
            # "cache/2": keys over the Signature string form; entries keyed the old way (JSON of
            # the engine's dict) are never hit again, i.e. older cache files are invalidated.
            self._prefix = "cache/2|" + Signature.of(self.engine.signature).bare()
        payload = json.dumps([self._prefix, segment, instruction, prefix, n], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _get(self, keys: list[str]) -> dict[str, str]:
        if self.path is None:
            return {k: self._memory[k] for k in keys if k in self._memory}
        db = self._connect()
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, value FROM translations WHERE key IN ({marks})", chunk)
            found.update((str(k), str(v)) for k, v in rows)
        return found

    def _put(self, items: dict[str, str]) -> None:
        if self.path is None:
            self._memory.update(items)
            return
        db = self._connect()
        try:
            db.executemany("INSERT OR REPLACE INTO translations (key, value) VALUES (?, ?)", items.items())
            db.commit()
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot write the translation cache ({exc})", path=self.path) from exc

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        """Cached results where there are any; the misses in one call to the wrapped engine."""
        count = len(segments)
        extra = per_segment(instructions, count, "instructions")
        prefixes = per_segment(target_prefixes, count, "target prefixes")
        keys = [self.key(s, i, p, num_hypotheses) for s, i, p in zip(segments, extra, prefixes, strict=True)]
        with self._lock:
            found = self._get(keys)
        first: dict[str, int] = {}  # a repeated request inside one batch is decoded once
        for k in range(count):
            if keys[k] not in found:
                first.setdefault(keys[k], k)
        misses = list(first.values())
        fresh: dict[str, str] = {}
        if misses:
            results = self.engine.translate_batch(
                [segments[k] for k in misses],
                instructions=[extra[k] for k in misses],
                target_prefixes=[prefixes[k] for k in misses],
                num_hypotheses=num_hypotheses,
            )
            fresh = {keys[k]: _dump(r) for k, r in zip(misses, results, strict=True)}
        with self._lock:
            self.hits += count - len(misses)
            self.misses += len(misses)  # repeats within one batch count as hits
            if fresh:
                self._put(fresh)
        found.update(fresh)
        return [_load(segments[k], found[keys[k]]) for k in range(count)]


def _dump(result: Hypotheses) -> str:
    return json.dumps([[c.text, c.score, c.num_tokens] for c in result.candidates], ensure_ascii=False)


def _load(segment: str, value: str) -> Hypotheses:
    return Hypotheses(segment, tuple(Hypothesis(str(t), float(s), int(n)) for t, s, n in json.loads(value)))
