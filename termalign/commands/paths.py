"""One check every command runs before it writes: no output may overwrite an input or another output.

Paths are compared resolved (``./a.md`` and ``a.md``, symbolic links, hard
links), so ``align page.html en.md -o page.html`` or ``translate doc.md -o
doc.md --report doc.md`` are refused with one sentence before any work is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from termalign.kernel.atomic import same_file
from termalign.kernel.errors import ConfigError

__all__ = ["check_paths"]

Paths = Path | Iterable[Path] | None


def _flat(named: Mapping[str, Paths]) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for label, value in named.items():
        if value is None:
            continue
        for path in [value] if isinstance(value, Path) else value:
            out.append((label, Path(path)))
    return out


def check_paths(*, inputs: Mapping[str, Paths], outputs: Mapping[str, Paths]) -> None:
    """Raise :class:`ConfigError` if an output is an input, or two outputs are one file.

    ``inputs`` and ``outputs`` map an option's name (``"INPUT"``, ``"--report"``)
    to a path, several paths, or None (not given).
    """
    ins, outs = _flat(inputs), _flat(outputs)
    for k, (label, path) in enumerate(outs):
        for in_label, in_path in ins:
            if same_file(path, in_path):
                raise ConfigError(
                    f"{label} {path} is the same file as {in_label} {in_path}; "
                    "writing it would destroy the input, so choose another path"
                )
        for other_label, other in outs[:k]:
            if same_file(path, other):
                what = f"{other_label} and {label}" if other_label != label else f"{label} (given twice)"
                raise ConfigError(f"{what} name one file, {path}; give each output its own path")
