"""The translation server on loopback: LibreTranslate clients, limits, metrics, dynamic batching."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from termalign.translator.identity import IdentityEngine
from termalign.translator.records import SegmentRecord
from termalign.translator.server import ServerConfig, ServerThread, create_app
from termalign.translator.terms import TermAwareTranslator, TranslateConfig
from tests.batch_samples import TERMBASE, Recorder, install_tiny, tiny_engine


def _identity_factory() -> dict[str | None, Any]:
    from termalign.termbase.store import load_termbase

    engine = IdentityEngine()
    return {
        None: TermAwareTranslator(engine),
        # inline for every entry, so the identity engine echoes the rendering (auto would list 蒸馏's)
        "deepseek": TermAwareTranslator(
            engine, termbase=load_termbase(TERMBASE), config=TranslateConfig(term_injection="inline")
        ),
    }


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    config = ServerConfig(max_request_bytes=64 * 1024, max_segments=16, warmup=False)
    with ServerThread(create_app(_identity_factory, config)) as running:
        yield running


def test_libretranslatepy_client_works_unchanged(server: ServerThread) -> None:
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(server.url)
    assert client.translate("今天天气很好。", "zh", "en") == "今天天气很好。"
    assert client.translate("你好", "auto", "en") == "你好"
    codes = {lang["code"]: lang["targets"] for lang in client.languages()}
    assert codes["zh"] == ["en"]


def test_list_q_and_the_termbase_extension(server: ServerThread) -> None:
    body = {"q": ["我们研究蒸馏。", "你好"], "source": "zh", "target": "en", "termbase": "deepseek"}
    data = httpx.post(server.url + "translate", json=body).json()
    # the termbase writes the approved rendering into what the engine sees; identity echoes it
    assert data["translatedText"] == ["我们研究distillation。", "你好"]
    records = [SegmentRecord.from_dict(r) for r in data["segments"]]
    assert [t.target for t in records[0].terms] == ["distillation"]
    assert records[0].terms[0].used is True and records[0].source == "我们研究蒸馏。"
    assert not any(i.check == "term-missing" for i in records[0].issues)
    assert data["signature"]["termbase"]  # the termbase hash says how it was made
    plain = httpx.post(server.url + "translate", json={"q": "你好", "source": "zh", "target": "en"}).json()
    assert plain["translatedText"] == "你好" and "segments" not in plain
    assert plain["signature"]["engine"]["engine"] == "identity"


def test_html_format_keeps_markup_even_when_broken(server: ServerThread) -> None:
    for html in (
        '<p>你好，<b>世界</b>。<a href="x">链接</a></p>',
        "<p>未闭合<b>标签<i>嵌套</p></div>",
        "<<>>",
    ):
        response = httpx.post(
            server.url + "translate", json={"q": html, "source": "zh", "target": "en", "format": "html"}
        )
        assert response.status_code == 200, response.text
        # identity "translation"; sentences are re-joined with a space, the markup is intact
        assert response.json()["translatedText"].replace("。 ", "。") == html


@pytest.mark.parametrize(
    ("content", "headers", "status", "fragment"),
    [
        (b'{"q": "x", "source": ', {"content-type": "application/json"}, 400, "malformed JSON"),
        (b"[1, 2]", {"content-type": "application/json"}, 400, "object"),
        (
            b'{"q": "\\u4f60"}'[:-2] + b'\xff\xfe"}',
            {"content-type": "application/json"},
            400,
            "UTF-8",
        ),
        (b'{"q": "", "source": "zh", "target": "en"}', {}, 400, "empty"),
        (b'{"q": [], "source": "zh", "target": "en"}', {}, 400, "empty"),
        (b'{"q": [1], "source": "zh", "target": "en"}', {}, 400, "list of strings"),
        (b'{"source": "zh", "target": "en"}', {}, 400, "missing q"),
        (b'{"q": "x", "source": "zh", "target": "fr"}', {}, 400, "language pair"),
        (b'{"q": "x", "source": "de", "target": "en"}', {}, 400, "language pair"),
        (b'{"q": "x", "source": "zh", "target": "en", "format": "pdf"}', {}, 400, "format"),
        (b'{"q": "x", "source": "zh", "target": "en", "termbase": "nope"}', {}, 400, "termbase"),
        (json.dumps({"q": ["x"] * 17, "source": "zh", "target": "en"}).encode(), {}, 413, "segments"),
        (json.dumps({"q": "长" * 400_000, "source": "zh", "target": "en"}).encode(), {}, 413, "larger"),
        (
            b"q=%FF%FE&source=zh&target=en",
            {"content-type": "application/x-www-form-urlencoded"},
            400,
            "UTF-8",
        ),
    ],
)
def test_bad_input_gets_a_json_error_and_the_server_lives_on(
    server: ServerThread, content: bytes, headers: dict[str, str], status: int, fragment: str
) -> None:
    response = httpx.post(server.url + "translate", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]
    assert httpx.get(server.url + "health").json()["status"] == "ok"


def test_unknown_route_and_method_are_json(server: ServerThread) -> None:
    assert httpx.get(server.url + "nowhere").json()["error"]
    assert httpx.get(server.url + "translate").status_code == 405


def test_metrics_are_prometheus_text(server: ServerThread) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    httpx.post(server.url + "translate", json={"q": "你好", "source": "zh", "target": "en"})
    text = httpx.get(server.url + "metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in ("termalign_requests", "termalign_segments", "termalign_batch_size",
                 "termalign_request_latency_seconds", "termalign_queue_length"):  # fmt: skip
        assert name in families, name
    assert families["termalign_batch_size"].type == "histogram"
    ok = [s for s in families["termalign_requests"].samples if s.labels.get("status") == "200"]
    assert ok and ok[0].value >= 1


def test_q_items_are_cut_into_sentences_unless_split_is_false() -> None:
    recorder = Recorder()
    with ServerThread(create_app(lambda: {None: recorder}, ServerConfig(warmup=False))) as running:
        paragraph = "第一句。第二句！\n第三句？"
        body = {"q": [paragraph, "你好"], "source": "zh", "target": "en", "records": True}
        data = httpx.post(running.url + "translate", json=body).json()
        assert recorder.calls[-1] == ["第一句。", "第二句！", "第三句？", "你好"]
        assert data["translatedText"] == ["第一句。 第二句！\n第三句？", "你好"]  # identity, re-joined
        records = [SegmentRecord.from_dict(r) for r in data["segments"]]
        assert [(r.id, r.source, r.attempts) for r in records] == [
            ("0", paragraph, 6),
            ("1", "你好", 2),
        ]  # identity: re-prompted
        html = {"q": "<p>第一句。<b>第二句。</b></p>", "source": "zh", "target": "en", "format": "html"}
        assert httpx.post(running.url + "translate", json=html).json()["translatedText"] == (
            "<p>第一句。 <b>第二句。</b></p>"
        )
        assert recorder.calls[-1] == ["<g1>第一句。", "<g2>第二句。</g2></g1>"]
        whole = httpx.post(running.url + "translate", json={**body, "q": paragraph, "split": False}).json()
        assert recorder.calls[-1] == [paragraph] and whole["translatedText"] == paragraph
        bad = httpx.post(running.url + "translate", json={**body, "split": "sometimes"})
        assert bad.status_code == 400 and "split" in bad.json()["error"]


def test_too_many_sentences_is_413() -> None:
    config = ServerConfig(max_sentences=3, warmup=False)
    with ServerThread(create_app(lambda: {None: Recorder()}, config)) as running:
        body = {"q": "一。二。三。四。", "source": "zh", "target": "en"}
        response = httpx.post(running.url + "translate", json=body)
    assert response.status_code == 413 and "too many sentences: 4" in response.json()["error"]


class Gate(Recorder):
    """A translator that waits for a signal before translating (to fill the queue)."""

    def __init__(self) -> None:
        super().__init__()
        self.open = threading.Event()

    def translate(self, segments: Sequence[str], **kwargs: Any) -> list[SegmentRecord]:
        self.open.wait(30)
        return super().translate(segments, **kwargs)


def test_a_full_queue_answers_503_with_retry_after() -> None:
    gate = Gate()
    config = ServerConfig(max_queue=2, batch_wait_ms=0, max_batch_segments=1, warmup=False)
    with ServerThread(create_app(lambda: {None: gate}, config)) as running, ThreadPoolExecutor(8) as pool:
        body = {"q": "你好", "source": "zh", "target": "en"}
        futures = [
            pool.submit(httpx.post, running.url + "translate", json=body, timeout=30) for _ in range(6)
        ]
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum(f.done() for f in futures) < 3:
            time.sleep(0.01)
        gate.open.set()
        responses = [f.result() for f in futures]
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(503) >= 1 and statuses.count(200) >= 3
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "1"
    assert "busy" in busy.json()["error"]


def test_concurrent_requests_share_engine_batches(tmp_path_factory: pytest.TempPathFactory) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    models = install_tiny(tmp_path_factory.mktemp("models") / "models")
    engine = tiny_engine(models)
    config = ServerConfig(batch_wait_ms=150, max_batch_segments=16)
    with ServerThread(create_app(lambda: {None: TermAwareTranslator(engine)}, config)) as running:
        assert httpx.get(running.url + "health").json()["signature"]["engine"]["model"].startswith("tiny@")
        body = {"q": "今天天气很好。", "source": "zh", "target": "en"}
        with ThreadPoolExecutor(8) as pool:
            responses = list(
                pool.map(lambda _: httpx.post(running.url + "translate", json=body, timeout=60), range(8))
            )
        assert all(r.status_code == 200 for r in responses)
        assert len({r.json()["translatedText"] for r in responses}) == 1  # same input, same output
        text = httpx.get(running.url + "metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples = {s.name: s.value for s in families["termalign_batch_size"].samples if not s.labels.get("le")}
    # the 8 one-segment requests went to the engine in fewer, larger batches
    assert samples["termalign_batch_size_sum"] == 8
    assert samples["termalign_batch_size_count"] < 8


def test_startup_failure_is_reported_not_fatal(tmp_path: Path) -> None:
    def broken() -> dict[str | None, Any]:
        raise RuntimeError("no model here")

    with ServerThread(create_app(broken, ServerConfig())) as running:
        health = httpx.get(running.url + "health")
        assert health.status_code == 500 and "no model here" in health.json()["error"]
        response = httpx.post(running.url + "translate", json={"q": "你好", "source": "zh", "target": "en"})
        assert response.status_code == 500 and "no model here" in response.json()["error"]
