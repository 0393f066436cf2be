"""Issue 17, faults 6 and 9: a legal edit never makes a termbase unreadable; PO content is never a path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.kernel.errors import TermbaseError
from termalign.termbase import Entry, export_entries, import_entries, load_termbase


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--note", "first\rsecond"], "the note contains a line break (U+000D)"),
        (["--note", "一\u2028二"], "the note contains a line break (U+2028)"),
        (["--note", "esc\x1b[0m"], "the note contains a control character (U+001B)"),
        (["--domain", "a\x00b"], "the domain contains a control character (U+0000)"),
        (["--variant", "bad\x01"], "contains a control character (U+0001)"),
    ],
)
@pytest.mark.parametrize("suffix", [".tsv", ".po", ".tbx", ".sqlite"])
def test_term_add_refuses_what_would_break_the_file(
    runner: CliRunner, tmp_path: Path, suffix: str, args: list[str], fragment: str
) -> None:
    path = tmp_path / f"terms{suffix}"
    assert runner.invoke(cli, ["term", "add", "-t", str(path), "蒸馏", "distillation"]).exit_code == 0
    result = runner.invoke(cli, ["term", "add", "-t", str(path), "推理", "reasoning", *args])
    assert result.exit_code != 0 and fragment in result.output, result.output
    assert "Traceback" not in result.output
    listed = runner.invoke(cli, ["term", "list", "-t", str(path), "--json"])  # still readable
    assert listed.exit_code == 0 and "distillation" in listed.output and "reasoning" not in listed.output


def test_po_content_naming_a_file_is_not_opened(tmp_path: Path) -> None:
    other = tmp_path / "other.po"
    export_entries([Entry("蒸馏", "distillation")], other)
    secret = tmp_path / "secret.txt"
    secret.write_text('msgid "机密"\nmsgstr "secret"\n', encoding="utf-8")
    for content in (str(other), str(secret), "/etc/passwd"):
        path = tmp_path / "attack.po"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(TermbaseError, match="not a readable PO file"):
            import_entries(path)


def test_an_unterminated_po_string_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.po"
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "深度\nmsgstr "deep"\n', encoding="utf-8")
    with pytest.raises(TermbaseError, match="unterminated") as caught:
        import_entries(path)
    assert caught.value.line == 4
    path.write_text('msgid "深度"\nmsgstr "deep\\"\n', encoding="utf-8")  # the quote is escaped
    with pytest.raises(TermbaseError, match="unterminated"):
        import_entries(path)


def test_po_strings_with_a_line_separator_are_kept_whole(tmp_path: Path) -> None:
    path = tmp_path / "ls.po"
    text = 'msgid "深度"\nmsgstr "deep"\n\n#  one\u2028two\nmsgid "求索"\nmsgstr "seek"\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TermbaseError, match="the note contains a line break"):  # refused, never split
        import_entries(path)
    path.write_text('msgid "深度"\nmsgstr "deep"\n', encoding="utf-8")
    with load_termbase(path) as store:
        assert [e.target for e in store.entries()] == ["deep"]
