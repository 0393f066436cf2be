"""The real DeepSeek FAQ against the hand-checked gold beads (slow; needs the corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from termalign.align.aligner import align_documents
from termalign.align.corpus import default_data_dir
from termalign.align.gold import bead_f1, check_gold, load_gold
from termalign.align.reader import read_document

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "corpora" / "deepseek" / "faq.gold.jsonl"


@pytest.fixture(scope="module")
def documents():
    gold = load_gold(GOLD)
    data = default_data_dir(cwd=REPO)
    source, target = data / gold.meta["source"], data / gold.meta["target"]
    if not source.exists() or not target.exists():
        pytest.skip(f"the DeepSeek corpus is not in {data}")
    return gold, read_document(source, lang="zh"), read_document(target, lang="en")


def test_gold_matches_the_current_segmentation(documents) -> None:
    gold, zh, en = documents
    assert len(gold.beads) >= 40
    assert check_gold(gold, zh, en) == []


def test_faq_strict_bead_f1(documents) -> None:
    gold, zh, en = documents
    alignment = align_documents(zh, en)
    result = bead_f1(alignment.beads, gold)
    assert result.f1 >= 0.95, f"F1 {result.f1:.3f}; wrong beads: {result.errors}"
    # The Chinese tail the cut-off English lacks is left unaligned, not forced onto English.
    last = alignment.beads[-1]
    assert last.kind == "1-0" and last.is_unaligned
