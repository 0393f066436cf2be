"""The held-out evaluation: mechanical glossary import, the split, comments never reach model or TM."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from termalign.kernel.errors import ConfigError
from termalign.translator.engine import Hypotheses, Hypothesis
from termalign.translator.heldout import (
    HeldoutConfig,
    glossary_entries,
    heldout_beads,
    page_memory,
    run_heldout,
    split_pages,
    table_lines,
)

ZH = """---
title: 控制器
---
<!--
title: Controllers SECRETFRONT
-->

<!--
In robotics, a control loop regulates a system SECRETWORD.
-->
在机器人技术中，控制回路调节系统状态。

<!--
A controller tracks at least one resource type.
-->
一个{{< glossary_tooltip text="控制器" term_id="controller" >}}至少追踪一种资源类型。

<!--
The budget was 5 million dollars.
-->
预算是500万美元。
"""
EN = """---
title: Controllers
---

In robotics, a control loop regulates the state of a system.

A {{< glossary_tooltip text="controller" term_id="controller" >}} tracks at least one resource type.

The budget was 5 million dollars.
"""
GLOSSARY = (
    "en\tzh\tterm_id\tzh_keeps_en\ten_aka\n"
    "Controller\t控制器\tcontroller\tno\t\n"
    "cgroup (control group)\tcgroup\tcgroup\tyes\t\n"
    "Control Loop\t控制回路 | 控制环\tcontrol-loop\tno\t\n"
    "Developer (disambiguation)\t开发者\tdeveloper\tno\t\n"
)
ANSWERS = {
    "在机器人技术中，控制回路调节系统状态。": "In robotics, a control loop regulates the state of a system.",
    "一个<g1>控制器</g1>至少追踪一种资源类型。": "A <g1>controller</g1> tracks at least one resource type.",
    "预算是500万美元。": "The budget was 5 million dollars.",
    "预算是$5 million。": "The budget was $5 million.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for name in ("alpha", "beta", "gamma"):
        (tmp_path / "zh").mkdir(exist_ok=True)
        (tmp_path / "en").mkdir(exist_ok=True)
        (tmp_path / "zh" / f"{name}.md").write_text(ZH, encoding="utf-8")
        (tmp_path / "en" / f"{name}.md").write_text(EN, encoding="utf-8")
    (tmp_path / "glossary.tsv").write_text(GLOSSARY, encoding="utf-8")
    return tmp_path


class Table:
    """An engine answering from a table (anything else comes back as 'Unknown text here.')."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @property
    def model_id(self) -> str:
        return "table"

    @property
    def signature(self) -> dict[str, Any]:
        return {"engine": "table"}

    def translate_batch(self, segments: Sequence[str], **_: Any) -> list[Hypotheses]:
        self.seen += segments
        return [Hypotheses(s, (Hypothesis(ANSWERS.get(s, "Unknown text here."), 0.0, 3),)) for s in segments]


def test_glossary_is_imported_mechanically(corpus: Path) -> None:
    entries = {e.source: e for e in glossary_entries(corpus / "glossary.tsv")}
    assert entries["控制器"].target == "Controller" and entries["控制器"].approved
    assert entries["控制回路"].source_variants == ("控制环",)
    assert entries["cgroup"].target == "cgroup" and entries["cgroup"].target_variants == ("control group",)
    assert entries["开发者"].target == "Developer" and entries["开发者"].target_variants == ()


def test_split_alternates_pages_sorted_by_name(corpus: Path) -> None:
    assert split_pages(corpus) == (["alpha", "gamma"], ["beta"])


def test_comments_reach_neither_the_model_nor_the_memory(corpus: Path) -> None:
    beads = heldout_beads(corpus, "alpha", None)
    texts = [s for b in beads for s in b.segments] + [b.source for b in beads]
    assert len(beads) == 3 and not any("SECRET" in t or "robotics" in t for t in texts)
    assert "term_id" not in " ".join(texts)  # the shortcode is markup, its text a pair
    memory = page_memory(corpus, ["beta"])
    assert len(memory) == 3 and not any(
        "SECRET" in e.source or "robotics" in e.source for e in memory.entries
    )


def test_run_scores_every_arm_on_the_same_beads(corpus: Path) -> None:
    engine = Table()
    report = run_heldout(engine, HeldoutConfig(corpus, per_page=None, beam_sizes=()))
    assert report["held_out"] and report["subset"]["beads"] == 6
    arms = report["arms"]
    assert list(arms) == [
        "model", "glossary-inline", "glossary-list", "glossary-auto", "glossary-auto-demand",
        "glossary-verify", "glossary-verify-inline", "glossary-verify-inline-n2", "glossary-auto+tm",
    ]  # fmt: skip
    assert arms["model"]["segment"]["chrF"] == pytest.approx(100.0)
    assert arms["model"]["terms"]["usage"] == 1.0 and arms["model"]["numbers"]["right"] == 1.0
    # with the glossary, the amount is written in English for the engine; the TM answers the rest
    assert "预算是$5 million。" in engine.seen
    assert arms["glossary-auto+tm"]["origins"] == {"mt": 2, "tm-exact": 4}  # tags inside: not reused
    assert arms["glossary-auto"]["resources"]["glossary"] == "k8s glossary, auto"
    assert len(table_lines(report)) == 2 + len(arms)
    # the table engine answers the model arm right everywhere: no arm wins a bead against it
    pair = arms["glossary-verify"]["paired_vs_model"]
    assert pair["beads"] == 6 and pair["wins"] == 0 and "paired_vs_model" not in arms["model"]


def test_paired_counts_wins_losses_and_identical_beads() -> None:
    from termalign.translator.heldout import paired

    refs = ["the pod runs", "a node fails", "same"]
    pair = paired(["the pod runs", "a cat", "same"], ["a pod", "a node fails", "same"], refs)
    assert (pair["beads"], pair["identical"], pair["wins"], pair["losses"]) == (3, 1, 1, 1)


def test_unknown_arm_is_one_clear_error(corpus: Path) -> None:
    with pytest.raises(ConfigError, match="unknown held-out arm"):
        HeldoutConfig(corpus, arms=("nope",))


def test_cli_heldout_table_with_the_tiny_model(corpus: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from termalign.cli import cli
    from termalign.commands import COMMANDS
    from tests.batch_samples import install_tiny

    for command in COMMANDS:
        cli.add_command(command)
    models = install_tiny(tmp_path / "models")
    args = ["eval", "--heldout", str(corpus), "--arms", "model,glossary-auto", "--per-page", "1",
            "--model", "tiny", "--models-dir", str(models), "--max-new-tokens", "4"]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (
        "BLEU seg" in result.output
        and "glossary-auto" in result.output
        and "(human English)" in result.output
    )
    missing = CliRunner().invoke(cli, ["eval"], catch_exceptions=False)
    assert missing.exit_code != 0 and "--heldout" in missing.output
