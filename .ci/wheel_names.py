"""Build the wheel and fail unless its only top-level name is ``termalign``.

Run by ``make check-wheel`` (and so by ``.ci/run``): the one-namespace promise is that
installing termalign puts no package named ``align``, ``termbase``, ``translator`` or
``corpora`` into a user's environment.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, "."],
            check=True,
        )
        (wheel,) = Path(tmp).glob("termalign-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
    top = sorted({n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")})
    data = [n for n in names if n.startswith("termalign/corpora/deepseek/")]
    print(f"wheel top-level names: {', '.join(top)}; packaged corpus files: {len(data)}")
    if top != ["termalign"]:
        print("error: the wheel must install only the `termalign` package", file=sys.stderr)
        return 1
    if not any(n.endswith("termbase.tsv") for n in data):
        print("error: the curated termbase is missing from the wheel's package data", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
