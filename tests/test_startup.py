"""`termalign --help` stays fast: registering every command loads none of the libraries."""

from __future__ import annotations

import subprocess
import sys


def test_help_imports_no_library_and_no_heavy_dependency() -> None:
    code = (
        "import sys\n"
        "from termalign.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('termalign.align', 'termalign.termbase.store', 'termalign.translator',\n"
        "         'termalign.pipeline', 'numpy', 'lxml', 'ctranslate2', 'sqlite3', 'httpx')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "config" in result.stdout and "translate" in result.stdout
