"""The likelihood mode: unsure windows, candidate pruning, and the model's re-decision (fake scorers)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from termalign.align.aligner import align_documents
from termalign.align.beads import Span
from termalign.align.likelihood import LikelihoodSimilarity, unsure_windows, window_candidates
from termalign.align.reader import read_string
from termalign.kernel.errors import AlignmentError, TermalignError

ZH = (
    "老王是村里的木匠。\n"
    "他每天早上六点起床，先喝一杯茶。\n"
    "然后他去工作，一直干到中午。\n"
    "晚上他回家。\n"
    "他的妻子已经做好了饭。\n"
)
EN = (
    "Old Wang was the village carpenter.\n"
    "He got up at six every morning.\n"
    "First he drank a cup of tea.\n"
    "Then he went to work until noon.\n"
    "In the evening he went home.\n"
    "His wife had already cooked dinner.\n"
)
# Which Chinese line each English line translates (the truth of the fake model below).
TRUTH = {0: 0, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


def docs() -> tuple:
    return read_string(ZH, fmt="lines", lang="zh"), read_string(EN, fmt="lines", lang="en")


def fake_model(truth: dict[int, int], calls: list | None = None):
    """log P(E | Z): each English sentence costs 1 nat if its source is in Z, else 20 (no source: 20)."""
    zh_lines, en_lines = ZH.splitlines(), EN.splitlines()

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        if calls is not None:
            calls.append(list(pairs))
        out = []
        for source, target in pairs:
            total = 0.0
            for k, line in enumerate(en_lines):
                if line in target:
                    total -= 1.0 if source and zh_lines[truth[k]] in source else 20.0
            out.append(total)
        return out

    return score


def index_beads(alignment, zh, en) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    pos_s = {s.id: k for k, s in enumerate(zh.sentences)}
    pos_t = {s.id: k for k, s in enumerate(en.sentences)}
    return [
        (tuple(pos_s[i] for i in b.source_ids), tuple(pos_t[i] for i in b.target_ids))
        for b in alignment.beads
    ]


def test_unsure_windows_widen_and_merge() -> None:
    scores = [0.9, 0.2, 0.9, 0.9, 0.9, 0.3, 0.9, 0.4, 0.9]
    assert unsure_windows(scores, 0.5, 0) == [(1, 2), (5, 6), (7, 8)]
    assert unsure_windows(scores, 0.5, 1) == [(0, 3), (4, 9)]  # 4-7 and 6-9 touch: one window
    assert unsure_windows(scores, 0.1, 1) == []
    assert unsure_windows([0.0, 0.0], 0.5, 3) == [(0, 2)]  # clipped at the ends


def test_window_candidates_prune_by_margin_and_keep_the_best_path() -> None:
    lattice = [
        ((0, 1, 0, 1), 1.0),
        ((1, 2, 1, 2), 1.0),  # best path: 2.0
        ((0, 2, 0, 2), 2.5),  # 0.5 worse
        ((0, 1, 0, 2), 4.0),
        ((1, 2, 2, 2), 3.0),  # through them: 7.0, 5 worse
        ((5, 6, 5, 6), 0.0),  # does not connect the window's ends
    ]
    keys = {k for k, _ in window_candidates(lattice, (0, 0), (2, 2), 1.0, 10)}
    assert keys == {(0, 1, 0, 1), (1, 2, 1, 2), (0, 2, 0, 2)}
    wide = {k for k, _ in window_candidates(lattice, (0, 0), (2, 2), 6.0, 10)}
    assert (0, 1, 0, 2) in wide and (5, 6, 5, 6) not in wide
    # A limit below the path's length still keeps the path.
    tight = {k for k, _ in window_candidates(lattice, (0, 0), (2, 2), 6.0, 1)}
    assert {(0, 1, 0, 1), (1, 2, 1, 2)} <= tight


def test_the_candidate_limit_is_per_source_row_and_skips_cost_free_beads() -> None:
    lattice = [
        ((0, 1, 0, 1), 1.0),
        ((1, 2, 1, 2), 1.0),  # best path: 2.0
        ((0, 1, 0, 2), 1.5),  # row 0, second best: cut by a limit of 1
        ((1, 2, 2, 2), 0.5),  # 1-0: needs no model, kept
        ((1, 2, 1, 1), 0.6),  # 0-1 followed by 1-1 below
        ((1, 2, 1, 2), 1.0),
        ((1, 1, 1, 2), 0.5),  # 0-1 at row 1
        ((1, 2, 2, 2), 0.5),
    ]
    keys = {k for k, _ in window_candidates(lattice, (0, 0), (2, 2), 3.0, 1)}
    assert (0, 1, 0, 2) not in keys and {(0, 1, 0, 1), (1, 2, 1, 2)} <= keys
    assert (1, 1, 1, 2) in keys and (1, 2, 2, 2) in keys
    two = {k for k, _ in window_candidates(lattice, (0, 0), (2, 2), 3.0, 2)}
    assert (0, 1, 0, 2) in two


def test_redecide_follows_the_pmi_and_keeps_sure_beads() -> None:
    spans = [Span(0, 1, 0, 1), Span(1, 2, 1, 3), Span(2, 3, 3, 4)]  # the pass gave en 2 to zh 1
    lattice = {
        (0, 1, 0, 1): 1.0,
        (1, 2, 1, 3): 3.0,
        (2, 3, 3, 4): 1.0,
        (1, 2, 1, 2): 1.5,
        (2, 3, 2, 4): 3.0,  # en 2 with zh 2: 0.5 dearer by the costs
    }
    source, target = ["z0", "z1", "z2"], ["e0", "e1", "e2", "e3"]
    truth = {"e0": "z0", "e1": "z1", "e2": "z2", "e3": "z2"}

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        return [sum(-1.0 if truth[e] in s else -5.0 for e in t.split()) for s, t in pairs]

    similarity = LikelihoodSimilarity(score, weight=1.0, unsure_below=0.5, context=0)
    result = similarity.redecide(
        source, target, spans, lattice, [0.9, 0.3, 0.3], [0.95, 0.4, 0.4], temperature=1.0
    )
    assert [(s.i0, s.i1, s.j0, s.j1) for s in result.spans] == [(0, 1, 0, 1), (1, 2, 1, 2), (2, 3, 2, 4)]
    assert result.windows == 1 and result.changed == 2
    assert result.posteriors[0] == 0.95  # outside the window: kept
    assert all(0.0 <= p <= 1.0 for p in result.posteriors)
    # Nothing unsure: nothing scored, nothing changed.
    calm = similarity.redecide(source, target, spans, lattice, [0.9, 0.9, 0.9], [0.9, 0.9, 0.9])
    assert calm.spans == tuple(spans) and calm.candidates == 0


def test_a_scorer_returning_the_wrong_count_is_refused() -> None:
    similarity = LikelihoodSimilarity(lambda pairs: [0.0], unsure_below=1.0)
    with pytest.raises(AlignmentError, match="returned 1 values"):
        similarity.redecide(
            ["a", "b"],
            ["x", "y"],
            [Span(0, 1, 0, 1), Span(1, 2, 1, 2)],
            {(0, 1, 0, 1): 0.0, (1, 2, 1, 2): 0.0, (0, 2, 0, 2): 0.5},
            [0.1, 0.1],
            [0.1, 0.1],
        )


def test_bad_settings_are_refused() -> None:
    with pytest.raises(AlignmentError):
        LikelihoodSimilarity(lambda pairs: [], per_row=0)


def test_a_neutral_model_changes_nothing_in_the_aligner() -> None:
    zh, en = docs()
    plain = align_documents(zh, en)
    neutral = align_documents(
        zh, en, similarity=LikelihoodSimilarity(lambda pairs: [0.0] * len(pairs), unsure_below=1.01)
    )
    assert [(b.source_ids, b.target_ids) for b in neutral.beads] == [
        (b.source_ids, b.target_ids) for b in plain.beads
    ]
    assert "likelihood" in neutral.signature["scorers"] and "windows" in neutral.signature["redecision"]


def test_the_model_decides_a_boundary_in_an_unsure_window() -> None:
    zh, en = docs()
    calls: list = []
    right = align_documents(
        zh, en, similarity=LikelihoodSimilarity(fake_model(TRUTH, calls), unsure_below=1.01, weight=2.0)
    )
    assert index_beads(right, zh, en) == [
        ((0,), (0,)),
        ((1,), (1, 2)),
        ((2,), (3,)),
        ((3,), (4,)),
        ((4,), (5,)),
    ]
    scored = [p for batch in calls for p in batch]
    assert any(source == "" for source, _ in scored)  # the marginal of each target, for the PMI
    # A model that believes "First he drank a cup of tea." translates the third line moves it there.
    moved = align_documents(
        zh, en, similarity=LikelihoodSimilarity(fake_model({**TRUTH, 2: 2}), unsure_below=1.01, weight=2.0)
    )
    assert ((2,), (2, 3)) in index_beads(moved, zh, en)


class _FakeEngine:
    """The two public methods the pair scorer uses, one token per character, 0.5 nats a token."""

    model_id, end_token = "fake", "<e>"
    config = SimpleNamespace(source_language="Chinese", target_language="English")

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, text: str, *, special: bool = False) -> list[str]:
        return list(text)

    def score_tokens(self, batch: list[list[str]], *, max_batch_size: int | None = None) -> list[list[float]]:
        self.calls += 1
        return [[-0.5] * (len(tokens) - 1) for tokens in batch]  # every token after the first


def test_pair_scorer_sums_the_target_tokens_and_caches_on_disk(tmp_path: Path) -> None:
    from termalign.translator.pair_likelihood import pair_scorer

    engine = generator = _FakeEngine()
    cache = tmp_path / "scores.jsonl"
    score = pair_scorer(engine, cache, batch_size=2)
    values = score([("你好", "Hi"), ("", "Hello"), ("你好", "Hi")])
    assert values == [-1.5, -3.0, -1.5]  # target characters and the end token, 0.5 nats each
    assert generator.calls == 1  # two distinct pairs, one batch
    records = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    assert {(r["source"], r["target"]) for r in records} == {("你好", "Hi"), ("", "Hello")}
    again = pair_scorer(engine, cache)
    assert again([("", "Hello")]) == [-3.0] and generator.calls == 1  # read back, not rescored
    assert (score.scored, score.cached, again.scored, again.cached) == (2, 0, 0, 1)


@pytest.mark.slow
def test_the_real_model_explains_a_true_pair_better_than_a_shifted_one(tmp_path: Path) -> None:
    from termalign.translator.engine import EngineConfig, open_engine
    from termalign.translator.install import default_models_dir, get_model
    from termalign.translator.pair_likelihood import pair_scorer

    try:
        model = get_model("qwen2.5-coder-0.5b", default_models_dir())
    except TermalignError:  # not installed here
        pytest.skip("qwen2.5-coder-0.5b is not installed")
    score = pair_scorer(open_engine(model, EngineConfig()), tmp_path / "cache.jsonl")
    zh, en = ZH.splitlines(), EN.splitlines()
    right = score([(zh[3], en[4]), ("", en[4])])
    wrong = score([(zh[4], en[4])])
    assert right[0] - right[1] > 5.0  # the true source explains the sentence: a clear PMI
    assert right[0] > wrong[0] + 5.0
    aligned = align_documents(*docs(), similarity=LikelihoodSimilarity(score, unsure_below=1.01))
    assert len(aligned.beads) >= 5 and "changed" in aligned.signature["redecision"]


@pytest.mark.slow
def test_cli_align_with_the_likelihood_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from termalign.cli import _register, cli
    from termalign.translator.install import default_models_dir, get_model

    try:
        get_model("qwen2.5-coder-0.5b", default_models_dir())
    except TermalignError:
        pytest.skip("qwen2.5-coder-0.5b is not installed")
    monkeypatch.setenv("TERMALIGN_MT_CACHE", str(tmp_path / "cache"))
    _register()
    zh, en, out = tmp_path / "a.zh", tmp_path / "a.en", tmp_path / "out.tsv"
    zh.write_text(ZH, encoding="utf-8")
    en.write_text(EN, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "align",
            str(zh),
            str(en),
            "-o",
            str(out),
            "--format",
            "lines",
            "--similarity",
            "likelihood",
            "--mt-model",
            "qwen2.5-coder-0.5b",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "First he drank a cup of tea." in out.read_text(encoding="utf-8")
