"""A self-contained bilingual review page: one row per bead, problems highlighted.

Rows of flagged beads carry the class ``flagged``; 1-0 / 0-1 beads carry
``unaligned`` and show an explicit marker on the empty side.  The page has a
summary (counts by bead kind, flagged and unaligned beads) and the settings
that produced it.  It is built with lxml, so every text is escaped.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree
from lxml.html import builder as E

from termalign.align.aligner import Alignment
from termalign.align.beads import Bead
from termalign.align.tmx import xml_safe
from termalign.kernel.atomic import atomic_write_text
from termalign.kernel.errors import AlignmentError

__all__ = ["write", "render"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { border: 1px solid #ccc; padding: .35rem .5rem; vertical-align: top; }
th { background: #f3f3f3; }
td.meta { width: 9rem; font-size: .8rem; color: #555; }
tr.flagged { background: #fff1c2; }
tr.unaligned { background: #fde0e0; }
span.missing { color: #a00; font-style: italic; }
dl.summary dt { font-weight: bold; } dl.summary dd { margin: 0 0 .3rem 1rem; }
details { margin-top: 1rem; font-size: .85rem; }
"""


def _side(text: str, ids: tuple[str, ...], lang: str) -> etree._Element:
    if not ids:
        return E.TD(E.SPAN("(no counterpart)", E.CLASS("missing")), lang=lang)
    return E.TD(xml_safe(text), lang=lang, title=" ".join(ids))  # lxml refuses control characters


def _row(bead: Bead, alignment: Alignment) -> etree._Element:
    classes = ["bead"]
    if bead.flagged:
        classes.append("flagged")
    if bead.is_unaligned:
        classes.append("unaligned")
    meta = f"{bead.kind} · {bead.score:.2f} · {bead.block_id}"
    return E.TR(
        E.TD(meta, E.CLASS("meta")),
        _side(bead.source, bead.source_ids, alignment.source_lang),
        _side(bead.target, bead.target_ids, alignment.target_lang),
        E.CLASS(" ".join(classes)),
    )


def _summary(alignment: Alignment) -> etree._Element:
    beads = alignment.beads
    kinds = Counter(b.kind for b in beads)
    unaligned = sum(1 for b in beads if b.is_unaligned)
    flagged = sum(1 for b in beads if b.flagged)
    lonely = sum(len(b.source_ids) + len(b.target_ids) for b in beads if b.is_unaligned)
    mean = sum(b.score for b in beads) / len(beads) if beads else 0.0
    items = [
        (
            "Documents",
            f"{alignment.source_path} ({alignment.source_lang}) → "
            f"{alignment.target_path} ({alignment.target_lang})",
        ),
        ("Beads", f"{len(beads)}: " + ", ".join(f"{k} × {n}" for k, n in sorted(kinds.items()))),
        ("Flagged (low confidence)", f"{flagged} (score below {alignment.config.flag_threshold:g})"),
        ("Unaligned sentences", str(lonely)),
        ("Unaligned beads", str(unaligned)),
        ("Mean score", f"{mean:.3f}"),
    ]
    dl = E.DL(E.CLASS("summary"))
    for key, value in items:
        dl.append(E.DT(key))
        dl.append(E.DD(value))
    return dl


def render(alignment: Alignment) -> str:
    """The review page as an HTML string."""
    table = E.TABLE(
        E.THEAD(E.TR(E.TH("bead"), E.TH(alignment.source_lang), E.TH(alignment.target_lang))),
        E.TBODY(*(_row(b, alignment) for b in alignment.beads)),
    )
    settings = E.UL(*(E.LI(f"{k}: {v}") for k, v in alignment.signature.items()))
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE("Alignment review"), E.STYLE(_CSS)),
        E.BODY(
            E.H1("Alignment review"),
            _summary(alignment),
            table,
            E.DETAILS(E.SUMMARY("How this alignment was made"), settings),
        ),
        lang="en",
    )
    body: str = etree.tostring(page, encoding="unicode", method="html")
    return "<!DOCTYPE html>\n" + body + "\n"


def write(alignment: Alignment, path: Path) -> None:
    atomic_write_text(path, render(alignment), error=AlignmentError)
