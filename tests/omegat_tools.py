"""Running the real OmegaT (Debian's package) headless, for the CAT-tool tests and the bench."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

JAR = Path(os.environ.get("TERMALIGN_OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
PROBE = Path(__file__).parent / "data" / "omegat" / "Probe.java"
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <source_tok>org.omegat.tokenizer.DefaultTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


def missing() -> str | None:
    """Why OmegaT cannot run here (None: it can)."""
    if shutil.which("java") is None:
        return "no java (OmegaT needs a JRE; .ci/run installs the omegat package)"
    if not JAR.is_file():
        return f"OmegaT is not installed ({JAR} missing; .ci/run installs Debian's omegat package)"
    return None


def probe(kind: str, path: Path, *langs: str) -> list[list[str]]:
    """What OmegaT's own reader loads from a glossary (tsv) or TMX: one row of fields per entry."""
    run = subprocess.run(
        ["java", "-cp", str(JAR), str(PROBE), kind, str(path), *langs],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [
        line.split("\t")
        for line in run.stdout.splitlines()
        if line.startswith(("ENTRY\t", "TU\t", "TOTAL\t"))
    ]


@dataclass(frozen=True)
class Stats:
    segments: int
    remaining: int
    log: str

    @property
    def filled(self) -> int:
        return self.segments - self.remaining


def console_translate(
    project: Path, sources: dict[str, str], tmx: Path, glossary: Path | None, source_lang: str = "zh-CN"
) -> Stats:
    """Build an OmegaT project (sources, our TMX in tm/auto, our glossary), translate it headless."""
    for folder in ("source", "target", "tm/auto", "glossary", "omegat", "dictionary"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    (project / "omegat.project").write_text(PROJECT.format(source=source_lang, target="en"), encoding="utf-8")
    for name, text in sources.items():
        (project / "source" / name).write_text(text, encoding="utf-8")
    shutil.copy(tmx, project / "tm" / "auto" / tmx.name)
    if glossary is not None:
        shutil.copy(glossary, project / "glossary" / glossary.name)
    env = {**os.environ, "HOME": str(project / "home")}  # OmegaT keeps its preferences there
    run = subprocess.run(
        ["java", "-jar", str(JAR), "--mode=console-translate", str(project)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    log = run.stdout + run.stderr
    if run.returncode != 0:
        raise RuntimeError(f"OmegaT failed ({run.returncode}): {log[-2000:]}")
    stats = (project / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    total = re.search(r"^Total:\s+(\d+)", stats, re.MULTILINE)
    remaining = re.search(r"^Remaining:\s+(\d+)", stats, re.MULTILINE)
    assert total and remaining, stats
    return Stats(int(total.group(1)), int(remaining.group(1)), log)


def segments(project: Path) -> list[str]:
    """The source segments OmegaT cuts the project's files into (its pseudo-translation TMX), once each."""
    out = project / "segments.tmx"
    env = {**os.environ, "HOME": str(project / "home")}
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(JAR),
            "--mode=console-createpseudotranslatetmx",
            f"--pseudotranslatetmx={out}",
            "--pseudotranslatetype=equal",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if run.returncode != 0:
        raise RuntimeError(f"OmegaT failed ({run.returncode}): {(run.stdout + run.stderr)[-2000:]}")
    from lxml import etree

    segs = (tu.find("tuv/seg") for tu in etree.parse(str(out)).iter("tu"))
    return ["".join(seg.itertext()) for seg in segs if seg is not None]


def unfilled(project: Path, name: str) -> list[str]:
    """The segments of source file ``name`` that the last console translation left untranslated.

    OmegaT writes an untranslated segment's source into the target file; with a
    target language in another script, a segment still found there is one it did not fill.
    """
    target = (project / "target" / name).read_text(encoding="utf-8")
    return [s for s in segments(project) if s in target]
