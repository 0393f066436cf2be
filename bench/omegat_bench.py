"""How much of the DeepSeek FAQ OmegaT 3.6 auto-fills from the TMX termalign aligns, and why not the rest.

Run ``python bench/omegat_bench.py`` from the repository root (needs Debian's
``omegat`` package; the corpus from ``$TERMALIGN_DATA`` or ``../shared/corpora``).
One OmegaT project: the Chinese FAQ as its source file (OmegaT 3.6 reads it with
its plain-text filter: markdown is text to it, paragraphs end at empty lines,
then its SRX rules cut sentences), the TMX in ``tm/auto``;
``--mode=console-translate``; the filled share comes from OmegaT's own
``project_stats.txt`` (segments counted with repeats).  One alignment, TMX
renderings in the same run:

* baseline: sentence units as plain visible text (termalign before inline codes);
* inline codes: markup as ``<bpt>/<ept>/<ph>`` (the default ``align -o x.tmx``);
* literal markup: the codes' markup written as text, sentence spans unchanged;
* ``--tmx-markup text``: sentence units cut from the file as a break-after-the-stop rule cuts it;
* ``--tmx-segments both --tmx-markup text``: paragraph units too (``segtype="paragraph"``: OmegaT
  re-cuts them with its own rules where both sides give as many sentences, else keeps them whole);
* ``--tmx-srx omegat``: one unit per segment as SRX rules that cut as OmegaT 3.6's defaults cut it
  (``align/data/omegat-default.srx``), its translation from the beads it overlaps;
* ``--tmx-segments both --tmx-srx omegat``: both of those (the command the README gives).

For each, ``chrF`` of OmegaT's translated file against the published English
file: a wrong fill lowers it as an unfilled (still Chinese) segment does.

Then every segment the last rendering leaves unfilled, sorted by cause (OmegaT's
segments from its pseudo-translation TMX, placed in the file, against the beads).
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import sacrebleu  # noqa: E402
from omegat_tools import console_translate, missing, unfilled  # noqa: E402

from termalign.align.aligner import Alignment, align_documents  # noqa: E402
from termalign.align.corpus import default_data_dir  # noqa: E402
from termalign.align.outputs.tmx import TmxLayout, write  # noqa: E402
from termalign.align.reader import read_document  # noqa: E402

FAQ_ZH = "deepseek/003_05826dfd94971908.txt"
FAQ_EN = "deepseek/stratechery-deepseek-faq.en.md"
_CODE = re.compile(r"<(bpt|ept|ph|it)\b[^>]*>([^<]*)</\1>")


def _renderings(alignment: Alignment, work: Path) -> dict[str, str]:
    write(alignment, work / "coded.tmx")
    coded = (work / "coded.tmx").read_text(encoding="utf-8")
    out = {
        "baseline (plain text)": _CODE.sub("", coded),
        "inline codes (default)": coded,
        "literal markup": _CODE.sub(lambda m: m.group(2), coded),
    }
    for name, layout in {
        "--tmx-markup text": TmxLayout("sentence", "text"),
        "--tmx-segments both, text": TmxLayout("both", "text"),
        "--tmx-srx omegat": TmxLayout("sentence", "text", "omegat"),
        "--tmx-segments both --srx": TmxLayout("both", "text", "omegat"),
    }.items():
        write(alignment, work / "laid.tmx", layout)
        out[name] = (work / "laid.tmx").read_text(encoding="utf-8")
    return out


def causes(alignment: Alignment, segments: list[str]) -> Counter[str]:
    """Why each segment has no unit: what the beads hold where OmegaT cut it."""
    doc = alignment.source_document
    assert doc is not None
    bead_of = {i: b for b in alignment.beads for i in b.source_ids}
    out: Counter[str] = Counter()
    for seg in segments:
        start = doc.text.find(seg)
        end = start + len(seg)
        inside = [s for s in doc.sentences if s.start < end and s.end > start]
        beads = [bead_of[s.id] for s in inside]
        if not inside:
            cause = "no sentence of ours (front matter)"
        elif all(b.is_unaligned for b in beads):
            cause = "the aligner left it unaligned (1-0 bead)"
        elif any(b.is_unaligned for b in beads):
            cause = "partly unaligned"
        elif any(len(b.source_ids) > 1 for b in beads):
            cause = "the aligner joined zh sentences (n-1 bead) that OmegaT cuts apart"
        elif len(inside) > 1:
            cause = "one segment over sentences of ours whose targets are not one stretch"
        elif inside[0].start < start or inside[0].end > end:
            cause = "OmegaT cuts inside a sentence of ours, its target does not cut alike"
        else:
            cause = "other"
        out[cause] += 1
    return out


def main() -> int:
    why = missing()
    if why:
        print(f"skipped: {why}")
        return 0
    data = default_data_dir()
    alignment = align_documents(read_document(data / FAQ_ZH), read_document(data / FAQ_EN))
    source = {"faq.txt": (data / FAQ_ZH).read_text(encoding="utf-8")}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        english = (data / FAQ_EN).read_text(encoding="utf-8")
        print(f"{'TMX':28} {'units':>5} {'segments':>8} {'filled':>7} {'share':>6} {'chrF':>5}")
        project = work
        for n, (name, text) in enumerate(_renderings(alignment, work).items()):
            path = work / f"r{n}" / "faq.tmx"
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            project = path.parent / "project"
            stats = console_translate(project, source, path, None)
            units = text.count("<tu>") + text.count("<tu ")
            share = stats.filled / stats.segments
            translated = (project / "target" / "faq.txt").read_text(encoding="utf-8")
            chrf = sacrebleu.sentence_chrf(translated, [english]).score
            row = f"{name:28} {units:5} {stats.segments:8} {stats.filled:7} {share:6.1%} {chrf:5.1f}"
            print(row)
        cuts = Counter(re.findall(r'<prop type="x-cut">(\w+)</prop>', text))
        print(f"\nunits of the last rendering by how the target was found: {dict(cuts)}")
        missed = unfilled(project, "faq.txt")
        print(f"\nunfilled with the last rendering, by cause ({len(missed)} distinct segments):")
        for cause, count in causes(alignment, missed).most_common():
            print(f"{count:5}  {cause}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
