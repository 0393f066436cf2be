"""Sentence segmentation: Chinese rules, pysbd for English with its fixes, spans' invariants."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.segment import SegmentOptions, segment
from termalign.kernel.errors import ConfigError


def sentences(text: str, lang: str, options: SegmentOptions | None = None) -> list[str]:
    return [text[s:e] for s, e in segment(text, lang, options)]


def test_chinese_basic_split_keeps_closing_quotes() -> None:
    text = "他说：“我们走吧。”然后就走了！真的吗？是的。"
    assert sentences(text, "zh") == ["他说：“我们走吧。”", "然后就走了！", "真的吗？", "是的。"]


def test_chinese_runs_and_ellipsis() -> None:
    assert sentences("等等……然后呢？！没有了。", "zh") == ["等等……", "然后呢？！", "没有了。"]
    assert sentences("（这是括号里的话。）下一句。", "zh") == ["（这是括号里的话。）", "下一句。"]


def test_ascii_marks_after_chinese_split() -> None:
    assert sentences("我写了!我上周写了。你呢?好的", "zh") == ["我写了!", "我上周写了。", "你呢?", "好的"]


def test_chinese_does_not_split_inside_numbers_urls_or_latin_tokens() -> None:
    text = "GPT-3.5和1.5B模型，例如e.g.这种写法，见https://a.com/x?b=1页面。Yahoo!Inc很有名。"
    assert sentences(text, "zh") == [
        "GPT-3.5和1.5B模型，例如e.g.这种写法，见https://a.com/x?b=1页面。",
        "Yahoo!Inc很有名。",
    ]


def test_semicolon_modes() -> None:
    text = "甲方说好；乙方说不;丙方说也许;GPT说什么"
    assert sentences(text, "zh") == ["甲方说好；", "乙方说不;", "丙方说也许;GPT说什么"]
    assert sentences(text, "zh", SegmentOptions(semicolon="never")) == [text]
    assert len(sentences(text, "zh", SegmentOptions(semicolon="full-width"))) == 2
    assert len(sentences(text, "zh", SegmentOptions(semicolon="always"))) == 4


def test_newline_is_always_a_boundary() -> None:
    assert sentences("第一行没有句号\n第二行", "zh") == ["第一行没有句号", "第二行"]
    assert sentences("A line without a stop\nAnother one", "en") == ["A line without a stop", "Another one"]


@pytest.mark.parametrize(
    "expected",
    [
        ["I live in the U.S. and work in D.C. every day.", "Next sentence."],
        ["Use a tool, e.g. pysbd, i.e. a segmenter.", "Fine."],
        ["It cost $5.576M in total.", "That is 2.788M GPU hours!", "Really?"],
        ["GPT-3.5 was good.", "o1 is better.", "R1-Zero is best."],
        ["I did!", "I wrote about R1 last Tuesday."],
    ],
)
def test_english_abbreviations_numbers_and_versions_survive(expected: list[str]) -> None:
    assert sentences(" ".join(expected), "en") == expected


def test_english_postfixes_undo_bad_pysbd_splits() -> None:
    # pysbd splits after "Tech:" (list-like numbers follow) and inside the URL.
    assert sentences("Tech: 1. first item. 2. second item.", "en") == [
        "Tech: 1. first item.",
        "2. second item.",
    ]
    assert sentences("See https://example.com/a.b?c=1 for more. Next one.", "en") == [
        "See https://example.com/a.b?c=1 for more.",
        "Next one.",
    ]


def test_pysbd_windows_give_the_same_spans_as_one_call() -> None:
    text = " ".join(f"Sentence number {i} mentions the U.S. and costs ${i}.5M today." for i in range(60))
    one_call = segment(text, "en", SegmentOptions(window=100_000))
    assert len(one_call) == 60
    assert segment(text, "en", SegmentOptions(window=300)) == one_call


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_long_line_is_fast(lang: str) -> None:
    unit = "This is a sentence about the U.S. economy. " if lang == "en" else "这是一个关于经济的句子。"
    text = (unit * (50_000 // len(unit) + 1))[:50_000]
    started = time.perf_counter()
    spans = segment(text, lang)
    assert time.perf_counter() - started < 2.0
    assert len(spans) > 1000


_ALPHABET = list("ab 中文。！？!?;；.…”」）\n") + ["U.S. ", "e.g. ", "3.5 "]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=60).map("".join), st.sampled_from(["zh", "en"]))
def test_spans_are_trimmed_ordered_and_cover_all_text(text: str, lang: str) -> None:
    spans = segment(text, lang)
    prev = 0
    for start, end in spans:
        assert prev <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert not text[prev:start].strip()  # nothing but whitespace is left out
        prev = end
    assert not text[prev:].strip()


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigError):
        SegmentOptions(semicolon="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        SegmentOptions(window=10)
