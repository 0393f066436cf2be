"""Issue 17: one bad request must not take the server down (loopback, identity and tiny models).

Each numbered fault of the issue has a test here: a list where a string belongs
(1), a request failing in the engine fails alone (2), deep JSON and over-long
sentences (10), slow clients, the API key and what /health says (11); and the
fault run: 60 requests, 30 at a time, a tenth poisoned in each way, against a
real ``termalign serve`` subprocess on the tiny model, which then stops on
SIGTERM within 5 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from termalign.translator.identity import IdentityEngine
from termalign.translator.records import SegmentRecord
from termalign.translator.server import BatchWorker, ServerConfig, ServerThread, create_app
from termalign.translator.terms import TermAwareTranslator
from tests.batch_samples import TERMBASE, Recorder, install_tiny

BODY = {"q": "今天天气很好。", "source": "zh", "target": "en"}


class Poisoned(Recorder):
    """The identity translator that fails any batch holding a segment with 毒 (an engine fault)."""

    def translate(self, segments: Sequence[str], **kwargs: Any) -> list[SegmentRecord]:
        if any("毒" in s for s in segments):
            self.calls.append(list(segments))
            raise RuntimeError("TextInputSequence must be str")
        return super().translate(segments, **kwargs)


def _identity() -> dict[str | None, Any]:
    return {None: TermAwareTranslator(IdentityEngine())}


def test_a_list_where_a_string_belongs_is_400_while_loading_and_after() -> None:
    loaded = threading.Event()

    def slow_factory() -> dict[str | None, Any]:
        loaded.wait(30)
        return {None: TermAwareTranslator(IdentityEngine())}

    app = create_app(slow_factory, ServerConfig(warmup=False))
    server = ServerThread(app)
    server._thread.start()  # not __enter__: that waits for the model, and we want it loading
    try:
        while not server.server.started:
            time.sleep(0.01)
        assert httpx.get(server.url + "health").status_code == 503  # loading
        for field in ("termbase", "source", "target", "format", "api_key"):
            bad = {**BODY, field: ["x"]}
            response = httpx.post(server.url + "translate", json=bad, timeout=10)
            assert response.status_code == 400, response.text
            assert f"{field} must be a string" in response.json()["error"]
        loaded.set()
        app.state.worker.ready.wait(10)
        response = httpx.post(server.url + "translate", json={**BODY, "termbase": ["x"]}, timeout=10)
        assert response.status_code == 400 and "termbase must be a string" in response.json()["error"]
        assert httpx.post(server.url + "translate", json=BODY, timeout=10).status_code == 200
        assert httpx.get(server.url + "health").json()["status"] == "ok"
        form = httpx.post(server.url + "translate", content=b"q=x&source=zh&target=en&termbase=a&termbase=b",
                          headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert form.status_code == 400 and "termbase must be a string" in form.json()["error"]
    finally:
        loaded.set()
        server.__exit__()


def test_the_worker_survives_a_job_it_cannot_group() -> None:
    worker = BatchWorker(_identity, ServerConfig(warmup=False, batch_wait_ms=0))
    worker.start()
    try:
        bad = worker.submit(["你好"], ["a list"])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            bad.result(10)
        assert worker.submit(["你好"], None).result(10)[0].target == "你好"
        assert worker.problem() is None
    finally:
        worker.stop()


def test_a_request_failing_in_the_engine_fails_alone() -> None:
    poisoned = Poisoned()
    config = ServerConfig(warmup=False, batch_wait_ms=300, max_batch_segments=64)
    with ServerThread(create_app(lambda: {None: poisoned}, config)) as running:
        texts = [f"第{k}句话。" if k % 4 else f"有毒的第{k}句。" for k in range(12)]

        def one(text: str) -> httpx.Response:
            return httpx.post(running.url + "translate", json={**BODY, "q": text}, timeout=30)

        with ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(one, texts))
        for text, response in zip(texts, responses, strict=True):
            if "毒" in text:
                assert response.status_code == 500 and "TextInputSequence" in response.json()["error"]
            else:
                assert response.status_code == 200, response.text
                assert response.json()["translatedText"] == text
        assert max(len(c) for c in poisoned.calls) > 1  # they were batched together, then retried
        assert httpx.get(running.url + "health").json()["status"] == "ok"


def test_health_reports_an_engine_that_cannot_serve() -> None:
    class Broken(Poisoned):
        def translate(self, segments: Sequence[str], **kwargs: Any) -> list[SegmentRecord]:
            raise RuntimeError("CUDA error: device lost")

    config = ServerConfig(warmup=False, batch_wait_ms=0, failing_after=3)
    with ServerThread(create_app(lambda: {None: Broken()}, config)) as running:
        for _ in range(3):
            assert httpx.post(running.url + "translate", json=BODY, timeout=10).status_code == 500
        health = httpx.get(running.url + "health")
        assert health.status_code == 503 and "device lost" in health.json()["error"]
        assert "failed its last 3 calls" in health.json()["error"]
        # requests still reach the engine (a success would clear the state): never locked out
        again = httpx.post(running.url + "translate", json=BODY, timeout=10)
        assert again.status_code == 500 and "device lost" in again.json()["error"]


@pytest.mark.parametrize(
    ("content", "status", "fragment"),
    [
        (json.dumps({**BODY, "q": "深度\ud800求索。"}).encode(), 400, "lone surrogate"),
        (json.dumps({**BODY, "q": ["好", "坏\udfff"]}).encode(), 400, "q[1] is not valid Unicode"),
        (json.dumps({**BODY, "termbase": "\ud800"}).encode(), 400, "termbase is not valid Unicode"),
        (b'{"q": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400, "nested too deeply"),
        (json.dumps({**BODY, "q": "长" * 70_000}).encode(), 413, "70000 characters"),
        (json.dumps({**BODY, "q": "长" * 70_000, "split": False}).encode(), 413, "70000 characters"),
        (json.dumps({**BODY, "split": [1]}).encode(), 400, "split must be true or false"),
    ],
)
def test_poison_is_a_400_or_413_and_the_server_lives_on(content: bytes, status: int, fragment: str) -> None:
    config = ServerConfig(warmup=False, max_request_bytes=512 * 1024)
    with ServerThread(create_app(_identity, config)) as running:
        response = httpx.post(
            running.url + "translate", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == status, response.text
        assert fragment in response.json()["error"]
        assert httpx.post(running.url + "translate", json=BODY).status_code == 200


def test_slow_clients_are_cut_off() -> None:
    config = ServerConfig(warmup=False, read_timeout_s=1.0)
    with ServerThread(create_app(_identity, config)) as running:
        sockets = []
        for k in range(20):
            sock = socket.create_connection((running.host, running.port))
            if k % 2:  # headers never finished
                sock.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\n")
            else:  # headers done, the body dribbles
                sock.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            sock.settimeout(10)
            sockets.append(sock)
        started = time.monotonic()
        closed = 0
        for sock in sockets:
            try:
                while sock.recv(4096):  # the server may answer 400 first, then closes
                    pass
                closed += 1
            except (TimeoutError, ConnectionError):
                pass
            sock.close()
        assert closed == 20 and time.monotonic() - started < 8
        assert httpx.post(running.url + "translate", json=BODY).status_code == 200


def test_the_api_key_guards_translate_metrics_languages_and_the_signature() -> None:
    from libretranslatepy import LibreTranslateAPI

    config = ServerConfig(warmup=False, api_keys=("s3cret",))
    with ServerThread(create_app(_identity, config)) as running:
        url = running.url
        assert httpx.post(url + "translate", json=BODY).status_code == 403
        assert httpx.post(url + "translate", json={**BODY, "api_key": "s3cret"}).status_code == 200
        assert httpx.get(url + "metrics").status_code == 403
        assert httpx.get(url + "metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.get(url + "languages").status_code == 403
        assert httpx.get(url + "languages", params={"api_key": "s3cret"}).status_code == 200
        assert LibreTranslateAPI(url, api_key="s3cret").languages()[0]["code"] == "zh"
        health = httpx.get(url + "health").json()
        assert health["status"] == "ok" and "signature" not in health and "termbases" not in health
        keyed = httpx.get(url + "health", headers={"X-API-Key": "s3cret"}).json()
        assert keyed["signature"]["engine"]["engine"] == "identity"


def test_api_keys_from_a_file_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from termalign.commands.serve import _api_keys
    from termalign.kernel.errors import ConfigError

    keys = tmp_path / "keys"
    keys.write_text("# server keys\nalpha\n\n beta \n", encoding="utf-8")
    monkeypatch.setenv("TERMALIGN_API_KEY", "gamma")
    assert _api_keys(("delta",), keys) == ("delta", "alpha", "beta", "gamma")
    monkeypatch.delenv("TERMALIGN_API_KEY")
    (tmp_path / "empty").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="holds no key"):
        _api_keys((), tmp_path / "empty")
    with pytest.raises(ConfigError, match="cannot read"):
        _api_keys((), tmp_path / "missing")


# -- the fault run against a real `termalign serve` -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _poison(k: int) -> tuple[str, bytes, int]:
    """Request k of 60: (kind, body, expected status); a tenth poisoned in each of four ways."""
    kind = ("list", "surrogate", "long", "deep", "ok", "ok", "ok", "ok", "ok", "ok")[k % 10]
    body: Any = {"q": f"第{k}个请求：今天天气很好。", "source": "zh", "target": "en"}
    if kind == "list":
        body["termbase"] = ["deepseek"]
    elif kind == "surrogate":
        body["q"] = "深度\ud800求索。"
    elif kind == "long":
        body["q"] = "长" * 70_000
    elif kind == "deep":
        return kind, b'{"q": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400
    elif k % 3 == 0:
        body["termbase"] = "deepseek"
    return kind, json.dumps(body).encode(), {"long": 413, "ok": 200}.get(kind, 400)


def test_fault_run_60_requests_30_concurrent_then_sigterm(tmp_path: Path) -> None:
    models = install_tiny(tmp_path / "models")
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("termalign")), "serve", "--port", str(port), "--model", "tiny",
        "--models-dir", str(models), "--max-new-tokens", "8", "--termbase", f"deepseek={TERMBASE}",
        "--max-request-bytes", str(512 * 1024),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.1)
        requests = [_poison(k) for k in range(60)]

        def send(item: tuple[str, bytes, int]) -> tuple[str, int, int]:
            kind, body, expected = item
            response = httpx.post(
                url + "translate", content=body, headers={"content-type": "application/json"}, timeout=120
            )
            return kind, expected, response.status_code

        with ThreadPoolExecutor(30) as pool:
            results = list(pool.map(send, requests))
        assert [r for r in results if r[1] != r[2]] == []
        assert sum(1 for kind, _, status in results if kind == "ok" and status == 200) == 36
        assert httpx.get(url + "health", timeout=5).json()["status"] == "ok"
        # a slow client and a request in flight must not hold the shutdown up
        idle = socket.create_connection(("127.0.0.1", port))
        idle.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\n")
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(send, requests[4])
            time.sleep(0.2)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            stopped = time.monotonic() - started
            with contextlib.suppress(httpx.HTTPError):
                pending.result(timeout=10)
        idle.close()
        assert stopped < 5, f"the server took {stopped:.1f} s to stop"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_one_success_clears_a_run_of_failures() -> None:
    config = ServerConfig(warmup=False, batch_wait_ms=0, failing_after=3)
    with ServerThread(create_app(lambda: {None: Poisoned()}, config)) as running:
        for _ in range(3):
            poisoned = httpx.post(running.url + "translate", json={**BODY, "q": "有毒。"}, timeout=10)
            assert poisoned.status_code == 500
        assert httpx.get(running.url + "health").status_code == 503
        assert httpx.post(running.url + "translate", json=BODY, timeout=10).status_code == 200
        assert httpx.get(running.url + "health").json()["status"] == "ok"
