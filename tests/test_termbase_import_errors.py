"""Importing bad files: every problem named with its line, nothing imported unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from termbase_samples import sample_entries

from termalign.kernel.errors import TermbaseError
from termalign.termbase import Entry, Termbase, import_entries
from termalign.termbase.formats.tsv import COLUMNS
from termalign.termbase.validate import TermbaseProblems

HEADER = "\t".join(COLUMNS) + "\n"
ROWS = [
    "蒸馏\tdistillation\tapproved\t知识蒸馏\t\t\tnoun\tai\tyes\t\tsample/faq×2 s3\n",  # line 2: good
    "推理\t\tcandidate\t\t\t\t\t\tno\t\t\n",  # line 3: empty target
    "混合专家\tmixture of experts\taproved\t\t\t\t\t\t\t\t\n",  # line 4: bad status
    "知识蒸馏\tknowledge refining\t\t\t\t\t\t\t\t\t\n",  # line 5: already on line 2, other rendering
    "推理模型\treasoning model\tcandidate\t\t\t\t\t\tmaybe\t\t\n",  # line 6: bad enforce
    "\tload balancing\n",  # line 7: empty source
    "负载均衡\tload balancing\tapproved\n",  # line 8: good (trailing columns left out)
    "模型\tmodel\tcandidate\t\t\t\t\t\t\t\t\textra\tcells\n",  # line 9: too many fields
]


@pytest.fixture
def bad_tsv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.tsv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    return path


def test_every_bad_row_is_named_with_its_line(bad_tsv: Path) -> None:
    with pytest.raises(TermbaseProblems) as info:
        import_entries(bad_tsv)
    error = info.value
    assert [p.line for p in error.problems] == [3, 4, 5, 6, 7, 9]
    message = str(error)
    assert message.startswith(f"{bad_tsv}: 6 problems, nothing imported: ")
    for fragment in (
        "line 3: empty target",
        "line 4: bad status 'aproved'",
        "line 5: '知识蒸馏' is already on line 2 with a different rendering",
        "line 6: bad enforce value 'maybe'",
        "line 7: empty source",
        "line 9: 13 fields, but the header names 11",
    ):
        assert fragment in message


def test_skip_bad_keeps_the_good_rows(bad_tsv: Path) -> None:
    result = import_entries(bad_tsv, skip_bad=True)
    assert [e.source for e in result.entries] == ["蒸馏", "负载均衡"]
    assert result.lines == (2, 8)
    assert len(result.problems) == 6
    assert result.entries[0].provenance[0].count == 2


def test_a_quoted_multi_line_note_keeps_line_numbers_right(tmp_path: Path) -> None:
    path = tmp_path / "notes.tsv"
    path.write_text(
        HEADER + '蒸馏\tdistillation\t\t\t\t\t\t\t\t"two\nlines"\t\n推理\t\tbogus\n', encoding="utf-8"
    )
    with pytest.raises(TermbaseProblems) as info:
        import_entries(path)
    assert {p.line for p in info.value.problems} == {4}


def test_a_bad_header_is_reported_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("# a comment row\nterm,translation\n蒸馏,distillation\n", encoding="utf-8")
    with pytest.raises(TermbaseError, match=r"line 2: the header must start with source and target"):
        import_entries(path)


def test_a_non_utf8_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "legacy.tsv"
    path.write_bytes((HEADER + ROWS[0]).encode("gb18030"))
    with pytest.raises(TermbaseError) as info:
        import_entries(path)
    assert str(info.value).startswith(f"{path}:2: the file is not UTF-8 text")


def test_a_po_file_with_bad_units_names_them_all(tmp_path: Path) -> None:
    path = tmp_path / "bad.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "蒸馏"\nmsgstr ""\n\n'  # line 5: empty target
        '#. status: approve\n#, fuzzy\nmsgid "推理"\nmsgstr "inference"\n\n'  # unit from line 8: bad status
        'msgctxt "variant of: 缺失"\nmsgid "变体"\nmsgstr "variant"\n',  # line 13: orphan variant
        encoding="utf-8",
    )
    with pytest.raises(TermbaseProblems) as info:
        import_entries(path)
    assert [p.line for p in info.value.problems] == [5, 8, 13]


def test_importing_into_an_existing_store_reports_every_conflict() -> None:
    with Termbase.memory(sample_entries()) as store:
        before = store.hash()
        incoming = [Entry("新词", "new word"), Entry("蒸馏", "distilling"), Entry("推理", "deduction")]
        with pytest.raises(TermbaseProblems) as info:
            store.add_many(incoming, lines=[2, 3, 4])
        assert [str(p) for p in info.value.problems] == [
            "line 3: conflict: '蒸馏' is already in the termbase rendered 'distillation', not 'distilling'",
            "line 4: conflict: '推理' is already in the termbase rendered 'inference', not 'deduction'",
        ]
        assert store.hash() == before
