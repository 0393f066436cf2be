"""Kill -9 a real `termalign batch` run on a tiny model mid-run, rerun, and lose nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.batch_samples import install_tiny, write_corpus

SETTINGS = "batch_segments = 3\n[translate.decoding]\nmax_new_tokens = 24\nintra_threads = 1\n"


def _batch(manifest: Path, out: Path, models: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("termalign")), "batch", str(manifest), "-o", str(out),
        "--model", "tiny", "--models-dir", str(models),
    ]  # fmt: skip


def _rows(journal: Path) -> dict[tuple[str, str], tuple[int, float]]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT document, segment, batch, created FROM segments").fetchall()
    return {(d, s): (b, c) for d, s, b, c in rows}


def test_kill_9_mid_run_then_resume_redoes_nothing(tmp_path: Path) -> None:
    models = install_tiny(tmp_path / "models")
    manifest = write_corpus(tmp_path / "corpus", docs=3, translate=SETTINGS)
    env = {**os.environ, "TERMALIGN_DATA": str(tmp_path / "corpus" / "data")}

    reference = tmp_path / "reference"
    subprocess.run(_batch(manifest, reference, models), env=env, check=True, capture_output=True, timeout=300)
    total = len(_rows(reference / "journal.sqlite"))
    assert total >= 30

    out = tmp_path / "killed"
    journal = out / "journal.sqlite"
    process = subprocess.Popen(_batch(manifest, out, models), env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    count = 0
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists():
            try:
                count = len(_rows(journal))
            except sqlite3.Error:
                count = 0
            if count >= 6:
                break
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    before = _rows(journal)
    assert 0 < len(before) < total
    assert not (out / "report.json").exists()

    subprocess.run(_batch(manifest, out, models), env=env, check=True, capture_output=True, timeout=300)
    after = _rows(journal)
    assert len(after) == total
    # every segment finished before the kill kept its row: same batch number, same timestamp
    assert {key: after[key] for key in before} == before
    for name in ("doc0.en.md", "doc1.en.md", "doc2.en.md"):
        assert (out / name).read_bytes() == (reference / name).read_bytes()
    import json

    report = json.loads((out / "report.json").read_text("utf-8"))
    assert sum(d["reused"] for d in report["documents"]) == len(before)
    assert sum(d["translated"] for d in report["documents"]) == total - len(before)
