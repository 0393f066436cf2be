"""Termbase edits touch only the rows that changed; the packaged termbase needs an explicit -t."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.termbase.formats import export_entries
from termalign.termbase.formats._delimited import COLUMNS
from termalign.termbase.model import Entry, Status

HEADER = "\t".join(COLUMNS) + "\n"
# a curated order (not sorted), a comment, and a note with a line break in quotes
CURATED = (
    "# curated by hand\n"
    + HEADER
    + "蒸馏\tdistillation\tapproved\t\t\t\tnoun\tai\ttrue\t\t\n"
    + '混合专家\tmixture of experts\tapproved\t\tMoE\t\tnoun\t\ttrue\t"two\nlines"\t\n'
    + "推理\tinference\tcandidate\t\treasoning\t\t\t\tfalse\tambiguous\t\n"
)


@pytest.fixture()
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> None:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    old, new = before.splitlines(), after.splitlines()
    return [line for line in old if line not in new], [line for line in new if line not in old]


def test_add_set_remove_change_one_row_each_and_keep_the_order(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tb.tsv"
    path.write_text(CURATED, encoding="utf-8")
    _run(runner, "term", "add", "量化", "quantization", "-t", str(path))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(CURATED) and text.count("\n") == CURATED.count("\n") + 1  # appended, nothing else
    _run(runner, "term", "set", "推理", "--note", "reasoning or inference?", "-t", str(path))
    gone, added = _changed_lines(text, path.read_text(encoding="utf-8"))
    assert (
        len(gone) == len(added) == 1
        and added[0].startswith("推理\tinference")
        and "reasoning or inference?" in added[0]
    )
    _run(runner, "term", "remove", "量化", "-t", str(path))
    _run(runner, "term", "set", "推理", "--note", "ambiguous", "-t", str(path))
    assert path.read_text(encoding="utf-8") == CURATED  # back to the same bytes


def test_a_sorted_file_gets_new_rows_in_their_place(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tb.tsv"
    export_entries([Entry("a甲", "a"), Entry("c丙", "c")], path)  # canonical order
    before = path.read_text(encoding="utf-8").splitlines()
    _run(runner, "term", "add", "b乙", "b", "-t", str(path))
    after = path.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in after] == ["source", "a甲", "b乙", "c丙"]
    assert [line for line in after if line not in before] == [after[2]]


def test_editing_without_t_never_touches_the_packaged_termbase(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TERMALIGN_TERMBASE", raising=False)
    monkeypatch.chdir(tmp_path)  # "even from another directory"
    for args in (["add", "甲", "a"], ["set", "蒸馏", "--note", "x"], ["remove", "蒸馏"]):
        result = runner.invoke(cli, ["term", *args])
        assert result.exit_code == 2 and "pass -t PATH" in result.output, args
        assert "Traceback" not in result.output
    listed = runner.invoke(cli, ["term", "show", "蒸馏"])  # reading it needs no -t
    assert listed.exit_code == 0 and "distillation" in listed.output


def test_term_check_accepts_t(runner: CliRunner, tmp_path: Path) -> None:
    from termalign.align.tmx import TranslationUnit, write_tmx

    tb = tmp_path / "tb.tsv"
    export_entries([Entry("蒸馏", "distillation", status=Status.APPROVED)], tb)
    tmx = tmp_path / "a.tmx"
    write_tmx(
        tmx, [TranslationUnit("我们研究蒸馏。", "We study distillation.")], source_lang="zh", target_lang="en"
    )
    result = runner.invoke(cli, ["term", "check", str(tmx), "-t", str(tb), "--json"])
    assert result.exit_code == 0, result.output
