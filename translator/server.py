"""A translation server with LibreTranslate's API, dynamic batching and Prometheus metrics.

``POST /translate`` takes LibreTranslate's fields (``q`` a string or a list,
``source``, ``target``, ``format`` text/html, ``api_key``) as JSON or as a form,
and answers ``{"translatedText": ...}`` in the same shape, so LibreTranslate
clients work unchanged.  Extensions: ``termbase`` (the name of a loaded
termbase) and ``records: true`` add ``segments`` — one
:class:`~translator.records.SegmentRecord` per q, with its term checks — and
every answer carries ``signature`` (how it was made).  Each q item is cut into
sentences before translation (a long paragraph in one prompt would outrun the
model's token budget) and put back together; ``split: false`` sends items
whole (our own client does, as it already sends sentences).

One worker thread owns the engine (and the termbases: SQLite connections stay
in the thread that opened them).  Requests wait in a bounded queue; the worker
takes the first one, waits ``batch_wait_ms`` for more, and translates all it
took in one call per termbase, so concurrent clients share engine batches.
Bad input never kills the server: every failure is a JSON error with a status.
Every field is type-checked at the edge (a list where a string belongs, a lone
surrogate, JSON nested too deep, an over-long sentence: 400/413); a request
that fails inside the engine fails alone (the rest of its batch is retried
without it); the worker thread survives any fault, and ``/health`` says when it
cannot serve.  Slow clients are cut off after ``read_timeout_s`` (headers and
body), and with an API key set, ``/metrics``, ``/languages`` and the signature
in ``/health`` need it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from termalign.kernel.errors import ConfigError, TermalignError
from termalign.kernel.signature import Signature
from termalign.translator.markup import protect, restore
from termalign.translator.records import SegmentRecord
from termalign.translator.split import SplitText, join_translations, merge_records, split_text
from termalign.translator.stack import Translator

if TYPE_CHECKING:
    from termalign.translator.split import SplitText

__all__ = [
    "ServerConfig",
    "BatchWorker",
    "QueueFull",
    "create_app",
    "ServerThread",
    "LANGUAGE_NAMES",
    "uvicorn_config",
    "serve_app",
]

_log = logging.getLogger("termalign.server")

LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
TranslatorFactory = Callable[[], Mapping[str | None, Translator]]


@dataclass(frozen=True)
class ServerConfig:
    """Limits and batching of the server (resolved at the CLI edge)."""

    source_lang: str = "zh"
    target_lang: str = "en"
    max_request_bytes: int = 256 * 1024
    max_segments: int = 128  # q items per request
    max_sentences: int = 1024  # sentences per request once q items are split (more: 413)
    max_sentence_chars: int = 4000  # characters of one sentence sent to the engine (more: 413)
    max_queue: int = 64  # requests waiting for the worker; more get 503
    batch_wait_ms: float = 5.0  # how long the worker waits for company after the first request
    max_batch_segments: int = 32  # segments per engine call
    request_timeout_s: float = 600.0
    api_keys: tuple[str, ...] = ()  # empty: no key needed
    retry_after_s: int = 1
    warmup: bool = True  # translate one segment at start so the first request is not slow
    read_timeout_s: float = 30.0  # a request's headers and body must arrive within this (slowloris)
    keep_alive_s: float = 5.0  # an idle keep-alive connection is closed after this
    shutdown_timeout_s: float = 3.0  # on SIGTERM, in-flight requests get this long to finish
    max_connections: int = 1024  # open connections and tasks beyond this get 503 from uvicorn
    failing_after: int = 5  # engine calls failing in a row before /health says the engine is failing

    def __post_init__(self) -> None:
        for name in (
            "max_request_bytes", "max_segments", "max_sentences", "max_sentence_chars", "max_queue",
            "max_batch_segments", "max_connections", "failing_after",
        ):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.batch_wait_ms < 0:
            raise ConfigError("batch_wait_ms must not be negative")
        for name in ("read_timeout_s", "keep_alive_s", "shutdown_timeout_s", "request_timeout_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")


class QueueFull(Exception):
    """The worker's queue is at its limit (answered with 503 and Retry-After)."""


class UnknownTermbase(Exception):
    """A request named a termbase the worker has not loaded (answered with 400)."""


@dataclass
class _Job:
    segments: list[str]
    termbase: str | None
    future: Future[list[SegmentRecord]] = field(default_factory=Future)


class _Metrics:
    """Prometheus metrics in a registry of their own (never the global one)."""

    def __init__(self, queue_length: Callable[[], int]) -> None:
        # Lazy: prometheus_client (~0.1 s) to import (startup_bench.py).
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "termalign_requests", "HTTP requests answered", ["endpoint", "status"], registry=self.registry
        )
        self.segments = Counter("termalign_segments", "Segments translated", registry=self.registry)
        self.batches = Counter("termalign_engine_batches", "Translator calls made", registry=self.registry)
        self.batch_size = Histogram(
            "termalign_batch_size", "Segments per translator call",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "termalign_request_latency_seconds", "Time to answer POST /translate",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120), registry=self.registry,
        )  # fmt: skip
        queue = Gauge("termalign_queue_length", "Requests waiting for the worker", registry=self.registry)
        queue.set_function(lambda: float(queue_length()))

    def render(self) -> bytes:
        # Lazy: prometheus_client (~0.1 s) to import (startup_bench.py).
        from prometheus_client import generate_latest

        return bytes(generate_latest(self.registry))


class BatchWorker:
    """The one thread that owns the translators; gathers queued requests into batches."""

    def __init__(self, factory: TranslatorFactory, config: ServerConfig) -> None:
        self._factory = factory
        self.config = config
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.translators: Mapping[str | None, Translator] = {}
        self.signature: Signature = Signature.of()
        self.signatures: dict[str | None, Signature] = {}
        self.metrics = _Metrics(self.queue_length)
        self.busy_since: float | None = None  # monotonic start of the engine call in progress
        self.failures_in_a_row = 0
        self.last_failure = ""

    def queue_length(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="termalign-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop taking work, fail what is still queued, wait up to ``timeout`` for the engine call."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._fail_all(QueueFull("the server is shutting down"))
        if self._thread is not None:
            self._thread.join(timeout)

    def problem(self, *, failures: bool = True) -> str | None:
        """Why the worker cannot serve now (None: it can).

        ``failures=False`` leaves out a run of failed engine calls: requests keep
        going to the engine (one success clears it), only ``/health`` reports it.
        """
        if self.error is not None:
            return f"the translator failed to start: {self.error}"
        thread = self._thread
        if thread is not None and self.ready.is_set() and not thread.is_alive() and not self._stop:
            return "the engine thread has stopped"
        busy = self.busy_since
        if busy is not None and time.monotonic() - busy > self.config.request_timeout_s:
            return f"the engine has been busy with one batch for over {self.config.request_timeout_s:g} s"
        if failures and self.failures_in_a_row >= self.config.failing_after:
            return f"the engine failed its last {self.failures_in_a_row} calls ({self.last_failure})"
        return None

    def submit(self, segments: list[str], termbase: str | None) -> Future[list[SegmentRecord]]:
        """Queue segments for translation; QueueFull when the queue is at its limit."""
        job = _Job(segments, termbase)
        with self._cond:
            if self._stop:
                raise QueueFull("the server is shutting down")
            if len(self._queue) >= self.config.max_queue:
                raise QueueFull(f"{len(self._queue)} requests are waiting")
            self._queue.append(job)
            self._cond.notify()
        return job.future

    def _main(self) -> None:
        try:
            self.translators = dict(self._factory())
            if None not in self.translators:
                raise ConfigError("the translator factory gave no default translator (key None)")
            # computed here: a termbase's hash reads SQLite, which belongs to this thread
            self.signatures = {name: Signature.of(t.signature) for name, t in self.translators.items()}
            self.signature = self.signatures[None]
            if self.config.warmup:
                self.translators[None].translate(["你好。"])
        except BaseException as exc:  # reported by /health and every request; the thread ends
            self.error = exc
            self._fail_all(exc)
            return
        finally:
            self.ready.set()
        while True:
            jobs = self._take()
            if jobs is None:
                return
            try:
                self._run(jobs)
            except Exception as exc:  # a fault of ours: logged, its requests fail, the loop goes on
                _log.exception("the engine worker met an unexpected error")
                for job in jobs:
                    _settle(job.future, error=exc)

    def _take(self) -> list[_Job] | None:
        """The next jobs to run together (None: stopping with nothing left)."""
        cfg = self.config
        with self._cond:
            while not self._queue and not self._stop:
                self._cond.wait()
            if not self._queue:
                return None
            deadline = time.monotonic() + cfg.batch_wait_ms / 1000.0
            while sum(len(j.segments) for j in self._queue) < cfg.max_batch_segments and not self._stop:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            jobs = [self._queue.popleft()]
            size = len(jobs[0].segments)
            while self._queue and size + len(self._queue[0].segments) <= cfg.max_batch_segments:
                size += len(self._queue[0].segments)
                jobs.append(self._queue.popleft())
            return [job for job in jobs if not job.future.cancelled()]  # a client that gave up

    def _run(self, jobs: list[_Job]) -> None:
        groups: dict[str | None, list[_Job]] = {}
        for job in jobs:
            groups.setdefault(job.termbase, []).append(job)
        for name, group in groups.items():
            translator = self.translators.get(name)
            if translator is None:
                for job in group:
                    _settle(job.future, error=UnknownTermbase(name))
                continue
            self._run_group(translator, group)

    def _run_group(self, translator: Translator, group: list[_Job]) -> None:
        """Translate a group in one call; if it fails, each request is retried alone."""
        segments = [s for job in group for s in job.segments]
        self.busy_since = time.monotonic()
        try:
            records = translator.translate(segments)
            if len(records) != len(segments):
                raise RuntimeError(f"the translator gave {len(records)} records for {len(segments)} segments")
        except Exception as exc:  # one bad request must not fail the others: retry them alone
            self.busy_since = None
            if len(group) > 1:
                for job in group:
                    self._run_group(translator, [job])
                return
            self.failures_in_a_row += 1
            self.last_failure = f"{type(exc).__name__}: {exc}"
            _log.warning("a request failed in the engine: %s", self.last_failure)
            _settle(group[0].future, error=exc)
            return
        self.busy_since = None
        self.failures_in_a_row = 0
        self.metrics.batches.inc()
        self.metrics.batch_size.observe(len(segments))
        self.metrics.segments.inc(len(segments))
        start = 0
        for job in group:
            _settle(job.future, result=records[start : start + len(job.segments)])
            start += len(job.segments)

    def _fail_all(self, exc: BaseException) -> None:
        with self._cond:
            while self._queue:
                _settle(self._queue.popleft().future, error=exc)


def _settle(
    future: Future[list[SegmentRecord]],
    *,
    result: list[SegmentRecord] | None = None,
    error: BaseException | None = None,
) -> None:
    """Resolve a job's future unless its client already gave up (cancelled) — never raises."""
    if future.done():
        return
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result or [])
    except InvalidStateError:  # cancelled between the check and the call
        pass


# -- HTTP -------------------------------------------------------------------------------------------


class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def _lang(code: Any) -> str:
    return str(code or "").strip().split("-")[0].split("_")[0].lower()


async def _read_body(request: Any, limit: int) -> bytes:
    from starlette.requests import ClientDisconnect

    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _HttpError(413, f"the request is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _HttpError(413, f"the request is larger than {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise _HttpError(400, "the client closed the connection before the body was sent") from None
    return b"".join(chunks)


def _parse_fields(body: bytes, content_type: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _HttpError(400, f"the request body is not valid UTF-8 (byte {exc.start})") from None
    if "application/x-www-form-urlencoded" in content_type or "multipart/form-data" in content_type:
        if "multipart" in content_type:
            raise _HttpError(400, "multipart forms are not supported; send JSON or a urlencoded form")
        try:
            form = parse_qs(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as exc:
            raise _HttpError(400, f"a form field is not valid UTF-8 once decoded ({exc.reason})") from None
        fields: dict[str, Any] = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
        return fields
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _HttpError(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise _HttpError(400, "the JSON body is nested too deeply") from None
    if not isinstance(data, dict):
        raise _HttpError(400, "the JSON body must be an object")
    return data


_STRING_FIELDS = ("source", "target", "format", "api_key", "termbase")
_FLAG_FIELDS = ("split", "records")


def _check_unicode(value: str, name: str) -> None:
    """A string the engine and the JSON encoder can take (no lone surrogates), else 400 naming it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _HttpError(
            400, f"invalid request: {name} is not valid Unicode (a lone surrogate at character {exc.start})"
        ) from None


def _check_fields(fields: Mapping[str, Any]) -> None:
    """Every field LibreTranslate (or our extension) defines has the type it must have, else 400."""
    for name in _STRING_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise _HttpError(400, f"invalid request: {name} must be a string, not {type(value).__name__}")
        if value is not None:
            _check_unicode(value, name)
    for name in _FLAG_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, bool | str | int):
            kind = type(value).__name__
            raise _HttpError(400, f"invalid request: {name} must be true or false, not {kind}")


def _segments(fields: Mapping[str, Any], config: ServerConfig) -> tuple[list[str], bool]:
    """The q items and whether q was a list; 400/413 for bad or oversized q."""
    q = fields.get("q")
    if q is None:
        raise _HttpError(400, "invalid request: missing q parameter")
    many = isinstance(q, list)
    items = q if many else [q]
    if not all(isinstance(item, str) for item in items):
        raise _HttpError(400, "invalid request: q must be a string or a list of strings")
    if not items or (not many and not q.strip()):
        raise _HttpError(400, "invalid request: q is empty")
    if len(items) > config.max_segments:
        raise _HttpError(413, f"too many segments: {len(items)} (the limit is {config.max_segments})")
    for k, item in enumerate(items):
        _check_unicode(item, f"q[{k}]" if many else "q")
    return list(items), many


def _check_languages(fields: Mapping[str, Any], config: ServerConfig) -> None:
    source, target = _lang(fields.get("source", "auto")), _lang(fields.get("target"))
    if source not in ("auto", config.source_lang) or target != config.target_lang:
        raise _HttpError(
            400,
            f"unsupported language pair {fields.get('source')!r} -> {fields.get('target')!r}; "
            f"this server translates {config.source_lang} -> {config.target_lang}",
        )


def _split(texts: Sequence[str], flag: Any, config: ServerConfig) -> list[SplitText]:
    """Each item cut into sentences (``"split": false`` keeps items whole, as our client asks)."""
    if flag in (False, "false", "0", 0):
        whole = [SplitText(t, ((0, len(t)),) if t.strip() else ()) for t in texts]
        _check_lengths(whole, config)
        return whole
    if flag not in (None, True, "true", "1", 1):
        raise _HttpError(400, f"invalid split {flag!r}: use true or false")
    pieces = [split_text(t, config.source_lang) for t in texts]
    count = sum(len(p.spans) for p in pieces)
    if count > config.max_sentences:
        raise _HttpError(413, f"too many sentences: {count} (the limit is {config.max_sentences})")
    _check_lengths(pieces, config)
    return pieces


def _check_lengths(pieces: Sequence[SplitText], config: ServerConfig) -> None:
    """413 for a sentence longer than the engine is given (a 70,000-character run without a stop)."""
    for k, piece in enumerate(pieces):
        for sentence in piece.sentences:
            if len(sentence) > config.max_sentence_chars:
                raise _HttpError(
                    413,
                    f"q item {k} has a sentence of {len(sentence)} characters "
                    f"(the limit is {config.max_sentence_chars}); split it",
                )


def _regroup(pieces: Sequence[SplitText], records: Sequence[SegmentRecord]) -> list[SegmentRecord]:
    """One record per q item (its id the item's index) from the records of its sentences."""
    out: list[SegmentRecord] = []
    pos = 0
    for k, piece in enumerate(pieces):
        parts = records[pos : pos + len(piece.spans)]
        pos += len(piece.spans)
        if len(parts) == 1 and piece.spans == ((0, len(piece.text)),):
            out.append(dataclasses.replace(parts[0], id=str(k)))
            continue
        target = join_translations(piece, [r.target for r in parts])
        merged = merge_records(str(k), piece.text, target, parts)
        scores = [r.quality for r in parts if r.quality is not None]  # an item is as weak as its weakest
        out.append(dataclasses.replace(merged, quality=min(scores)) if scores else merged)
    return out


def _protect(items: Sequence[str], fmt: str) -> tuple[list[str], list[Any]]:
    if fmt == "text":
        return list(items), [None] * len(items)

    protected = [protect(item, "html") for item in items]
    return [p.text for p in protected], protected


def _restore(record: SegmentRecord, protected: Any) -> str:
    if protected is None:
        return record.target

    return restore(record.target, protected).text


def _key_given(request: Any, fields: Mapping[str, Any] | None = None) -> str | None:
    """The API key a request carries: ``api_key`` (body or query), a bearer token or ``X-API-Key``."""
    if fields is not None and isinstance(fields.get("api_key"), str):
        return str(fields["api_key"])
    query = request.query_params.get("api_key")
    if query:
        return str(query)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return str(auth[7:].strip())
    header = request.headers.get("x-api-key")
    return None if header is None else str(header)


def _key_ok(config: ServerConfig, key: str | None) -> bool:
    if not config.api_keys:
        return True
    if key is None:
        return False
    given = key.encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(given, k.encode("utf-8")) for k in config.api_keys)


def create_app(factory: TranslatorFactory, config: ServerConfig | None = None) -> Any:
    """The Starlette application; the worker starts and stops with the app's lifespan."""
    # Lazy: starlette (~0.2 s) to import (startup_bench.py).
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    config = config or ServerConfig()
    worker = BatchWorker(factory, config)

    def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
        # a message quoting the client's input must still encode (lone surrogates are escaped)
        safe = message.encode("utf-8", "backslashreplace").decode("utf-8")
        return JSONResponse({"error": safe}, status_code=status, headers=dict(headers or {}))

    async def translate(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await _translate(request)
        except _HttpError as exc:
            response = error(exc.status, exc.message, exc.headers)
        except Exception as exc:  # the server answers 500 and lives on
            _log.exception("POST /translate failed")
            response = error(500, f"internal error: {type(exc).__name__}: {exc}")
        worker.metrics.requests.labels("/translate", str(response.status_code)).inc()
        worker.metrics.latency.observe(time.perf_counter() - started)
        return response

    async def _translate(request: Request) -> Response:
        body = await _read_body(request, config.max_request_bytes)
        fields = _parse_fields(body, request.headers.get("content-type", ""))
        _check_fields(fields)
        if not _key_ok(config, _key_given(request, fields)):
            raise _HttpError(403, "invalid API key")
        items, many = _segments(fields, config)
        _check_languages(fields, config)
        fmt = str(fields.get("format") or "text").lower()
        if fmt not in ("text", "html"):
            raise _HttpError(400, f"invalid format {fmt!r}: use text or html")
        termbase = fields.get("termbase") or None
        problem = worker.problem(failures=False)
        if problem is not None:
            raise _HttpError(500 if worker.error is not None else 503, problem)
        if termbase is not None and worker.ready.is_set() and termbase not in worker.translators:
            known = ", ".join(str(k) for k in worker.translators if k) or "none"
            raise _HttpError(400, f"unknown termbase {termbase!r} (loaded: {known})")
        texts, protected = _protect(items, fmt)
        pieces = _split(texts, fields.get("split"), config)
        sentences = [s for p in pieces for s in p.sentences]
        try:
            future = worker.submit(sentences, termbase)
        except QueueFull as exc:
            headers = {"Retry-After": str(config.retry_after_s)}
            raise _HttpError(503, f"the server is busy ({exc}); retry later", headers) from None
        try:
            records = await asyncio.wait_for(asyncio.wrap_future(future), config.request_timeout_s)
        except TimeoutError:
            raise _HttpError(504, "the translation took too long") from None
        except UnknownTermbase:
            raise _HttpError(400, f"unknown termbase {termbase!r}") from None
        except QueueFull as exc:
            raise _HttpError(503, f"{exc}; retry later", {"Retry-After": str(config.retry_after_s)}) from None
        records = _regroup(pieces, records)
        translated = [_restore(r, p) for r, p in zip(records, protected, strict=True)]
        data: dict[str, Any] = {"translatedText": translated if many else translated[0]}
        if str(fields.get("source", "auto")).lower() == "auto":
            detected = {"language": config.source_lang, "confidence": 100.0}
            data["detectedLanguage"] = [detected] * len(items) if many else detected
        if termbase is not None or fields.get("records") in (True, "true", "1"):
            data["segments"] = [r.to_dict() for r in records]
        signature = worker.signatures.get(termbase, worker.signature)
        data["signature"], data["signature_text"] = signature.as_dict(), str(signature)
        return JSONResponse(data)

    async def _guard(request: Request, endpoint: str) -> Response | None:
        """403 for a keyed endpoint asked without the key (a GET may carry it as a form body too)."""
        if not config.api_keys:
            return None
        fields: dict[str, Any] | None = None
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            with contextlib.suppress(_HttpError):
                fields = _parse_fields(await _read_body(request, 4096), request.headers["content-type"])
        if _key_ok(config, _key_given(request, fields)):
            return None
        worker.metrics.requests.labels(endpoint, "403").inc()
        return error(403, "invalid API key")

    async def languages(request: Request) -> Response:
        denied = await _guard(request, "/languages")
        if denied is not None:
            return denied
        worker.metrics.requests.labels("/languages", "200").inc()
        target = config.target_lang
        return JSONResponse(
            [
                {"code": code, "name": LANGUAGE_NAMES.get(code, code), "targets": [target]}
                for code in dict.fromkeys((config.source_lang, target))
            ]
        )

    async def health(request: Request) -> Response:
        # open to all, but says nothing about termbases, and the model signature only with the key
        if worker.error is not None:
            return JSONResponse({"status": "failed", "error": str(worker.error)}, status_code=500)
        if not worker.ready.is_set():
            return JSONResponse({"status": "loading"}, status_code=503)
        problem = worker.problem()
        if problem is not None:
            return JSONResponse({"status": "failing", "error": problem}, status_code=503)
        body: dict[str, Any] = {"status": "ok", "queue_length": worker.queue_length()}
        if _key_ok(config, _key_given(request)):
            body["signature"] = worker.signature.as_dict()
            body["signature_text"] = str(worker.signature)
        return JSONResponse(body)

    async def metrics(request: Request) -> Response:
        # Lazy: prometheus_client (~0.1 s) to import (startup_bench.py).
        from prometheus_client import CONTENT_TYPE_LATEST

        denied = await _guard(request, "/metrics")
        if denied is not None:
            return denied
        return Response(worker.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return error(status, str(getattr(exc, "detail", "not found")))

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        worker.start()
        try:
            yield
        finally:
            worker.stop()

    app = Starlette(
        routes=[
            Route("/translate", translate, methods=["POST"]),
            Route("/languages", languages, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )
    app.state.worker = worker
    return app


def _timed_protocol(read_timeout_s: float) -> type:
    """uvicorn's h11 protocol with a deadline for each request's headers and body (slowloris).

    uvicorn only times out idle keep-alive connections; a client that sends its
    headers (or body) a byte a minute would hold a connection for ever.  The
    timer is armed when a connection opens and after each response; if the
    request has not fully arrived when it fires, the connection is closed.
    """
    # Lazy: h11 and uvicorn (~0.2 s) to import (startup_bench.py).
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _read_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
            self._read_timer = self.loop.call_later(read_timeout_s, self._expire)

        def _expire(self) -> None:
            self._read_timer = None
            if self.transport.is_closing():
                return
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):  # the request is still arriving
                self.transport.close()

    return TimedH11Protocol


def uvicorn_config(app: Any, host: str = "127.0.0.1", port: int = 5000, **settings: Any) -> Any:
    """The uvicorn configuration for ``app`` with the limits of its :class:`ServerConfig`."""
    import uvicorn

    worker = getattr(getattr(app, "state", None), "worker", None)
    config = worker.config if isinstance(worker, BatchWorker) else ServerConfig()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_timed_protocol(config.read_timeout_s),
        timeout_keep_alive=max(1, round(config.keep_alive_s)),
        timeout_graceful_shutdown=max(1, round(config.shutdown_timeout_s)),
        limit_concurrency=config.max_connections,
        access_log=False,
        lifespan="on",
        **settings,
    )


def serve_app(app: Any, host: str, port: int, *, log_level: str = "info") -> None:
    """Run ``app`` until SIGINT/SIGTERM (in-flight requests get ``shutdown_timeout_s`` to finish)."""
    import uvicorn

    uvicorn.Server(uvicorn_config(app, host, port, log_level=log_level)).run()


class ServerThread:
    """A real uvicorn server on loopback in a background thread (tests, benches, notebooks).

    ``with ServerThread(app) as server: server.url`` — the port is picked by the OS.
    """

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning"
    ) -> None:
        # Lazy: uvicorn (~0.2 s) to import (startup_bench.py).
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = host, self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn_config(app, host, self.port, log_level=log_level))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 30.0
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise TermalignError("the server did not start", path=self.url)
            time.sleep(0.01)
        worker = getattr(getattr(self.server.config.app, "state", None), "worker", None)
        if isinstance(worker, BatchWorker):
            worker.ready.wait(max(0.0, deadline - time.monotonic()) + 60.0)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self._thread.join(30.0)
        self.sock.close()


@contextlib.contextmanager
def running(app: Any) -> Iterator[ServerThread]:
    """``ServerThread`` as a plain context manager function."""
    with ServerThread(app) as server:
        yield server
