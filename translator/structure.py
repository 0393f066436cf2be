"""Structure in = structure out: drop the markup and line structure a model adds to a segment.

A small model likes to dress a plain sentence up: an empty code fence after
"…to the following code:", a rendering in backticks or quotes, ``**bold**``,
a ``## heading``, a paragraph split in two.  :func:`drop_invented_structure`
removes what the *source segment* does not have, for every format (the source
given is the engine's text: markdown emphasis and code are placeholders there,
so any ``*`` or backtick in the output was invented), and names each kind
removed so the report can count them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["STRUCTURE_KINDS", "drop_invented_structure"]

STRUCTURE_KINDS = (
    "code fence", "backticks", "emphasis", "heading",
    "blank line", "line break", "quotes", "control character",
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0d\x0e-\x1f\x7f\x85\u2028\u2029]")  # \r and other line ends too

_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)[^\n`]*$\n?", re.MULTILINE)
_FENCE = re.compile(r"```|~~~")
_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", re.DOTALL)
_UNDERSCORE = re.compile(r"__(?=\S)(.+?)(?<=\S)__|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])", re.DOTALL)
_KEEP = r"\1\2"  # whichever group matched (an unmatched group is replaced by nothing)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_BLANK = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")
_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_QUOTE_CHARS = "\"“”「」『』‘’'＂"
_DOUBLE_QUOTED = re.compile(r"[\"“”＂]([^\"“”＂\n]{1,80})[\"“”＂]")
_SINGLE_QUOTED = re.compile(r"(?<![\w])['‘]([^'‘’\n]{1,60}?)['’](?![\w])")


def drop_invented_structure(
    source: str, text: str, is_rendering: Callable[[str], bool] | None = None
) -> tuple[str, tuple[str, ...]]:
    """``text`` without the structure ``source`` lacks, and the kinds dropped (in STRUCTURE_KINDS order).

    Quotes go only around a term rendering (``is_rendering`` says which words are one):
    a model may quote a phrase for a reason, but "the `variable`" or "the \"variable\""
    for a source that had neither is the glossary showing through.
    """
    dropped: list[str] = []

    def sub(kind: str, pattern: re.Pattern[str], repl: str, value: str) -> str:
        new = pattern.sub(repl, value)
        if new != value:
            dropped.append(kind)
        return new

    out = text
    if not _CONTROL.search(source):
        out = sub("control character", _CONTROL, "", out)
    if not _FENCE.search(source):
        out = sub("code fence", _FENCE_LINE, "", out)
        out = sub("code fence", _FENCE, "", out)
    if "`" not in source:
        out = sub("backticks", re.compile("`+"), "", out)
    if "*" not in source:
        out = sub("emphasis", _STAR, _KEEP, out)
        out = sub("emphasis", re.compile(r"\*\*"), "", out)
    if "_" not in source:
        out = sub("emphasis", _UNDERSCORE, _KEEP, out)
    if not _HEADING.search(source):
        out = sub("heading", _HEADING, "", out)
    if is_rendering is not None and not any(ch in source for ch in _QUOTE_CHARS):

        def unquote(m: re.Match[str]) -> str:
            return m.group(1) if is_rendering(m.group(1).strip()) else m.group(0)

        for pattern in (_DOUBLE_QUOTED, _SINGLE_QUOTED):
            new = pattern.sub(unquote, out)
            if new != out:
                dropped.append("quotes")
                out = new
    if "\n" not in source.strip():
        out = out.strip()
        out = sub("blank line", _BLANK, " ", out)
        out = sub("line break", _BREAK, " ", out)
    elif not _BLANK.search(source.strip()):
        out = sub("blank line", _BLANK, "\n", out.strip())
    if dropped:
        out = re.sub(r"[ \t]{2,}", " ", out).strip()
    return out, tuple(k for k in STRUCTURE_KINDS if k in dropped)
