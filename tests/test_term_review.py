"""The review page in a real headless Chromium: load it, approve two, reject one, apply, check the termbase.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and the
``selenium`` package; skipped with the reason when either is missing.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from termalign.cli import _register, cli
from termalign.termbase.extract import AlignedPair, Candidate, write_candidates
from termalign.termbase.review import decided_entries, read_decisions, review_page
from termalign.termbase.store import load_termbase

PAIRS = [
    AlignedPair("容器运行时负责运行容器。", "The container runtime runs containers.", "a:b1.s0"),
    AlignedPair("每个节点都有容器运行时。", "Every node has a container runtime.", "a:b2.s0"),
    AlignedPair("节点属于集群。", "A node belongs to a cluster.", "b:b1.s0"),
    AlignedPair("使用 kubectl 命令。", "Use the kubectl command.", "b:b2.s0"),
]
CANDS = [
    Candidate(
        "容器运行时",
        "container runtime",
        0.9,
        1,
        0,
        2,
        2,
        2,
        False,
        ("a:b1.s0", "a:b2.s0"),
        variants=("container runtimes",),
    ),
    Candidate("节点", "node", 0.8, 1, 0, 2, 2, 2, False, ("a:b2.s0", "b:b1.s0")),
    Candidate("集群", "belongs", 0.3, 1, 0, 1, 1, 1, False, ("b:b1.s0",)),
    Candidate("kubectl", "kubectl", 0.7, 1, 0, 1, 1, 1, False, ("b:b2.s0",), kind="name"),
]


@pytest.fixture(autouse=True)
def _commands() -> None:
    _register()


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def test_page_highlights_the_term_on_both_sides():
    from termalign.termbase.review import read_candidate_rows

    page = review_page(
        [
            {
                "source": "节点",
                "target": "node",
                "example_pairs": '[["a:1", "每个节点都有容器。", "Every Node has containers."]]',
            }
        ]
    )
    assert "<mark>节点</mark>" in page and "<mark>Node</mark>" in page
    assert read_candidate_rows  # the CSV reader is exercised in the browser test


def test_bad_decisions_are_reported_together(tmp_path):
    bad = tmp_path / "decisions.csv"
    bad.write_text("decision,source,target\nmaybe,a,b\napprove,,x\napprove,节点,node\n", encoding="utf-8")
    from termalign.kernel.errors import TermbaseError

    with pytest.raises(TermbaseError) as err:
        read_decisions(bad)
    assert "line 2" in str(err.value) and "line 3" in str(err.value)


def test_edited_rendering_drops_the_suggestion_and_names_are_propn(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "decision,kind,source,target,suggested,variants,count_pair,examples\n"
        "edit,term,集群,cluster,belongs,,1,b:b1.s0\n"
        "approve,name,kubectl,kubectl,kubectl,,1,b:b2.s0\n",
        encoding="utf-8",
    )
    entries, lines, rejected = decided_entries(read_decisions(path))
    assert [e.target for e in entries] == ["cluster", "kubectl"] and rejected == 0
    assert entries[0].target_variants == () and entries[1].pos == "propn"
    assert str(entries[0].provenance[0]) == "review:b×1 b1.s0"
    assert lines == [2, 3]


@pytest.mark.skipif(_chromium() is None, reason="chromium and chromium-driver are not installed")
def test_review_in_headless_chromium(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    browser, driver_path = _chromium()  # type: ignore[misc]
    cands = tmp_path / "candidates.csv"
    write_candidates(CANDS, cands, PAIRS)
    termbase = tmp_path / "termbase.tsv"
    result = CliRunner().invoke(cli, ["term", "review", str(cands), "-t", str(termbase)])
    assert result.exit_code == 0, result.output
    page = tmp_path / "candidates.review.html"
    assert page.exists()

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        driver.get(page.as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "tr.cand")
        assert len(rows) == 4
        marks = [m.text for m in rows[0].find_elements(By.TAG_NAME, "mark")]
        assert "容器运行时" in marks and "container runtime" in marks
        driver.find_element(By.ID, "d0-approve").click()
        driver.find_element(By.ID, "d1-approve").click()
        driver.find_element(By.ID, "d2-reject").click()
        assert driver.find_element(By.ID, "count").text == "3"
        assert "approve" in rows[0].get_attribute("class")
        driver.find_element(By.ID, "download").click()
        target = downloads / "decisions.csv"
        for _ in range(100):
            if target.exists() and target.stat().st_size:
                break
            time.sleep(0.1)
        assert target.exists(), "the browser did not download decisions.csv"
    finally:
        driver.quit()

    result = CliRunner().invoke(cli, ["term", "review", "--apply", str(target), "-t", str(termbase)])
    assert result.exit_code == 0, result.output
    with load_termbase(termbase) as store:
        entries = {e.source: e for e in store.entries()}
    assert set(entries) == {"容器运行时", "节点"}
    runtime = entries["容器运行时"]
    assert runtime.target == "container runtime" and runtime.approved
    assert runtime.target_variants == ("container runtimes",)
    assert [str(p) for p in runtime.provenance] == ["review:a×2 b1.s0,b2.s0"]
    assert "集群" not in entries and "kubectl" not in entries


def test_apply_without_candidates_or_decisions_is_one_clear_error(tmp_path: Path):
    result = CliRunner().invoke(cli, ["term", "review", "-t", str(tmp_path / "t.tsv")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "candidates CSV" in result.output
