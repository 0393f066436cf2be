"""Numbers and amounts on every script: the Simplified view, currencies, dates, percentages, years."""

from __future__ import annotations

import pytest

from termalign.termbase.amounts import (
    amount_problems,
    english_amount,
    half_width_view,
    show_number,
    source_amounts,
    target_numbers,
)
from termalign.termbase.checks import Severity, check_segment


def one(text: str):
    [amount] = source_amounts(text)
    return amount


@pytest.mark.parametrize(
    ("text", "value", "currency", "english"),
    [
        # the issue's examples (Traditional script and Simplified)
        ("募資560萬美元。", 5.6e6, "USD", "$5.6 million"),
        ("市值蒸發7625億美元。", 7.625e11, "USD", "$762.5 billion"),
        ("約5.5萬億人民幣。", 5.5e12, "CNY", "5.5 trillion yuan"),
        ("高达1万亿美元的抛售", 1e12, "USD", "$1 trillion"),
        # Simplified units, mixed 千/百 forms, 亿万 / 万亿, Chinese numerals, 兩/两
        ("投资6000亿元", 6e11, "CNY", "600 billion yuan"),
        ("1亿2000万人", 1.2e8, "", "120 million"),
        ("3千万用户", 3e7, "", "30 million"),
        ("2千5百万次", 2.5e7, "", "25 million"),
        ("两千亿美元", 2e11, "USD", "$200 billion"),
        ("兩千億美元", 2e11, "USD", "$200 billion"),
        ("一万亿", 1e12, "", "1 trillion"),
        ("1亿万", 1e12, "", "1 trillion"),
        ("三百万", 3e6, "", "3 million"),
        ("人民币5亿元", 5e8, "CNY", "500 million yuan"),
        ("５００萬港元", 5e6, "HKD", "HK$5 million"),
        ("１２３．５億歐元", 1.235e10, "EUR", "€12.35 billion"),
        ("3.97亿亿次", 3.97e16, "", "39,700 trillion"),
        ("500美元", 500.0, "USD", "$500"),
        ("8万元", 8e4, "CNY", "80,000 yuan"),
        ("花了五百多万。", 5e6, "", "over 5 million"),
        ("1000多亿美元", 1e11, "USD", "over $100 billion"),
    ],
)
def test_source_amounts(text: str, value: float, currency: str, english: str) -> None:
    amount = one(text)
    assert amount.value == pytest.approx(value) and amount.currency == currency
    assert amount.kind == "amount" and amount.strict
    assert english_amount(amount) == english
    assert text[amount.span[0] : amount.span[1]] == amount.raw  # spans index the original script


def test_half_width_view_keeps_positions() -> None:
    text = "募資５６０萬美元，兩年"
    view = half_width_view(text)
    assert len(view) == len(text) and view == "募资560万美元,两年"


@pytest.mark.parametrize(
    ("text", "kind", "english"),
    [
        ("1月20日发布", "date", "January 20"),
        ("2025年1月20日发布", "date", "January 20, 2025"),
        ("12月份", "date", "December"),
        ("增长了50%", "percent", "50%"),
        ("增长了５０％", "percent", "50%"),
        ("百分之五十", "percent", "50%"),
        ("百分之五", "percent", "5%"),
        ("2023年", "year", "2023"),
        ("二〇二三年", "year", "2023"),
    ],
)
def test_dates_percentages_years(text: str, kind: str, english: str) -> None:
    amount = one(text)
    assert amount.kind == kind and english_amount(amount) == english


@pytest.mark.parametrize(
    "text",
    [
        "统一的一个方案",
        "十分重要",
        "千万不要",
        "万一失败",
        "数十万人",
        "三个人",
        "GPT-4和H800",
        "见/2023/a%E4%B8%93%E8",
    ],
)
def test_words_that_are_not_figures(text: str) -> None:
    assert source_amounts(text) == []


def test_years_are_never_thousands() -> None:
    assert show_number(2023) == "2023" and show_number(12345) == "12,345"
    # a correct range is not a miss, and no message ever writes "2,023"
    assert amount_problems("从2020年到2023年", "From 2020 to 2023") == []
    assert amount_problems("2020-2023年", "in 2020-2023") == []
    [(_, why)] = amount_problems("2023年", "last year")
    assert "2023" in why and "2,023" not in why


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("募資560萬美元。", "It raised $5.6 million."),
        ("募資560萬美元。", "It raised 5.6 million US dollars."),
        ("市值蒸發7625億美元。", "Its market value fell by $762.5 billion."),
        ("約5.5萬億人民幣。", "About 5.5 trillion yuan."),
        ("約5.5萬億人民幣。", "About RMB 5.5 trillion."),
        ("高达1万亿美元的抛售", "a sell-off of up to $1 trillion"),
        ("高达1万亿美元的抛售", "a sell-off worth up to a trillion dollars"),
        ("训练成本557.6万美元", "a training cost of $5.576M"),
        ("训练成本557.6万美元", "a training cost of about $5.58 million"),
        ("1月20日发布", "released on January 20"),
        ("1月20日发布", "released on Jan. 20"),
        ("增长了百分之五十", "grew by 50 percent"),
        ("两千亿美元", "200 billion dollars"),
    ],
)
def test_right_amounts_pass(source: str, target: str) -> None:
    assert amount_problems(source, target) == []
    assert [i for i in check_segment(source, target, []) if i.check == "number-mismatch"] == []


@pytest.mark.parametrize(
    ("source", "target", "why"),
    [
        # the wrong renderings the issue found in the Traditional article
        ("募資560萬美元。", "It raised $560 million.", "is not in the target"),
        ("市值蒸發7625億美元。", "It lost $76.25 billion.", "is not in the target"),
        ("約5.5萬億人民幣。", "About $5.5 trillion.", "CNY, not USD"),
        ("高达1万亿美元的抛售", "a sell-off worth trillions of dollars", "is not in the target"),
        ("约5.5万亿人民币。", "About 5.5 trillion.", "currency"),
        ("1月20日发布", "released on the 20th of February", "month"),
        ("增长了50%", "grew by half", "is not in the target"),
        ("训练成本557.6万美元", "a training cost of about $6 million", "is not in the target"),
    ],
)
def test_wrong_amounts_are_errors(source: str, target: str, why: str) -> None:
    issues = [i for i in check_segment(source, target, []) if i.check == "number-mismatch"]
    assert len(issues) == 1 and issues[0].severity is Severity.ERROR and why in issues[0].message


def test_a_bare_number_only_warns() -> None:
    [issue] = check_segment("有3个模型。", "There are models.", [])
    assert issue.check == "number-mismatch" and issue.severity is Severity.WARNING


def test_target_numbers() -> None:
    values = [
        (n.value, n.currency, n.percent) for n in target_numbers("$5.6 million, 5.5 trillion yuan, 50%")
    ]
    assert values == [(5.6e6, "USD", False), (5.5e12, "CNY", False), (50.0, "", True)]
    assert [n.value for n in target_numbers("a trillion dollars, two billion, a cat")] == [1e12, 2e9]
