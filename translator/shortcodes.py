"""Hugo shortcodes and heading anchors survive translation as markup.

Kubernetes-style markdown carries ``{{< glossary_tooltip text="控制面"
term_id="control-plane" >}}``, ``{{< note >}}``, ``{{% heading "whatsnext" %}}``
and ``## 标题 {#anchor}``.  :func:`protect_shortcodes` runs after
:func:`translator.markup.protect` and turns each into a placeholder: a tooltip
with a ``text`` becomes a *pair* around that text (the engine translates the
words the reader sees, never sees ``term_id``), every other shortcode and an
anchor becomes an *atom*.  :func:`translator.markup.restore` puts them back.
"""

from __future__ import annotations

import dataclasses
import re

from termalign.translator.markup import PLACEHOLDER_RE, Placeholder, Protected

__all__ = ["protect_shortcodes"]

_PIECE = re.compile(r"\{\{[<%].*?[>%]\}\}|\{#[\w.:-]+\}", re.DOTALL)
_TOOLTIP = re.compile(r'(\{\{<\s*glossary_tooltip\b[^>]*?\btext=")([^"]*)("[^>]*?>\}\})', re.DOTALL)


def protect_shortcodes(protected: Protected) -> Protected:
    """``protected`` with shortcodes and ``{#anchors}`` as placeholders (ids after the existing ones)."""
    text = protected.text
    if "{{" not in text and "{#" not in text:
        return protected
    next_id = max((p.id for p in protected.placeholders), default=0) + 1
    placeholders = list(protected.placeholders)
    out: list[str] = []
    pos = 0
    for match in _PIECE.finditer(text):
        raw = match.group(0)
        if PLACEHOLDER_RE.search(raw):
            continue  # markup inside a shortcode is already protected; leave the shortcode as text
        out.append(text[pos : match.start()])
        tip = _TOOLTIP.fullmatch(raw)
        if tip and tip.group(2).strip():
            ph = Placeholder(next_id, tip.group(1), tip.group(3), "hugo:glossary_tooltip", paired=True)
            out.append(f"{ph.open_tag}{tip.group(2)}{ph.close_tag}")
        else:
            label = "hugo:anchor" if raw.startswith("{#") else "hugo:shortcode"
            ph = Placeholder(next_id, raw, "", label)
            out.append(ph.open_tag)
        placeholders.append(ph)
        next_id += 1
        pos = match.end()
    if not out:
        return protected
    out.append(text[pos:])
    return dataclasses.replace(protected, text="".join(out), placeholders=tuple(placeholders))
