"""Numbers, amounts, percentages and dates of a Chinese source, and where an English target has them.

Everything is read on a *Simplified, half-width view* of the source (萬→万,
億→亿, 兩→两, ０-９→0-9, ．％，→ . % ,), which keeps every character in place,
so spans index the original text in either script.

* :func:`source_amounts` finds Arabic numbers with Chinese units (``560萬`` →
  5.6e6, ``5.5萬億`` → 5.5e12, ``1亿2000万`` → 1.2e8, ``3千万`` → 3e7), Chinese
  numerals with a unit (``两千亿`` → 2e11; ``二〇二三年`` → 2023), their currency
  (``美元`` USD, ``人民币``/``元`` CNY, …, before or after the number),
  percentages (``50%``, ``百分之五十``) and dates (``2025年1月20日``).
* :func:`target_numbers` reads the English side: ``$5.6 million``, ``762.5
  billion yuan``, ``a trillion dollars``, ``50 percent``, ``January 20``.
* :func:`amount_problems` compares them: a value the target lacks, a currency
  lost or changed, a month missing.  Amounts, percentages and dates are
  *strict* (an error that triggers repair); a bare number or a year is not.
* :func:`english_amount` writes an amount the way the translator puts it inline
  into the engine's copy of the source (``560萬美元`` → ``$5.6 million``).

Years are never thousands: a year or any integer below 10,000 is shown without
a thousands separator (2023, never "2,023").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Amount",
    "TargetNumber",
    "half_width_view",
    "source_amounts",
    "target_numbers",
    "amount_problems",
    "english_amount",
    "english_number",
    "show_number",
    "same_value",
]

_FULL_WIDTH = {chr(0xFF10 + k): str(k) for k in range(10)}
_FULL_WIDTH.update(
    {"．": ".", "％": "%", "，": ",", "＄": "$", "￥": "¥", "萬": "万", "億": "亿", "兩": "两"}
)
_FOLD = str.maketrans(_FULL_WIDTH)

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "两": 2,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_AR = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = "〇零一二三四五六七八九两"
_NUMBER = re.compile(
    # not inside a word, a version, a path or a URL escape (GPT-4, H800, /2023/, %E4%B8%93)
    rf"(?<![A-Za-z0-9.\-_%/=&#])(?P<num>(?:{_AR}|[{_CN}十])"
    rf"(?:[{_CN}十百千万亿]|(?<=[十百千万亿])(?:{_AR})|[多余](?=[万亿]))*)"
)
_DATE = re.compile(
    r"(?<![\d.])(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*[日号])?"
)
_CURRENCY_AFTER = re.compile(r"\s*(美元|美金|港元|港币|欧元|日元|英镑|人民币|块钱|元)")
_CURRENCY_BEFORE = re.compile(r"(人民币|美元|US\$|HK\$|\$|¥|€|£)\s*$")
_CURRENCIES = {
    "美元": "USD", "美金": "USD", "US$": "USD", "$": "USD",
    "港元": "HKD", "港币": "HKD", "HK$": "HKD",
    "欧元": "EUR", "€": "EUR", "日元": "JPY", "英镑": "GBP", "£": "GBP",
    "人民币": "CNY", "元": "CNY", "块钱": "CNY", "¥": "CNY",
}  # fmt: skip
_VAGUE_BEFORE = ("数", "几", "好几")  # 数十万: "hundreds of thousands", not 100,000
_MONTHS = ["January", "February", "March", "April", "May", "June"] + [
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Amount:
    """One number of the source: ``text[span]`` is ``raw``; ``kind`` says how strictly it is checked."""

    raw: str
    value: float
    span: tuple[int, int]
    kind: str  # "number", "year", "amount" (Chinese units or a currency), "percent", "date"
    currency: str = ""  # ISO code: USD, CNY, HKD, EUR, JPY, GBP
    month: int = 0  # dates: 1..12 (``value`` is then the day, 0 for a month alone)
    year: int = 0  # dates with a year
    more: bool = False  # 五百多万, 1000余亿: "over" the value

    @property
    def strict(self) -> bool:
        """Amounts, percentages and dates must be right (an error); bare numbers and years warn."""
        return self.kind in ("amount", "percent", "date")


@dataclass(frozen=True)
class TargetNumber:
    value: float
    currency: str = ""
    percent: bool = False
    digits: int = 0  # significant digits shown (for rounding tolerance)
    step: float = 0.0  # the value of one unit in the last digit shown


def half_width_view(text: str) -> str:
    """The Simplified, half-width view of ``text`` (same length, same positions)."""
    from termalign.align.script import simplified_view

    view = simplified_view(text)
    view = view if len(view) == len(text) else text
    return view.translate(_FOLD)


# -- the source ------------------------------------------------------------------------------------


def _parse(num: str, single: bool = False) -> tuple[float, bool, bool] | None:
    """``(value, has_unit, has_arabic)`` of a Chinese/Arabic numeral, None if it is not one.

    One Chinese digit alone is a word (一个, 统一), unless ``single`` (百分之五).
    """
    tokens = re.findall(rf"{_AR}|[{_CN}十百千万亿]", num)  # 多/余 (五百多万: over five million) drop out
    arabic = any(t[0].isdigit() for t in tokens)
    units = [t for t in tokens if t in "十百千万亿"]
    if not units:
        if arabic:
            return (float(tokens[0].replace(",", "")), False, True) if len(tokens) == 1 else None
        if len(tokens) < 2 and not single:
            return None
        return float("".join(str(_CN_DIGITS[t]) for t in tokens)), False, False  # 二〇二三
    total = section = number = 0.0
    for tok in tokens:
        if tok[0].isdigit():
            number = float(tok.replace(",", ""))
        elif tok in _CN_DIGITS:
            number = float(_CN_DIGITS[tok])
        elif tok in _SMALL_UNITS:
            section += (number or 1.0) * _SMALL_UNITS[tok]
            number = 0.0
        elif tok == "万":
            if section + number == 0 and total:
                total *= 1e4  # 亿万: a trillion
            else:
                section = (section + number) * 1e4
            number = 0.0
        else:  # 亿
            total = (total + section + number or 1.0) * 1e8
            section = number = 0.0
    return total + section + number, True, arabic


def source_amounts(text: str) -> list[Amount]:
    """Every number of a Chinese segment, left to right (see the module docstring)."""
    view = half_width_view(text)
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(view):
        month = int(m.group("month"))
        if not 1 <= month <= 12 or (not m.group("day") and not m.group("year") and _counted_month(view, m)):
            continue
        day = int(m.group("day") or 0)
        year = int(m.group("year") or 0)
        found.append(Amount(text[m.start() : m.end()], float(day), m.span(), "date", month=month, year=year))
        taken.append(m.span())
    for m in _NUMBER.finditer(view):
        start, end = m.span()
        if any(a < end and start < b for a, b in taken):
            continue
        percent = view[max(0, start - 3) : start] == "百分之"
        parsed = _parse(m.group("num"), single=percent)
        if parsed is None:
            continue
        value, has_unit, arabic = parsed
        vague = value < 100 or view[max(0, start - 2) : start].endswith(_VAGUE_BEFORE)
        if not arabic and not percent and vague:
            continue  # 十分, 三个, 数十万: words, not figures
        found.append(_amount(text, view, start, end, value, has_unit, arabic))
    found.sort(key=lambda a: a.span)
    return found


def _counted_month(view: str, m: re.Match[str]) -> bool:
    """True for 3个月-like counts (a duration, not a month): a digit run followed by 个 is not here."""
    return view[m.start() - 1 : m.start()] == "第"


def _amount(text: str, view: str, start: int, end: int, value: float, unit: bool, arabic: bool) -> Amount:
    kind = "amount" if unit or not arabic else "number"
    currency = ""
    if view[max(0, start - 3) : start] == "百分之":
        start, kind = start - 3, "percent"
    elif view[end : end + 1] == "%":
        end, kind = end + 1, "percent"
    else:
        after = _CURRENCY_AFTER.match(view, end)
        before = _CURRENCY_BEFORE.search(view[max(0, start - 4) : start])
        if after:
            currency, end = _CURRENCIES[after.group(1)], after.end()
        if before:
            currency = _CURRENCIES[before.group(1)]
            start -= len(before.group(0))
        if currency:
            kind = "amount"
        elif (
            (
                kind == "number"
                and view[end : end + 1] == "年"
                and 1000 <= value <= 2999
                and value == int(value)
            )
            or not arabic
            and view[end : end + 1] == "年"
        ):
            kind = "year"
    more = "多" in view[start:end] or "余" in view[start:end]
    return Amount(text[start:end].strip(), value, (start, end), kind, currency, more=more)


# -- the target ------------------------------------------------------------------------------------

_EN_SCALE = {
    "trillion": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6,
    "thousand": 1e3, "hundred": 1e2, "k": 1e3, "m": 1e6, "b": 1e9,
}  # fmt: skip
_SYMBOL = r"(?P<sym>US\$|HK\$|RMB\s?|CNY\s?|USD\s?|\$|€|£|¥)?"
_SCALE = r"(?P<scale>[KMB](?![A-Za-z])|(?:[\s-]*(?:trillion|billion|million|thousand|hundred|bn|mn)\b)*)"
_CUR_WORD = (
    r"(?P<cur>\s*(?:(?:of\s+)?(?:US|U\.S\.|American|Hong\s+Kong|HK)?\s*dollars?|USD|yuan|renminbi|RMB|CNY"
    r"|euros?|EUR|yen|JPY|pounds?\s+sterling|pounds?|GBP|HKD)\b)?"
)
_EN_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9.,_])(?<![A-Za-z]-){_SYMBOL}(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)"
    rf"(?P<pct>\s?(?:%|percent\b|per\s?cent\b))?{_SCALE}{_CUR_WORD}",
    re.IGNORECASE,
)
_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_WORDS += ["eleven", "twelve"]
_WORD_VALUES = {w: float(k) for k, w in enumerate(_WORDS)} | {
    "a": 1.0,
    "an": 1.0,
    "twenty": 20.0,
    "fifty": 50.0,
}
_EN_WORD = re.compile(
    r"\b(?P<word>"
    + "|".join(_WORD_VALUES)
    + rf")\b(?P<scale>(?:[\s-]+(?:trillion|billion|million|thousand|hundred)\b)*){_CUR_WORD}",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(r"\b(" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.?", re.IGNORECASE)


def _currency_of(sym: str | None, word: str | None) -> str:
    for raw in (sym or "", word or ""):
        s = raw.strip().lower()
        if not s:
            continue
        if s.startswith("hk") or "hong" in s:
            return "HKD"
        if "$" in s or "dollar" in s or s == "usd":
            return "USD"
        if s in ("rmb", "cny", "yuan", "renminbi", "¥"):
            return "CNY"
        if s.startswith("euro") or s in ("€", "eur"):
            return "EUR"
        if s in ("yen", "jpy"):
            return "JPY"
        if s.startswith("pound") or s in ("£", "gbp"):
            return "GBP"
    return ""


def target_numbers(text: str) -> list[TargetNumber]:
    """Numbers of an English segment, normalised ("$5.6 million" → 5.6e6 USD, "a trillion" → 1e12)."""
    found: list[TargetNumber] = []
    for m in _EN_NUMBER.finditer(text):
        digits = m.group("num").replace(",", "")
        value = float(digits)
        scale = 1.0
        for word in re.findall(r"[A-Za-z]+", m.group("scale") or ""):
            scale *= _EN_SCALE[word.lower()]
        shown = digits.lstrip("0").replace(".", "") or "0"
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        found.append(
            TargetNumber(
                value * scale,
                _currency_of(m.group("sym"), m.group("cur")),
                bool(m.group("pct")),
                len(shown.rstrip("0")) if not decimals else len(shown),
                scale * 10.0**-decimals,
            )
        )
    for m in _EN_WORD.finditer(text):
        scale = 1.0
        for word in re.findall(r"[A-Za-z]+", m.group("scale")):
            scale *= _EN_SCALE[word.lower()]
        if m.group("word").lower() in ("a", "an") and scale == 1.0:
            continue  # "a" is only a number before a scale word ("a trillion")
        found.append(
            TargetNumber(_WORD_VALUES[m.group("word").lower()] * scale, _currency_of(None, m.group("cur")))
        )
    return found


def same_value(expected: float, got: TargetNumber) -> bool:
    """Equal, or ``got`` is ``expected`` rounded to what it shows (at least two significant digits)."""
    if abs(expected - got.value) <= 1e-9 * max(abs(expected), abs(got.value), 1.0):
        return True
    return got.digits >= 2 and got.step > 0 and abs(expected - got.value) <= got.step / 2 + 1e-9 * got.value


def _months(text: str) -> set[int]:
    return {[m[:3].lower() for m in _MONTHS].index(x.group(1).lower()) + 1 for x in _MONTH_RE.finditer(text)}


def amount_problems(source: str, target: str) -> list[tuple[Amount, str]]:
    """``(amount, why)`` for each source number the target gets wrong ("" targets: none)."""
    if not target.strip():
        return []
    numbers = target_numbers(target)
    months = _months(target)
    currencies = {n.currency for n in numbers if n.currency} | {
        _currency_of(None, w)
        for w in re.findall(r"\b(dollars?|yuan|RMB|CNY|USD|euros?|yen|pounds?)\b", target, re.I)
    }
    problems: list[tuple[Amount, str]] = []
    for amount in source_amounts(source):
        if amount.kind == "date":
            if amount.month not in months:
                problems.append(
                    (amount, f"the month of {amount.raw} ({_MONTHS[amount.month - 1]}) is not in the target")
                )
            elif amount.value and not any(same_value(amount.value, n) for n in numbers):
                problems.append((amount, f"the day of {amount.raw} ({amount.value:g}) is not in the target"))
            elif amount.year and not any(same_value(amount.year, n) for n in numbers):
                problems.append((amount, f"the year of {amount.raw} ({amount.year}) is not in the target"))
            continue
        matches = [n for n in numbers if same_value(amount.value, n)]
        if not matches:
            problems.append((amount, f"{amount.raw} ({english_amount(amount)}) is not in the target"))
        elif amount.currency and not any(n.currency == amount.currency for n in matches):
            wrong = {n.currency for n in matches if n.currency} - {amount.currency}
            if wrong:
                problems.append(
                    (amount, f"{amount.raw} is in {amount.currency}, not {', '.join(sorted(wrong))}")
                )
            elif amount.currency not in currencies:
                problems.append(
                    (amount, f"the currency of {amount.raw} ({amount.currency}) is lost in the target")
                )
    return problems


# -- writing amounts in English --------------------------------------------------------------------


def show_number(value: float) -> str:
    """``value`` for a message or a rewrite: thousands separators only from 10,000 (2023 stays 2023)."""
    if value == int(value) and abs(value) < 10_000:
        return str(int(value))
    return f"{value:,.10g}"


def english_number(value: float) -> str:
    """``value`` as an English amount: 6e11 -> "600 billion", 6e6 -> "6 million", 5e4 -> "50,000"."""
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if value >= scale:
            return f"{show_number(round(value / scale, 10))} {word}"
    return show_number(value)


_PREFIX = {"USD": "$", "HKD": "HK$", "EUR": "€", "GBP": "£"}
_SUFFIX = {"CNY": " yuan", "JPY": " yen"}


def english_amount(amount: Amount) -> str:
    """How ``amount`` is written in English ("$5.6 million", "5.5 trillion yuan", "50%", "January 20")."""
    if amount.kind == "date":
        text = _MONTHS[amount.month - 1] + (f" {amount.value:g}" if amount.value else "")
        if amount.year:
            text += f", {amount.year}" if amount.value else f" {amount.year}"
        return text
    if amount.kind == "percent":
        return f"{show_number(amount.value)}%"
    if amount.kind == "year":
        return str(int(amount.value))
    number = english_number(amount.value)
    over = "over " if amount.more else ""
    return over + _PREFIX.get(amount.currency, "") + number + _SUFFIX.get(amount.currency, "")
