"""XLIFF round trip on the five Chinese corpus documents (data lives outside the repository).

For each document and both XLIFF versions: translate (identity engine) → XLIFF
→ merge gives the file back byte for byte; with every target edited (as a
post-editor would) the merge equals the document format's own write-back of
the same edited sentences, so no markup around them moves.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from termalign.align.corpus import load_corpus
from termalign.align.documents import get_format
from termalign.align.documents.xliff import read_xliff, write_xliff
from termalign.align.documents.xliff_common import merge, raw_of
from termalign.align.reader import read_document
from termalign.translator.bilingual import bilingual_from_translation
from termalign.translator.document import translate_document
from termalign.translator.identity import IdentityEngine
from termalign.translator.terms import TermAwareTranslator

pytestmark = pytest.mark.slow

DATA = Path(os.environ.get("TERMALIGN_DATA", "../shared/corpora"))
MANIFEST = Path(__file__).parent.parent / "corpora" / "deepseek" / "corpus.toml"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _chinese_documents() -> list[tuple[str, Path, str]]:
    if not (DATA / "deepseek").is_dir():
        return []
    corpus = load_corpus(MANIFEST, DATA)
    return [(d.id, d.path, d.format) for d in corpus.documents if d.lang == "zh"]


DOCS = _chinese_documents()


@pytest.mark.skipif(len(DOCS) != 5, reason=f"the five Chinese corpus documents are not under {DATA}")
@pytest.mark.parametrize("version", ["1.2", "2.1"])
@pytest.mark.parametrize(("doc_id", "path", "fmt"), DOCS, ids=[d[0] for d in DOCS])
def test_corpus_document_round_trips_through_xliff(
    tmp_path: Path, version: str, doc_id: str, path: Path, fmt: str
) -> None:
    doc = read_document(path, fmt=fmt)
    result = translate_document(doc, TermAwareTranslator(IdentityEngine()))
    bilingual = bilingual_from_translation(doc, result, join_space=False)
    xlf = tmp_path / f"{doc_id}.xlf"
    write_xliff(bilingual, xlf, version)
    back = read_xliff(xlf)
    assert merge(back) == result.text  # what `translate -o doc.md` writes (numbers normalised: 1100亿)
    untouched = replace(back, units=tuple(replace(u, target=u.source) for u in back.units))
    write_xliff(untouched, xlf, version)
    assert merge(read_xliff(xlf)) == doc.text  # targets = sources: byte for byte

    # a post-editor rewrites every sentence's text (the first hanzi of each text run becomes "译")
    def edit(part: object) -> object:
        return _HAN.sub("译", part, count=1) if isinstance(part, str) else part

    edited = replace(
        back,
        units=tuple(
            replace(u, target=tuple(edit(p) for p in u.target))
            if u.target is not None and u.translate and not u.id.startswith("fm.")  # sentences only
            else u
            for u in back.units
        ),
    )
    write_xliff(edited, xlf, version)
    merged = merge(read_xliff(xlf))
    wanted = {
        u.id: raw_of(u.target)
        for u in edited.units
        if u.target is not None and u.translate and not u.id.startswith("fm.")
    }
    assert merged == get_format(doc.format).write_back(doc, wanted, join_space=False)
    assert merged != doc.text and merged.count("译") >= len(wanted) // 2


@pytest.mark.skipif(len(DOCS) != 5, reason=f"the five Chinese corpus documents are not under {DATA}")
@pytest.mark.parametrize("version", ["1.2", "2.1"])
@pytest.mark.parametrize(("doc_id", "path", "fmt"), DOCS, ids=[d[0] for d in DOCS])
def test_corpus_xliff_translated_as_an_input_stays_valid_and_merges(
    tmp_path: Path, version: str, doc_id: str, path: Path, fmt: str
) -> None:
    """Our XLIFF of each document, read as an input document and filled again: schema-valid,
    one sentence per unit, and the merge is the same document."""
    import xmlschema

    from termalign.align.documents.xliff_document import without_confirmed
    from termalign.align.reader import read_string

    doc = read_document(path, fmt=fmt)
    translator = TermAwareTranslator(IdentityEngine())
    bilingual = bilingual_from_translation(doc, translate_document(doc, translator), join_space=False)
    xlf = tmp_path / f"{doc_id}.xlf"
    write_xliff(bilingual, xlf, version)
    text = xlf.read_text(encoding="utf-8")
    as_input = without_confirmed(read_string(text, path=str(xlf), lang="zh"))
    assert as_input.format == "xliff"
    translatable = [u for u in bilingual.units if u.translate and u.target is not None]
    assert len(as_input.sentences) == len(translatable)  # every unit to review, one sentence each
    again = tmp_path / "again.xlf"
    again.write_text(translate_document(as_input, translator).text, encoding="utf-8")
    schemas = Path(__file__).parent / "data" / "xliff"
    if version == "1.2":
        schema = xmlschema.XMLSchema(str((schemas / "1.2" / "xliff-core-1.2-strict.xsd").resolve()))
    else:
        names = ("xliff_core_2.0.xsd", "matches.xsd", "metadata.xsd")
        schema = xmlschema.XMLSchema([str((schemas / "2.1" / n).resolve()) for n in names])
    assert [e.reason for e in schema.iter_errors(str(again))] == []
    assert merge(read_xliff(again)) == merge(read_xliff(xlf))
