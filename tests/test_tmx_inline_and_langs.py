"""TMX for CAT tools: inline markup as codes, per-unit srclang, one BCP 47 tag everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from termalign.align.aligner import align_documents
from termalign.align.outputs import write_alignment
from termalign.align.reader import read_string
from termalign.align.tmx import TranslationUnit, read_tmx, write_tmx
from termalign.kernel.errors import DocumentError
from termalign.kernel.langtags import LanguageTagError, language_tag, same_language

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ZH = "# 标题\n\n**所以 `V3` 是领先的模型吗？**\n\n见[文档](https://example.org/d)。这很好。\n"
EN = "# Title\n\n**So is `V3` a leading model?**\n\nSee [the docs](https://example.org/d). This is good.\n"


@pytest.mark.parametrize(
    ("tag", "script", "expected"),
    [
        ("zh_CN", "", "zh-Hans"),
        ("zh-CN", "", "zh-Hans"),
        ("zh", "", "zh-Hans"),
        ("zh", "Hant", "zh-Hant"),
        ("zh-CN", "Hant", "zh-Hant"),  # the text says Traditional: the region's script yields
        ("zh-Hans", "Hant", "zh-Hans"),  # an explicit script subtag wins
        ("zh-TW", "", "zh-Hant"),
        ("zh-HK", "", "zh-Hant-HK"),
        ("cmn", "", "zh-Hans"),
        ("zho", "", "zh-Hans"),
        ("EN_us", "", "en-US"),
        ("eng", "", "en"),
        ("und", "", "und"),
    ],
)
def test_language_tags_are_normalised(tag: str, script: str, expected: str) -> None:
    assert language_tag(tag, script=script) == expected


@pytest.mark.parametrize("tag", ["xx", "chinese", "english", "", "en-", "zh--CN"])
def test_unknown_language_tags_are_refused_in_one_sentence(tag: str) -> None:
    with pytest.raises(LanguageTagError) as info:
        language_tag(tag)
    message = str(info.value)
    assert message.count(".") <= 1 and "\n" not in message and "BCP 47" in message


def test_same_language_ignores_script_and_region() -> None:
    assert same_language("zh", "zh-Hant-HK") and not same_language("zh-Hans", "en")


def _align(tmp_path: Path, zh: str = ZH, en: str = EN) -> Path:
    src = read_string(zh, path="doc.zh.md", fmt="markdown", lang="zh")
    tgt = read_string(en, path="doc.en.md", fmt="markdown", lang="en")
    out = tmp_path / "doc.tmx"
    write_alignment(align_documents(src, tgt), out)
    return out


def test_markup_is_kept_as_inline_codes_and_the_text_reads_as_before(tmp_path: Path) -> None:
    out = _align(tmp_path)
    segs = [tuv.find("seg") for tuv in etree.parse(str(out)).iter("tuv")]
    serialised = [etree.tostring(s, encoding="unicode", with_tail=False) for s in segs if s is not None]
    bold = next(s for s in serialised if "V3" in s and "领先" in s)
    assert bold == (
        '<seg><bpt i="1">**</bpt>所以 <bpt i="2">`</bpt>V3<ept i="2">`</ept> '
        '是领先的模型吗？<ept i="1">**</ept></seg>'
    )
    link = next(s for s in serialised if "the docs" in s)
    assert '<bpt i="1">[</bpt>the docs<ept i="1">](https://example.org/d)</ept>' in link
    units = read_tmx(out).units
    assert ("所以 V3 是领先的模型吗？", "So is V3 a leading model?") in [(u.source, u.target) for u in units]
    store = tmxfile(out.read_bytes(), sourcelanguage="zh-Hans", targetlanguage="en")  # a reader not ours
    assert len(store.units) == len(units)


def test_every_tuv_has_xml_lang_and_the_traditional_text_is_zh_hant(tmp_path: Path) -> None:
    out = _align(tmp_path, zh=ZH.replace("标题", "標題").replace("这很好", "這很好").replace("领先", "領先"))
    root = etree.parse(str(out)).getroot()
    header = root.find("header")
    assert header is not None and header.get("srclang") == "zh-Hant"
    langs = {tuv.get(XML_LANG) for tuv in root.iter("tuv")}
    assert langs == {"zh-Hant", "en"}


def test_a_unit_with_an_unmatched_piece_uses_it(tmp_path: Path) -> None:
    out = tmp_path / "it.tmx"
    unit = TranslationUnit("粗体开始", "bold starts", source_pieces=(("open", "**"), ("text", "粗体开始")))
    write_tmx(out, [unit], source_lang="zh", target_lang="en")
    seg = etree.parse(str(out)).find(".//tuv/seg")
    assert (
        seg is not None
        and etree.tostring(seg, encoding="unicode", with_tail=False)
        == '<seg><it pos="begin">**</it>粗体开始</seg>'
    )
    assert read_tmx(out).units[0].source == "粗体开始"


def test_per_unit_srclang_wins_over_the_header(tmp_path: Path) -> None:
    path = tmp_path / "toolkit.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">'
        '<header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" '
        'creationtool="x" creationtoolversion="1" o-tmf="x"/><body>'
        '<tu srclang="zh"><tuv xml:lang="en"><seg>API business</seg></tuv>'
        '<tuv xml:lang="zh"><seg>API 业务</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    (unit,) = read_tmx(path).units
    assert (unit.source, unit.target) == ("API 业务", "API business")


def test_bad_language_tags_are_refused_when_writing(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="'chinese' is not a language tag"):
        write_tmx(tmp_path / "x.tmx", [TranslationUnit("甲", "a")], source_lang="chinese", target_lang="en")
    assert not (tmp_path / "x.tmx").exists()


def test_align_refuses_an_unknown_language_tag_in_one_sentence(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from termalign.cli import _register, cli

    _register()

    (tmp_path / "a.md").write_text("甲。\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("A.\n", encoding="utf-8")
    args = ["align", str(tmp_path / "a.md"), str(tmp_path / "b.md"), "-o", str(tmp_path / "ab.tmx")]
    refused = CliRunner().invoke(cli, [*args, "--source-lang", "xx"])
    assert refused.exit_code == 2 and "'xx' is not a language tag" in refused.output
    assert "Traceback" not in refused.output and not (tmp_path / "ab.tmx").exists()
    accepted = CliRunner().invoke(cli, [*args, "--source-lang", "zh_CN"])
    assert accepted.exit_code == 0, accepted.output
    header = etree.parse(str(tmp_path / "ab.tmx")).getroot().find("header")
    assert header is not None and header.get("srclang") == "zh-Hans"
