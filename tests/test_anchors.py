"""Anchor extraction and normalisation."""

from __future__ import annotations

import pytest

from termalign.align.anchors import anchors_en, anchors_zh, chinese_number, normalise_url, number_anchor


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("参数约1100亿个", "about 110 billion parameters"),
        ("采用7纳米工艺", "a 7nm process"),
        ("花费了2,788,000个GPU小时", "took 2.788M GPU hours"),
        ("花费了2,788,000个GPU小时", "took 2,788 thousand GPU hours"),
        ("过去72小时", "the last 72 hours"),
        ("从15.6%提高", "increases from 15.6 percent"),
        ("仅花费557.6万美元", "a mere $5.576 million"),
        ("仅花费557.6万美元", "only $5.576M"),
        ("训练集包含14.8万亿个token", "14.8 trillion tokens"),
        ("一万亿个", "one trillion"),
        ("每训练一万亿个token需要180,000个小时", "180K hours"),
        ("有三个因素", "there are three factors"),
    ],
)
def test_numbers_normalise_across_languages(zh: str, en: str) -> None:
    zh_numbers = {a for a in anchors_zh(zh) if a.startswith("n:")}
    en_numbers = {a for a in anchors_en(en) if a.startswith("n:")}
    assert zh_numbers & en_numbers, (sorted(zh_numbers), sorted(en_numbers))


def test_number_anchor_is_canonical() -> None:
    assert number_anchor(1.1e11) == number_anchor(110_000_000_000.0) == "n:1.1e+11"


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("二十五", 25), ("一万", 1e4), ("三千亿", 3e11), ("一万亿", 1e12), ("两", 2)],
)
def test_chinese_numerals(text: str, value: float) -> None:
    assert chinese_number(text) == value


def test_dates_become_month_and_number_anchors() -> None:
    zh = anchors_zh("2023年9月,华为发布了新手机。")
    en = anchors_en("In September 2023 Huawei announced a new phone.")
    assert {"m:9", "n:2023"} <= zh & en


def test_digits_inside_names_are_not_numbers() -> None:
    zh = anchors_zh("GPT-4是一个MoE模型,H800也是。")
    assert {"w:gpt-4", "w:moe", "w:h800"} <= zh
    assert "n:4" not in zh and "n:800" not in zh


def test_english_names_and_plurals() -> None:
    en = anchors_en("H800s, however, are Hopper GPUs, unlike the H100s that DeepSeekMoE needs.")
    assert {"w:h800", "w:h100", "w:gpu", "w:hopper", "w:deepseekmoe"} <= en
    # Ordinary and sentence-initial words are not anchors.
    assert "w:however" not in en and "w:unlike" not in en


def test_lowercase_latin_words_in_chinese_are_not_names() -> None:
    assert "w:token" not in anchors_zh("每个token都需要一个键")


def test_small_chinese_numerals_need_a_measure_word() -> None:
    assert not any(a.startswith("n:") for a in anchors_zh("一些模型和一样的结果"))
    assert "n:2" in anchors_zh("开发了两个模型")


def test_urls_are_normalised_and_shared() -> None:
    url = "https://www.Example.com/post/"
    assert normalise_url(url) == normalise_url("http://example.com/post")
    zh = anchors_zh("我上周二写了文章", urls=(url,))
    en = anchors_en("I wrote last Tuesday", urls=("https://example.com/post",))
    assert zh & en == {normalise_url(url)}
