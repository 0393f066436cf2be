"""The quality score: signals, calibration, the translator layer, and where the score goes."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from termalign.align.tmx import read_tmx
from termalign.kernel.errors import ConfigError
from termalign.translator.batch import BatchConfig, load_batch_manifest, run_batch
from termalign.translator.identity import IdentityEngine
from termalign.translator.quality import (
    CALIBRATIONS,
    QUANTILE,
    REVIEW_THRESHOLD,
    Calibration,
    QualityConfig,
    QualityTranslator,
    Scorer,
    _calibration,
    cheap_signals,
    chrf,
    model_signals,
    needs_review,
    record_signals,
    score_records,
)
from termalign.translator.records import SegmentIssue, SegmentRecord
from termalign.translator.review_page import ReviewDocument, render_review
from termalign.translator.stack import build_translator
from termalign.translator.terms import TermAwareTranslator
from tests.batch_samples import install_tiny, tiny_engine, write_corpus
from tests.test_terms import CandidateEngine, termbase


def mt(seg_id: str, source: str, target: str, score: float = -0.3, **extra: Any) -> SegmentRecord:
    return SegmentRecord(seg_id, source, target, "mt", score, **extra)


def test_calibration_learns_the_direction_of_a_signal_and_stays_in_0_1() -> None:
    rows = [{"logprob": -k / 10, "length": 0.1} for k in range(20)]
    targets = [1 - k / 25 for k in range(20)]  # better when the log-probability is higher
    fitted = Calibration.fit(rows, targets, ("logprob", "length"))
    assert fitted.weights[0] > 0
    scores = [fitted.score(r) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert fitted.score({}) == pytest.approx(fitted.score({"logprob": fitted.means[0], "length": 0.1}))
    with pytest.raises(ConfigError):
        Calibration.fit([], [], ("logprob",))


def test_a_quantile_calibration_predicts_the_low_quantile_and_ranks_scattered_segments_low() -> None:
    # two kinds of segment with the same mean target: "steady" (0.55-0.65) and "scattered"
    # (0.2-1.0); only the kind is a signal.  The mean fit cannot tell them apart, the
    # 0.2-quantile fit ranks the scattered ones low, where the worst segments are.
    rows = [{"kind": float(k % 2)} for k in range(200)]
    spread = [(k // 2) / 99 for k in range(200)]  # 0..1 within each kind
    targets = [0.55 + 0.1 * u if k % 2 == 0 else 0.2 + 0.8 * u for k, u in enumerate(spread)]
    by_mean = Calibration.fit(rows, targets, ("kind",))
    by_low = Calibration.fit(rows, targets, ("kind",), quantile=0.2, steps=6000)
    steady, scattered = {"kind": 0.0}, {"kind": 1.0}
    assert abs(by_mean.score(steady) - by_mean.score(scattered)) < 0.02
    assert by_low.score(scattered) < by_low.score(steady) - 0.15
    assert by_low.score(steady) == pytest.approx(0.57, abs=0.03) and by_low.quantile == 0.2
    assert by_low.score(scattered) == pytest.approx(0.36, abs=0.05)
    below = sum(1 for r, t in zip(rows, targets, strict=True) if t < by_low.score(r))
    assert 0.1 * len(rows) <= below <= 0.3 * len(rows)  # about a fifth of the targets under the score
    with pytest.raises(ConfigError):
        Calibration.fit(rows, targets, ("kind",), quantile=1.0)


def test_a_unit_calibration_weighs_each_signal_alike_in_its_direction_and_fits_only_the_link() -> None:
    # the rows say a long translation is good (a calibration corpus's quirk); the a-priori direction
    # of a length deviation still counts it against the segment
    rows = [{"logprob": -k / 10, "coverage": 1 - k / 40, "length": 1 - k / 20} for k in range(20)]
    targets = [1 - k / 25 for k in range(20)]
    unit = Calibration.fit_unit(rows, targets, ("logprob", "coverage", "length"))
    assert unit.weights[0] == unit.weights[1] == -unit.weights[2] > 0 and unit.quantile == QUANTILE
    z = [sum(w * (r[f] - m) / s for f, m, s, w in zip(unit.features, unit.means, unit.scales,
                                                    unit.weights, strict=True)) for r in rows]  # fmt: skip
    scores = [unit.score(r) for r in rows]
    assert sorted(range(20), key=scores.__getitem__) == sorted(range(20), key=z.__getitem__)
    assert all(0 < s < 1 for s in scores)
    below = sum(1 for r, t in zip(rows, targets, strict=True) if t < unit.score(r))
    assert below <= 0.4 * len(rows)  # the link predicts a low quantile, not the mean
    with pytest.raises(ConfigError, match="a-priori direction"):
        Calibration.fit_unit(rows, targets, ("logprob", "size"))


def test_shipped_calibrations_and_the_cli_threshold_agree() -> None:
    from termalign.commands.batch import batch
    from termalign.commands.translate import translate

    assert all(c.quantile == QUANTILE for c in CALIBRATIONS.values())
    # each flag combination scores with the calibration fitted on exactly the signals it computes
    for flags in itertools.product((False, True), repeat=3):
        config = QualityConfig(**dict(zip(("fluency", "backtranslation", "agreement"), flags, strict=True)))
        features = set(_calibration(config).features)
        assert ("fluency" in features, "backtranslation" in features, "agreement" in features) == flags
    assert _calibration(QualityConfig()) is CALIBRATIONS["default"] and not QualityConfig().fluency
    for command in (batch, translate):
        [option] = [p for p in command.params if p.name == "review_threshold"]
        assert option.default == REVIEW_THRESHOLD
    assert BatchConfig(output_dir=Path("x")).review_threshold == REVIEW_THRESHOLD


def test_cheap_signals_see_coverage_length_and_issues() -> None:
    source = "训练数据来自公开的网页。"
    good = cheap_signals(source, "The training data comes from public web pages.")
    bad = cheap_signals(source, "Bananas.", [SegmentIssue("term-missing", "error", "x", "训练")])
    assert good["coverage"] is not None and bad["coverage"] is not None
    assert good["coverage"] > bad["coverage"]
    assert good["length"] is not None and bad["length"] is not None and good["length"] < bad["length"]
    assert bad["errors"] == 1 and good["errors"] == 0
    assert chrf("abc def", "abc def") == pytest.approx(1.0) and chrf("xyz", "abc def") < 0.2


class FakeScorer:
    """A scorer whose confidence is the share of Latin letters in the target (to see the plumbing)."""

    def __init__(self) -> None:
        self.back: list[str] = []

    def score_translations(self, segments: Sequence[str], targets: Sequence[str]) -> list[list[float]]:
        return [[-1.0 + sum(c.isascii() for c in t) / max(1, len(t))] * 3 for t in targets]

    def with_languages(self, source_language: str, target_language: str) -> Any:
        scorer = self

        class Back:
            def translate_batch(self, segments: Sequence[str]) -> list[Any]:
                scorer.back.extend(segments)
                return [type("H", (), {"best": type("B", (), {"text": "训练数据"})()})() for _ in segments]

        return Back()


def test_score_records_scores_mt_gives_tm_exact_one_and_leaves_copies() -> None:
    records = [
        mt("a", "训练数据来自公开的网页。", "The training data comes from public web pages."),
        mt("b", "训练数据来自公开的网页。", "训练数据来自公开的网页。"),
        SegmentRecord("c", "蒸馏。", "Distillation.", "tm-exact", 1.0, attempts=0),
        SegmentRecord("d", "GPT-4", "GPT-4", "copy", 0.0, attempts=0),
    ]
    scorer = FakeScorer()
    assert isinstance(scorer, Scorer)
    scored = score_records(records, scorer, config=QualityConfig(backtranslation=True))
    assert scored[0].quality is not None and scored[1].quality is not None
    assert scored[0].quality > scored[1].quality  # confident and covered beats untranslated
    assert scored[2].quality == 1.0 and scored[3].quality is None
    signals = model_signals(scorer, ["训练数据"], ["Training data"], backtranslation=True)
    assert signals["backtranslation"] == [pytest.approx(1.0)] and scorer.back[-1] == "Training data"


class OtherModel:
    """A second engine: its own translation of every source is a fixed sentence (it records the sources)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: list[str] = []

    def translate_batch(self, segments: Sequence[str]) -> list[Any]:
        self.seen.extend(segments)
        return [type("H", (), {"best": type("B", (), {"text": self.text})()})() for _ in segments]


def test_agreement_compares_the_translation_with_a_second_models_own_and_needs_that_model() -> None:
    source = "训练数据来自公开的网页。"
    records = [
        mt("a", source, "The training data comes from public web pages."),
        mt("b", source, "Bananas are yellow <g1>fruit</g1>."),
    ]
    other = OtherModel("The training data comes from public web pages.")
    config = QualityConfig(agreement=True)
    signals = record_signals(records, FakeScorer(), config=config, second=other)
    assert other.seen == [source, source]  # the second model translated the sources, not the outputs
    assert signals[0] is not None and signals[1] is not None
    assert signals[0]["agreement"] == pytest.approx(1.0) and signals[1]["agreement"] < 0.3
    layer = QualityTranslator(CandidateEngine({}), FakeScorer(), config, second=other)
    assert layer.calibration is CALIBRATIONS["agreement"] and "quality.agreement" in layer.signature
    assert "quality.agreement" not in QualityTranslator(CandidateEngine({}), FakeScorer()).signature
    with pytest.raises(ConfigError, match="second model"):
        QualityTranslator(CandidateEngine({}), FakeScorer(), config)
    # without the flag the second model is not asked
    record_signals(records, FakeScorer(), config=QualityConfig(), second=other)
    assert len(other.seen) == 2
    engine = CandidateEngine({source: ["The training data comes from public web pages."]})
    stack = build_translator(engine, quality=config, second=other)
    [record] = stack.translate([source])
    assert record.quality is not None and other.seen[-1] == source


def test_needs_review_is_a_low_score_or_an_error() -> None:
    low = mt("a", "源", "x", quality=0.2)
    high = mt("b", "源", "x", quality=0.9)
    error = mt("c", "源", "x", quality=0.9, issues=(SegmentIssue("term-missing", "error", "m", "t"),))
    invented = mt("d", "源", "x", quality=0.9, issues=(SegmentIssue("invented-content", "warning", "m"),))
    assert [needs_review(r, 0.5) for r in (low, high, error, invented)] == [True, False, True, True]
    with pytest.raises(ConfigError):
        QualityConfig(review_threshold=1.5)


def test_the_layer_scores_records_and_survives_the_journal_form() -> None:
    engine = CandidateEngine({"SMIC很大。": ["SMIC is big."]})
    translator = QualityTranslator(TermAwareTranslator(engine, termbase()))
    [record] = translator.translate(["中芯国际很大。"])
    assert record.quality is not None and 0 < record.quality < 1
    assert SegmentRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    assert translator.signature["quality.calibration"]
    assert not any("review_threshold" in key for key in translator.signature)  # a threshold keeps the journal
    full = QualityTranslator(translator.inner, config=QualityConfig(backtranslation=True))
    assert "backtranslation" in full.calibration.features and full.signature != translator.signature


def test_build_translator_scores_and_the_tiny_model_gives_token_log_probabilities(tmp_path: Path) -> None:
    engine = tiny_engine(install_tiny(tmp_path / "models"))
    [lp] = engine.score_translations(["你好。"], ["Hello."])
    assert len(lp) >= 2 and all(v <= 0 for v in lp)
    plain, empty = engine.score_texts(["Hello there.", ""])
    assert len(plain) >= 2 and all(v <= 0 for v in plain) and empty == []
    back = engine.with_languages("English", "Chinese")
    assert back.config.target_language == "Chinese" and back._generator is engine._generator
    tokenizer = back._tokenizer  # the twin's prompt asks for its own languages (it once had none)
    ids = [tokenizer.token_to_id(t) for t in back.prompt_tokens("Hello.")]
    prompt = tokenizer.decode(ids, skip_special_tokens=False)
    assert "Translate this English text to Chinese" in prompt and "<|im_start|>system" in prompt
    [record] = build_translator(engine).translate(["训练数据来自公开的网页。"])
    assert record.quality is not None and 0 <= record.quality <= 1


def test_batch_writes_review_page_and_review_numbers(tmp_path: Path) -> None:
    plan = load_batch_manifest(write_corpus(tmp_path, docs=2), tmp_path / "data")
    translator = build_translator(IdentityEngine())  # keeps the Chinese: everything scores low
    report = run_batch(plan, translator, BatchConfig(output_dir=tmp_path / "out", review_threshold=0.9))
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    doc = data["documents"][0]
    assert (
        doc["needs_review"] == len(doc["review"]) > 0
        and data["totals"]["needs_review"] >= doc["needs_review"]
    )
    assert doc["mean_quality"] is not None and doc["review"][0]["quality"] <= doc["review"][-1]["quality"]
    assert report.documents[1].needs_review > 0
    page = (tmp_path / "out" / "review.html").read_text("utf-8")
    assert page.count('data-review="1"') == data["totals"]["needs_review"]
    assert "doc0" in page and "doc1" in page and 'id="sort-score"' in page
    assert 'href="review.html"' in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_review_page_highlights_terms_on_both_sides() -> None:
    from termalign.translator.records import TermUse

    record = mt(
        "b1.s0", "中芯國際的芯片和蒸餾。", "SMIC's chips and distilled models.", quality=0.3,
        terms=(TermUse("中芯国际", "SMIC", True), TermUse("蒸馏", "distillation", False)),
        issues=(SegmentIssue("term-missing", "error", "蒸馏 should be rendered as 'distillation'", "蒸馏"),),
    )  # fmt: skip
    page = render_review([ReviewDocument("doc", [record])], threshold=0.5)
    assert '<mark class="term">中芯國際</mark>' in page  # Traditional text matched on its Simplified view
    assert '<mark class="term missing">蒸餾</mark>' in page
    assert '<mark class="term">SMIC</mark>' in page and "term-missing" in page
    assert 'data-review="1"' in page and "0.30" in page


def test_review_page_shows_a_note_that_is_also_an_issue_once() -> None:
    said = "not a translation: the output is only the glossary's rendering of a term"
    record = mt(
        "b1.s0", "例如，在独立的芯片上运行蒸馏可能更加可行。", "distillation", quality=0.9,
        issues=(SegmentIssue("not-a-translation", "error", said),), notes=(said, "repaired: re-prompt"),
    )  # fmt: skip
    page = render_review([ReviewDocument("doc", [record])], threshold=0.5)
    assert page.count("not a translation: the output") == 1 and "repaired: re-prompt" in page
    assert 'data-review="1"' in page  # an error marks it although the score is high


def test_translate_review_page_tmx_notes_and_threshold(tmp_path: Path) -> None:
    from termalign.cli import _register, cli

    _register()
    models = install_tiny(tmp_path / "models")
    doc = tmp_path / "doc.md"
    doc.write_text("训练数据来自公开的网页。\n\n团队计划下个月公布更多细节。\n", encoding="utf-8")
    review, run_tmx = tmp_path / "review.html", tmp_path / "run.tmx"
    args = ["translate", str(doc), "-o", str(tmp_path / "doc.en.md"), "--model", "tiny"]
    args += ["--models-dir", str(models), "--review", str(review), "--tmx", str(run_tmx)]
    result = CliRunner().invoke(cli, [*args, "--review-threshold", "1"])
    assert result.exit_code == 0, result.output
    assert "needs review" in result.output
    page = review.read_text("utf-8")
    assert page.count('data-review="1"') == 2  # nothing scores 1.0: a threshold of 1 marks all
    units = read_tmx(run_tmx, source_lang="zh").units
    assert all(u.prop("x-quality") for u in units)
    assert all(any(n.startswith("quality ") and "needs review" in n for n in u.notes) for u in units)
    bad = CliRunner().invoke(cli, [*args, "--review-threshold", "2"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_a_server_item_split_into_sentences_gets_its_weakest_sentence_score() -> None:
    from termalign.translator.server import _regroup
    from termalign.translator.split import split_text

    piece = split_text("训练数据来自网页。模型很小。", "zh")
    assert len(piece.spans) == 2
    parts = [mt("0", "训练数据来自网页。", "Data comes from the web.", quality=0.7),
             mt("1", "模型很小。", "The model is small.", quality=0.4)]  # fmt: skip
    [item] = _regroup([piece], parts)
    assert item.quality == 0.4 and item.to_dict()["quality"] == 0.4


def test_a_location_scale_calibration_widens_the_low_quantile_for_short_segments() -> None:
    # chrF = 0.3 + 0.4 * quality + noise whose width shrinks with the length (as sentence chrF's
    # does); the location-scale fit finds the quality weight in the location, the length in the
    # spread, and predicts the 0.2-quantile: short segments score lower at the same quality.
    rows, targets = [], []
    for k in range(400):
        quality, han = (k % 10) / 9, (5, 20, 80)[k % 3]
        noise = ((k * 7919) % 101 / 100 - 0.5) * 2  # evenly spread in [-1, 1], not tied to k % 10
        rows.append({"quality": quality, "size": math.log(1 + han)})
        targets.append(0.3 + 0.4 * quality + noise * 0.8 / math.sqrt(han))
    fitted = Calibration.fit_location_scale(rows, targets, ("quality",), spread=("size",), quantile=0.2)
    assert fitted.spread is not None and fitted.spread.weights[0] < 0  # longer: narrower
    assert fitted.weights[0] > 0 and fitted.quantile == 0.2
    short, long = {"quality": 0.5, "size": math.log(6)}, {"quality": 0.5, "size": math.log(81)}
    assert fitted.score(short) < fitted.score(long) - 0.1
    assert fitted.score({"quality": 1.0, "size": math.log(81)}) > fitted.score(long)
    for han in (5, 20, 80):  # about a fifth of each length's targets under its score
        kind = [(r, t) for r, t in zip(rows, targets, strict=True) if r["size"] == math.log(1 + han)]
        below = sum(1 for r, t in kind if t < fitted.score(r))
        assert 0.08 * len(kind) <= below <= 0.35 * len(kind)
    assert all(0.0 <= fitted.score(r) <= 1.0 for r in rows)
    assert fitted.as_dict()["spread"]["features"] == ("size",)
    with pytest.raises(ConfigError):
        Calibration.fit_location_scale(rows, targets, ("quality",), quantile=0.0)


def test_fluency_is_the_models_language_model_score_of_the_translation() -> None:
    class FluentScorer(FakeScorer):
        def score_texts(self, texts: Sequence[str]) -> list[list[float]]:
            return [[-0.5, -1.5] if "data" in t else [-4.0] if t else [] for t in texts]

    signals = model_signals(FluentScorer(), ["源"] * 3, ["Training data", "Bananas", ""], fluency=True)
    assert signals["fluency"] == [-1.0, -4.0, None]
    assert "fluency" not in model_signals(FakeScorer(), ["源"], ["Training data"], fluency=True)
    rows = [{"fluency": -1.0 - k / 10} for k in range(30)]
    calibration = Calibration.fit_location_scale(rows, [0.8 - k / 50 for k in range(30)], ("fluency",))
    records = [mt("a", "训练数据。", "Training data."), mt("b", "训练数据。", "Bananas.")]
    scored = score_records(
        records, FluentScorer(), config=QualityConfig(fluency=True), calibration=calibration
    )
    plain = score_records(
        records, FluentScorer(), config=QualityConfig(fluency=False), calibration=calibration
    )
    assert scored[0].quality is not None and scored[1].quality is not None
    assert scored[0].quality > scored[1].quality and plain[0].quality == plain[1].quality


def test_record_signals_are_what_score_records_scores_and_can_be_given_back() -> None:
    records = [
        mt("a", "训练数据来自公开的网页。", "The training data comes from public web pages.", score=-0.2),
        SegmentRecord("c", "蒸馏。", "Distillation.", "tm-exact", 1.0, attempts=0),
        SegmentRecord("d", "GPT-4", "GPT-4", "copy", 0.0, attempts=0),
    ]
    config = QualityConfig(backtranslation=True)
    signals = record_signals(records, FakeScorer(), config=config)
    assert signals[1] is None and signals[2] is None  # exact matches and copies get no signals
    assert signals[0] is not None and signals[0]["logprob"] == -0.2 and "backtranslation" in signals[0]
    direct = score_records(records, FakeScorer(), config=config)
    assert score_records(records, config=config, signals=signals) == direct  # no model needed then
    worse = [{**signals[0], "logprob": -3.0}, None, None]
    lower = score_records(records, config=config, signals=worse)[0].quality
    assert lower is not None and direct[0].quality is not None and lower < direct[0].quality
    with pytest.raises(ConfigError):
        score_records(records, config=config, signals=signals[:1])
