"""One contract every exchange format meets, checked with independent readers.

Each format is written by termalign, then read back (a) by a library that is not
ours — the ``csv`` module, lxml, polib, translate-toolkit — and (b) by our own
importer, which must give back exactly the entries written.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import polib
import pytest
from lxml import etree
from termbase_samples import sample_entries
from translate.storage import po as tt_po
from translate.storage import tbx as tt_tbx
from translate.storage import tmx as tt_tmx

from termalign.kernel.errors import TermbaseError
from termalign.termbase import FORMATS, Entry, Status, Termbase, export_entries, import_entries, load_termbase

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUFFIX = {
    "tsv": ".tsv",
    "csv": ".csv",
    "tbx": ".tbx",
    "tbx3": ".tbx",
    "tmx": ".tmx",
    "po": ".po",
    "omegat": ".txt",
    "deepl": ".csv",
}
DATA = Path(__file__).parent / "data"
View = dict[str, dict[str, Any]]


def expected_view(entries: list[Entry]) -> View:
    return {
        e.source: {
            "target": e.target,
            "source_variants": list(e.source_variants),
            "target_variants": list(e.target_variants),
            "forbidden": list(e.forbidden),
            "approved": e.approved,
        }
        for e in entries
    }


def _split(cell: str) -> list[str]:
    parts = re.split(r"(?<!\\) \| ", cell) if cell else []
    return [p.replace("\\|", "|").replace("\\\\", "\\") for p in parts]


def read_delimited(path: Path, delimiter: str) -> View:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=delimiter))
    return {
        row["source"]: {
            "target": row["target"],
            "source_variants": _split(row["source_variants"]),
            "target_variants": _split(row["target_variants"]),
            "forbidden": _split(row["forbidden"]),
            "approved": row["status"] == "approved",
        }
        for row in rows
    }


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def read_tbx_lxml(path: Path) -> View:
    """Both TBX dialects, with lxml only: terms by language and administrative status."""
    view: View = {}
    for concept in etree.parse(str(path)).getroot().iter():
        if _local(concept) not in ("conceptEntry", "termEntry"):
            continue
        terms: dict[str, list[tuple[str, str]]] = {}
        for section in concept:
            if _local(section) in ("langSec", "langSet"):
                for group in section:
                    term = next(e for e in group.iter() if _local(e) == "term")
                    status = next(
                        e.text
                        for e in group.iter()
                        if _local(e) == "termNote" and e.get("type") == "administrativeStatus"
                    )
                    terms.setdefault(section.get(XML_LANG), []).append((term.text, status))
        notes = [n.text for n in concept if _local(n) == "note"]
        zh, en = terms["zh-Hans"], terms["en"]  # one BCP 47 tag in every format
        view[zh[0][0]] = {
            "target": en[0][0],
            "source_variants": [t for t, s in zh[1:]],
            "target_variants": [t for t, s in en[1:] if s == "admittedTerm-admn-sts"],
            "forbidden": [t for t, s in en if s == "deprecatedTerm-admn-sts"],
            "approved": "termalign-status: approved" in notes,
        }
        assert zh[0][1] == en[0][1] == "preferredTerm-admn-sts"
    return view


def read_tbx2_toolkit(path: Path) -> View:
    store = tt_tbx.tbxfile.parsefile(str(path))
    view: View = {}
    for unit in store.units:
        sources, targets = unit.get_source_terms(), unit.get_target_terms()
        view[unit.source] = {
            "target": unit.target,
            "source_variants": [t.text for t in sources[1:]],
            "target_variants": [t.text for t in targets[1:] if not t.deprecated],
            "forbidden": [t.text for t in targets if t.deprecated],
            "approved": "termalign-status: approved" in unit.getnotes(),
        }
    return view


def read_tmx_toolkit(path: Path) -> View:
    store = tt_tmx.tmxfile.parsefile(str(path))
    view: View = {}
    for unit in store.units:
        props = {p.get("type"): p.text for p in unit.xmlelement.iter("prop")}
        item = view.setdefault(
            props["x-entry"],
            {"target": "", "source_variants": [], "target_variants": [], "forbidden": [], "approved": False},
        )
        if props["x-source-kind"] == "variant" and unit.source not in item["source_variants"]:
            item["source_variants"].append(unit.source)
        if props["x-target-kind"] == "preferred":
            item["target"] = unit.target
        elif unit.target not in item["target_variants"]:
            item["target_variants"].append(unit.target)
        if "x-forbidden" in props:
            item["forbidden"] = _split(props["x-forbidden"])
        item["approved"] = props["x-status"] == "approved"
    return view


def _po_view(units: list[tuple[str | None, str, str, bool, str]]) -> View:
    """(msgctxt, msgid, msgstr, fuzzy, extracted comment) tuples to a view."""
    view: View = {}
    for ctxt, msgid, msgstr, fuzzy, comment in units:
        if ctxt:
            view[ctxt.removeprefix("variant of: ")]["source_variants"].append(msgid)
            continue
        meta = dict(line.split(": ", 1) for line in comment.splitlines())
        view[msgid] = {
            "target": msgstr,
            "source_variants": [],
            "target_variants": _split(meta.get("target variants", "")),
            "forbidden": _split(meta.get("forbidden", "")),
            "approved": not fuzzy,
        }
    return view


def read_po_polib(path: Path) -> View:
    return _po_view([(u.msgctxt, u.msgid, u.msgstr, u.fuzzy, u.comment) for u in polib.pofile(str(path))])


def read_po_toolkit(path: Path) -> View:
    store = tt_po.pofile.parsefile(str(path))
    return _po_view(
        [
            (u.getcontext() or None, u.source, u.target, u.isfuzzy(), u.getnotes("developer"))
            for u in store.units
            if not u.isheader()
        ]
    )


def read_omegat_csv(path: Path) -> View:
    """OmegaT's rule: tab-separated source, target, comment; a repeated source adds a target."""
    view: View = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    heads = {r[0] for r in rows if not r[2].startswith("variant of ")}
    for source, target, comment in rows:
        if comment.startswith("variant of ") and comment[11:] in heads:
            view[comment[11:]]["source_variants"].append(source)
        elif source in view:
            view[source]["target_variants"].append(target)
        else:
            item = {"target": target, "source_variants": [], "target_variants": [], "forbidden": []}
            view[source] = {**item, "approved": False}
    return view


def read_deepl_csv(path: Path) -> View:
    view: View = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for source, target, src, tgt in csv.reader(handle):
            assert (src, tgt) == ("zh", "en")
            item = {"target": target, "source_variants": [], "target_variants": [], "forbidden": []}
            view[source] = {**item, "approved": False}
    return view


INDEPENDENT_READERS = {
    "tsv": [lambda p: read_delimited(p, "\t")],
    "csv": [lambda p: read_delimited(p, ",")],
    "tbx": [read_tbx_lxml, read_tbx2_toolkit],
    "tbx3": [read_tbx_lxml],
    "tmx": [read_tmx_toolkit],
    "po": [read_po_polib, read_po_toolkit],
    "omegat": [read_omegat_csv],
    "deepl": [read_deepl_csv],
}


@pytest.fixture(params=sorted(FORMATS))
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestFormatContract:
    """What every registered format guarantees."""

    def _export(
        self, fmt: str, tmp_path: Path, entries: list[Entry] | None = None, name: str = "terms"
    ) -> Path:
        path = tmp_path / f"{name}{SUFFIX[fmt]}"
        export_entries(entries if entries is not None else sample_entries(), path, format=fmt)
        return path

    def test_every_format_has_an_independent_reader(self, fmt: str) -> None:
        assert INDEPENDENT_READERS[fmt]

    def test_an_independent_reader_sees_what_was_written(self, fmt: str, tmp_path: Path) -> None:
        path = self._export(fmt, tmp_path)
        for read in INDEPENDENT_READERS[fmt]:
            assert read(path) == expected_view(FORMATS[fmt].round_trip(sample_entries())), read

    def test_export_then_import_gives_what_the_format_keeps(self, fmt: str, tmp_path: Path) -> None:
        path = self._export(fmt, tmp_path)
        # found by extension (or content: a headerless .csv is DeepL); a .tbx in either dialect is read
        result = import_entries(path)
        assert result.problems == ()
        assert sorted(result.entries, key=lambda e: e.source) == sorted(
            FORMATS[fmt].round_trip(sample_entries()), key=lambda e: e.source
        )
        assert all(line is not None and line >= 1 for line in result.lines)  # headerless formats start at 1

    def test_export_is_deterministic_whatever_the_input_order(self, fmt: str, tmp_path: Path) -> None:
        shuffled = sample_entries()
        random.Random(7).shuffle(shuffled)
        first = self._export(fmt, tmp_path, name="a").read_bytes()
        second = self._export(fmt, tmp_path, shuffled, name="b").read_bytes()
        assert first == second

    def test_store_hash_survives_the_round_trip(self, fmt: str, tmp_path: Path) -> None:
        with Termbase.open(tmp_path / "store.sqlite") as store:
            store.add_many(sample_entries())
            path = self._export(fmt, tmp_path, store.entries())
            with (
                load_termbase(path) as loaded,
                Termbase.memory(FORMATS[fmt].round_trip(store.entries())) as kept,
            ):
                assert loaded.hash() == kept.hash()

    def test_undecodable_bytes_are_one_error_naming_the_file(self, fmt: str, tmp_path: Path) -> None:
        path = self._export(fmt, tmp_path)
        data = path.read_bytes()
        path.write_bytes(data.replace("推理模型".encode(), "推理模型".encode("gb18030"), 1))
        with pytest.raises(TermbaseError) as info:
            import_entries(path)
        assert str(path) in str(info.value)

    def test_refuses_to_write_invalid_entries(self, fmt: str, tmp_path: Path) -> None:
        bad = [Entry("坏", "bad", forbidden=("bad",))]
        with pytest.raises(TermbaseError, match="both accepted and forbidden"):
            self._export(fmt, tmp_path, bad)
        assert not (tmp_path / f"terms{SUFFIX[fmt]}").exists()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_po_export_passes_msgfmt_check(tmp_path: Path) -> None:
    path = tmp_path / "terms.po"
    export_entries(sample_entries(), path)
    run = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "terms.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "4 translated messages, 3 fuzzy translations" in run.stderr  # approved entries and variants


def _tbx_basic_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(DATA / "tbx" / "TBX-Basic-2008.rng")))


def test_default_tbx_export_is_valid_tbx_basic(tmp_path: Path) -> None:
    path = tmp_path / "terms.tbx"
    export_entries([*sample_entries(), Entry("万", "ten thousand", pos="num")], path)
    schema = _tbx_basic_schema()
    assert schema.validate(etree.parse(str(path))), schema.error_log
    assert etree.parse(str(path)).getroot().tag == "martif"
    pos = {e.text for e in etree.parse(str(path)).iter("termNote") if e.get("type") == "partOfSpeech"}
    assert pos == {"noun", "other"}  # propn -> noun, num -> other: TBX-Basic's picklist only
    got = {e.source: e.pos for e in import_entries(path).entries}
    assert got["推理模型"] == "propn" and got["万"] == "num"  # the exact value survives in a note


def test_the_schema_refuses_what_tbx_basic_does_not_allow(tmp_path: Path) -> None:
    path = tmp_path / "terms.tbx"
    export_entries(sample_entries(), path)
    bad = path.read_text(encoding="utf-8").replace(">noun</termNote>", ">properNoun</termNote>", 1)
    assert not _tbx_basic_schema().validate(etree.fromstring(bad.encode()))


def test_tbx3_is_still_written_by_name_and_tbx2_is_an_alias(tmp_path: Path) -> None:
    export_entries(sample_entries(), tmp_path / "v3.tbx", format="tbx3")
    assert etree.QName(etree.parse(str(tmp_path / "v3.tbx")).getroot()).localname == "tbx"
    export_entries(sample_entries(), tmp_path / "old.tbx", format="tbx2")
    export_entries(sample_entries(), tmp_path / "default.tbx")
    assert (tmp_path / "old.tbx").read_bytes() == (tmp_path / "default.tbx").read_bytes()


def test_translate_toolkit_reads_every_entry_and_tbx2po_gives_one_entry_per_concept(tmp_path: Path) -> None:
    path = tmp_path / "terms.tbx"
    export_entries(sample_entries(), path)
    assert len(tt_tbx.tbxfile.parsefile(str(path)).units) == len(sample_entries())
    tbx2po = shutil.which("tbx2po") or str(Path(sys.executable).parent / "tbx2po")
    run = subprocess.run([tbx2po, str(path), str(tmp_path / "terms.po")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    msgids = [u.msgid for u in polib.pofile(str(tmp_path / "terms.po"))]
    assert sorted(msgids) == sorted(e.source for e in sample_entries())


def test_tbx_written_by_translate_toolkit_imports(tmp_path: Path) -> None:
    store = tt_tbx.tbxfile(sourcelanguage="zh", targetlanguage="en")
    unit = store.addsourceunit("蒸馏")
    unit.settarget("distillation", lang="en")
    unit.addnote("a note from the toolkit")
    path = tmp_path / "toolkit.tbx"
    path.write_bytes(bytes(store))
    (entry,) = import_entries(path).entries
    assert (entry.source, entry.target, entry.status) == ("蒸馏", "distillation", Status.CANDIDATE)


def test_po_and_tmx_from_other_tools_import_as_plain_pairs(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="蒸馏", msgstr="distillation"))
    po.append(polib.POEntry(msgid="推理", msgstr="inference", flags=["fuzzy"]))
    po.save(str(tmp_path / "plain.po"))
    entries = {e.source: e for e in import_entries(tmp_path / "plain.po").entries}
    assert entries["蒸馏"].status is Status.APPROVED and entries["推理"].status is Status.CANDIDATE

    tmx = tt_tmx.tmxfile(sourcelanguage="zh", targetlanguage="en")
    for source, target in (("蒸馏", "distillation"), ("蒸馏", "distillation"), ("推理", "inference")):
        tmx.addtranslation(source, "zh", target, "en")
    (tmp_path / "plain.tmx").write_bytes(bytes(tmx))
    got = sorted((e.source, e.target) for e in import_entries(tmp_path / "plain.tmx").entries)
    assert got == [("推理", "inference"), ("蒸馏", "distillation")]


def test_unknown_extension_and_format_name(tmp_path: Path) -> None:
    with pytest.raises(TermbaseError, match="extension '.xlsx'"):
        export_entries(sample_entries(), tmp_path / "terms.xlsx")
    with pytest.raises(TermbaseError, match="unknown termbase format 'xliff'"):
        export_entries(sample_entries(), tmp_path / "terms.tsv", format="xliff")


def test_entries_without_ids_compare_equal_after_store_round_trip() -> None:
    with Termbase.memory(sample_entries()) as store:
        assert sorted((replace(e, id=None) for e in store), key=lambda e: e.source) == sorted(
            sample_entries(), key=lambda e: e.source
        )


def test_unknown_tsv_columns_are_kept_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "custom.tsv"
    path.write_text("source\ttarget\treviewer\tenforce\n蒸馏\tdistillation\tli\tno\n", encoding="utf-8")
    (entry,) = import_entries(path).entries
    assert entry.extra == {"reviewer": "li"} and entry.enforce is False
    export_entries([entry], path)
    header, row = path.read_text(encoding="utf-8").splitlines()
    assert header.endswith("\tprovenance\treviewer") and row.endswith("\tli")


def test_glossaries_never_offer_a_forbidden_rendering_or_a_deprecated_entry(tmp_path: Path) -> None:
    for name, suffix in (("omegat", ".txt"), ("deepl", ".csv"), ("deepl", ".tsv")):
        path = tmp_path / f"glossary{suffix}"
        export_entries(sample_entries(), path, format=name)
        text = path.read_text(encoding="utf-8")
        assert "mixed experts" not in text and "hybrid" not in text, name
        assert "负载均衡" not in text, name  # deprecated
        assert "蒸馏" in text and "知识蒸馏" in text


def test_omegat_glossary_has_no_header_and_a_comment_column(tmp_path: Path) -> None:
    path = tmp_path / "glossary.txt"
    export_entries(sample_entries(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(len(line.split("\t")) == 3 for line in lines)
    assert not any(line.startswith("source\t") for line in lines)
    assert '蒸馏\tdistillation\ttrain a small "student" model on a teacher | keep as noun' in lines
    assert "知识蒸馏\tdistillation\tvariant of 蒸馏" in lines


def test_deepl_tsv_has_two_columns_and_csv_four(tmp_path: Path) -> None:
    export_entries(sample_entries(), tmp_path / "g.tsv", format="deepl")
    export_entries(sample_entries(), tmp_path / "g.csv", format="deepl")
    assert {
        len(line.split("\t")) for line in (tmp_path / "g.tsv").read_text(encoding="utf-8").splitlines()
    } == {2}
    assert "蒸馏,distillation,zh,en" in (tmp_path / "g.csv").read_text(encoding="utf-8").splitlines()


def test_deepl_glossaries_from_elsewhere_import_by_content(tmp_path: Path) -> None:
    (tmp_path / "two.tsv").write_text("蒸馏\tdistillation\n推理\tinference\n", encoding="utf-8")
    (tmp_path / "four.csv").write_text("蒸馏,distillation,zh,en\ninference,推理,en,zh\n", encoding="utf-8")
    for name in ("two.tsv", "four.csv"):
        got = sorted((e.source, e.target) for e in import_entries(tmp_path / name).entries)
        assert got == [("推理", "inference"), ("蒸馏", "distillation")], name
    (tmp_path / "bad.csv").write_text(
        "蒸馏,distillation\n推理,inference,de\n推理,inference,de,fr\n", encoding="utf-8"
    )
    with pytest.raises(TermbaseError) as info:
        import_entries(tmp_path / "bad.csv")
    assert "line 2: 3 fields" in str(info.value) and "line 3: languages de,fr" in str(info.value)
    (tmp_path / "header.csv").write_text("term,translation\n蒸馏,distillation\n", encoding="utf-8")
    with pytest.raises(TermbaseError, match="the header must start with source and target"):
        import_entries(tmp_path / "header.csv")  # a header of another tool is not a DeepL row


def test_an_omegat_glossary_written_by_hand_imports(tmp_path: Path) -> None:
    path = tmp_path / "project.txt"
    path.write_text(
        "# my glossary\n蒸馏\tdistillation\n蒸馏\tknowledge distillation\t\n混合专家\tMoE\tsparse\n",
        encoding="utf-8",
    )
    entries = {e.source: e for e in import_entries(path).entries}
    assert entries["蒸馏"].target_variants == ("knowledge distillation",)
    assert entries["混合专家"].note == "sparse"
    (tmp_path / "bad.txt").write_text("蒸馏 distillation\n", encoding="utf-8")
    with pytest.raises(TermbaseError, match="line 1: 1 tab-separated fields"):
        import_entries(tmp_path / "bad.txt")
