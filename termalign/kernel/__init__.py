"""The kernel: what every layer may import, and which imports nothing of ours.

Errors (:mod:`termalign.kernel.errors`), atomic writes
(:mod:`termalign.kernel.atomic`) and the version (:mod:`termalign.kernel.version`).
"""

from termalign.kernel.atomic import atomic_write_bytes, atomic_write_text
from termalign.kernel.errors import (
    AlignmentError,
    ConfigError,
    DocumentError,
    ModelError,
    TermalignError,
    TermbaseError,
)
from termalign.kernel.version import __version__

__all__ = [
    "__version__",
    "atomic_write_bytes",
    "atomic_write_text",
    "TermalignError",
    "DocumentError",
    "AlignmentError",
    "TermbaseError",
    "ModelError",
    "ConfigError",
]
