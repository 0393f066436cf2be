"""Issue 17, fault 3: two processes editing one termbase at once lose no acknowledged write.

Each process runs the real ``term add`` / ``term set`` commands (click, in
process, 200 times); conflicts (both adding one source term with different
renderings) must be reported to exactly one of them, and every edit reported
as done must be in the file afterwards.  TSV edits are serialised by an
advisory lock, SQLite edits by ``BEGIN IMMEDIATE`` transactions.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.termbase import Entry, export_entries, load_termbase

FULL = 200  # the count, under `make test-slow`; the fast suite runs an eighth
RUNS = [
    pytest.param(".tsv", FULL // 8, id="tsv"),
    pytest.param(".sqlite", FULL // 8, id="sqlite"),
    pytest.param(".tsv", FULL, id="tsv-200", marks=pytest.mark.slow),
    pytest.param(".sqlite", FULL, id="sqlite-200", marks=pytest.mark.slow),
]


def _run(args: list[str]) -> tuple[int, str]:
    from termalign.cli import _register, cli

    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def _adder(path: str, who: str, edits: int, start: object) -> list[tuple[int, bool, str]]:
    """``edits`` adds: every fourth a source term the other process adds too (its own rendering)."""
    start.wait()  # type: ignore[attr-defined]
    done = []
    for i in range(edits):
        source = f"共享{i}" if i % 4 == 0 else f"{who}词{i}"
        code, output = _run(["term", "add", "-t", path, source, f"{who}-{i}"])
        done.append((i, code == 0, output))
    return done


def _setter(path: str, who: str, edits: int, start: object) -> list[tuple[int, bool, str]]:
    """``edits`` sets: process a sets the note of 词i, process b its domain."""
    start.wait()  # type: ignore[attr-defined]
    field = "--note" if who == "a" else "--domain"
    return [
        (i, code == 0, output)
        for i in range(edits)
        for code, output in [_run(["term", "set", "-t", path, f"词{i}", field, f"{who}{i}"])]
    ]


def _both(task: object, path: Path, edits: int) -> dict[str, list[tuple[int, bool, str]]]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(2) as pool:
            results = {
                who: pool.apply_async(task, (str(path), who, edits, start))  # type: ignore[arg-type]
                for who in "ab"
            }
            start.set()
            return {who: r.get(timeout=600) for who, r in results.items()}


@pytest.mark.parametrize(("suffix", "edits"), RUNS)
def test_two_processes_adding_lose_nothing_and_every_conflict_is_reported(
    tmp_path: Path, suffix: str, edits: int
) -> None:
    path = tmp_path / f"terms{suffix}"
    results = _both(_adder, path, edits)
    with load_termbase(path) as store:
        stored = {e.source: e.target for e in store.entries()}
    lost = []
    conflicts = 0
    for who, done in results.items():
        for i, ok, output in done:
            source = f"共享{i}" if i % 4 == 0 else f"{who}词{i}"
            if ok and stored.get(source) != f"{who}-{i}":
                lost.append((source, who))
            if not ok:
                assert i % 4 == 0 and "conflict" in output, output  # only a real conflict may fail
                conflicts += 1
    assert lost == []
    shared = len(range(0, edits, 4))
    assert conflicts == shared  # each shared term: one process won, the other was told
    assert len(stored) == 2 * edits - shared


@pytest.mark.parametrize(("suffix", "edits"), RUNS)
def test_two_processes_setting_lose_nothing(tmp_path: Path, suffix: str, edits: int) -> None:
    path = tmp_path / f"terms{suffix}"
    entries = [Entry(f"词{i}", f"w{i}") for i in range(edits)]
    if suffix == ".sqlite":
        from termalign.termbase.store import Termbase

        with Termbase.open(path) as store:
            store.add_many(entries)
    else:
        export_entries(entries, path)
    results = _both(_setter, path, edits)
    assert all(ok for done in results.values() for _, ok, _ in done)
    with load_termbase(path) as store:
        got = {e.source: (e.note, e.domain) for e in store.entries()}
    lost = [s for i in range(edits) for s in [f"词{i}"] if got[s] != (f"a{i}", f"b{i}")]
    assert lost == []


def test_an_edit_keeps_permissions_and_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real" / "terms.tsv"
    real.parent.mkdir()
    export_entries([Entry("蒸馏", "distillation")], real)
    os.chmod(real, 0o600)
    link = tmp_path / "link.tsv"
    link.symlink_to(Path("real") / "terms.tsv")
    code, output = _run(["term", "add", "-t", str(link), "推理", "reasoning"])
    assert code == 0, output
    assert link.is_symlink()  # the link stays a link ...
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # ... the file keeps its mode ...
    with load_termbase(real) as store:  # ... and got the edit
        assert {e.source for e in store.entries()} == {"蒸馏", "推理"}
    new = tmp_path / "new.tsv"
    export_entries([Entry("蒸馏", "distillation")], new)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644  # a new output is an ordinary shared file
    assert not list(tmp_path.rglob(".*"))  # no temporary or lock files left behind
