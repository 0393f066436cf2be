"""Batch runs on Ray: the same outputs as a local run, a killed worker loses nothing, and
a driver killed with kill -9 resumes without redoing finished segments.

These start a real local Ray instance (``num_cpus=2``) and use the tiny real model; they
are skipped only where Ray is not installed (`pip install 'termalign[ray]'`; CI installs it).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from termalign.kernel.errors import ConfigError
from termalign.translator.batch import BatchConfig, load_batch_manifest, run_batch
from termalign.translator.distributed import RayConfig, RayRunner, StackRecipe
from tests.batch_samples import install_tiny, write_corpus

ray = pytest.importorskip("ray")

SETTINGS = "batch_segments = 3\n[translate.decoding]\nmax_new_tokens = 16\nintra_threads = 1\n"
ENGINE = {"max_new_tokens": 16, "intra_threads": 1}
NAMES = ("doc0.en.md", "doc1.en.md", "doc2.en.md")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("ray")
    models = install_tiny(root / "models")
    manifest = write_corpus(root / "corpus", docs=3, translate=SETTINGS)
    return root, models, manifest


def _recipe(models: Path, manifest: Path) -> StackRecipe:
    plan = load_batch_manifest(manifest, manifest.parent / "data")
    return StackRecipe.from_files(
        "tiny",
        models_dir=models,
        engine=ENGINE,
        translate={},
        termbase=plan.corpus.termbase,
        memories=[],
        source_lang="zh",
    )


def _local(models: Path, manifest: Path, out: Path) -> Any:
    plan = load_batch_manifest(manifest, manifest.parent / "data")
    translator = _recipe(models, manifest).build()
    return run_batch(plan, translator, BatchConfig(output_dir=out, batch_segments=3))


def test_two_ray_workers_give_the_local_outputs_byte_for_byte(local_ray: None, corpus: Any) -> None:
    root, models, manifest = corpus
    local = _local(models, manifest, root / "local")
    plan = load_batch_manifest(manifest, manifest.parent / "data")
    with RayRunner(_recipe(models, manifest), RayConfig(workers=2)) as runner:
        assert len(runner.actors) == 2
        distributed = run_batch(
            plan, None, BatchConfig(output_dir=root / "ray", batch_segments=3), runner=runner
        )
    for name in NAMES:
        assert (root / "ray" / name).read_bytes() == (root / "local" / name).read_bytes()
    # the translation signature (the journal key) is the same; the report says how it ran
    assert distributed.signature["translator"] == local.signature["translator"]
    assert distributed.signature["distribution"]["runner"] == "ray"
    assert distributed.signature["distribution"]["workers"] == 2
    assert distributed.signature["distribution"]["ray_version"] == ray.__version__
    assert local.signature["distribution"] == {"runner": "local", "workers": 1}
    assert sum(d.translated for d in distributed.documents) == sum(d.translated for d in local.documents)


def test_a_worker_killed_mid_run_loses_nothing(local_ray: None, corpus: Any) -> None:
    root, models, manifest = corpus
    if not (root / "local").exists():
        _local(models, manifest, root / "local")
    plan = load_batch_manifest(manifest, manifest.parent / "data")
    killed: list[int] = []
    with RayRunner(_recipe(models, manifest), RayConfig(workers=2)) as runner:
        pids = ray.get([actor.pid.remote() for actor in runner.actors])

        def progress(event: Any) -> None:
            # After the first finished chunk, kill every worker process: the chunk in flight
            # on the other worker dies with it and must be retried on a fresh actor.
            if event.stage == "overall" and event.done > 0 and not killed:
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                killed.extend(pids)

        result = run_batch(
            plan,
            None,
            BatchConfig(output_dir=root / "killed", batch_segments=3),
            runner=runner,
            progress=progress,
        )
        assert killed and runner.retries >= 1
        assert result.signature["distribution"]["retried_chunks"] == runner.retries
    journal = root / "killed" / "journal.sqlite"
    with sqlite3.connect(journal) as db:
        rows = db.execute("SELECT document, segment, COUNT(*) FROM segments GROUP BY 1, 2").fetchall()
    assert all(count == 1 for _, _, count in rows), "no segment journaled twice"
    assert len(rows) == sum(d.segments - d.copies for d in result.documents)
    for name in NAMES:
        assert (root / "killed" / name).read_bytes() == (root / "local" / name).read_bytes()


def test_ray_config_is_checked_in_one_sentence() -> None:
    with pytest.raises(ConfigError, match="--workers must be at least 1"):
        RayConfig(workers=0)
    with pytest.raises(ConfigError, match="ray://host:port"):
        RayConfig(address="http://cluster")


def _cli(manifest: Path, out: Path, models: Path, *extra: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("termalign")), "batch", str(manifest), "-o", str(out),
        "--model", "tiny", "--models-dir", str(models), *extra,
    ]  # fmt: skip


def _rows(journal: Path) -> dict[tuple[str, str], tuple[int, float]]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT document, segment, batch, created FROM segments").fetchall()
    return {(d, s): (b, c) for d, s, b, c in rows}


def test_driver_killed_with_kill_9_resumes_and_redoes_nothing(tmp_path: Path) -> None:
    models = install_tiny(tmp_path / "models")
    # more segments than the other tests, so the kill lands mid-run
    manifest = write_corpus(tmp_path / "corpus", docs=3, repeat=3, translate=SETTINGS)
    env = {**os.environ, "TERMALIGN_DATA": str(tmp_path / "corpus" / "data")}
    ray_args = ("--ray", "local", "--workers", "2")
    reference = tmp_path / "reference"
    subprocess.run(_cli(manifest, reference, models), env=env, check=True, capture_output=True, timeout=300)
    total = len(_rows(reference / "journal.sqlite"))

    out = tmp_path / "killed"
    journal = out / "journal.sqlite"
    process = subprocess.Popen(
        _cli(manifest, out, models, *ray_args), env=env, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if journal.exists() and len(_rows(journal)) >= 6:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    os.killpg(process.pid, signal.SIGKILL)  # the local Ray instance the driver started
    before = _rows(journal)
    assert 0 < len(before) < total

    rerun = _cli(manifest, out, models, *ray_args)
    subprocess.run(rerun, env=env, check=True, capture_output=True, timeout=300)
    after = _rows(journal)
    assert len(after) == total
    assert {key: after[key] for key in before} == before  # finished rows untouched
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert sum(d["reused"] for d in report["documents"]) == len(before)
    assert report["signature"]["distribution"]["runner"] == "ray"
    for name in NAMES:
        assert (out / name).read_bytes() == (reference / name).read_bytes()
