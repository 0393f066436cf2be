"""termalign: offline alignment, terminology and termbase-aware translation."""

__version__ = "0.1.0"

__all__ = ["__version__"]
