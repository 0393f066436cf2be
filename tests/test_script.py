"""Script detection, the Simplified view, punctuation folding and language guessing."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.align.script import detect_lang, detect_script, fold_punct, simplified_view

TRADITIONAL = "這家公司發布了新模型，訓練成本遠低於預期，引起了廣泛關注。"
SIMPLIFIED = "这家公司发布了新模型，训练成本远低于预期，引起了广泛关注。"


def test_detect_script() -> None:
    assert detect_script(TRADITIONAL) == "Hant"
    assert detect_script(SIMPLIFIED) == "Hans"
    assert detect_script("Only English here.") == ""
    assert detect_script("") == ""


def test_detect_script_follows_the_majority_in_mixed_text() -> None:
    mixed = "這家公司發布了新模型，成本遠低于預期。"  # 于 is a Simplified form
    assert detect_script(mixed) == "Hant"


def test_simplified_view_converts_and_keeps_length() -> None:
    assert simplified_view(TRADITIONAL) == SIMPLIFIED
    assert simplified_view(SIMPLIFIED) == SIMPLIFIED
    assert simplified_view("no hanzi") == "no hanzi"


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list(TRADITIONAL + SIMPLIFIED + "頭髮乾燥後裏麵 abc12。")), max_size=80)
)
def test_simplified_view_is_length_preserving(text: str) -> None:
    assert len(simplified_view(text)) == len(text)


def test_fold_punct() -> None:
    assert fold_punct("，。！？（）：；１２ＡＢ　“引”‘号’、") == ",.!?():;12AB \"引\"'号',"
    assert fold_punct("plain ASCII, unchanged.") == "plain ASCII, unchanged."


@given(st.text(max_size=60))
def test_fold_punct_is_length_preserving(text: str) -> None:
    assert len(fold_punct(text)) == len(text)


def test_detect_lang() -> None:
    assert detect_lang(SIMPLIFIED) == "zh"
    assert detect_lang("DeepSeek发布了R1模型，OpenAI和Anthropic都很关注。") == "zh"
    assert detect_lang("The quick brown fox jumps over the lazy dog.") == "en"
    assert detect_lang("これは日本語の文章です。") == "ja"
    assert detect_lang("12345 !!! ...") == ""


def test_importing_align_loads_no_converter_or_segmenter() -> None:
    code = (
        "import sys, align, align.reader, align.segment, align.script\n"
        "assert 'opencc' not in sys.modules and 'pysbd' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
