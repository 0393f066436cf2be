"""The package version, in a leaf module every layer may import (as sacrebleu keeps it)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
