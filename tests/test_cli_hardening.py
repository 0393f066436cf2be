"""Issue 17 through the real commands: outputs never overwrite inputs (4), control characters never
crash an export (5), deep markdown is read or refused (7), manifests stay in their folders (8), and
the traceback cases of fault 10 are one-sentence errors.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from termalign.cli import _register, cli
from termalign.termbase import Entry, export_entries
from tests.batch_samples import install_tiny

ZH = "# 标题\n\n深度求索发布了新模型。\n\n> 这是引用。\n"
EN = "# Title\n\nDeepSeek released a new model.\n\n> This is a quote.\n"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_tiny(tmp_path_factory.mktemp("tiny") / "models")


def _pair(folder: Path, zh: str = ZH, en: str = EN) -> tuple[Path, Path]:
    src, tgt = folder / "zh.md", folder / "en.md"
    src.write_text(zh, encoding="utf-8")
    tgt.write_text(en, encoding="utf-8")
    return src, tgt


def _refused(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)
    for fragment in fragments:
        assert fragment in result.output, result.output


# -- 4: outputs never overwrite inputs --------------------------------------------------------------


def test_align_refuses_an_output_that_is_an_input_or_another_output(
    runner: CliRunner, tmp_path: Path
) -> None:
    src, tgt = _pair(tmp_path)
    _refused(runner.invoke(cli, ["align", str(src), str(tgt), "-o", str(src)]), "-o", "same file as SOURCE")
    assert src.read_text(encoding="utf-8") == ZH
    link = tmp_path / "link.md"
    link.symlink_to(tgt)
    _refused(runner.invoke(cli, ["align", str(src), str(tgt), "-o", str(link)]), "same file as TARGET")
    twice = ["align", str(src), str(tgt), "-o", str(tmp_path / "a.tmx"), "-o", str(tmp_path / "." / "a.tmx")]
    _refused(runner.invoke(cli, twice), "given twice")
    assert not (tmp_path / "a.tmx").exists()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["-o", "{doc}"], "-o {doc} is the same file as INPUT"),
        (
            ["-o", "{out}", "--report", "{tb}", "--termbase", "{tb}"],
            "--report {tb} is the same file as --termbase",
        ),
        (["-o", "{out}", "--tmx", "{out}"], "-o and --tmx name one file"),
        (["-o", "{out}", "--report", "{out}"], "-o and --report name one file"),
        (
            ["-o", "{out}", "--cache", "{tb}", "--termbase", "{tb}"],
            "--cache {tb} is the same file as --termbase",
        ),
    ],
)
def test_translate_refuses_colliding_paths_before_any_work(
    runner: CliRunner, tmp_path: Path, extra: list[str], fragment: str
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(ZH, encoding="utf-8")
    tb = tmp_path / "tb.tsv"
    export_entries([Entry("蒸馏", "distillation")], tb)
    before = tb.read_bytes()
    names = {"doc": str(doc), "out": str(tmp_path / "out.md"), "tb": str(tb)}
    args = ["translate", str(doc), *(a.format(**names) for a in extra), "--model", "nowhere"]
    _refused(runner.invoke(cli, args), fragment.format(**names))
    assert doc.read_text(encoding="utf-8") == ZH and tb.read_bytes() == before
    assert not (tmp_path / "out.md").exists()


def test_term_export_and_import_refuse_writing_their_input(runner: CliRunner, tmp_path: Path) -> None:
    tb = tmp_path / "tb.tsv"
    export_entries([Entry("蒸馏", "distillation")], tb)
    _refused(runner.invoke(cli, ["term", "export", str(tb), "-o", str(tb)]), "same file as TERMBASE")
    _refused(runner.invoke(cli, ["term", "import", str(tb), "-o", str(tb)]), "same file as FILE")


# -- 5: control characters --------------------------------------------------------------------------


def test_control_characters_in_a_document_do_not_crash_xml_outputs(runner: CliRunner, tmp_path: Path) -> None:
    src, tgt = _pair(tmp_path, ZH.replace("新模型", "新\x1b[1m模型\x01"), EN.replace("new", "new\x1b[0m"))
    outs = [tmp_path / "a.jsonl", tmp_path / "a.tmx", tmp_path / "a.html"]
    result = runner.invoke(cli, ["align", str(src), str(tgt), *(a for o in outs for a in ("-o", str(o)))])
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(outs[1]))  # well-formed
    segs = "".join(tree.getroot().itertext())
    assert "新[1m模型。" in segs and "\x1b" not in segs and "\x01" not in segs  # dropped from XML alone
    assert "\\u001b" in outs[0].read_text(encoding="utf-8")  # JSON keeps every character
    assert "\x1b" not in outs[2].read_text(encoding="utf-8")


def test_translate_writes_every_output_despite_control_characters(
    runner: CliRunner, tmp_path: Path, models: Path
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("深度求索\x1b发布了\x01新模型。\n", encoding="utf-8")
    out, tmx, report = tmp_path / "out.md", tmp_path / "run.tmx", tmp_path / "run.json"
    args = ["translate", str(doc), "-o", str(out), "--tmx", str(tmx), "--report", str(report),
            "--model", "tiny", "--models-dir", str(models)]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.exists() and report.exists()
    etree.parse(str(tmx))


# -- 7: deep markdown ------------------------------------------------------------------------------


def test_deep_nesting_is_read_or_refused_naming_the_line(runner: CliRunner, tmp_path: Path) -> None:
    deep_quote = ">" * 30 + " 深层引用。\n"
    deep_list = "".join("  " * k + f"- 第{k}层。\n" for k in range(15))
    src, tgt = _pair(tmp_path, ZH + "\n" + deep_quote + "\n" + deep_list, EN)
    out = tmp_path / "a.jsonl"
    result = runner.invoke(cli, ["align", str(src), str(tgt), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "深层引用。" in text and "第14层。" in text  # nothing past markdown-it's old cap of 20 lost
    src.write_text(ZH + "\n" + ">" * 150 + " 太深了。\n", encoding="utf-8")
    _refused(runner.invoke(cli, ["align", str(src), str(tgt), "-o", str(out)]), "line 7 is nested deeper")


# -- 8: manifests -----------------------------------------------------------------------------------


def _manifest(folder: Path, doc_id: str, path: str) -> Path:
    data = folder / "data"
    data.mkdir(exist_ok=True)
    (data / "doc.md").write_text(ZH, encoding="utf-8")
    manifest = folder / "corpus.toml"
    manifest.write_text(
        '[corpus]\nname = "sample"\n\n[[documents]]\n'
        f'id = "{doc_id}"\npath = "{path}"\nlang = "zh"\nrole = "to-translate"\n',
        encoding="utf-8",
    )
    return manifest


@pytest.mark.parametrize(
    ("doc_id", "path", "fragment"),
    [
        ("../../escaped", "doc.md", "field id must be a name"),
        (
            "doc",
            "../../../../etc/passwd",
            "field path '../../../../etc/passwd' leads outside the data directory",
        ),
        ("doc", "/etc/passwd", "leads outside the data directory"),
    ],
)
def test_a_hostile_manifest_is_refused_naming_the_field(
    runner: CliRunner, tmp_path: Path, models: Path, doc_id: str, path: str, fragment: str
) -> None:
    manifest = _manifest(tmp_path, doc_id, path)
    out = tmp_path / "deep" / "er" / "out"
    args = ["--data-dir", str(tmp_path / "data"), "batch", str(manifest), "-o", str(out),
            "--model", "tiny", "--models-dir", str(models)]  # fmt: skip
    _refused(runner.invoke(cli, args), fragment)
    assert not (tmp_path / "deep").exists() and not (tmp_path / "escaped").exists()


def test_batch_refuses_a_journal_that_is_a_document(runner: CliRunner, tmp_path: Path, models: Path) -> None:
    manifest = _manifest(tmp_path, "doc", "doc.md")
    doc = tmp_path / "data" / "doc.md"
    args = ["--data-dir", str(tmp_path / "data"), "batch", str(manifest), "-o", str(tmp_path / "out"),
            "--journal", str(doc), "--model", "tiny", "--models-dir", str(models)]  # fmt: skip
    _refused(runner.invoke(cli, args), "--journal", "same file as the document")
    assert doc.read_text(encoding="utf-8") == ZH


# -- 10: tracebacks become sentences ---------------------------------------------------------------


def test_batch_on_a_binary_file_is_one_sentence(runner: CliRunner) -> None:
    _refused(runner.invoke(cli, ["batch", "/bin/ls"]), "not UTF-8 text")


def test_model_install_of_a_forged_gguf_is_one_sentence(runner: CliRunner, tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 5))  # claims 5 metadata keys, holds none
    result = runner.invoke(cli, ["model", "install", str(fake), "--models-dir", str(tmp_path / "m")])
    _refused(result, "not a readable GGUF file")
    assert json.dumps(result.output).count("\\n") <= 2  # one line, not a traceback
