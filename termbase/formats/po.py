"""Gettext PO termbases, written and read with polib (``msgfmt --check`` accepts the output).

Mapping of one :class:`~termbase.model.Entry`:

* main unit — ``msgid`` the preferred source term, ``msgstr`` the preferred
  rendering, no ``msgctxt``;
* one unit per source variant — ``msgctxt "variant of: <preferred source>"``,
  ``msgid`` the variant, ``msgstr`` the preferred rendering, so a PO-based
  glossary finds every spelling and the context keeps ids unique;
* ``#,  fuzzy`` on every unit of an entry that is not approved;
* translator comment (``#``) — the curator's note;
* extracted comments (``#.``) on the main unit, one ``key: value`` per line:
  ``status``, ``pos``, ``domain``, ``enforce``, ``target variants``,
  ``forbidden`` and ``provenance`` (multi-values `` | ``-separated).

Reading, the fuzzy flag wins over the ``status`` comment (a translator who
clears it in a PO editor approves the entry): no flag means approved; a fuzzy
unit takes its ``status`` comment unless that says approved (then candidate).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polib

from termalign.kernel.errors import TermbaseError
from termalign.kernel.version import __version__
from termalign.termbase.formats.base import Format, Languages, atomic_write, read_utf8
from termalign.termbase.model import Entry, Status
from termalign.termbase.validate import Draft, Problem, content_hash, format_bool, join_multi, split_multi

__all__ = ["PoFormat", "VARIANT_CONTEXT"]

VARIANT_CONTEXT = "variant of: "
_META_KEYS = ("status", "pos", "domain", "enforce", "target variants", "forbidden", "provenance")


def _metadata(entry: Entry) -> list[str]:
    lines = [f"status: {entry.status.value}"]
    values = {
        "pos": entry.pos,
        "domain": entry.domain,
        "enforce": "" if entry.enforce else format_bool(entry.enforce),
        "target variants": join_multi(entry.target_variants),
        "forbidden": join_multi(entry.forbidden),
        "provenance": join_multi(str(p) for p in entry.provenance),
    }
    lines += [f"{key}: {value}" for key, value in values.items() if value]
    return lines


class PoFormat(Format):
    name = "po"
    extensions = (".po",)
    description = "gettext PO, one unit per source term (variants by msgctxt)"

    def _write(self, entries: Sequence[Entry], path: Path, langs: Languages) -> None:
        po = polib.POFile(wrapwidth=0)
        po.header = "Termbase exported by termalign; msgctxt marks source variants of an entry."
        po.metadata = {
            "Project-Id-Version": "termalign termbase",
            "Report-Msgid-Bugs-To": "",
            "PO-Revision-Date": "1970-01-01 00:00+0000",  # fixed: exports are byte-reproducible
            "Last-Translator": "termalign",
            "Language-Team": "none",
            "Language": langs.target,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Generator": f"termalign {__version__}",
            "X-Source-Language": langs.source,
            "X-Termbase-SHA256": content_hash(entries),
        }
        for entry in entries:
            flags = [] if entry.approved else ["fuzzy"]
            po.append(
                polib.POEntry(
                    msgid=entry.source,
                    msgstr=entry.target,
                    tcomment=entry.note,
                    comment="\n".join(_metadata(entry)),
                    flags=list(flags),
                )
            )
            for variant in entry.source_variants:
                po.append(
                    polib.POEntry(
                        msgctxt=VARIANT_CONTEXT + entry.source,
                        msgid=variant,
                        msgstr=entry.target,
                        flags=list(flags),
                    )
                )
        atomic_write(path, str(po).encode("utf-8") + b"\n")

    def _read(self, path: Path, langs: Languages) -> tuple[list[Draft], list[Problem]]:
        text = read_utf8(path)
        _check_strings(text, path)
        try:
            po = _parse(text)
        except (OSError, ValueError) as exc:
            raise TermbaseError(f"not a readable PO file ({exc})", path=path) from exc
        drafts: dict[str, Draft] = {}
        variants: list[polib.POEntry] = []
        problems: list[Problem] = []
        for unit in po:
            if unit.obsolete:
                continue
            if unit.msgctxt and unit.msgctxt.startswith(VARIANT_CONTEXT):
                variants.append(unit)
            elif unit.msgid in drafts:
                problems.append(Problem(unit.linenum, f"{unit.msgid!r} appears twice"))
            else:
                drafts[unit.msgid] = _draft(unit)
        for unit in variants:
            main = drafts.get(unit.msgctxt[len(VARIANT_CONTEXT) :])
            if main is None:
                problems.append(
                    Problem(unit.linenum, f"{unit.msgid!r} is a variant of an entry not in the file")
                )
            elif unit.msgstr and unit.msgstr != main.target:
                problems.append(
                    Problem(
                        unit.linenum,
                        f"the variant {unit.msgid!r} is rendered {unit.msgstr!r}, "
                        f"its entry {main.source!r} {main.target!r}",
                    )
                )
            else:
                main.source_variants += (unit.msgid,)
        return list(drafts.values()), problems


def _parse(text: str) -> polib.POFile:
    """Parse PO *content* — never a path: ``polib.pofile(text)`` opens ``text`` if it names a file.

    polib's own parser is given the lines directly (its constructor sees an
    empty string, which is no file).  Lines are cut at ``\n`` only, so a U+2028
    inside a string stays inside it (``str.splitlines`` would cut there).
    """
    parser = polib._POFileParser("", encoding="utf-8", check_for_duplicates=False)
    parser.fhandle = [line.rstrip("\r") for line in text.split("\n")]
    return parser.parse()


_KEYWORD = re.compile(r"^(?:#[~|]\s*)?(?:msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)$")
_CONTINUATION = re.compile(r'^(?:#[~|]\s*)?(".*)$')
_QUOTED = re.compile(r'^"(?:[^"\\]|\\.)*"$')


def _check_strings(text: str, path: Path) -> None:
    """Every quoted string ends on its line (polib would silently drop the last character)."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith(("#~", "#|"))):
            continue
        match = _KEYWORD.match(line) or _CONTINUATION.match(line)
        if match is None:
            continue  # not a string line: polib reports what it cannot parse
        if not _QUOTED.match(match.group(1).strip()):
            raise TermbaseError("an unterminated or malformed quoted string", path=path, line=number)


def _draft(unit: polib.POEntry) -> Draft:
    meta: dict[str, str] = {}
    for line in (unit.comment or "").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in _META_KEYS:
            meta[key.strip()] = value.strip()
    status = meta.get("status", "")
    if "fuzzy" not in unit.flags:
        status = Status.APPROVED.value
    elif status.lower() in ("", Status.APPROVED.value):
        status = Status.CANDIDATE.value
    return Draft(
        line=unit.linenum,
        source=unit.msgid,
        target=unit.msgstr,
        status=status,
        target_variants=split_multi(meta.get("target variants", "")),
        forbidden=split_multi(meta.get("forbidden", "")),
        pos=meta.get("pos", ""),
        domain=meta.get("domain", ""),
        note=unit.tcomment or "",
        enforce=meta.get("enforce", ""),
        provenance=split_multi(meta.get("provenance", "")),
    )
