"""Segmentation by SRX 2.0 rules, as a CAT tool cuts a paragraph into segments.

The rules engine is choppa (a faithful port of the Java ``segment`` library,
the SRX reference implementation).  ``omegat`` names the rules shipped in
``align/data/omegat-default.srx``, which cut Chinese and English as OmegaT
3.6's default segmentation does; any other value is the path of an SRX 2.0 file
(a CAT project's own rules, exported).  Used by the TMX export that writes one
unit per CAT segment (:mod:`termalign.align.outputs.tmx`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from termalign.kernel.errors import ConfigError, DocumentError

__all__ = ["BUILT_IN", "SrxRules", "srx_rules"]

BUILT_IN = {"omegat": Path(__file__).parent / "data" / "omegat-default.srx"}


class SrxRules:
    """Loaded SRX rules; :meth:`cut` gives a text's segments as character spans."""

    def __init__(self, name: str, document: Any) -> None:
        self.name = name
        self._document = document

    def cut(self, text: str, lang: str) -> list[tuple[int, int]]:
        """Spans of ``text``'s segments for language ``lang``, whitespace around each left out."""
        from choppa import SrxTextIterator

        spans: list[tuple[int, int]] = []
        at = 0
        for piece in SrxTextIterator(self._document, lang, text):
            start, end = at, at + len(piece)
            at = end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                spans.append((start, end))
        return spans


@lru_cache(maxsize=8)
def srx_rules(name: str) -> SrxRules:
    """The rules ``name``: a built-in set (``omegat``) or the path of an SRX 2.0 file."""
    path = BUILT_IN.get(name, Path(name))
    if not path.is_file():
        known = ", ".join(sorted(BUILT_IN))
        raise ConfigError(f"no SRX rules {name!r}: give the path of an SRX 2.0 file or one of {known}")
    try:
        from choppa import SrxDocument
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConfigError("SRX segmentation needs the choppa-srx package (pip install choppa-srx)") from exc
    try:
        return SrxRules(name, SrxDocument(ruleset=str(path)))
    except Exception as exc:  # the SAX parser's and the regex compiler's errors, in one sentence
        raise DocumentError(f"cannot read the SRX rules ({exc})", path=path) from exc
