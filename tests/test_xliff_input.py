"""XLIFF 1.2 / 2.x as an input document: `translate doc.xlf -o out.xlf` fills the targets.

Files from another tool (written here by hand, the way Okapi, translate-toolkit
or a CAT tool write them) and files termalign wrote: the output is schema-valid,
translate-toolkit reads every unit, confirmed targets stay byte for byte, the
codes of every source are in its target, and our own file merges back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from test_xliff import MARKDOWN, NS, _edit, bilingual, schema
from translate.storage import xliff as tt_xliff
from translate.storage import xliff2 as tt_xliff2

from termalign.align.documents import detect_format
from termalign.align.documents.xliff import read_xliff, write_xliff
from termalign.align.documents.xliff_common import merge, text_of
from termalign.align.documents.xliff_document import without_confirmed, xliff_pieces
from termalign.align.reader import read_string
from termalign.cli import _register, cli
from termalign.kernel.errors import DocumentError
from termalign.translator.document import translate_document
from termalign.translator.identity import IdentityEngine
from termalign.translator.memory import TranslationMemory
from termalign.translator.terms import TermAwareTranslator, TranslateConfig

FOREIGN12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.txt" source-language="zh-CN" target-language="en" datatype="plaintext">
    <body>
      <trans-unit id="1">
        <source>蒸馏很好 &amp; <g id="1">快</g>。</source>
      </trans-unit>
      <trans-unit id="2" approved="yes">
        <source>已经翻译了。</source>
        <target state="translated">Already done, by a person.</target>
      </trans-unit>
      <trans-unit id="3" translate="no">
        <source>不要翻译。</source>
      </trans-unit>
      <group id="g1">
        <trans-unit id="4">
          <source><x id="1"/>见<bpt id="2">&lt;b&gt;</bpt>论文<ept id="2">&lt;/b&gt;</ept>。</source>
          <target state="needs-translation"></target>
          <note>a note from the other tool</note>
        </trans-unit>
      </group>
    </body>
  </file>
</xliff>
"""
FOREIGN2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en">
  <file id="f1">
    <unit id="u1">
      <segment id="s1">
        <source>蒸馏是<pc id="1">一种</pc>训练方法。</source>
      </segment>
      <segment id="s2" state="final">
        <source>它很便宜。</source>
        <target>It is cheap.</target>
      </segment>
    </unit>
    <unit id="u2">
      <segment>
        <source>见<ph id="1"/>论文。</source>
        <target></target>
      </segment>
    </unit>
    <unit id="u3" translate="no">
      <segment><source>不要翻译。</source></segment>
    </unit>
  </file>
</xliff>
"""


def _translator(memory: TranslationMemory | None = None) -> TermAwareTranslator:
    return TermAwareTranslator(IdentityEngine(), None, memory, TranslateConfig())


def _fill(
    text: str, path: str = "a.xlf", *, retranslate: bool = False, memory: TranslationMemory | None = None
) -> str:
    doc = read_string(text, path=path, lang="zh")
    if not retranslate:
        doc = without_confirmed(doc)
    return translate_document(doc, _translator(memory)).text


def _codes(fragment: str) -> list[str]:
    return [p.raw for p in xliff_pieces(fragment) if p.kind != "text" and p.name != "xliff:entity"]


def _inner(text: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", text, re.DOTALL)


def test_xliff_is_a_registered_document_format_with_one_sentence_per_unit() -> None:
    assert detect_format("a.xlf", FOREIGN12) == "xliff" and detect_format("noname", FOREIGN2) == "xliff"
    doc = read_string(FOREIGN12, path="a.xlf", lang="zh")
    assert [s.text for s in doc.sentences] == ["蒸馏很好 & 快。", "已经翻译了。", "见论文。"]
    assert doc.text[doc.sentences[0].start : doc.sentences[0].end] == '蒸馏很好 &amp; <g id="1">快</g>。'
    assert [s.text for s in without_confirmed(doc).sentences] == ["蒸馏很好 & 快。", "见论文。"]
    two = read_string(FOREIGN2, path="b.xlf", lang="zh")
    assert [s.text for s in two.sentences] == ["蒸馏是一种训练方法。", "它很便宜。", "见论文。"]
    assert [s.text for s in without_confirmed(two).sentences] == ["蒸馏是一种训练方法。", "见论文。"]


def test_a_foreign_xliff_12_gets_its_targets_filled_and_nothing_else_changes() -> None:
    out = _fill(FOREIGN12)
    assert [e.reason for e in schema("1.2").iter_errors(etree.fromstring(out.encode()))] == []
    store = tt_xliff.xlifffile.parsestring(out.encode())
    assert len(store.units) == 4
    targets = {u.source: u.target for u in store.units}
    assert targets["已经翻译了。"] == "Already done, by a person." and not targets["不要翻译。"]
    sources, filled = _inner(out, "source"), _inner(out, "target")
    assert len(filled) == 3
    assert _codes(filled[0]) == _codes(sources[0]) and _codes(filled[2]) == _codes(sources[3])
    assert '<target state="translated">Already done, by a person.</target>' in out  # byte for byte
    assert out.count('state-qualifier="mt-suggestion"') == 2
    # outside the targets written, the file is as it was
    stripped = re.sub(r'\n\s*<target state="needs-review-translation"[^>]*>.*?</target>', "", out)
    assert stripped == FOREIGN12.replace('\n          <target state="needs-translation"></target>', "")


def test_a_foreign_xliff_2_gets_targets_and_segment_states() -> None:
    out = _fill(FOREIGN2)
    names = ("xliff_core_2.0.xsd",)
    assert [e.reason for e in schema("2.1").iter_errors(etree.fromstring(out.encode()))] == [], names
    store = tt_xliff2.Xliff2File.parsestring(out.encode())
    assert len(store.units) >= 3
    root = etree.fromstring(out.encode())
    ns = {"x": NS["2.1"]}
    segments = root.findall(".//x:segment", ns)
    assert [s.get("state") for s in segments] == ["translated", "final", "translated", None]
    assert segments[0].get("subState") == "termalign:mt-review"
    assert segments[1].find("x:target", ns).text == "It is cheap."
    assert segments[3].find("x:target", ns) is None  # translate="no"
    target = etree.tostring(segments[0].find("x:target", ns), encoding="unicode", with_tail=False)
    assert '<pc id="1">一种</pc>' in target
    assert '<ph id="1"/>' in etree.tostring(segments[2].find("x:target", ns), encoding="unicode")


def test_confirmed_targets_are_retranslated_only_when_asked() -> None:
    memory = TranslationMemory(source_lang="zh")
    memory.add("已经翻译了。", "Done again, by the TM.", "tm")
    kept = _fill(FOREIGN12, memory=memory)
    assert "Already done, by a person." in kept and "Done again" not in kept
    redone = _fill(FOREIGN12, retranslate=True, memory=memory)
    assert "Done again, by the TM." in redone and "Already done, by a person." not in redone
    assert [e.reason for e in schema("1.2").iter_errors(etree.fromstring(redone.encode()))] == []


def test_text_the_engine_adds_is_escaped_so_the_file_stays_well_formed() -> None:
    memory = TranslationMemory(source_lang="zh")
    memory.add("看论文。", "See A & B < C > D.", "tm")  # a TM target with bare &, < and >
    plain = FOREIGN12.replace("<source>已经翻译了。</source>", "<source>看论文。</source>")
    out = _fill(plain, retranslate=True, memory=memory)
    etree.fromstring(out.encode())  # well-formed
    assert "See A &amp; B &lt; C &gt; D.</target>" in out
    assert 'approved="yes"' not in out  # a unit with a new target to review is no longer approved


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_our_own_xliff_round_trips_through_translate(tmp_path: Path, version: str) -> None:
    """translate doc.md -o doc.xlf, a translator confirms one unit, translate doc.xlf again, merge."""
    path = tmp_path / "doc.xlf"
    written = bilingual(MARKDOWN)
    write_xliff(written, path, version)
    heading = next(u.id for u in written.units if "什么是" in text_of(u.source))
    _edit(path, version, {heading: ("什么是", "What is ")}, confirm=True)
    before = path.read_text(encoding="utf-8")
    out = tmp_path / "again.xlf"
    out.write_text(_fill(before, str(path)), encoding="utf-8")
    assert [e.reason for e in schema(version).iter_errors(str(out))] == []
    again, first = read_xliff(out), read_xliff(path)
    assert [u.id for u in again.units] == [u.id for u in first.units]
    assert again.unit(heading) == first.unit(heading)  # the confirmed unit, untouched
    merged = merge(again)
    assert merged.startswith("---\ntitle: '蒸馏的故事'\n---\n\n# What is **蒸馏**？")
    assert merged == merge(first)  # the identity engine "translates" every other unit as it was


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from termalign.translator.install import install_model
    from termalign.translator.tiny import write_tiny_qwen2_gguf

    folder = tmp_path_factory.mktemp("tiny-xliff-input")
    install_model(write_tiny_qwen2_gguf(folder / "tiny.gguf").path, folder / "models")
    return folder / "models"


@pytest.mark.parametrize(("text", "version"), [(FOREIGN12, "1.2"), (FOREIGN2, "2.1")])
def test_translate_command_fills_an_xliff(tmp_path: Path, tiny_models: Path, text: str, version: str) -> None:
    _register()
    source = tmp_path / "in.xlf"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.xlf"
    common = ["--model", "tiny", "--models-dir", str(tiny_models)]
    result = CliRunner().invoke(cli, ["translate", str(source), "-o", str(out), *common])
    assert result.exit_code == 0, result.output
    assert [e.reason for e in schema(version).iter_errors(str(out))] == []
    written = out.read_text(encoding="utf-8")
    assert ("Already done, by a person." if version == "1.2" else "It is cheap.") in written
    refused = CliRunner().invoke(cli, ["translate", str(source), "-o", str(tmp_path / "out.md"), *common])
    assert refused.exit_code == 2 and "XLIFF INPUT is translated into an XLIFF" in refused.output


def test_a_broken_xliff_is_one_sentence() -> None:
    with pytest.raises(DocumentError, match="never closed|closes nothing"):
        read_string(FOREIGN12.replace("</body>", ""), path="a.xlf", lang="zh")
    with pytest.raises(DocumentError, match="not an XLIFF"):
        read_string("<?xml version='1.0'?><html></html>", path="a.xlf", lang="zh")


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_batch_writes_a_pre_translated_xliff_beside_each_document(tmp_path: Path, version: str) -> None:
    from termalign.translator.batch import BatchConfig, load_batch_manifest, run_batch
    from tests.batch_samples import write_corpus

    plan = load_batch_manifest(write_corpus(tmp_path, docs=2), tmp_path / "data")
    memory = TranslationMemory(source_lang="zh")
    out = tmp_path / "out"
    report = run_batch(plan, _translator(memory), BatchConfig(output_dir=out, xliff=version))
    assert len(report.documents) == 2
    for doc in report.documents:
        output = Path(doc.output)
        xlf = output.with_suffix(".xlf")
        assert xlf.is_file(), xlf
        assert [e.reason for e in schema(version).iter_errors(str(xlf))] == []
        store = (tt_xliff.xlifffile if version == "1.2" else tt_xliff2.Xliff2File).parsefile(str(xlf))
        bilingual_file = read_xliff(xlf)
        assert len(store.units) == len(bilingual_file.units) > 2
        # the XLIFF merges back into the very document the batch wrote
        assert merge(bilingual_file) == output.read_text(encoding="utf-8")
    plain = tmp_path / "plain"
    run_batch(plan, _translator(memory), BatchConfig(output_dir=plain))
    assert list(plain.glob("*.md")) and not list(plain.glob("*.xlf"))  # only when asked


PLAIN12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.txt" source-language="zh-CN" target-language="en" datatype="plaintext">
    <body>
      <trans-unit id="1"><source>见论文。</source></trans-unit>
      <trans-unit id="2"><source>蒸馏很好。</source></trans-unit>
    </body>
  </file>
</xliff>
"""
PLAIN2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en">
  <file id="f1">
    <unit id="u1"><segment id="s1"><source>见论文。</source></segment></unit>
    <unit id="u2"><segment id="s2"><source>蒸馏很好。</source></segment></unit>
  </file>
</xliff>
"""


def test_a_tm_match_written_back_is_labelled_as_one_and_mt_as_mt() -> None:
    memory = TranslationMemory(source_lang="zh")
    memory.add("见论文。", "See the paper.", "tm.tmx#1")
    out12 = _fill(PLAIN12, memory=memory)
    assert re.findall(r'state-qualifier="([^"]+)">([^<]*)<', out12) == [
        ("exact-match", "See the paper."),
        ("mt-suggestion", "蒸馏很好。"),  # the identity engine's "translation"
    ]
    out2 = _fill(PLAIN2, path="b.xlf", memory=memory)
    assert re.findall(r'subState="([^"]+)"', out2) == ["termalign:tm-exact-review", "termalign:mt-review"]
    # both still read back as needing review, not as confirmed
    assert len(without_confirmed(read_string(out2, path="b.xlf", lang="zh")).sentences) == 2
