"""Protect inline markup around an engine call, and put it back afterwards.

A sentence's raw source (``doc.text[s.start:s.end]``) may hold inline markdown
or HTML.  :func:`protect` turns it into engine text where the translatable words
stay words (link text, bold/italic content) and everything else becomes a short
placeholder; :func:`restore` puts the original markup back into the translation.

Placeholder scheme (XLIFF's ``<g>``/``<x/>`` convention, ASCII only):

* ``<g1>…</g1>`` a *pair* (``**bold**``, ``[text](url)``, ``<a href>…</a>``); the
  engine may move it with the words it wraps;
* ``<x2/>`` an *atom* (inline code, an image, a bare URL, an entity, an escape,
  a ``<br>``, a stray delimiter); adjacent atoms are merged into one.

Why not ``⟦1⟧``: the offline engines are SentencePiece NMT models (Marian,
NLLB, M2M) whose vocabularies often lack ``⟦⟧`` and emit ``<unk>`` for them,
while ``<``, ``>``, ``/`` and digits are in every vocabulary, and web-trained
models and LLMs have seen and copied XML-like tags very often.  Pairs (rather
than two unrelated atoms) let the engine reorder a bold phrase as a whole.

Tokenizers are real parsers, one per registered document format
(:mod:`termalign.align.documents`): markdown-it-py's inline parser (its tokens are
walked alongside the source to recover exact raw spans) and the standard
library's :class:`html.parser.HTMLParser` (its positions give raw spans).  Only
*inside a text token* are small patterns used: bare URLs, stray emphasis
delimiters, and text that looks like a placeholder (protected as an atom so
:func:`restore` can never confuse it with one).  If a markdown sentence cannot
be walked exactly, protection degrades to those text-level rules and
``Protected.fallback`` is set; the round trip stays exact either way.

Restore policy (nothing the engine dropped is lost silently; all of it is
reported in ``Restored.missing``):

* a missing atom, or a pair missing both tags, is appended at the end of the
  translation (before trailing whitespace): a lost link keeps its URL as
  ``[](url)``;
* a pair with only its opening tag is closed at the end; one with only its
  closing tag is reopened right before it (wrapping nothing);
* a pair whose tags came back in the wrong order is put right silently;
* a repeated placeholder keeps its first occurrence (``Restored.duplicated``);
* a tag that names no placeholder is dropped (``Restored.unknown``), and so is
  any other HTML-like tag or broken-off placeholder the engine made up (when
  the protected source holds no ``<`` of its own);
* whitespace the engine put just inside a tag that had none in the source is
  moved outside (``** bold**`` would stop being bold in markdown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from termalign.align.documents import get_format
from termalign.align.documents.base import InlinePiece, Misaligned

if TYPE_CHECKING:
    pass

__all__ = ["Placeholder", "Protected", "Restored", "protect", "restore"]

# The placeholder grammar, tolerant of the spacing and case an engine may produce.
PLACEHOLDER_RE = re.compile(r"<\s*(/?)\s*([gx])\s*(\d{1,5})\s*(/?)\s*>", re.IGNORECASE)
# Printable ASCII without space, '"', '<', '>': URLs in running text (CJK text
# often glues a URL to the next word, so non-ASCII ends it).
_URL = r"(?:https?|ftp)://[!#-;=?-~]+"
# In markdown text, stray delimiters and brackets are markup cut apart by sentence
# splitting ("**First." / "Second.**", "[First." / "Second.](url)").
_TEXT_MD_RE = re.compile(
    rf"(?P<ph>{PLACEHOLDER_RE.pattern})|\]\([^()\s]*\)|(?P<url>{_URL})|[\[\]]|\*+|~~+|(?<!\w)_+|_+(?!\w)",
    re.I,
)
_TEXT_PLAIN_RE = re.compile(rf"(?P<ph>{PLACEHOLDER_RE.pattern})|(?P<url>{_URL})", re.I)
_URL_TRAIL = ".,;:!?'*_~"

# Elements whose content is never translated: the whole element becomes one atom.
LITERAL_TAGS = frozenset(["code", "kbd", "samp", "pre", "script", "style", "math", "svg", "tt", "var"])


@dataclass(frozen=True)
class Placeholder:
    """One protected piece of markup; ``close`` is empty for an atom."""

    id: int
    open: str  # raw markup the opening tag (or the atom) stands for
    close: str = ""  # raw markup the closing tag stands for (pairs only)
    label: str = ""  # what it is, for reports: "md:link", "html:a", "url", "md:code", ...
    paired: bool = False

    @property
    def open_tag(self) -> str:
        return f"<g{self.id}>" if self.paired else f"<x{self.id}/>"

    @property
    def close_tag(self) -> str:
        return f"</g{self.id}>" if self.paired else ""

    @property
    def raw(self) -> str:
        return self.open + self.close


@dataclass(frozen=True)
class Protected:
    """Engine text plus the placeholders needed to restore the markup."""

    text: str
    placeholders: tuple[Placeholder, ...]
    fmt: str = "markdown"
    fallback: bool = False  # True: the markdown walk failed, only text-level rules applied


@dataclass(frozen=True)
class Restored:
    """A translation with its markup back, and what the engine lost on the way."""

    text: str
    missing: tuple[Placeholder, ...] = ()
    duplicated: tuple[Placeholder, ...] = ()
    unknown: tuple[str, ...] = ()  # tags in the output that name no placeholder

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unknown)


# ------------------------------------------------------------ text pieces


def _split_text(pieces: list[InlinePiece], stray_delimiters: bool) -> list[InlinePiece]:
    """Protect bare URLs, placeholder look-alikes and (markdown) stray delimiters in text."""
    pattern = _TEXT_MD_RE if stray_delimiters else _TEXT_PLAIN_RE
    out: list[InlinePiece] = []
    for piece in pieces:
        if piece.kind != "text":
            out.append(piece)
            continue
        pos = 0
        for match in pattern.finditer(piece.raw):
            start, end = match.span()
            label = "placeholder" if match.group("ph") else "md:delimiter"
            if match.group().startswith("]("):
                label = "md:link"  # the tail of a link whose text began in the previous sentence
            elif match.group("url"):
                end = start + _url_length(match.group())
                label = "url"
            if start > pos:
                out.append(InlinePiece("text", piece.raw[pos:start]))
            out.append(InlinePiece("atom", piece.raw[start:end], label))
            pos = end
        if pos < len(piece.raw):
            out.append(InlinePiece("text", piece.raw[pos:]))
    return out


def _url_length(url: str) -> int:
    """Length of a URL in running text, without trailing punctuation or an unbalanced ')'."""
    end = len(url)
    while end > 0:
        ch = url[end - 1]
        if ch in _URL_TRAIL or (ch == ")" and url[:end].count("(") < url[:end].count(")")):
            end -= 1
        else:
            break
    return max(end, url.index("//") + 2)


# ----------------------------------------------------------- placeholders


def _pair_up(pieces: list[InlinePiece]) -> dict[int, int]:
    """Match opening and closing pieces of the same name; unmatched ones become atoms."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    for index, piece in enumerate(pieces):
        if piece.kind == "open":
            stack.append(index)
        elif piece.kind == "close" and stack and pieces[stack[-1]].name == piece.name:
            partner[stack.pop()] = index
    return partner


def _assemble(pieces: list[InlinePiece], fmt: str, fallback: bool) -> Protected:
    partner = _pair_up(pieces)
    text: list[str] = []
    placeholders: list[Placeholder] = []
    open_at: dict[int, int] = {}  # closing piece index -> placeholder list index
    pending: list[InlinePiece] = []  # adjacent atoms, merged into one

    def flush() -> None:
        if pending:
            ph = Placeholder(len(placeholders) + 1, "".join(p.raw for p in pending), label=pending[0].name)
            placeholders.append(ph)
            text.append(ph.open_tag)
            pending.clear()

    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.kind == "open" and i in partner and piece.name.split(":")[-1] in LITERAL_TAGS:
            literal = "".join(p.raw for p in pieces[i : partner[i] + 1])
            pending.append(InlinePiece("atom", literal, piece.name))
            i = partner[i] + 1
            continue
        if piece.kind == "text":
            flush()
            text.append(piece.raw)
        elif piece.kind == "open" and i in partner:
            flush()
            ph = Placeholder(len(placeholders) + 1, piece.raw, pieces[partner[i]].raw, piece.name, True)
            open_at[partner[i]] = len(placeholders)
            placeholders.append(ph)
            text.append(ph.open_tag)
        elif piece.kind == "close" and i in open_at:
            flush()
            text.append(placeholders[open_at[i]].close_tag)
        else:
            pending.append(piece)
        i += 1
    flush()
    return Protected("".join(text), tuple(placeholders), fmt, fallback)


def protect(raw: str, fmt: str = "markdown") -> Protected:
    """Replace the inline markup of ``raw`` (a sentence's source) with placeholders.

    ``fmt`` names a registered document format (:mod:`termalign.align.documents`),
    whose inline tokenizer splits ``raw`` into text and markup.
    """
    document_format = get_format(fmt)
    fallback = False
    try:
        pieces = document_format.inline(raw)
    except Misaligned:
        pieces, fallback = [InlinePiece("text", raw)], True
    pieces = _split_text(pieces, document_format.stray_delimiters)
    if "".join(p.raw for p in pieces) != raw:  # a walk that does not tile the source
        pieces, fallback = _split_text([InlinePiece("text", raw)], document_format.stray_delimiters), True
    return _assemble(pieces, fmt, fallback)


# ----------------------------------------------------------------- restore

Role = Literal["open", "close", "atom"]
_Tag = tuple[Placeholder, Role]


# An HTML-like tag the model made up ("<de>", "</i>"), or a placeholder it broke off ("<x1" before "<br>").
_STRAY_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<\s*/?\s*[gx]\s*\d{1,5}\s*/?(?=[\s<]|$)", re.IGNORECASE
)


def drop_invented_tags(text: str, dropped: list[str] | None = None) -> str:
    """``text`` without HTML-like tags and broken-off placeholders (collected into ``dropped``).

    Placeholders themselves (``<g1>``, ``<x2/>``) are kept.  Only call this when
    the source had no ``<`` of its own: then any other tag is the model's invention
    (a coder model turned "图/ic" into ``<figure><img src="ic">``).
    """

    def drop(match: re.Match[str]) -> str:
        if PLACEHOLDER_RE.fullmatch(match.group()):
            return match.group()
        if dropped is not None:
            dropped.append(match.group())
        return ""

    return _STRAY_TAG.sub(drop, text)


def has_own_markup(protected_text: str) -> bool:
    """Whether engine text holds a ``<`` that is not part of a placeholder."""
    return "<" in PLACEHOLDER_RE.sub("", protected_text)


def _read_tags(
    translated: str, protected: Protected
) -> tuple[list[str], list[_Tag], list[Placeholder], list[str]]:
    """Split the engine output into texts and known tags: ``texts[k]`` precedes ``tags[k]``."""
    by_id = {ph.id: ph for ph in protected.placeholders}
    texts, tags = [""], []
    duplicated: list[Placeholder] = []
    unknown: list[str] = []
    seen: set[tuple[int, Role]] = set()
    pos = 0
    for match in PLACEHOLDER_RE.finditer(translated):
        texts[-1] += translated[pos : match.start()]
        pos = match.end()
        lead, letter, number, _trail = match.groups()
        ph = by_id.get(int(number))
        paired = letter.lower() == "g"
        if ph is None or ph.paired != paired:
            unknown.append(match.group())
            continue
        if lead and not paired:
            continue  # "</x3>" after "<x3/>": an engine's idea of closing an atom, harmless
        role: Role = ("close" if lead else "open") if paired else "atom"
        if (ph.id, role) in seen:
            duplicated.append(ph)
            continue
        seen.add((ph.id, role))
        tags.append((ph, role))
        texts.append("")
    texts[-1] += translated[pos:]
    if not has_own_markup(protected.text):
        # all the source's markup became placeholders, so any other tag in the output is the model's
        texts = [drop_invented_tags(t, unknown) for t in texts]
    return texts, tags, duplicated, unknown


def _repair_pairs(texts: list[str], tags: list[_Tag], protected: Protected) -> list[str]:
    """Fix swapped pairs, reopen closed-only ones; return the markup to append at the end."""
    tail_close: list[tuple[int, str]] = []
    tail: list[str] = []
    for ph in protected.placeholders:
        where = {role: k for k, (tag_ph, role) in enumerate(tags) if tag_ph.id == ph.id}
        if not ph.paired:
            if "atom" not in where:
                tail.append(ph.open)
            continue
        opened, closed = where.get("open"), where.get("close")
        if opened is not None and closed is not None and closed < opened:
            tags[opened], tags[closed] = tags[closed], tags[opened]
        elif opened is not None and closed is None:
            tail_close.append((ph.id, ph.close))
        elif opened is None and closed is not None:
            tags.insert(closed, (ph, "open"))
            texts.insert(closed + 1, "")
        elif opened is None and closed is None:
            tail.append(ph.open + ph.close)
    # Close the innermost (latest opened in the source, highest id) first.
    return [raw for _, raw in sorted(tail_close, reverse=True)] + tail


def _tight_tags(protected: Protected) -> set[tuple[int, Role]]:
    """Tags with no whitespace on their inner side in the protected text."""
    tight: set[tuple[int, Role]] = set()
    text = protected.text
    for match in PLACEHOLDER_RE.finditer(text):
        if match.group(2).lower() != "g":
            continue
        number = int(match.group(3))
        if match.group(1):
            if match.start() > 0 and not text[match.start() - 1].isspace():
                tight.add((number, "close"))
        elif match.end() < len(text) and not text[match.end()].isspace():
            tight.add((number, "open"))
    return tight


def _tighten(texts: list[str], tags: list[_Tag], tight: set[tuple[int, Role]]) -> None:
    """Move whitespace the engine put just inside a tight tag to its outside."""
    for k, (ph, role) in enumerate(tags):
        if (ph.id, role) not in tight:
            continue
        if role == "open":
            inner = texts[k + 1]
            body = inner.lstrip()
            if body and len(body) < len(inner):
                texts[k] += inner[: len(inner) - len(body)]
                texts[k + 1] = body
        elif role == "close":
            inner = texts[k]
            body = inner.rstrip()
            if body and len(body) < len(inner):
                texts[k + 1] = inner[len(body) :] + texts[k + 1]
                texts[k] = body


def restore(translated: str, protected: Protected) -> Restored:
    """Put the markup recorded in ``protected`` back into the engine's ``translated`` text."""
    texts, tags, duplicated, unknown = _read_tags(translated, protected)
    present = {(ph.id, role) for ph, role in tags}
    missing = tuple(
        ph
        for ph in protected.placeholders
        if (ph.paired and not {(ph.id, "open"), (ph.id, "close")} <= present)
        or (not ph.paired and (ph.id, "atom") not in present)
    )
    tail = _repair_pairs(texts, tags, protected)
    _tighten(texts, tags, _tight_tags(protected))
    out: list[str] = [texts[0]]
    for k, (ph, role) in enumerate(tags):
        out.append(ph.close if role == "close" else ph.open)
        out.append(texts[k + 1])
    body = "".join(out)
    if tail:
        stripped = body.rstrip()
        body = stripped + "".join(tail) + body[len(stripped) :]
    return Restored(body, missing, tuple(duplicated), tuple(unknown))
