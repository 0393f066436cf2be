"""The score map: from a bead's lattice posterior to the score a reviewer reads."""

from __future__ import annotations

import math
import random

import pytest

import termalign.align.aligner as aligner
from termalign.align.aligner import align_documents
from termalign.align.dp import DEFAULT_SCORE_MAP, ScoreMap, fit_score_map, score_features
from termalign.align.gold import calibration
from termalign.align.reader import read_string
from termalign.kernel.errors import AlignmentError

IDENTITY = ScoreMap((0.0, 1.0, 0.0, 0.0, 0.0))

ZH = (
    "老王是村里的木匠。\n他每天早上六点起床，先喝一杯茶。\n然后他去工作。\n中午他在树下吃饭。\n晚上他回家。\n"
)
EN = (
    "Old Wang was the village carpenter.\n"
    "He got up at six every morning.\n"
    "First he drank a cup of tea.\n"
    "Then he went to work.\n"
    "At noon he ate under a tree.\n"
    "In the evening he went home.\n"
)


def _odds(p: float) -> float:
    return math.log(p / (1 - p))


def test_features_read_the_bead_its_shape_and_its_least_sure_neighbour() -> None:
    rows = score_features([0.9, 0.2, 0.6], [(1, 1), (1, 0), (2, 2)])
    assert [r[0] for r in rows] == [1.0, 1.0, 1.0]
    assert rows[0][1] == pytest.approx(_odds(0.9))
    assert [r[2] for r in rows] == [0.0, 1.0, 0.0]  # 1-0/0-1
    assert [r[3] for r in rows] == [0.0, 0.0, 1.0]  # more than three sentences
    assert rows[0][4] == pytest.approx(_odds(0.2))  # the end of the path counts as certain
    assert rows[1][4] == pytest.approx(_odds(0.6))
    assert rows[2][4] == pytest.approx(_odds(0.2))
    # Certain posteriors are clipped, not infinite.
    assert all(math.isfinite(x) for r in score_features([0.0, 1.0], [(1, 1), (1, 1)]) for x in r)


def test_the_identity_map_returns_the_posterior() -> None:
    posteriors = [0.05, 0.3, 0.5, 0.93]
    assert IDENTITY.apply(posteriors, [(1, 1)] * 4) == pytest.approx(posteriors)


def test_an_unsure_neighbour_and_a_lonely_sentence_lower_the_score() -> None:
    sure, unsure = (
        DEFAULT_SCORE_MAP.apply([0.8, 0.99], [(1, 1), (1, 1)]),
        DEFAULT_SCORE_MAP.apply([0.8, 0.2], [(1, 1), (1, 1)]),
    )
    assert unsure[0] < sure[0]
    alone = DEFAULT_SCORE_MAP.apply([0.8, 0.99], [(1, 0), (1, 1)])
    assert alone[0] < sure[0]


def _synthetic(n: int, weights: tuple[float, ...], seed: int) -> tuple[list, list[bool]]:
    rng = random.Random(seed)
    posteriors = [rng.betavariate(2, 1) for _ in range(n)]
    shapes = [rng.choice([(1, 1), (1, 1), (1, 2), (1, 0), (2, 3)]) for _ in range(n)]
    rows = score_features(posteriors, shapes)
    right = []
    for row in rows:
        z = sum(w * x for w, x in zip(weights, row, strict=True))
        right.append(rng.random() < 1 / (1 + math.exp(-z)))
    return rows, right


def test_the_maximum_likelihood_fit_recovers_the_weights_that_made_the_labels() -> None:
    truth = (0.5, 1.2, -2.0, -1.0, 0.4)
    rows, right = _synthetic(6000, truth, seed=3)
    fitted = fit_score_map(rows, right, precision=None)
    for got, want in zip(fitted.weights, truth, strict=True):
        assert got == pytest.approx(want, abs=0.3)


def test_the_bias_is_placed_where_both_flag_promises_hold() -> None:
    # Labels from a weak model: calibrated probabilities alone keep many beads that are
    # right only 50-80 % of the time above 0.5, so fewer than 90 % of kept beads are right.
    rows, right = _synthetic(4000, (1.0, 1.5, -2.0, -1.0, 0.5), seed=7)
    plain = fit_score_map(rows, right, precision=None)

    def cal(m: ScoreMap):
        return calibration(
            (1 / (1 + math.exp(-sum(w * x for w, x in zip(m.weights, r, strict=True)))), y)
            for r, y in zip(rows, right, strict=True)
        )

    assert cal(plain).high_precision < 0.9
    placed = fit_score_map(rows, right)
    assert placed.weights[1:] == plain.weights[1:]  # only the bias moves
    c = cal(placed)
    assert c.high_precision >= 0.9 and c.flag_precision > 0.5


def test_bad_maps_and_inputs_are_refused() -> None:
    with pytest.raises(AlignmentError):
        ScoreMap((1.0, 2.0))
    with pytest.raises(AlignmentError):
        ScoreMap((0.0, math.nan, 0.0, 0.0, 0.0))
    with pytest.raises(AlignmentError):
        score_features([0.5, 0.5], [(1, 1)])
    with pytest.raises(AlignmentError):
        fit_score_map([], [])


def test_the_aligner_attaches_the_mapped_score_and_keeps_the_posterior() -> None:
    zh, en = read_string(ZH, lang="zh", path="t.zh"), read_string(EN, lang="en", path="t.en")
    beads = align_documents(zh, en).beads
    raw = [b.raw_score for b in beads]
    assert all(r is not None and 0.0 <= r <= 1.0 for r in raw)
    shapes = [(len(b.source_ids), len(b.target_ids)) for b in beads]
    mapped = DEFAULT_SCORE_MAP.apply([float(r or 0.0) for r in raw], shapes)
    assert [b.score for b in beads] == pytest.approx(mapped, abs=1e-3)
    assert [b.flagged for b in beads] == [s < 0.5 for s in (b.score for b in beads)]


def test_the_score_map_does_not_change_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    zh, en = read_string(ZH, lang="zh", path="t.zh"), read_string(EN, lang="en", path="t.en")
    shipped = align_documents(zh, en).beads
    monkeypatch.setattr(aligner, "DEFAULT_SCORE_MAP", IDENTITY)
    plain = align_documents(zh, en).beads
    assert [(b.source_ids, b.target_ids) for b in plain] == [(b.source_ids, b.target_ids) for b in shipped]
    assert [b.score for b in plain] == pytest.approx([b.raw_score for b in shipped], abs=1e-3)
    assert [b.score for b in plain] != [b.score for b in shipped]
