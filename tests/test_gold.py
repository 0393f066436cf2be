"""Gold files and strict bead F1 on toy examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termalign.align.beads import Bead
from termalign.align.document import Block, BlockKind, Document, Sentence
from termalign.align.gold import GoldBead, GoldSet, bead_f1, check_gold, gold_line, load_gold
from termalign.kernel.errors import DocumentError

GOLD = GoldSet(
    (
        GoldBead(("s0",), ("t0",)),
        GoldBead(("s1", "s2"), ("t1",)),
        GoldBead(("s3",), ()),
    )
)


def test_perfect_prediction() -> None:
    result = bead_f1([(("s0",), ("t0",)), (("s1", "s2"), ("t1",)), (("s3",), ())], GOLD)
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)


def test_partial_beads_count_as_wrong() -> None:
    predicted = [(("s0",), ("t0",)), (("s1",), ("t1",)), (("s2",), ()), (("s3",), ())]
    result = bead_f1(predicted, GOLD)
    assert result.correct == 2 and result.predicted == 4 and result.gold == 3
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert set(result.errors) == {(("s1",), ("t1",)), (("s2",), ())}


def test_beads_outside_the_gold_region_are_ignored() -> None:
    predicted = [
        (("s0",), ("t0",)),
        (("s1", "s2"), ("t1",)),
        (("s3",), ()),
        (("s9",), ("t9",)),
        ((), ("t8",)),
    ]
    result = bead_f1(predicted, GOLD)
    assert result.predicted == 3 and result.f1 == 1.0
    # ...but a bead touching a gold sentence on either side is in scope.
    result = bead_f1([(("s9",), ("t0",))], GOLD)
    assert result.predicted == 1 and result.correct == 0 and result.f1 == 0.0


def test_bead_objects_are_accepted() -> None:
    bead = Bead(("s0",), ("t0",), "甲", "A", 0.9, "b0", False, "1-1")
    assert bead_f1([bead], GOLD).correct == 1


def _doc(ids_spans: list[tuple[str, int, int]]) -> Document:
    sentences = tuple(Sentence(i, "x", a, b) for i, a, b in ids_spans)
    return Document("d", "", "zh", (Block("b0", BlockKind.PARAGRAPH, 0, 99, sentences),))


def test_load_check_and_write(tmp_path: Path) -> None:
    beads = [
        GoldBead(("b0.s0",), ("b0.s0",), ((0, 5),), ((0, 10),)),
        GoldBead(("b0.s1", "b0.s2"), ("b0.s1",), ((5, 9), (9, 12)), ((11, 30),)),
    ]
    path = tmp_path / "g.jsonl"
    meta = json.dumps({"meta": {"source": "a.txt", "target": "b.md"}})
    path.write_text(meta + "\n" + "\n".join(gold_line(b) for b in beads) + "\n", encoding="utf-8")
    gold = load_gold(path)
    assert gold.beads == tuple(beads) and gold.meta == {"source": "a.txt", "target": "b.md"}
    source = _doc([("b0.s0", 0, 5), ("b0.s1", 5, 9), ("b0.s2", 9, 12)])
    target = _doc([("b0.s0", 0, 10), ("b0.s1", 11, 30)])
    assert check_gold(gold, source, target) == []
    drifted = _doc([("b0.s0", 0, 5), ("b0.s1", 5, 10)])
    problems = check_gold(gold, drifted, target)
    assert any("b0.s1 moved" in p for p in problems) and any("b0.s2 no longer exists" in p for p in problems)


def test_bad_gold_files_report_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"source_ids": ["a"], "target_ids": ["x"]}',
                "not json",
                '{"source_ids": "a", "target_ids": []}',
                '{"source_ids": [], "target_ids": []}',
                '{"source_ids": ["a"], "target_ids": ["y"]}',
                '{"source_ids": ["b"], "target_ids": ["z"], "source_spans": [[1, 2], [3, 4]]}',
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(DocumentError) as err:
        load_gold(path)
    message = str(err.value)
    for line in ("line 2", "line 3", "line 4", "line 5", "line 6"):
        assert line in message
    assert "line 1:" not in message
