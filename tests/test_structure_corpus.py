"""Every DeepSeek article keeps exactly its paragraph structure, even from an engine that invents some.

Slow: needs the corpus (``TERMALIGN_DATA`` or ``../shared/corpora``); texts are read in place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from termalign.align.corpus import default_data_dir, load_corpus
from termalign.align.reader import read_document
from termalign.termbase.amounts import amount_problems, english_amount, source_amounts
from termalign.translator.document import translate_document
from termalign.translator.identity import IdentityEngine
from termalign.translator.terms import TermAwareTranslator, TranslateConfig
from tests.test_structure import Inventor

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def _articles() -> list:
    data = default_data_dir(cwd=REPO)
    corpus = load_corpus(REPO / "corpora" / "deepseek" / "corpus.toml", data)
    docs = corpus.by_role("to-translate")
    if not docs or not all(d.path.is_file() for d in docs):
        pytest.skip(f"the DeepSeek corpus is not in {data}")
    return [read_document(d.path, lang=d.lang, fmt=d.format) for d in docs]


def _paragraphs(text: str) -> int:
    return len([b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()])


def test_every_article_keeps_its_paragraph_structure() -> None:
    for doc in _articles():
        plain = TranslateConfig(inline_numbers=False)  # the identity echoes what it is given
        assert translate_document(doc, TermAwareTranslator(IdentityEngine(), config=plain)).text == doc.text
        config = TranslateConfig(sanity_check=False, retry_leftover_chinese=False)
        result = translate_document(doc, TermAwareTranslator(Inventor(), config=config))
        assert _paragraphs(result.text) == _paragraphs(doc.text), doc.path
        assert "```" not in result.text or "```" in doc.text
        assert result.summary["structure_removed"]["segments"] > 0


def test_every_amount_of_the_articles_is_read_and_written_consistently() -> None:
    # each amount the articles hold, written as the translator writes it inline, passes its own check
    seen = 0
    for doc in _articles():
        for sentence in doc.sentences:
            raw = doc.text[sentence.start : sentence.end]
            for amount in source_amounts(raw):
                seen += 1
                english = english_amount(amount)
                assert "2,0" not in english or amount.kind != "year"
                problems = [p for p in amount_problems(raw[amount.span[0] : amount.span[1]], english)]
                assert problems == [], (raw, english, problems)
    assert seen > 20
