"""How much of the DeepSeek FAQ OmegaT 3.6 auto-fills from the TMX termalign aligns.

Run ``python bench/omegat_bench.py`` from the repository root (needs Debian's
``omegat`` package; the corpus from ``$TERMALIGN_DATA`` or ``../shared/corpora``).
One OmegaT project: the Chinese FAQ as its source file (OmegaT 3.6 reads it with
its plain-text filter: markdown is text to it), the TMX in ``tm/auto``, the
glossary in ``glossary``; ``--mode=console-translate``; the filled share comes
from OmegaT's own ``project_stats.txt``.  Three TMX renderings, in the same run:

* baseline: every unit as plain visible text (termalign before inline codes);
* termalign: markup as ``<bpt>/<ept>/<ph>`` inline codes (the default now);
* literal: the codes' markup written as text (what OmegaT's plain-text segments hold).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from omegat_tools import console_translate, missing  # noqa: E402

from termalign.align.corpus import default_data_dir  # noqa: E402
from termalign.pipeline import align_files  # noqa: E402

FAQ_ZH = "deepseek/003_05826dfd94971908.txt"
FAQ_EN = "deepseek/stratechery-deepseek-faq.en.md"
_CODE = re.compile(r"<(bpt|ept|ph|it)\b[^>]*>([^<]*)</\1>")


def main() -> int:
    why = missing()
    if why:
        print(f"skipped: {why}")
        return 0
    data = default_data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tmx = work / "faq.tmx"
        align_files(data / FAQ_ZH, data / FAQ_EN, [tmx])
        coded = tmx.read_text(encoding="utf-8")
        variants = {
            "baseline (plain text)": _CODE.sub("", coded),
            "termalign (inline codes)": coded,
            "literal markup": _CODE.sub(lambda m: m.group(2), coded),
        }
        source = {"faq.txt": (data / FAQ_ZH).read_text(encoding="utf-8")}
        print(f"{'TMX':28} {'segments':>8} {'filled':>7} {'share':>6}")
        for name, text in variants.items():
            path = work / name.split()[0] / "faq.tmx"
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            stats = console_translate(path.parent / "project", source, path, None)
            print(f"{name:28} {stats.segments:8} {stats.filled:7} {stats.filled / stats.segments:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
