"""A real CAT tool reads what termalign writes: OmegaT 3.6 (Debian), run headless.

OmegaT's own readers load our glossary and TMX (a small Java probe calls them),
no forbidden rendering or deprecated entry is offered, and a console
translation of a document auto-fills its segments from our TMX.  Skipped, with
the reason, where OmegaT is not installed; ``.ci/run`` installs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from omegat_tools import console_translate, missing, probe
from termbase_samples import sample_entries

from termalign.align.aligner import align_documents
from termalign.align.outputs import write_alignment
from termalign.align.reader import read_string
from termalign.align.tmx import read_tmx
from termalign.termbase import FORMATS, export_entries

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

ZH = "# 蒸馏是什么？\n\n蒸馏是一种训练方法。它把**大模型**的知识传给小模型。\n\n> 混合专家模型很便宜。\n\n见[论文](https://example.org/p)。\n"
EN = (
    "# What is distillation?\n\nDistillation is a training method. "
    "It passes a **big model**'s knowledge to a small model.\n\n"
    "> Mixture of experts models are cheap.\n\nSee [the paper](https://example.org/p).\n"
)


def test_omegat_loads_every_glossary_entry_and_no_forbidden_rendering(tmp_path: Path) -> None:
    glossary = tmp_path / "glossary.txt"
    export_entries(sample_entries(), glossary)
    loaded = {(row[1], row[2]) for row in probe("tsv", glossary) if row[0] == "ENTRY"}
    kept = FORMATS["omegat"].round_trip(sample_entries())
    expected = {
        (s, t)
        for e in kept
        for s in e.source_terms
        for t in (e.accepted_targets if s == e.source else [e.target])
    }
    assert loaded == expected
    offered = {target.casefold() for _, target in loaded}
    forbidden = {f.casefold() for e in sample_entries() for f in e.forbidden}
    assert forbidden and not offered & forbidden
    assert not {s for s, _ in loaded} & {e.source for e in sample_entries() if e.status.value == "deprecated"}


def _tmx(tmp_path: Path) -> Path:
    out = tmp_path / "doc.tmx"
    alignment = align_documents(
        read_string(ZH, path="doc.zh.md", fmt="markdown", lang="zh"),
        read_string(EN, path="doc.en.md", fmt="markdown", lang="en"),
    )
    write_alignment(alignment, out)
    return out


def test_omegat_loads_every_translation_unit(tmp_path: Path) -> None:
    tmx = _tmx(tmp_path)
    rows = probe("tmx", tmx, "zh-CN", "en")
    total = next(r for r in rows if r[0] == "TOTAL")
    units = read_tmx(tmx).units
    assert int(total[1]) == int(total[2]) == len(units)  # every <tu>, with a source and a target OmegaT found
    assert {(r[1], r[2]) for r in rows if r[0] == "TU"} == {(u.source, u.target) for u in units}


def test_omegat_console_translation_uses_our_tmx_and_glossary(tmp_path: Path) -> None:
    tmx = _tmx(tmp_path)
    glossary = tmp_path / "glossary.txt"
    export_entries(sample_entries(), glossary)
    # the plain-text rendering of the document: OmegaT 3.6 has no markdown filter
    plain = "\n\n".join(u.source for u in read_tmx(tmx).units) + "\n"
    stats = console_translate(tmp_path / "project", {"doc.txt": plain}, tmx, glossary)
    assert "Exception" not in stats.log and "glossary.txt" not in stats.log.split("ERROR")[-1]
    assert stats.segments == len(read_tmx(tmx).units) and stats.filled == stats.segments
    target = (tmp_path / "project" / "target" / "doc.txt").read_text(encoding="utf-8")
    assert "Distillation is a training method." in target


def test_omegat_loads_our_xliff_and_writes_one_our_merge_reads(tmp_path: Path) -> None:
    from test_xliff import DIRECT, MARKDOWN, bilingual

    from termalign.align.documents.xliff import read_xliff, write_xliff
    from termalign.align.documents.xliff_common import merge
    from termalign.align.tmx import TranslationUnit, write_tmx

    written = bilingual(MARKDOWN)
    xlf = tmp_path / "doc.xlf"
    write_xliff(written, xlf, "1.2")
    tmx = tmp_path / "none.tmx"
    write_tmx(tmx, [TranslationUnit("无关。", "Unrelated.")], source_lang="zh", target_lang="en")
    stats = console_translate(tmp_path / "project", {"doc.xlf": xlf.read_text(encoding="utf-8")}, tmx, None)
    assert "Exception" not in stats.log
    assert stats.segments >= len(written.units)  # OmegaT segments every unit's source (some into two)
    # OmegaT's translated XLIFF keeps our skeleton and codes: merging it rebuilds the document
    back = read_xliff(tmp_path / "project" / "target" / "doc.xlf")
    assert [u.id for u in back.units] == [u.id for u in written.units]
    assert merge(back) == DIRECT[MARKDOWN]


def test_omegat_fills_a_markdown_file_read_as_text_from_the_cat_layout(tmp_path: Path) -> None:
    """OmegaT 3.6 reads markdown as plain text: the text layout's units are its segments."""
    from test_tmx_layout import EN as LAYOUT_EN
    from test_tmx_layout import ZH as LAYOUT_ZH

    from termalign.align.outputs.tmx import TmxLayout, write

    alignment = align_documents(
        read_string(LAYOUT_ZH, path="doc.zh.md", fmt="markdown", lang="zh"),
        read_string(LAYOUT_EN, path="doc.en.md", fmt="markdown", lang="en"),
    )
    filled = {}
    layouts = {
        "codes": TmxLayout(),
        "cat": TmxLayout("both", "text"),
        "srx": TmxLayout("sentence", "text", "omegat"),
    }
    for name, layout in layouts.items():
        tmx = tmp_path / name / "doc.tmx"
        tmx.parent.mkdir()
        write(alignment, tmx, layout)
        stats = console_translate(tmx.parent / "project", {"doc.txt": LAYOUT_ZH}, tmx, None)
        assert "Exception" not in stats.log
        filled[name] = (stats.filled, stats.segments)
    assert filled["cat"][0] == filled["cat"][1] == 7  # every segment, markup and line prefixes included
    assert filled["srx"] == filled["cat"]
    assert filled["codes"][0] < filled["codes"][1]  # '**', '> ', '- ' and the URL are text to OmegaT
    target = (tmp_path / "cat" / "project" / "target" / "doc.txt").read_text(encoding="utf-8")
    assert "> They are [fast](https://example.org/fast) too." in target and "**big model**" in target


def test_omegat_fills_the_segments_its_rules_cut_from_srx_units(tmp_path: Path) -> None:
    """'？' before a closing '**', an ASCII '!' with no space, '>' lines: OmegaT's own cuts."""
    from test_tmx_layout import SRX_EN, SRX_ZH

    from termalign.align.outputs.tmx import TmxLayout, write

    alignment = align_documents(
        read_string(SRX_ZH, path="s.zh.md", fmt="markdown", lang="zh"),
        read_string(SRX_EN, path="s.en.md", fmt="markdown", lang="en"),
    )
    filled = {}
    for name, layout in {
        "text": TmxLayout("sentence", "text"),
        "srx": TmxLayout("sentence", "text", "omegat"),
    }.items():
        tmx = tmp_path / name / "doc.tmx"
        tmx.parent.mkdir()
        write(alignment, tmx, layout)
        stats = console_translate(tmx.parent / "project", {"doc.txt": SRX_ZH}, tmx, None)
        filled[name] = (stats.filled, stats.segments)
    assert filled["srx"][0] == filled["srx"][1] == 6
    assert filled["text"][0] < filled["text"][1]
    target = (tmp_path / "srx" / "project" / "target" / "doc.txt").read_text(encoding="utf-8")
    # OmegaT glues a zh segment's translation to the next with a space: '**' translated as empty
    assert target.startswith("**So is this bad?** \n\nI did! I read it too. Distillation")


def test_omegat_36_translates_an_xliff_targets_text_not_its_source(tmp_path: Path) -> None:
    """Why our XLIFF targets never count as translations in OmegaT 3.6 (its own XLIFF filter):
    it offers a unit only when it has a <target>, and then offers the target's text as the text
    to translate. The route that works is the document plus an SRX-cut TMX (tests above)."""
    import dataclasses

    from omegat_tools import segments
    from test_xliff import MARKDOWN, bilingual

    from termalign.align.documents.xliff import write_xliff
    from termalign.align.tmx import TranslationUnit, write_tmx

    written = bilingual(MARKDOWN)  # the TM gives one English target: "Distillation is good."
    tmx = tmp_path / "none.tmx"
    write_tmx(tmx, [TranslationUnit("无关。", "Unrelated.")], source_lang="zh", target_lang="en")
    with_targets = tmp_path / "with.xlf"
    write_xliff(written, with_targets, "1.2")
    project = tmp_path / "with"
    console_translate(project, {"doc.xlf": with_targets.read_text(encoding="utf-8")}, tmx, None)
    offered = segments(project)
    assert "Distillation is good." in offered and "蒸馏很好 & <好>。" not in offered
    bare = tmp_path / "bare.xlf"
    write_xliff(
        dataclasses.replace(written, units=tuple(dataclasses.replace(u, target=None) for u in written.units)),
        bare,
        "1.2",
    )
    stats = console_translate(tmp_path / "bare", {"doc.xlf": bare.read_text(encoding="utf-8")}, tmx, None)
    assert stats.segments == 0  # no <target>: nothing to translate for OmegaT 3.6
