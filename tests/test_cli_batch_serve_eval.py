"""The batch, serve and eval commands end to end (CliRunner, a real server subprocess)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from termalign.cli import cli
from termalign.commands import COMMANDS
from termalign.translator.server import ServerConfig, ServerThread, create_app
from termalign.translator.terms import TermAwareTranslator
from tests.batch_samples import TERMBASE, install_tiny, tiny_engine, write_corpus


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_tiny(tmp_path_factory.mktemp("tiny") / "models")


def _invoke(*args: str, data: Path | None = None) -> object:
    for command in COMMANDS:
        cli.add_command(command)
    env = {"TERMALIGN_DATA": str(data)} if data else {}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_batch_dry_run_then_run_then_resume(tmp_path: Path, models: Path) -> None:
    manifest = write_corpus(
        tmp_path, docs=2, translate="batch_segments = 8\n[translate.decoding]\nmax_new_tokens = 8\n"
    )
    out = tmp_path / "out"
    common = ["batch", str(manifest), "-o", str(out), "--model", "tiny", "--models-dir", str(models)]
    dry = _invoke(*common, "--dry-run", data=tmp_path / "data")
    assert dry.exit_code == 0, dry.output  # type: ignore[attr-defined]
    assert "dry run" in dry.output and not out.exists()  # type: ignore[attr-defined]
    first = _invoke(*common, "--max-docs", "1", "--json", data=tmp_path / "data")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    data = json.loads(first.output)  # type: ignore[attr-defined]
    assert [d["id"] for d in data["documents"]] == ["doc0"]
    assert data["signature"]["translator"]["engine"]["max_new_tokens"] == 8
    second = _invoke(*common, "--json", data=tmp_path / "data")
    docs = json.loads(second.output)["documents"]  # type: ignore[attr-defined]
    assert docs[0]["translated"] == 0 and docs[0]["reused"] > 0
    assert docs[1]["translated"] > 0
    assert (out / "report.html").is_file() and (out / "doc1.en.md").is_file()


def test_batch_missing_document_and_corrupt_journal(tmp_path: Path, models: Path) -> None:
    manifest = write_corpus(tmp_path, docs=2)
    (tmp_path / "data" / "doc0.md").unlink()
    out = tmp_path / "out"
    common = ["batch", str(manifest), "-o", str(out), "--model", "tiny", "--models-dir", str(models)]
    result = _invoke(*common, data=tmp_path / "data")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "doc0" in result.output and "missing" in result.output  # type: ignore[attr-defined]
    assert (out / "doc1.en.md").is_file()
    (out / "journal.sqlite").write_bytes(b"\x00garbage" * 1000)
    for side in ("-wal", "-shm"):
        Path(f"{out / 'journal.sqlite'}{side}").unlink(missing_ok=True)
    broken = _invoke(*common, data=tmp_path / "data")
    assert broken.exit_code == 1  # type: ignore[attr-defined]
    assert "journal" in broken.output and "--restart" in broken.output  # type: ignore[attr-defined]
    assert len(broken.output.strip().splitlines()) == 1  # type: ignore[attr-defined]
    (tmp_path / "data" / "doc0.md").write_text("# 标题\n\n内容。\n", "utf-8")
    fresh = _invoke(*common, "--restart", data=tmp_path / "data")
    assert fresh.exit_code == 0, fresh.output  # type: ignore[attr-defined]


def test_batch_through_a_server(tmp_path: Path, models: Path) -> None:
    manifest = write_corpus(tmp_path, docs=1)
    engine = tiny_engine(models)
    app = create_app(lambda: {None: TermAwareTranslator(engine)}, ServerConfig(warmup=False))
    with ServerThread(app) as server:
        out = tmp_path / "out"
        result = _invoke("batch", str(manifest), "-o", str(out), "--server", server.url, "--json",
                         data=tmp_path / "data")  # fmt: skip
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        data = json.loads(result.output)  # type: ignore[attr-defined]
    assert data["signature"]["translator"]["remote"] == server.url.rstrip("/")
    assert data["signature"]["translator"]["server"]["engine"]["model"].startswith("tiny@")
    assert data["documents"][0]["status"] == "done"


def test_eval_table_and_json(tmp_path: Path) -> None:
    hyp, ref, src = tmp_path / "hyp.txt", tmp_path / "ref.txt", tmp_path / "src.txt"
    hyp.write_text("We study distillation.\nA mixed experts model.\n", "utf-8")
    ref.write_text("We study distillation.\nA mixture of experts model.\n", "utf-8")
    src.write_text("我们研究蒸馏。\n一个混合专家模型。\n", "utf-8")
    table = _invoke("eval", str(hyp), str(ref), "--termbase", str(TERMBASE), "--source", str(src))
    assert table.exit_code == 0, table.output  # type: ignore[attr-defined]
    assert "BLEU" in table.output and "term accuracy" in table.output  # type: ignore[attr-defined]
    raw = _invoke("eval", str(hyp), str(ref), "--termbase", str(TERMBASE), "--source", str(src), "--json")
    data = json.loads(raw.output)  # type: ignore[attr-defined]
    assert data["terms"]["expected"] == 2 and data["terms"]["used"] == 1 and data["terms"]["forbidden"] == 1
    assert "nrefs:1" in data["metrics"]["BLEU"]["signature"]
    needs_source = _invoke("eval", str(hyp), str(ref), "--termbase", str(TERMBASE))
    assert needs_source.exit_code == 2 and "--source" in needs_source.output  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_command_in_a_subprocess(tmp_path: Path, models: Path) -> None:
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("termalign")), "serve", "--port", str(port), "--model", "tiny",
        "--models-dir", str(models), "--max-new-tokens", "8", "--termbase", f"deepseek={TERMBASE}",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.1)
        body = {"q": ["我们研究蒸馏。"], "source": "zh", "target": "en", "termbase": "deepseek"}
        data = httpx.post(url + "/translate", json=body, timeout=60).json()
        assert isinstance(data["translatedText"], list)
        assert data["segments"][0]["terms"][0]["target"] == "distillation"
        assert "termbases" not in httpx.get(url + "/health").json()  # health names no termbase
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
