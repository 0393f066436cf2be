"""XLIFF 1.2 and 2.1: schema-valid, read by translate-toolkit, and a round trip that keeps markup.

translate → XLIFF → (targets edited as a translator would, through lxml) →
merge must give the document with the edits and every byte of markup around
them; confirmed segments are harvested into a TM.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree
from translate.storage import xliff as tt_xliff
from translate.storage import xliff2 as tt_xliff2

from termalign.align.documents.xliff import read_xliff, write_xliff
from termalign.align.documents.xliff_common import BilingualDocument, merge, text_of
from termalign.align.reader import read_string
from termalign.align.tmx import TranslationUnit, read_tmx, write_tmx
from termalign.cli import _register, cli
from termalign.kernel.errors import DocumentError
from termalign.termbase.model import Entry, Status
from termalign.termbase.store import Termbase
from termalign.translator.bilingual import NOT_XML as _NOT_XML
from termalign.translator.bilingual import bilingual_from_translation
from termalign.translator.document import translate_document
from termalign.translator.identity import IdentityEngine
from termalign.translator.memory import TranslationMemory
from termalign.translator.terms import TermAwareTranslator, TranslateConfig

DATA = Path(__file__).parent / "data" / "xliff"
NS = {"1.2": "urn:oasis:names:tc:xliff:document:1.2", "2.1": "urn:oasis:names:tc:xliff:document:2.0"}
VERSIONS = ("1.2", "2.1")
MARKDOWN = """---
title: '蒸馏的故事'
---

# 什么是**蒸馏**？

**所以 `V3` 是领先的模型吗？**

见[大模型](https://example.org/big)的知识。蒸馏很好 & <好>。

> **等等，你还没谈 R1！你说呢？**

- 列表里的*强调*。
"""
HTML = '<html><body><h1>什么是<b>蒸馏</b>？</h1><p>见<a href="https://example.org/big">大模型</a>。好。</p></body></html>\n'


@cache
def schema(version: str) -> xmlschema.XMLSchema:
    if version == "1.2":
        return xmlschema.XMLSchema(str((DATA / "1.2" / "xliff-core-1.2-strict.xsd").resolve()))
    names = ("xliff_core_2.0.xsd", "matches.xsd", "metadata.xsd")
    return xmlschema.XMLSchema([str((DATA / "2.1" / n).resolve()) for n in names])


def _termbase() -> Termbase:
    return Termbase.memory([Entry("蒸馏", "distillation", status=Status.APPROVED)])


def bilingual(
    text: str, fmt: str = "markdown", path: str = "doc.md", *, terms: bool = False
) -> BilingualDocument:
    """The identity engine "translates" into Chinese, so merge must give the original back.

    With ``terms`` the termbase writes 蒸馏's rendering into the source, so the
    "translation" has "distillation" where the text had 蒸馏.
    """
    doc = read_string(text, path=path, fmt=fmt, lang="zh")
    memory = TranslationMemory(source_lang="zh")
    memory.add("蒸馏很好 & <好>。", "Distillation is good.", "tm.tmx#1")
    # inline injection, so the identity engine's "translation" carries the rendering
    config = TranslateConfig(term_injection="inline")
    translator = TermAwareTranslator(IdentityEngine(), _termbase() if terms else None, memory, config)
    result = translate_document(doc, translator)
    DIRECT[text] = result.text
    return bilingual_from_translation(doc, result, memory=memory, join_space=False)


DIRECT: dict[str, str] = {}  # what translate wrote as the document itself, by input text


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("text", "fmt", "name"), [(MARKDOWN, "markdown", "doc.md"), (HTML, "html", "doc.html")]
)
def test_written_file_is_schema_valid_and_merges_back_byte_for_byte(
    tmp_path: Path, version: str, text: str, fmt: str, name: str
) -> None:
    path = tmp_path / "doc.xlf"
    write_xliff(bilingual(text, fmt, name), path, version)
    errors = [e.reason for e in schema(version).iter_errors(str(path))]
    assert errors == []
    # the same document as `translate -o doc.md` writes (here: the TM's exact match, the rest identity)
    assert merge(read_xliff(path)) == DIRECT[text]
    assert DIRECT[text] == text.replace("蒸馏很好 & <好>。", "Distillation is good.")


@pytest.mark.parametrize("version", VERSIONS)
def test_translate_toolkit_reads_every_unit(tmp_path: Path, version: str) -> None:
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN)
    write_xliff(written, path, version)
    store = (tt_xliff.xlifffile if version == "1.2" else tt_xliff2.Xliff2File).parsefile(str(path))
    assert len(store.units) == len(written.units) > 5
    sources = [u.source for u in store.units]
    assert any("所以" in s and "领先" in s for s in sources)


def test_units_carry_codes_matches_notes_state_and_the_signature(tmp_path: Path) -> None:
    written = bilingual(MARKDOWN, terms=True)
    path = tmp_path / "doc.xlf"
    write_xliff(written, path, "1.2")
    root = etree.parse(str(path)).getroot()
    ns = {"x": NS["1.2"]}
    unit = root.xpath("//x:trans-unit[contains(x:source, '领先')]", namespaces=ns)[0]
    source = etree.tostring(unit.find("x:source", ns), encoding="unicode", with_tail=False)
    assert '<bpt id="1">**</bpt>所以 <ph id="2">`V3`</ph> 是领先的模型吗？<ept id="1">**</ept>' in source
    target = unit.find("x:target", ns)
    assert (
        target.get("state") == "needs-review-translation" and target.get("state-qualifier") == "mt-suggestion"
    )
    tm_unit = root.xpath("//x:trans-unit[contains(x:source, '蒸馏很好')]", namespaces=ns)[0]
    assert tm_unit.find("x:target", ns).get("state-qualifier") == "exact-match"
    alt = tm_unit.find("x:alt-trans", ns)
    assert alt.get("match-quality") == "100" and alt.find("x:target", ns).text == "Distillation is good."
    notes = [n.text for n in root.iterfind(".//x:trans-unit/x:note", ns)]
    assert any(n.startswith("term: 蒸馏 → distillation") for n in notes)
    header_notes = [n.text for n in root.iterfind(".//x:header/x:note", ns)]
    signature = json.loads(next(n for n in header_notes if n.startswith("termalign-signature: "))[21:])
    assert signature["engine"] and root.find(".//x:header/x:tool", ns).get("tool-name") == "termalign"
    assert root.find("x:file", ns).get("source-language") == "zh-Hans"


def _edit(path: Path, version: str, edits: dict[str, tuple[str, str]], confirm: bool = False) -> None:
    """Replace text in the targets of the units named (unit id → (old, new)), as a CAT tool would."""
    tree = etree.parse(str(path))
    ns = {"x": NS[version]}
    unit_tag = "trans-unit" if version == "1.2" else "unit"
    for unit in tree.iterfind(f".//x:{unit_tag}", ns):
        if unit.get("id") not in edits:
            continue
        old, new = edits[unit.get("id")]
        target = unit.find(".//x:target", ns)
        for node in target.iter():
            if node.text and old in node.text and node.tag != f"{{{ns['x']}}}ph":
                node.text = node.text.replace(old, new)
            if node is not target and node.tail and old in node.tail:
                node.tail = node.tail.replace(old, new)
        if confirm and version == "1.2":
            unit.set("approved", "yes")
            target.set("state", "translated")
        elif confirm:
            unit.find("x:segment", ns).set("state", "final")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("version", VERSIONS)
def test_edited_targets_are_merged_with_the_markup_around_them(tmp_path: Path, version: str) -> None:
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN)
    write_xliff(written, path, version)
    ids = {text_of(u.source): u.id for u in written.units}
    edits = {
        ids["所以  是领先的模型吗？"]: ("所以", "So is"),
        ids["见大模型的知识。"]: ("大模型", "the big model"),
        ids["**等等，你还没谈 R1！"]: ("等等", "Wait"),  # bold cut by the sentence break stays text
    }
    _edit(path, version, edits)
    merged = merge(read_xliff(path))
    expected = (
        MARKDOWN.replace("**所以 `V3`", "**So is `V3`")
        .replace("[大模型](https://example.org/big)", "[the big model](https://example.org/big)")
        .replace("> **等等，", "> **Wait，")
        .replace("蒸馏很好 & <好>。", "Distillation is good.")
    )
    assert merged == expected


def test_a_file_that_is_not_xliff_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "doc.xlf"
    path.write_text("<html/>", encoding="utf-8")
    with pytest.raises(DocumentError, match="not an XLIFF 1.2 or 2.x file"):
        read_xliff(path)


@pytest.mark.parametrize("version", VERSIONS)
def test_harvest_adds_confirmed_segments_and_reports_changed_terms(tmp_path: Path, version: str) -> None:
    _register()
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN, terms=True)
    write_xliff(written, path, version)
    heading = next(u.id for u in written.units if "什么是" in text_of(u.source))
    _edit(path, version, {heading: ("distillation", "knowledge transfer")}, confirm=True)
    _edit(path, version, {heading: ("什么是", "What is ")})
    tm = tmp_path / "tm.tmx"
    write_tmx(tm, [TranslationUnit("旧的。", "Old.")], source_lang="zh", target_lang="en")
    result = CliRunner().invoke(cli, ["xliff", "harvest", str(path), "--tm", str(tm), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["added"] >= 1 and report["confirmed"] >= report["added"]
    units = {u.tuid: u for u in read_tmx(tm).units}
    assert units[heading].source == "什么是蒸馏？" and units[heading].target == "What is knowledge transfer？"
    assert "旧的。" in {u.source for u in units.values()}  # what was there is kept
    # the translator replaced the termbase's rendering: a candidate for the termbase
    changed = report["changed_terms"]
    assert [(c["segment"], c["source"], c["rendering"]) for c in changed] == [
        (heading, "蒸馏", "distillation")
    ]
    again = CliRunner().invoke(cli, ["xliff", "harvest", str(path), "--tm", str(tm), "--json"])
    assert json.loads(again.output)["added"] == 0  # harvesting twice adds nothing twice


def test_merge_command_and_confirmed_only(tmp_path: Path) -> None:
    _register()
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN)
    write_xliff(written, path, "2.1")
    heading = next(u.id for u in written.units if "什么是" in text_of(u.source))
    other = next(u.id for u in written.units if "领先" in text_of(u.source))
    _edit(path, "2.1", {heading: ("什么是", "What is ")}, confirm=True)
    _edit(path, "2.1", {other: ("所以", "So")})
    out = tmp_path / "doc.en.md"
    result = CliRunner().invoke(cli, ["xliff", "merge", str(path), "-o", str(out), "--confirmed-only"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# What is **蒸馏**？" in text and "**所以 `V3`" in text  # the unconfirmed edit is left out


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from termalign.translator.install import install_model
    from termalign.translator.tiny import write_tiny_qwen2_gguf

    folder = tmp_path_factory.mktemp("tiny-xliff")
    install_model(write_tiny_qwen2_gguf(folder / "tiny.gguf").path, folder / "models")
    return folder / "models"


@pytest.mark.parametrize("version", VERSIONS)
def test_translate_to_xliff_then_merge_gives_the_translated_document(
    tmp_path: Path, tiny_models: Path, version: str
) -> None:
    _register()
    doc = tmp_path / "doc.md"
    doc.write_text(MARKDOWN.split("---\n", 2)[2], encoding="utf-8")  # the tiny model's title is not YAML
    tm = tmp_path / "tm.tmx"
    write_tmx(
        tm,
        [TranslationUnit("蒸馏很好 & <好>。", "Distillation is good.")],
        source_lang="zh",
        target_lang="en",
    )
    common = ["--model", "tiny", "--models-dir", str(tiny_models), "--tm", str(tm)]
    runner = CliRunner()
    direct = runner.invoke(cli, ["translate", str(doc), "-o", str(tmp_path / "direct.md"), *common])
    assert direct.exit_code == 0, direct.output
    xlf = tmp_path / "doc.xlf"
    made = runner.invoke(cli, ["translate", str(doc), "-o", str(xlf), "--xliff-version", version, *common])
    assert made.exit_code == 0, made.output
    assert [e.reason for e in schema(version).iter_errors(str(xlf))] == []
    merged = runner.invoke(cli, ["xliff", "merge", str(xlf), "-o", str(tmp_path / "merged.md")])
    assert merged.exit_code == 0, merged.output
    direct_text = (tmp_path / "direct.md").read_text(encoding="utf-8")
    assert (tmp_path / "merged.md").read_text(encoding="utf-8") == _NOT_XML.sub("", direct_text)
    assert "Distillation is good." in direct_text


@pytest.mark.parametrize("version", VERSIONS)
def test_front_matter_title_is_a_unit_and_its_edit_lands_in_the_yaml(tmp_path: Path, version: str) -> None:
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN)
    assert written.units[0].id == "fm.title" and text_of(written.units[0].source) == "蒸馏的故事"
    write_xliff(written, path, version)
    _edit(path, version, {"fm.title": ("蒸馏的故事", "The story of distillation")})
    merged = merge(read_xliff(path))
    assert merged.startswith("---\ntitle: 'The story of distillation'\n---\n")
    assert merged.split("---\n", 2)[2] == DIRECT[MARKDOWN].split("---\n", 2)[2]
