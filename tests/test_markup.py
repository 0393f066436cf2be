"""Inline markup protection: what the engine sees, and what comes back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termalign.kernel.errors import ConfigError
from termalign.translator.markup import PLACEHOLDER_RE, protect, restore


def _translate_words(text: str) -> str:
    """A fake engine: upper-case the words, keep the placeholders as they are."""
    parts = re.split(f"({PLACEHOLDER_RE.pattern})", text, flags=re.I)
    out, skip = [], 0
    for part in parts:
        if skip:
            skip -= 1
            continue
        if PLACEHOLDER_RE.fullmatch(part or ""):
            out.append(part)
            skip = 4  # the pattern's four groups follow in re.split's output
        else:
            out.append(part.upper())
    return "".join(out)


def test_link_text_is_translatable_and_url_hidden() -> None:
    raw = 'See [the model card](https://example.org/card_v2 "Card") for details.'
    p = protect(raw, "markdown")
    assert "https://example.org" not in p.text
    assert "the model card" in p.text
    assert p.text == "See <g1>the model card</g1> for details."
    r = restore(_translate_words(p.text), p)
    assert r.ok
    assert r.text == 'SEE [THE MODEL CARD](https://example.org/card_v2 "Card") FOR DETAILS.'


def test_inline_code_and_escapes_untouched() -> None:
    raw = r"Call `load_model(path)` then \- optionally &amp; ``a`b``."
    p = protect(raw, "markdown")
    assert "load_model" not in p.text and "&amp;" not in p.text and "\\-" not in p.text
    r = restore(_translate_words(p.text), p)
    assert "`load_model(path)`" in r.text and "``a`b``" in r.text and r"\-" in r.text and "&amp;" in r.text


def test_bold_kept_as_a_pair_and_reordered() -> None:
    p = protect("**蒸馏**是一种方法", "markdown")
    assert p.text == "<g1>蒸馏</g1>是一种方法"
    assert p.placeholders[0].paired and p.placeholders[0].raw == "****"
    r = restore("Distillation is a <g1>method</g1>", p)
    assert r.text == "Distillation is a **method**" and r.ok


def test_engine_spaces_inside_tight_tags_are_moved_out() -> None:
    p = protect("a **b** c", "markdown")
    assert restore("A <g1> B </g1> C", p).text == "A  **B**  C"


def test_image_and_autolink_and_bare_url_are_atoms() -> None:
    raw = "Logo ![alt text](img/logo.png) at <https://a.example/x> or https://b.example/y_z."
    p = protect(raw, "markdown")
    assert "img/logo.png" not in p.text and "a.example" not in p.text and "b.example" not in p.text
    assert p.text.endswith(".")  # sentence punctuation is not part of the URL
    assert restore(p.text, p).text == raw


def test_stray_delimiter_of_a_split_sentence_is_protected() -> None:
    p = protect("**First sentence of a bold paragraph.", "markdown")
    assert not p.fallback and "*" not in p.text
    assert restore("Erster Satz.", p).text.endswith("**")  # reported and appended, not lost
    assert restore("<x1/>Erster Satz.", p).text == "**Erster Satz."


def test_link_cut_by_sentence_splitting_keeps_its_url_out_of_the_engine() -> None:
    first, second = protect("这是[第一句。", "markdown"), protect("第二句](https://e.org/x)。", "markdown")
    assert first.text == "这是<x1/>第一句。" and second.text == "第二句<x1/>。"
    assert second.placeholders[0].label == "md:link"
    lost = restore("Second sentence.", second)
    assert lost.text == "Second sentence.](https://e.org/x)" and lost.missing == second.placeholders


def test_html_tags_and_attributes_intact() -> None:
    raw = (
        'Read <a href="https://e.org/?a=1&amp;b=2" title="T">the <strong>docs</strong></a>,'
        '<br>now<img src="x.png" alt="x"/> &nbsp;ok'
    )
    p = protect(raw, "html")
    assert "href" not in p.text and "x.png" not in p.text and "<br>" not in p.text
    assert "the" in p.text and "docs" in p.text and "Read" in p.text
    assert [ph.label for ph in p.placeholders if ph.paired] == ["html:a", "html:strong"]
    r = restore(_translate_words(p.text), p)
    assert r.ok
    assert r.text == (
        'READ <a href="https://e.org/?a=1&amp;b=2" title="T">THE <strong>DOCS</strong></a>,<br>NOW'
        '<img src="x.png" alt="x"/> &nbsp;OK'
    )


def test_html_code_element_is_one_atom() -> None:
    p = protect("Run <code>pip install x</code> first", "html")
    assert p.text == "Run <x1/> first"
    assert p.placeholders[0].raw == "<code>pip install x</code>"


def test_inline_html_inside_markdown_pairs() -> None:
    p = protect('Go <a href="u">home</a> <br> now', "markdown")
    assert p.text == "Go <g1>home</g1> <x2/> now"


def test_dropped_link_is_reported_and_url_kept() -> None:
    p = protect("See [docs](https://e.org/d) now.", "markdown")
    r = restore("Voir maintenant.", p)
    assert not r.ok
    assert [ph.label for ph in r.missing] == ["md:link"]
    assert r.text == "Voir maintenant.[](https://e.org/d)"


def test_half_pairs_are_repaired_and_reported() -> None:
    p = protect("a **b** and *c*", "markdown")
    open_only = restore("A <g1>B and <g2>C</g2>", p)
    assert open_only.text == "A **B and *C***" and [ph.id for ph in open_only.missing] == [1]
    close_only = restore("A B</g1> and <g2>C</g2>", p)
    assert close_only.text == "A B**** and *C*"
    swapped = restore("</g1>B<g1> <g2>C</g2>", p)
    assert swapped.text == "**B** *C*" and swapped.ok


def test_duplicates_and_unknown_tags_are_dropped_and_reported() -> None:
    p = protect("x `y` z", "markdown")
    r = restore("X <x1/> Z <x1/> <x7/> <g1>", p)
    assert r.text == "X `y` Z   "
    assert [ph.id for ph in r.duplicated] == [1]
    assert r.unknown == ("<x7/>", "<g1>")


def test_engine_spelling_variants_of_tags_are_accepted() -> None:
    p = protect("a **b** `c`", "markdown")
    assert restore("A < G1 >B</ g1> <X2 />", p).text == "A **B** `c`"


def test_placeholder_lookalike_text_is_protected() -> None:
    raw = "literal <g1> and </g1> and <x1/> text"
    for fmt in ("text", "markdown"):
        p = protect(raw, fmt)
        assert restore(p.text, p).text == raw


def test_unknown_format_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        protect("x", "rtf")


# ---------------------------------------------------------------- properties

WORDS = st.sampled_from(
    ["hello", "world", "模型", "蒸餾", "a", "1.5", "x_y", "foo-bar", "!", "。", "，", "it's"]
)
URLS = st.sampled_from(["https://e.org", "http://e.org/a_b?c=1&d=2", "img/a.png", "/p/q"])
MD_ATOMS = st.one_of(
    WORDS,
    st.builds("`{}`".format, WORDS),
    st.sampled_from(
        [r"\-", r"\*", "&amp;", "&#39;", "<br>", "<https://auto.example/a>", "https://bare.example/p."]
    ),
    st.builds('![{}]({} "t")'.format, WORDS, URLS),
    st.builds('<img src="{}" alt="{}">'.format, URLS, WORDS),
)


def _md_wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds("**{}**".format, inner),
        st.builds("*{}*".format, inner),
        st.builds("_{}_".format, inner),
        st.builds("~~{}~~".format, inner),
        st.builds("[{}]({})".format, inner, URLS),
        st.builds("<b>{}</b>".format, inner),
        st.builds('<a href="{1}">{0}</a>'.format, inner, URLS),
    )


def _joined(items: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(items, st.sampled_from(["", " ", "  "])), min_size=1, max_size=6).map(
        lambda parts: "".join(a + b for a, b in parts).strip()
    )


MARKDOWN = _joined(st.recursive(MD_ATOMS, lambda inner: _md_wrap(_joined(inner)), max_leaves=10))

HTML_ATOMS = st.one_of(
    WORDS,
    st.sampled_from(["&amp;", "&nbsp;", "&#x4e2d;", "<br>", "<br/>", "<!-- note -->", "<wbr>", "a < b"]),
    st.builds('<img src="{}" alt="{}">'.format, URLS, WORDS),
    st.builds("<code>{}</code>".format, WORDS),
)
HTML = st.recursive(
    HTML_ATOMS,
    lambda inner: st.one_of(
        st.builds("<strong>{}</strong>".format, _joined(inner)),
        st.builds("<em class='x'>{}</em>".format, _joined(inner)),
        st.builds('<a href="{1}" title="t">{0}</a>'.format, _joined(inner), URLS),
        st.builds("<span>{}".format, _joined(inner)),  # unclosed: becomes an atom
    ),
    max_leaves=12,
)
MARKUP_SOUP = st.text(alphabet="ab 中 *_`~[]()<>!\\&;#/:.\nhtps", max_size=40)


@settings(max_examples=150, deadline=None)
@given(MARKDOWN)
def test_markdown_round_trip(raw: str) -> None:
    p = protect(raw, "markdown")
    assert not p.fallback
    r = restore(p.text, p)
    assert r.text == raw and r.ok


@settings(max_examples=300, deadline=None)
@given(HTML)
def test_html_round_trip(raw: str) -> None:
    p = protect(raw, "html")
    r = restore(p.text, p)
    assert r.text == raw and r.ok


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), MARKUP_SOUP), st.sampled_from(["markdown", "html", "text"]))
def test_any_text_round_trips(raw: str, fmt: str) -> None:
    p = protect(raw, fmt)
    assert restore(p.text, p).text == raw


@settings(max_examples=100, deadline=None)
@given(MARKDOWN)
def test_urls_never_reach_the_engine(raw: str) -> None:
    p = protect(raw, "markdown")
    for url in ("e.org", "auto.example", "bare.example"):  # relative paths are text outside a link
        assert url not in p.text


def test_tags_the_engine_made_up_and_broken_off_placeholders_are_dropped() -> None:
    protected = protect("<div><i>德才<br>2025-02-01</i></div>", "html")
    assert protected.text == "<g1><g2>德才<x3/>2025-02-01</g2></g1>"
    restored = restore("<g1><g2><de>Decai</de> <x3<x3/>2025-02-01</g2></g1>", protected)
    assert restored.text == "<div><i>Decai <br>2025-02-01</i></div>"
    assert restored.unknown == ("<de>", "</de>", "<x3")


def test_a_source_with_its_own_angle_brackets_keeps_them_in_the_output() -> None:
    protected = protect("如果 x<y 则成立", "markdown")
    assert "<" in protected.text
    assert restore("if x<y then <b>true", protected).text == "if x<y then <b>true"
