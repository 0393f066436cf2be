"""TMX 1.4b termbases: one translation unit per source-term/rendering pair, via :mod:`align.tmx`.

Every accepted pair of an entry becomes a ``<tu>`` (each source term, preferred
or variant, times each accepted rendering), so a CAT tool using the file as a
translation memory finds every spelling.  Properties (TMX's ``x-`` prefix for
user-defined types) keep what a TU cannot express:

* ``x-entry`` — the entry's preferred source term (groups the TUs of one concept);
* ``x-source-kind`` / ``x-target-kind`` — ``preferred`` or ``variant``;
* ``x-status``, ``x-pos``, ``x-domain``, ``x-enforce`` — as in the TSV columns;
* ``x-forbidden`` and ``x-provenance`` — multi-valued, `` | ``-separated, on the
  entry's first TU only (forbidden renderings are never TUs of their own);
* ``<note>`` — the curator's note, on the first TU.

A TMX written by another tool (no ``x-entry``) gives one candidate entry per
distinct pair; a source segment with two different renderings is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from termalign.align.tmx import TranslationUnit, read_tmx, write_tmx
from termalign.kernel.errors import DocumentError, TermbaseError
from termalign.termbase.formats.base import Format, Languages, check_xml_encoding
from termalign.termbase.model import Entry
from termalign.termbase.validate import Draft, Problem, content_hash, format_bool, join_multi, split_multi

__all__ = ["TmxFormat"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _units(entry: Entry) -> list[TranslationUnit]:
    shared = [("x-entry", entry.source), ("x-status", entry.status.value)]
    if entry.pos:
        shared.append(("x-pos", entry.pos))
    if entry.domain:
        shared.append(("x-domain", entry.domain))
    shared.append(("x-enforce", format_bool(entry.enforce)))
    units: list[TranslationUnit] = []
    for s, source in enumerate(entry.source_terms):
        for t, target in enumerate(entry.accepted_targets):
            props = [
                *shared,
                ("x-source-kind", "variant" if s else "preferred"),
                ("x-target-kind", "variant" if t else "preferred"),
            ]
            notes: tuple[str, ...] = ()
            if not units:
                if entry.forbidden:
                    props.append(("x-forbidden", join_multi(entry.forbidden)))
                if entry.provenance:
                    props.append(("x-provenance", join_multi(str(p) for p in entry.provenance)))
                notes = (entry.note,) if entry.note else ()
            units.append(TranslationUnit(source, target, tuple(props), notes))
    return units


def _tu_lines(path: Path) -> list[int | None]:
    """Source lines of the ``<tu>`` elements :func:`align.tmx.read_tmx` keeps (two or more languages)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    tree = etree.parse(str(path), parser)
    lines: list[int | None] = []
    for tu in tree.getroot().iterfind("body/tu"):
        langs = {
            tuv.get(_XML_LANG) or tuv.get("lang") for tuv in tu.findall("tuv") if tuv.find("seg") is not None
        }
        if len(langs) >= 2:
            lines.append(tu.sourceline)
    return lines


class TmxFormat(Format):
    name = "tmx"
    extensions = (".tmx",)
    description = "TMX 1.4b, one translation unit per source-term/rendering pair"

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        units = [unit for entry in entries for unit in _units(entry)]
        write_tmx(
            path,
            units,
            source_lang=langs.source,
            target_lang=langs.target,
            segtype="phrase",
            properties={"x-termbase-sha256": content_hash(entries)},
        )

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        check_xml_encoding(path)
        try:
            tmx = read_tmx(path, source_lang=langs.source)
            lines = _tu_lines(path)
        except DocumentError as exc:
            raise TermbaseError(exc.message, path=path, line=exc.line) from exc
        if len(lines) != len(tmx.units):  # cannot happen with align.tmx as written; stay safe
            lines = [None] * len(tmx.units)
        drafts: dict[str, Draft] = {}  # by entry key
        seen_pairs: set[tuple[str, str]] = set()
        problems: list[Problem] = []
        for line, unit in zip(lines, tmx.units, strict=True):
            key = unit.prop("x-entry")
            if not key:  # a TMX from elsewhere: one entry per distinct pair
                if (unit.source, unit.target) not in seen_pairs:
                    seen_pairs.add((unit.source, unit.target))
                    drafts[f"\0{len(drafts)}"] = _draft(line, unit)
                continue
            draft = drafts.get(key)
            if draft is None:
                drafts[key] = draft = _draft(line, unit)
                draft.source, draft.target = key, ""
            _add_unit(draft, unit, line, problems)
        for draft in drafts.values():
            if not draft.target:
                problems.append(Problem(draft.line, f"no preferred rendering for {draft.source!r}"))
        return list(drafts.values()), problems


def _draft(line: int | None, unit: TranslationUnit) -> Draft:
    return Draft(
        line=line,
        source=unit.source,
        target=unit.target,
        status=unit.prop("x-status"),
        pos=unit.prop("x-pos"),
        domain=unit.prop("x-domain"),
        enforce=unit.prop("x-enforce"),
        note="\n".join(n for n in unit.notes if n),
        forbidden=split_multi(unit.prop("x-forbidden")),
        provenance=split_multi(unit.prop("x-provenance")),
    )


def _add_unit(draft: Draft, unit: TranslationUnit, line: int | None, problems: list[Problem]) -> None:
    """Fold one TU of a termalign-written entry into its draft."""
    source_kind, target_kind = unit.prop("x-source-kind"), unit.prop("x-target-kind")
    if source_kind == "variant" and unit.source not in draft.source_variants:
        draft.source_variants += (unit.source,)
    if target_kind == "preferred":
        if draft.target and draft.target != unit.target:
            problems.append(
                Problem(
                    line, f"{draft.source!r} has two preferred renderings ({draft.target!r}, {unit.target!r})"
                )
            )
        draft.target = draft.target or unit.target
    elif unit.target not in draft.target_variants:
        draft.target_variants += (unit.target,)
    if unit.notes and not draft.note:
        draft.note = "\n".join(n for n in unit.notes if n)
    for name in ("forbidden", "provenance"):
        values = split_multi(unit.prop(f"x-{name}"))
        if values and not getattr(draft, name):
            setattr(draft, name, values)
