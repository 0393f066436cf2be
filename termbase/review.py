"""Reviewing term candidates: an HTML page to decide on each, and the decisions read back.

:func:`review_page` renders the candidates CSV (``term extract``'s output) as one
self-contained HTML page: per candidate its kind, score, counts, up to three
example sentence pairs with the term highlighted on both sides, and a choice of
approve / edit (the rendering is an input box) / reject.  A button builds
``decisions.csv`` in the browser and downloads it; no server is involved.

:func:`read_decisions` parses that file (every bad row reported at once), and
:func:`decided_entries` turns the approved and edited rows into termbase
entries with provenance (the documents and segment ids of the examples).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from termalign.kernel.errors import TermbaseError
from termalign.termbase.model import Entry, Provenance, Status
from termalign.termbase.validate import Problem, raise_problems

__all__ = [
    "DECISION_FIELDS",
    "DECISIONS",
    "Decision",
    "read_candidate_rows",
    "review_page",
    "read_decisions",
    "decided_entries",
]

DECISIONS = ("approve", "edit", "reject", "")
DECISION_FIELDS = ("decision", "kind", "source", "target", "suggested", "variants", "count_pair", "examples")


@dataclass(frozen=True)
class Decision:
    """One row of decisions.csv."""

    decision: str
    kind: str
    source: str
    target: str
    suggested: str = ""
    variants: tuple[str, ...] = ()
    count_pair: int = 1
    examples: tuple[str, ...] = ()
    line: int | None = None


def read_candidate_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a candidates CSV written by ``term extract``."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise TermbaseError(f"cannot read the candidates file ({exc.strerror or exc})", path=path) from exc
    if rows and not {"source", "target"} <= set(rows[0]):
        raise TermbaseError("not a candidates CSV (it needs source and target columns)", path=path)
    return rows


def _pattern(terms: Iterable[str], latin: bool) -> re.Pattern[str] | None:
    parts = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        words = [re.escape(w) for w in re.split(r"[\s-]+", term) if w]
        if not words:
            continue
        sep = r"[\s-]+" if latin else r"\s*"
        parts.append(sep.join(words))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str], *, latin: bool) -> str:
    """``text`` as HTML with every occurrence of ``terms`` in ``<mark>``."""
    pattern = _pattern(terms, latin)
    if pattern is None:
        return html.escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _examples_html(row: Mapping[str, str]) -> str:
    try:
        pairs = json.loads(row.get("example_pairs") or "[]")
    except json.JSONDecodeError:
        pairs = []
    targets = [row.get("target", ""), *(row.get("variants") or "").split(" | ")]
    items = []
    for item in pairs[:3]:
        if not isinstance(item, list) or len(item) != 3:
            continue
        ident, src, tgt = (str(x) for x in item)
        items.append(
            f'<li><span class="id">{html.escape(ident)}</span>'
            f'<div class="src" lang="zh">{highlight(src, [row.get("source", "")], latin=False)}</div>'
            f'<div class="tgt" lang="en">{highlight(tgt, targets, latin=True)}</div></li>'
        )
    if not items and row.get("examples"):
        items.append(f'<li><span class="id">{html.escape(row["examples"])}</span></li>')
    return "<ol class='ex'>" + "".join(items) + "</ol>"


_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.4em;vertical-align:top}
mark{background:#ffe27a} .id{color:#888;font-size:.8em} .kind{font-size:.8em;color:#555}
.src,.tgt{margin:.1em 0} ol.ex{margin:0;padding-left:1.2em} input.target{width:14em}
tr.approve{background:#eefbea} tr.reject{background:#fbeaea;color:#888} tr.edit{background:#eef3fb}
.known{color:#a60;font-size:.85em}
"""

_SCRIPT = r"""
function rowDecision(tr){
  const picked = tr.querySelector('input[type=radio]:checked');
  return picked ? picked.value : '';
}
function csvCell(v){ v = String(v); return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
function decisionsCsv(){
  const fields = JSON.parse(document.getElementById('fields').textContent);
  const lines = [fields.join(',')];
  document.querySelectorAll('tr.cand').forEach(tr => {
    const d = rowDecision(tr);
    if (!d) return;
    const input = tr.querySelector('input.target');
    const rec = {decision: d, kind: tr.dataset.kind, source: tr.dataset.source, target: input.value,
      suggested: tr.dataset.target, variants: tr.dataset.variants, count_pair: tr.dataset.count,
      examples: tr.dataset.examples};
    lines.push(fields.map(f => csvCell(rec[f])).join(','));
  });
  return lines.join('\n') + '\n';
}
function refresh(){
  document.querySelectorAll('tr.cand').forEach(tr => { tr.className = 'cand ' + rowDecision(tr); });
  const csv = decisionsCsv();
  document.getElementById('decisions').value = csv;
  document.getElementById('count').textContent = csv.trim().split('\n').length - 1;
}
function download(){
  const blob = new Blob([decisionsCsv()], {type: 'text/csv;charset=utf-8'});
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'decisions.csv';
  document.body.appendChild(a); a.click(); a.remove();
}
document.addEventListener('change', ev => {
  if (ev.target.matches('input.target')) {
    const tr = ev.target.closest('tr');
    if (ev.target.value !== tr.dataset.target) tr.querySelector('input[value=edit]').checked = true;
  }
  refresh();
});
document.addEventListener('DOMContentLoaded', refresh);
"""


def review_page(
    rows: Sequence[Mapping[str, str]],
    *,
    title: str = "Term candidates",
    known: Mapping[str, str] | None = None,
) -> str:
    """A self-contained HTML page to approve, edit or reject each candidate.

    ``known`` maps source terms already in the termbase to their rendering (shown beside them).
    """
    known = known or {}
    body = []
    for k, row in enumerate(rows):
        source, target = row.get("source", ""), row.get("target", "")
        attrs = {
            "kind": row.get("kind", "term") or "term",
            "source": source,
            "target": target,
            "variants": row.get("variants", ""),
            "count": row.get("count_pair", "1"),
            "examples": row.get("examples", ""),
        }
        data = " ".join(f'data-{key}="{html.escape(value, quote=True)}"' for key, value in attrs.items())
        name = f"d{k}"
        choices = "".join(
            f'<label><input type="radio" name="{name}" value="{v}" id="{name}-{v}"> {v}</label><br>'
            for v in ("approve", "edit", "reject")
        )
        seen = known.get(source)
        note = f'<div class="known">in the termbase: {html.escape(seen)}</div>' if seen else ""
        body.append(
            f'<tr class="cand" id="c{k}" {data}><td>{k + 1}</td>'
            f'<td><span class="kind">{html.escape(attrs["kind"])}</span><br>'
            f'<b lang="zh">{html.escape(source)}</b>{note}</td>'
            f'<td><input class="target" id="t{k}" value="{html.escape(target, quote=True)}"></td>'
            f"<td>{html.escape(row.get('score', ''))}</td>"
            f"<td>{html.escape(row.get('count_pair', ''))} / {html.escape(row.get('count_source', ''))}"
            f" / {html.escape(row.get('count_target', ''))}</td>"
            f"<td>{_examples_html(row)}</td><td>{choices}</td></tr>"
        )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{len(rows)} candidates. Choose approve, edit (change the rendering) or reject; undecided rows "
        f'are left out. <button id="download" type="button" onclick="download()">Download decisions.csv'
        f'</button> (<span id="count">0</span> decided)</p>'
        "<table><thead><tr><th>#</th><th>source</th><th>rendering</th><th>score</th>"
        "<th>pairs / source / target</th><th>examples</th><th>decision</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        '<details><summary>decisions.csv as text</summary><textarea id="decisions" rows="8" cols="100" '
        "readonly></textarea></details>"
        f'<script type="application/json" id="fields">{json.dumps(list(DECISION_FIELDS))}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def read_decisions(path: str | Path) -> list[Decision]:
    """Rows of decisions.csv; every bad row is reported at once (with its line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TermbaseError(f"cannot read the decisions file ({exc})", path=path) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"decision", "source", "target"} - set(reader.fieldnames or ())
    if missing:
        raise TermbaseError(f"the decisions file lacks the column(s) {', '.join(sorted(missing))}", path=path)
    decisions: list[Decision] = []
    problems: list[Problem] = []
    for row in reader:
        line = reader.line_num
        decision = (row.get("decision") or "").strip().lower()
        if decision not in DECISIONS:
            problems.append(Problem(line, f"unknown decision {decision!r} (approve, edit or reject)"))
            continue
        source, target = (row.get("source") or "").strip(), (row.get("target") or "").strip()
        if decision in ("approve", "edit") and not (source and target):
            problems.append(Problem(line, "an approved row needs a source and a target"))
            continue
        try:
            count = int(row.get("count_pair") or 1)
        except ValueError:
            problems.append(Problem(line, f"count_pair is not a number: {row.get('count_pair')!r}"))
            continue
        decisions.append(
            Decision(
                decision=decision,
                kind=(row.get("kind") or "term").strip(),
                source=source,
                target=target,
                suggested=(row.get("suggested") or "").strip(),
                variants=tuple(v.strip() for v in (row.get("variants") or "").split("|") if v.strip()),
                count_pair=count,
                examples=tuple((row.get("examples") or "").split()),
                line=line,
            )
        )
    raise_problems(problems, path=path, action="no decision was applied")
    return decisions


def _provenance(decision: Decision) -> tuple[Provenance, ...]:
    """One provenance item per document named in the example ids (``faq:b3.s0`` → ``faq``)."""
    docs: Counter[str] = Counter()
    ids: dict[str, list[str]] = {}
    for example in decision.examples:
        doc, _, seg = example.rpartition(":")
        doc = doc or "aligned"
        docs[doc] += 1
        ids.setdefault(doc, []).append(seg)
    if not docs:
        return (Provenance("review", decision.count_pair),)
    share = {d: n for d, n in docs.items()}
    if len(share) == 1:
        share = {next(iter(share)): decision.count_pair}
    return tuple(Provenance(f"review:{d}", share[d], ",".join(ids[d])) for d in docs)


def decided_entries(decisions: Iterable[Decision]) -> tuple[list[Entry], list[int | None], int]:
    """Termbase entries for the approved and edited rows, their lines, and how many were rejected."""
    entries: list[Entry] = []
    lines: list[int | None] = []
    rejected = 0
    for d in decisions:
        if d.decision == "reject":
            rejected += 1
            continue
        if not d.decision:
            continue
        # an edited rendering replaces the suggestion: the suggestion's forms are not accepted variants
        kept = d.variants if d.decision == "approve" else ()
        variants = [v for v in kept if v.casefold() != d.target.casefold()]
        name = d.kind == "name"
        entries.append(
            Entry(
                source=d.source,
                target=d.target,
                target_variants=tuple(dict.fromkeys(variants)),
                status=Status.APPROVED,
                pos="propn" if name else "",
                note="do not translate" if name else ("edited in review" if d.decision == "edit" else ""),
                provenance=_provenance(d),
            )
        )
        lines.append(d.line)
    return entries, lines, rejected
