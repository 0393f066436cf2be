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
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
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

__all__ = ["ServerConfig", "BatchWorker", "QueueFull", "create_app", "ServerThread", "LANGUAGE_NAMES"]

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
    max_queue: int = 64  # requests waiting for the worker; more get 503
    batch_wait_ms: float = 5.0  # how long the worker waits for company after the first request
    max_batch_segments: int = 32  # segments per engine call
    request_timeout_s: float = 600.0
    api_keys: tuple[str, ...] = ()  # empty: no key needed
    retry_after_s: int = 1
    warmup: bool = True  # translate one segment at start so the first request is not slow

    def __post_init__(self) -> None:
        for name in ("max_request_bytes", "max_segments", "max_sentences", "max_queue", "max_batch_segments"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.batch_wait_ms < 0:
            raise ConfigError("batch_wait_ms must not be negative")


class QueueFull(Exception):
    """The worker's queue is at its limit (answered with 503 and Retry-After)."""


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

    def queue_length(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="termalign-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

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
            self._run(jobs)

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
            return jobs

    def _run(self, jobs: list[_Job]) -> None:
        groups: dict[str | None, list[_Job]] = {}
        for job in jobs:
            groups.setdefault(job.termbase, []).append(job)
        for name, group in groups.items():
            segments = [s for job in group for s in job.segments]
            try:
                records = self.translators[name].translate(segments)
            except Exception as exc:  # one failed batch fails its requests, never the worker
                for job in group:
                    job.future.set_exception(exc)
                continue
            self.metrics.batches.inc()
            self.metrics.batch_size.observe(len(segments))
            self.metrics.segments.inc(len(segments))
            start = 0
            for job in group:
                job.future.set_result(records[start : start + len(job.segments)])
                start += len(job.segments)

    def _fail_all(self, exc: BaseException) -> None:
        with self._cond:
            while self._queue:
                self._queue.popleft().future.set_exception(exc)


# -- HTTP -------------------------------------------------------------------------------------------


class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def _lang(code: Any) -> str:
    return str(code or "").strip().split("-")[0].split("_")[0].lower()


async def _read_body(request: Any, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _HttpError(413, f"the request is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _HttpError(413, f"the request is larger than {limit} bytes")
        chunks.append(chunk)
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
    if not isinstance(data, dict):
        raise _HttpError(400, "the JSON body must be an object")
    return data


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
        return [SplitText(t, ((0, len(t)),) if t.strip() else ()) for t in texts]
    if flag not in (None, True, "true", "1", 1):
        raise _HttpError(400, f"invalid split {flag!r}: use true or false")
    pieces = [split_text(t, config.source_lang) for t in texts]
    count = sum(len(p.spans) for p in pieces)
    if count > config.max_sentences:
        raise _HttpError(413, f"too many sentences: {count} (the limit is {config.max_sentences})")
    return pieces


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
        out.append(merge_records(str(k), piece.text, target, parts))
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
        return JSONResponse({"error": message}, status_code=status, headers=dict(headers or {}))

    async def translate(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await _translate(request)
        except _HttpError as exc:
            response = error(exc.status, exc.message, exc.headers)
        except Exception as exc:  # the server answers 500 and lives on
            response = error(500, f"internal error: {type(exc).__name__}: {exc}")
        worker.metrics.requests.labels("/translate", str(response.status_code)).inc()
        worker.metrics.latency.observe(time.perf_counter() - started)
        return response

    async def _translate(request: Request) -> Response:
        body = await _read_body(request, config.max_request_bytes)
        fields = _parse_fields(body, request.headers.get("content-type", ""))
        if config.api_keys and fields.get("api_key") not in config.api_keys:
            raise _HttpError(403, "invalid API key")
        items, many = _segments(fields, config)
        _check_languages(fields, config)
        fmt = str(fields.get("format") or "text").lower()
        if fmt not in ("text", "html"):
            raise _HttpError(400, f"invalid format {fmt!r}: use text or html")
        termbase = fields.get("termbase") or None
        if worker.error is not None:
            raise _HttpError(500, f"the translator failed to start: {worker.error}")
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
        except KeyError:
            raise _HttpError(400, f"unknown termbase {termbase!r}") from None
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

    async def languages(_: Request) -> Response:
        worker.metrics.requests.labels("/languages", "200").inc()
        target = config.target_lang
        return JSONResponse(
            [
                {"code": code, "name": LANGUAGE_NAMES.get(code, code), "targets": [target]}
                for code in dict.fromkeys((config.source_lang, target))
            ]
        )

    async def health(_: Request) -> Response:
        if worker.error is not None:
            return JSONResponse({"status": "failed", "error": str(worker.error)}, status_code=500)
        if not worker.ready.is_set():
            return JSONResponse({"status": "loading"}, status_code=503)
        names = sorted(str(k) for k in worker.translators if k)
        body: dict[str, Any] = {"status": "ok", "signature": worker.signature.as_dict()}
        body["signature_text"] = str(worker.signature)
        body["termbases"] = names
        body["queue_length"] = worker.queue_length()
        return JSONResponse(body)

    async def metrics(_: Request) -> Response:
        # Lazy: prometheus_client (~0.1 s) to import (startup_bench.py).
        from prometheus_client import CONTENT_TYPE_LATEST

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
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
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
