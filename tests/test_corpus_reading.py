"""Reading the real DeepSeek corpus (data lives outside the repository)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from doc_invariants import check_offsets

from termalign.align import BlockKind, Document, read_document

pytestmark = pytest.mark.slow

DATA = Path(os.environ.get("TERMALIGN_DATA", "../shared/corpora")) / "deepseek"
FILES = {
    "faq-zh": "003_05826dfd94971908.txt",
    "faq-en": "stratechery-deepseek-faq.en.md",
    "huyong": "000_130b86545e55295d.txt",
    "shockwave": "001_9595843a307030a2.txt",
    "huyong-plain": "002_80b01854ed10c8b2.txt",
    "interview": "004_d3e6d8988f31a4d7.txt",
}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    if not all((DATA / name).is_file() for name in FILES.values()):
        pytest.skip(f"corpus not found under {DATA} (set TERMALIGN_DATA)")
    return {key: read_document(DATA / name) for key, name in FILES.items()}


def headings(doc: Document) -> int:
    return Counter(b.kind for b in doc.blocks)[BlockKind.HEADING]


def test_offsets_invariant_holds_for_every_file(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        assert doc.blocks, doc.path
        check_offsets(doc)


def test_faq_questions_match_between_languages(docs: dict[str, Document]) -> None:
    zh, en = docs["faq-zh"], docs["faq-en"]
    assert headings(en) >= 20
    assert abs(headings(zh) - headings(en)) <= 2
    assert (zh.lang, zh.script, en.lang) == ("zh", "Hans", "en")


def test_metadata(docs: dict[str, Document]) -> None:
    assert docs["faq-en"].metadata["url"] == "https://stratechery.com/2025/deepseek-faq/"
    assert docs["faq-en"].metadata["title"]
    assert docs["faq-zh"].metadata["title"] and docs["huyong"].metadata["date"]
    assert docs["faq-zh"].images and docs["huyong"].images


def test_scripts(docs: dict[str, Document]) -> None:
    assert docs["shockwave"].script == "Hant"
    for key in ("faq-zh", "huyong", "huyong-plain", "interview"):
        assert docs[key].script == "Hans", key
    assert docs["shockwave"].format == "text" and docs["huyong-plain"].format == "text"


def test_interview_reads_its_html_body(docs: dict[str, Document]) -> None:
    doc = docs["interview"]
    assert len(doc.blocks) > 10
    assert headings(doc) >= 5  # the interviewer's bold questions
    assert any(b.kind is BlockKind.CAPTION for b in doc.blocks)
    assert all("<" not in s.text for s in doc.sentences)
    as_html = read_document(DATA / FILES["interview"], fmt="html")
    assert [b.text for b in as_html.blocks] == [b.text for b in doc.blocks]


def test_english_escapes_are_resolved(docs: dict[str, Document]) -> None:
    texts = [s.text for s in docs["faq-en"].sentences]
    assert any("R1-Zero" in t for t in texts)
    assert not any("\\-" in t for t in texts)
