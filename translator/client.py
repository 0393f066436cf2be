"""A translator that uses a running ``termalign serve`` instead of a local model.

:class:`RemoteTranslator` has the same contract as the termbase-aware layer
(``translate(segments, ids=…) -> list[SegmentRecord]`` and ``signature``), so
``termalign batch --server URL`` journals and reports exactly as with a local
model.  Requests go in chunks of at most ``max_segments``; a busy server (503)
is retried after its Retry-After, a bounded number of times.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from termalign.kernel.errors import ConfigError, TermalignError
from termalign.kernel.signature import Signature
from termalign.translator.records import SegmentRecord

__all__ = ["RemoteTranslator", "RemoteError"]


class RemoteError(TermalignError):
    """The server could not be reached or refused a request."""


class RemoteTranslator:
    """Translate through a termalign server's ``POST /translate`` (LibreTranslate API + records)."""

    def __init__(
        self,
        url: str,
        *,
        termbase: str | None = None,
        source: str = "zh",
        target: str = "en",
        api_key: str | None = None,
        timeout: float = 600.0,
        max_segments: int = 64,
        retries: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_segments < 1 or retries < 0:
            raise ConfigError("max_segments must be at least 1 and retries not negative")
        self.url = url.rstrip("/")
        self.termbase, self.source, self.target = termbase, source, target
        self.api_key = api_key
        self.max_segments, self.retries = max_segments, retries
        self._timeout = timeout
        self._sleep = sleep
        self._client: Any = None
        self._signature: Signature | None = None

    def _http(self) -> Any:
        if self._client is None:
            # Lazy: httpx (~0.3 s) to import (startup_bench.py).
            import httpx

            self._client = httpx.Client(timeout=self._timeout)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> RemoteTranslator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def signature(self) -> Signature:
        """The server's translator signature (from ``GET /health``) plus where it was reached."""
        if self._signature is None:
            health = self._request("GET", "/health")
            signature = health.get("signature") or {}
            if self.termbase is not None:
                probe = self._request("POST", "/translate", self._payload(["你好。"]))
                signature = probe.get("signature") or signature
            self._signature = Signature.of(remote=self.url, server_termbase=self.termbase, server=signature)
        return self._signature

    def _payload(self, segments: Sequence[str]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "q": list(segments), "source": self.source, "target": self.target,
            "format": "text", "records": True, "split": False,  # our segments are sentences already
        }  # fmt: skip
        if self.termbase is not None:
            payload["termbase"] = self.termbase
        if self.api_key is not None:
            payload["api_key"] = self.api_key
        return payload

    def translate(
        self,
        segments: Sequence[str],
        *,
        ids: Sequence[str] | None = None,
        exclude: Any = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[SegmentRecord]:
        """One record per segment, in input order (``exclude`` is not supported remotely)."""
        if exclude is not None:
            raise ConfigError("a remote translator cannot exclude TM entries (leave-one-out runs locally)")
        names = [str(i) for i in range(len(segments))] if ids is None else list(ids)
        if len(names) != len(segments):
            raise ConfigError(f"{len(names)} ids given for {len(segments)} segments")
        records: list[SegmentRecord] = []
        for start in range(0, len(segments), self.max_segments):
            chunk = list(segments[start : start + self.max_segments])
            data = self._request("POST", "/translate", self._payload(chunk))
            records.extend(self._records(chunk, names[start : start + len(chunk)], data))
            if progress is not None:
                progress(len(chunk))
        return records

    def _records(self, chunk: list[str], names: list[str], data: dict[str, Any]) -> list[SegmentRecord]:
        texts = data.get("translatedText")
        if not isinstance(texts, list) or len(texts) != len(chunk):
            raise RemoteError(f"the server answered {type(texts).__name__} for {len(chunk)} segments")
        raw = data.get("segments")
        if isinstance(raw, list) and len(raw) == len(chunk):
            return [
                dataclasses.replace(SegmentRecord.from_dict(r), id=name)
                for r, name in zip(raw, names, strict=True)
            ]
        return [
            SegmentRecord(name, source, str(text), "mt", 0.0)
            for name, source, text in zip(names, chunk, texts, strict=True)
        ]

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        # Lazy: httpx (~0.3 s) to import (startup_bench.py).
        import httpx

        url = self.url + path
        for attempt in range(self.retries + 1):
            try:
                response = self._http().request(method, url, json=payload)
            except httpx.HTTPError as exc:
                raise RemoteError(f"cannot reach the translation server at {self.url} ({exc})") from exc
            if response.status_code == 503 and attempt < self.retries:
                self._sleep(_retry_after(response.headers.get("retry-after")))
                continue
            try:
                data = response.json()
            except ValueError:
                data = {}
            if response.status_code != 200:
                message = data.get("error") if isinstance(data, dict) else None
                raise RemoteError(
                    f"the server at {self.url} answered {response.status_code}: "
                    f"{message or response.text[:200]}"
                )
            if not isinstance(data, dict):
                raise RemoteError(f"the server at {self.url} answered a non-object JSON body")
            return data
        raise RemoteError(f"the server at {self.url} stayed busy after {self.retries} retries")


def _retry_after(value: str | None) -> float:
    try:
        return min(30.0, max(0.05, float(value or 1)))
    except ValueError:
        return 1.0
