"""Structure in = structure out, and each injection mode's prompt and output (no invented marks)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from termalign.align.reader import read_string
from termalign.termbase.model import Entry, Status
from termalign.termbase.store import Termbase
from termalign.translator.document import translate_document
from termalign.translator.engine import Hypotheses, Hypothesis, per_segment
from termalign.translator.identity import IdentityEngine
from termalign.translator.structure import drop_invented_structure
from termalign.translator.terms import TermAwareTranslator, TranslateConfig, inline_rendering

ENTRIES = [
    Entry("中芯国际", "SMIC", status=Status.APPROVED, pos="propn"),
    Entry("混合专家", "MoE", status=Status.APPROVED),
    Entry("变量", "variable", status=Status.APPROVED),
    Entry("控制面", "Control Plane", status=Status.APPROVED),
]


@pytest.mark.parametrize(
    ("source", "text", "want", "kinds"),
    [
        ("请看下面的代码：", "See the following code:\n```\n```", "See the following code:", ("code fence",)),
        ("变量不可变。", "When `variable` is not mutable.", "When variable is not mutable.", ("backticks",)),
        ("这很重要。", "This is **important**.", "This is important.", ("emphasis",)),
        ("这很重要。", "This is *important*.", "This is important.", ("emphasis",)),
        ("概述", "## Overview", "Overview", ("heading",)),
        ("第一句。第二句。", "First.\n\nSecond.", "First. Second.", ("blank line",)),
        ("第一句。", "First\nsentence.", "First sentence.", ("line break",)),
        (
            "这些\n对象有字段。",
            "These\n\nobjects have a field.",
            "These\nobjects have a field.",
            ("blank line",),
        ),
    ],
)
def test_invented_structure_is_dropped(source: str, text: str, want: str, kinds: tuple[str, ...]) -> None:
    assert drop_invented_structure(source, text) == (want, kinds)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("运行 `ls`：\n```\nls\n```", "Run `ls`:\n```\nls\n```"),
        ("这很<g1>重要</g1>，用 * 号。", "This is *very* important."),
        ("他说“你好”。", 'He said "hello".'),
        ("第一段。\n\n第二段。", "First.\n\nSecond."),
        ("# 标题", "# Title"),
        ("用 snake_case 命名。", "Name it in snake_case."),
    ],
)
def test_structure_the_source_has_is_kept(source: str, text: str) -> None:
    assert drop_invented_structure(source, text) == (text, ())


def test_quotes_go_only_around_renderings() -> None:
    def is_rendering(words: str) -> bool:
        return words == "variable"

    text = 'When "variable" is not mutable, reply "OK".'
    assert drop_invented_structure("变量不可变。", text, is_rendering) == (
        'When variable is not mutable, reply "OK".',
        ("quotes",),
    )


def test_auto_mode_decides_per_entry() -> None:
    smic, moe, variable, plane = ENTRIES
    assert inline_rendering(smic) and inline_rendering(moe)
    assert not inline_rendering(variable) and not inline_rendering(plane)
    assert inline_rendering(Entry("深度求索", "DeepSeek-R1")) and not inline_rendering(Entry("节点", "Node"))


class Recorder:
    """An engine that answers each segment with a fixed English text and records the prompts."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls: list[tuple[list[str], list[str | None]]] = []

    @property
    def model_id(self) -> str:
        return "recorder"

    @property
    def signature(self) -> dict[str, Any]:
        return {"engine": "recorder"}

    def translate_batch(
        self,
        segments: Sequence[str],
        *,
        instructions: Sequence[str | None] | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        num_hypotheses: int = 1,
    ) -> list[Hypotheses]:
        self.calls.append((list(segments), per_segment(instructions, len(segments), "instructions")))
        return [Hypotheses(s, (Hypothesis(self.answer, 0.0, 5),)) for s in segments]


SOURCE = "中芯国际的变量在控制面里用混合专家。"
ANSWER = 'SMIC keeps the `variable` in the "control plane" with **MoE**.'


@pytest.mark.parametrize(
    ("mode", "given", "listed"),
    [
        ("inline", "SMIC的variable在control plane里用MoE。", None),  # a Title Case common noun lower-cased
        ("list", SOURCE, "中芯国际 → SMIC; 变量 → variable; 控制面 → control plane; 混合专家 → MoE"),
        ("auto", "SMIC的变量在控制面里用MoE。", "变量 → variable; 控制面 → control plane"),
        ("verify", "SMIC的变量在控制面里用MoE。", None),  # common nouns only if verification misses them
        (
            "both",
            "SMIC的variable在control plane里用MoE。",
            "中芯国际 → SMIC; 变量 → variable; 控制面 → control plane; 混合专家 → MoE",
        ),
    ],
)
def test_each_injection_mode(mode: str, given: str, listed: str | None) -> None:
    engine = Recorder(ANSWER)
    config = TranslateConfig(term_injection=mode)
    [record] = TermAwareTranslator(engine, Termbase.memory(ENTRIES), config=config).translate([SOURCE])
    [(segments, instructions)] = engine.calls  # the answer passes: no repair
    assert segments == [given]
    assert instructions == [None if listed is None else f"Terminology (use exactly): {listed}"]
    assert not re.search(r"[`\"']", segments[0] + (instructions[0] or ""))  # the prompt adds no marks
    # the model's backticks, quotes and bold around renderings are gone; all four renderings counted
    assert record.target == "SMIC keeps the variable in the control plane with MoE."
    assert record.term_used == 4 and record.term_expected == 4
    assert any("dropped structure the model invented: backticks, emphasis, quotes" in n for n in record.notes)


def test_a_wrong_amount_triggers_a_targeted_reprompt() -> None:
    class Amounts(Recorder):
        def translate_batch(self, segments: Sequence[str], **kw: Any) -> list[Hypotheses]:
            out = super().translate_batch(segments, **kw)
            if len(self.calls) > 1:
                return [Hypotheses(s, (Hypothesis("It raised $5.6 million.", 0.0, 5),)) for s in segments]
            return out

    engine = Amounts("It raised $560 million.")
    [record] = TermAwareTranslator(engine).translate(["募資560萬美元。"])
    assert engine.calls[0][0] == ["募資$5.6 million。"]  # written inline for the engine
    assert "write 560萬美元 as $5.6 million" in str(engine.calls[1][1][0])
    assert record.target == "It raised $5.6 million." and record.origin == "mt-repaired"


class Inventor:
    """An engine that 'translates' and invents structure: a fence, a paragraph split, bold, a heading."""

    def __init__(self) -> None:
        self.n = 0

    @property
    def model_id(self) -> str:
        return "inventor"

    @property
    def signature(self) -> dict[str, Any]:
        return {"engine": "inventor"}

    def translate_batch(self, segments: Sequence[str], **_: Any) -> list[Hypotheses]:
        out = []
        for seg in segments:
            self.n += 1
            tags = "".join(re.findall(r"<[gx]\d+/?>|</g\d+>", seg))
            inventions = [
                f"## Sentence {self.n}{tags}.",
                f"Sentence {self.n}{tags} is\n\n**split** here.",
                f"Sentence {self.n}{tags}, see the code:\n```\n```",
                f"`Sentence` {self.n}{tags}.",
            ]
            out.append(Hypotheses(seg, (Hypothesis(inventions[self.n % 4], 0.0, 5),)))
        return out


MD = """# 标题

第一段的第一句。第一段的第二句，很长。

第二段有[链接](https://example.org)。它还有一句。

- 列表项一。
- 列表项二。

最后一段。
"""
TEXT = "第一段第一句。第一段第二句。\n\n第二段。\n\n第三段的一句。第三段的另一句。\n"
HTML = "<html><body><h1>标题</h1><p>第一段。第二句。</p><p>第二段。</p><ul><li>一项。</li></ul></body></html>"


def _paragraphs(text: str) -> list[int]:
    """Lines per blank-line-separated block: the paragraph structure."""
    return [len(b.splitlines()) for b in re.split(r"\n\s*\n", text.strip())]


@pytest.mark.parametrize(("text", "fmt"), [(MD, "markdown"), (TEXT, "text"), (HTML, "html")])
def test_document_structure_is_kept(text: str, fmt: str) -> None:
    doc = read_string(text, lang="zh", fmt=fmt)
    identity = translate_document(doc, TermAwareTranslator(IdentityEngine()))
    assert identity.text == text
    result = translate_document(doc, TermAwareTranslator(Inventor()))
    assert _paragraphs(result.text) == _paragraphs(text)
    assert "```" not in result.text and "**" not in result.text and "`" not in result.text
    if fmt == "html":
        assert [t for t in re.findall(r"</?\w+", result.text)] == re.findall(r"</?\w+", text)
    else:
        heads = [ln for ln in result.text.splitlines() if ln.startswith("#")]
        assert len(heads) == text.count("# ")
    assert result.summary["structure_removed"]["segments"] >= 4


K8S = """## 控制器模式 {#controller-pattern}

这些{{< glossary_tooltip text="对象" term_id="object" >}}有字段。

{{< note >}}
使用{{< glossary_tooltip term_id="pod" >}}时要小心。
{{< /note >}}
"""


def test_shortcodes_survive_as_markup_and_tooltip_text_is_translated() -> None:
    from termalign.translator.document import plan_segments

    doc = read_string(K8S, lang="zh", fmt="markdown")
    texts = [s.protected.text for s in plan_segments(doc)]
    joined = " ".join(texts)
    assert "term_id" not in joined and "{{" not in joined and "{#" not in joined  # the engine never sees them
    assert any(re.search(r"<g\d+>对象</g\d+>", t) for t in texts)  # the tooltip's text is translated
    assert translate_document(doc, TermAwareTranslator(IdentityEngine())).text == K8S

    class Words(Recorder):
        def translate_batch(self, segments: Sequence[str], **kw: Any) -> list[Hypotheses]:
            return [
                Hypotheses(
                    s, (Hypothesis(re.sub(r"[\u4e00-\u9fff]+", "x", s.replace("对象", "objects")), 0.0, 1),)
                )
                for s in segments
            ]

    out = translate_document(
        doc, TermAwareTranslator(Words(""), config=TranslateConfig(sanity_check=False))
    ).text
    assert '{{< glossary_tooltip text="objects" term_id="object" >}}' in out
    assert (
        "{#controller-pattern}" in out
        and "{{< note >}}" in out
        and '{{< glossary_tooltip term_id="pod" >}}' in out
    )


def test_articles_and_plurals_are_accepted_inflections() -> None:
    from termalign.termbase.matcher import find_targets

    entry = Entry("变量", "the variable", status=Status.APPROVED)
    for text in ("a variable", "The variables", "two variables", "the variable's type"):
        assert find_targets(text, entry), text
    assert not find_targets("a value", entry)
