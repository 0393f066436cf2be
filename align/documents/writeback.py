"""Write translations back into a document, keeping everything else byte for byte.

:func:`rebuild` replaces each translated sentence span ``doc.text[s.start:s.end]``
with its translation (raw markup already restored, see :mod:`translator.markup`)
and copies every other character of the original: front matter, block markers,
block-level tags, images, the whitespace between sentences.

Join rule (``join_space=True``): Chinese writes consecutive sentences with no
space between them; English needs one.  When the original gap between two
sentences of the same block is empty, both are translated, and neither
translation already has whitespace at that edge, a single space is inserted.
Pass ``join_space=False`` for a target language written without spaces.

:func:`replace_front_matter` translates chosen YAML front-matter fields with a
line-based edit confined to the front-matter block (so comments, key order and
the other fields stay exactly as written), keeps each value's quoting style, and
checks with ``yaml.safe_load`` that the result parses to the translated values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import yaml

from termalign.align.document import Document, Sentence
from termalign.kernel.errors import DocumentError

__all__ = [
    "rebuild",
    "identity_translations",
    "front_matter_span",
    "replace_front_matter",
    "translate_front_matter",
]

_FENCES = ("---", "...")


def identity_translations(doc: Document) -> dict[str, str]:
    """Every sentence id mapped to its own raw source (the identity translation)."""
    return {s.id: doc.text[s.start : s.end] for s in doc.sentences}


def _ordered_sentences(doc: Document) -> list[tuple[str, Sentence]]:
    """(block id, sentence) in text order; overlapping or out-of-range spans are an error."""
    pairs = sorted(((b.id, s) for b in doc.blocks for s in b.sentences), key=lambda p: (p[1].start, p[1].end))
    problems: list[str] = []
    previous_end = 0
    for _, s in pairs:
        if not 0 <= s.start <= s.end <= len(doc.text):
            problems.append(f"{s.id} spans {s.start}..{s.end} outside the text")
        elif s.start < previous_end:
            problems.append(f"{s.id} overlaps the sentence before it")
        previous_end = max(previous_end, s.end)
    if problems:
        raise DocumentError("cannot write back: " + "; ".join(problems), path=doc.path or None)
    return pairs


def rebuild(
    doc: Document,
    translations: Mapping[str, str],
    *,
    join_space: bool = True,
    origins: Mapping[str, str] | None = None,
) -> str:
    """The document text with each sentence in ``translations`` replaced by its translation
    (``origins`` is not recorded in a monolingual document).

    Sentences whose id is not in ``translations`` keep their original text.  An id
    in ``translations`` that names no sentence is an error (all are reported).
    """
    pairs = _ordered_sentences(doc)
    unknown = sorted(set(translations) - {s.id for _, s in pairs})
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise DocumentError(f"translations name sentences the document lacks: {shown}", path=doc.path or None)
    out: list[str] = []
    cursor = 0
    previous: tuple[str, str] | None = None  # (block id, translation) of the last sentence, if translated
    for block_id, s in pairs:
        gap = doc.text[cursor : s.start]
        out.append(gap)
        piece = translations.get(s.id)
        if piece is None:
            out.append(doc.text[s.start : s.end])
            previous = None
        else:
            if (
                join_space
                and gap == ""
                and previous is not None
                and previous[0] == block_id
                and previous[1][-1:].strip()
                and piece[:1].strip()
            ):
                out.append(" ")
            out.append(piece)
            previous = (block_id, piece)
        cursor = s.end
    out.append(doc.text[cursor:])
    return "".join(out)


# ------------------------------------------------------------ front matter


def front_matter_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the YAML between the ``---`` fences at the top of ``text``, or None."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if first != "---":
        return None
    start = text.index("\n") + 1 if "\n" in text else len(text)
    pos = start
    while pos < len(text):
        eol = text.find("\n", pos)
        line_end = len(text) if eol < 0 else eol
        if text[pos:line_end].rstrip("\r").rstrip() in _FENCES:
            return start, pos
        pos = line_end + 1
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _field_extent(lines: Sequence[str], k: int) -> int:
    """Index one past the last line of the top-level field starting at line ``k``."""
    end = k + 1
    last = end
    while end < len(lines):
        line = lines[end]
        if not line.strip():
            end += 1
            continue
        if _indent(line) == 0:
            break
        end += 1
        last = end
    return last


def _render(value: str, original_value_text: str) -> str:
    """``value`` as a YAML scalar in the quoting style of the original."""
    style = original_value_text.lstrip()[:1]
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and value.strip() == value and "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def _edit_fields(
    lines: list[str], translate: Callable[[str], str], fields: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    out: list[str] = []
    expected: dict[str, str] = {}
    k = 0
    while k < len(lines):
        line = lines[k]
        key, sep, rest = line.partition(":")
        end = _field_extent(lines, k) if _indent(line) == 0 and sep else k + 1
        name = key.strip().strip("'\"")
        if _indent(line) == 0 and sep and name in fields and name not in expected:
            value = _load("".join(lines[k:end])).get(name)
            if isinstance(value, str) and value.strip():
                new = translate(value.strip())  # a folded scalar's final newline is no text
                expected[name] = new
                newline = "\r\n" if line.endswith("\r\n") else "\n"
                spacing = rest[: len(rest) - len(rest.lstrip(" \t"))] or " "
                out.append(f"{key}{sep}{spacing}{_render(new, rest)}{newline}")
                k = end
                continue
        out.extend(lines[k:end])
        k = end
    return out, expected


def _load(yaml_text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def replace_front_matter(
    text: str, translate: Callable[[str], str], fields: Sequence[str] = ("title", "summary")
) -> str:
    """``text`` with the string values of ``fields`` in its YAML front matter translated.

    Text without front matter, and fields that are missing or not strings, are left
    as they are.  Raises :class:`DocumentError` if the edited block would not parse
    back to the translated values.
    """
    span = front_matter_span(text)
    if span is None:
        return text
    start, end = span
    lines = text[start:end].splitlines(keepends=True)
    new_lines, expected = _edit_fields(lines, translate, fields)
    block = "".join(new_lines)
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise DocumentError(f"translated front matter is not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or any(data.get(key) != value for key, value in expected.items()):
        raise DocumentError("translated front matter does not parse back to the translated values")
    return text[:start] + block + text[end:]


def translate_front_matter(
    doc: Document, translate: Callable[[str], str], fields: Sequence[str] = ("title", "summary")
) -> str:
    """``doc.text`` with front-matter ``fields`` translated (see :func:`replace_front_matter`).

    To combine with sentence translations: ``replace_front_matter(rebuild(doc, t), translate)``.
    """
    try:
        return replace_front_matter(doc.text, translate, fields)
    except DocumentError as exc:
        raise DocumentError(exc.message, path=doc.path or None) from exc
