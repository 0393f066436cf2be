"""``termalign term``: real files in every format, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from termbase_samples import sample_entries

from termalign.cli import _register, cli
from termalign.termbase import Status, export_entries, import_entries, load_termbase


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


@pytest.fixture
def tsv(tmp_path: Path) -> Path:
    path = tmp_path / "terms.tsv"
    export_entries(sample_entries(), path)
    return path


def _json(runner: CliRunner, *args: str) -> object:
    result = runner.invoke(cli, ["term", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_term_group_is_registered_with_its_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["term", "--help"])
    assert result.exit_code == 0
    for name in ("export", "import", "list", "show", "add", "set", "remove"):
        assert name in result.output


def test_list_and_show_as_json_and_as_tables(runner: CliRunner, tsv: Path) -> None:
    listed = _json(runner, "list", "-t", str(tsv), "--status", "approved")
    assert [e["source"] for e in listed] == ["混合专家", "蒸馏"]  # type: ignore[index]
    shown = _json(runner, "show", "知識蒸餾", "-t", str(tsv))  # a Traditional variant spelling
    assert shown["target"] == "distillation" and shown["source_variants"] == ["知识蒸馏"]  # type: ignore[index]
    table = runner.invoke(cli, ["term", "list", "-t", str(tsv)])
    assert table.exit_code == 0 and "5 entries" in table.output and "推理模型" in table.output
    assert runner.invoke(cli, ["term", "show", "蒸馏", "-t", str(tsv)]).exit_code == 0


def test_termbase_comes_from_the_environment(runner: CliRunner, tsv: Path) -> None:
    result = runner.invoke(cli, ["term", "list", "--json"], env={"TERMALIGN_TERMBASE": str(tsv)})
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 5


@pytest.mark.parametrize("suffix", [".tsv", ".po", ".tbx", ".tmx", ".csv", ".sqlite"])
def test_add_set_remove_write_back_to_the_same_format(runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"terms{suffix}"
    add = [
        "term", "add", "混合专家", "mixture of experts", "-t", str(path),
        "--variant", "MoE", "--forbidden", "mixed experts", "--status", "approved", "--pos", "noun",
    ]  # fmt: skip
    assert runner.invoke(cli, add).exit_code == 0
    assert (
        runner.invoke(cli, ["term", "add", "推理", "inference", "-t", str(path), "--no-enforce"]).exit_code
        == 0
    )
    result = runner.invoke(
        cli,
        [
            "term",
            "set",
            "推理",
            "-t",
            str(path),
            "--target",
            "reasoning",
            "--note",
            "ambiguous",
            "--add-variant",
            "inference",
        ],
    )
    assert result.exit_code == 0, result.output
    with load_termbase(path) as store:
        moe, reasoning = store.get("混合专家"), store.get("推理")
        assert moe is not None and moe.forbidden == ("mixed experts",) and moe.status is Status.APPROVED
        assert reasoning is not None and reasoning.target == "reasoning" and not reasoning.enforce
        assert reasoning.target_variants == ("inference",) and reasoning.note == "ambiguous"
    assert runner.invoke(cli, ["term", "remove", "推理", "-t", str(path)]).exit_code == 0
    with load_termbase(path) as store:
        assert [e.source for e in store] == ["混合专家"]
    assert not list(tmp_path.glob(".terms*"))  # no temporary files left behind


def test_conflicting_add_is_one_sentence_and_changes_nothing(runner: CliRunner, tsv: Path) -> None:
    before = tsv.read_bytes()
    result = runner.invoke(cli, ["term", "add", "知识蒸馏", "refining", "-t", str(tsv)])
    assert result.exit_code == 1
    assert "conflict: '知识蒸馏' is already in the termbase as a variant of '蒸馏'" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert tsv.read_bytes() == before


def test_missing_term_and_missing_termbase_are_errors(runner: CliRunner, tsv: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["term", "show", "无此术语", "-t", str(tsv)])
    assert result.exit_code == 1 and "no entry for '无此术语'" in result.output
    result = runner.invoke(cli, ["term", "set", "蒸馏", "-t", str(tmp_path / "none.tsv"), "--note", "x"])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.parametrize("out", ["out.tbx", "out.po", "out.tmx", "out.csv", "out.sqlite"])
def test_export_then_import_round_trips(runner: CliRunner, tsv: Path, tmp_path: Path, out: str) -> None:
    target = tmp_path / out
    result = runner.invoke(cli, ["term", "export", str(tsv), "-o", str(target)])
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.tsv"
    result = runner.invoke(cli, ["term", "import", str(target), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "imported 5 entries" in result.output
    assert back.read_bytes() == tsv.read_bytes()
    again = runner.invoke(cli, ["term", "export", str(tsv), "-o", str(target)])
    assert again.exit_code == (1 if target.suffix == ".sqlite" else 0)  # a store is never overwritten


def test_import_reports_bad_rows_and_conflicts(runner: CliRunner, tsv: Path, tmp_path: Path) -> None:
    incoming = tmp_path / "incoming.csv"
    incoming.write_text(
        "source,target,status\n新词,new word,approved\n蒸馏,distilling,\n坏,,approved\n", encoding="utf-8"
    )
    before = tsv.read_bytes()
    result = runner.invoke(cli, ["term", "import", str(incoming), "-o", str(tsv)])
    assert (
        result.exit_code == 1
        and f"{incoming}: 1 problem, nothing imported: line 4: empty target" in result.output
    )
    assert tsv.read_bytes() == before
    result = runner.invoke(cli, ["term", "import", str(incoming), "-o", str(tsv), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "line 3: conflict: '蒸馏'" in result.output
    assert "imported 1 entries" in result.output and "(2 skipped)" in result.output
    assert {e.source for e in import_entries(tsv).entries} >= {"新词", "蒸馏"}


def test_export_can_pick_the_tbx_2008_dialect(runner: CliRunner, tsv: Path, tmp_path: Path) -> None:
    out = tmp_path / "legacy.tbx"
    result = runner.invoke(
        cli, ["term", "export", str(tsv), "-o", str(out), "--format", "tbx2", "--status", "approved"]
    )
    assert result.exit_code == 0, result.output
    assert b"<martif" in out.read_bytes()
    assert len(import_entries(out).entries) == 2
