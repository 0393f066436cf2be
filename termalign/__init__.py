"""termalign: offline alignment, terminology and termbase-aware translation.

The namespace holds the layers, bottom to top: ``termalign.kernel`` (errors,
atomic writes, version), ``termalign.align`` (documents and the aligner),
``termalign.termbase``, ``termalign.translator``, and the CLI
(``termalign.cli``, ``termalign.commands``, ``termalign.pipeline``).
"""

from termalign.kernel.version import __version__

__all__ = ["__version__"]
