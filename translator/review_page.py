"""The bilingual review page (``review.html``): source | translation | issues | score, per segment.

One self-contained HTML file (no network, no external script) a reviewer opens
in a browser: termbase terms are highlighted on both sides (a term whose
approved rendering is missing is marked as such), rows can be sorted by score
and filtered to the segments that need review (score under the threshold, or
an error left on them).  ``batch`` writes one per run, ``translate --review
FILE`` one per document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from termalign.kernel.atomic import atomic_write_text
from termalign.translator.quality import needs_review
from termalign.translator.records import SegmentRecord

__all__ = ["ReviewDocument", "render_review", "write_review"]


@dataclass(frozen=True)
class ReviewDocument:
    """One document's segments for the page (records in document order; copies are left out)."""

    id: str
    records: Sequence[SegmentRecord]


_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans",system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.score{text-align:right;font-variant-numeric:tabular-nums}
tr.needs-review td.score{background:#fdd}mark.term{background:#dfe9ff;border-radius:2px}
mark.term.missing{background:#fbb;text-decoration:underline wavy #c00}
ul.issues{margin:0;padding-left:1.1em}li.error{color:#a00}li.warning{color:#850}
.controls{margin:1em 0}.controls>*{margin-right:1em}.hidden{display:none}
"""

_SCRIPT = """
(function(){
  var body=document.querySelector('#segments tbody');
  var rows=function(){return Array.prototype.slice.call(body.rows);};
  var order=0;
  function sortBy(key,dir){
    rows().sort(function(a,b){return dir*(parseFloat(a.dataset[key])-parseFloat(b.dataset[key]));})
          .forEach(function(r){body.appendChild(r);});
  }
  document.getElementById('sort-score').addEventListener('click',function(){
    order=order===1?-1:1; sortBy('score',order);
    this.textContent=order===1?'score: lowest first':'score: highest first';
    document.body.dataset.sorted=order===1?'ascending':'descending';
  });
  document.getElementById('sort-document').addEventListener('click',function(){
    sortBy('position',1); document.body.dataset.sorted='document';
  });
  var filter=document.getElementById('needs-review');
  function apply(){
    var shown=0;
    rows().forEach(function(r){
      var hide=filter.checked&&r.dataset.review!=='1';
      r.classList.toggle('hidden',hide); if(!hide){shown++;}
    });
    document.getElementById('shown').textContent=shown;
  }
  filter.addEventListener('change',apply); apply();
})();
"""


def _highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` escaped, with ``<mark>`` around each non-overlapping ``(start, end, class)`` span."""
    out, pos = [], 0
    for start, end, css in sorted(spans):
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(f'<mark class="{css}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _source_spans(record: SegmentRecord) -> list[tuple[int, int, str]]:
    from termalign.align.script import simplified_view

    view = simplified_view(record.source)  # length-preserving: Traditional text matches too
    spans = []
    for term in record.terms:
        css = "term" if term.used or not term.enforced else "term missing"
        for match in re.finditer(re.escape(simplified_view(term.source)), view):
            spans.append((match.start(), match.end(), css))
    return spans


def _target_spans(record: SegmentRecord) -> list[tuple[int, int, str]]:
    spans = []
    for rendering in dict.fromkeys(t.target for t in record.terms if t.used and t.target):
        pattern = r"(?<!\w)" + re.escape(rendering) + r"(?:e?s)?(?!\w)"
        for match in re.finditer(pattern, record.target, flags=re.IGNORECASE):
            spans.append((match.start(), match.end(), "term"))
    return spans


def _issues(record: SegmentRecord) -> str:
    items = [
        f'<li class="{escape(i.severity)}">{escape(i.check)}: {escape(i.message)}</li>' for i in record.issues
    ]
    said = {i.message for i in record.issues}  # a note that is also an issue is shown once
    items += [f'<li class="note">{escape(n)}</li>' for n in record.notes if n not in said]
    return f'<ul class="issues">{"".join(items)}</ul>' if items else ""


def render_review(
    documents: Sequence[ReviewDocument],
    *,
    threshold: float,
    title: str = "termalign review",
    signature: Mapping[str, Any] | None = None,
) -> str:
    """The page as a string (see the module docstring)."""
    rows = []
    position = 0
    flagged = 0
    for doc in documents:
        for record in doc.records:
            if record.origin == "copy":
                continue
            review = needs_review(record, threshold)
            flagged += review
            score = record.quality
            shown = "n/a" if score is None else f"{score:.2f}"
            rows.append(
                f'<tr data-score="{1.0 if score is None else score:.4f}" data-position="{position}" '
                f'data-review="{int(review)}" class="{"needs-review" if review else "ok"}">'
                f"<td>{escape(doc.id)}</td><td>{escape(record.id)}</td>"
                f'<td class="source" lang="zh">{_highlight(record.source, _source_spans(record))}</td>'
                f'<td class="target" lang="en">{_highlight(record.target, _target_spans(record))}</td>'
                f"<td>{_issues(record)}</td><td>{escape(record.origin)}</td>"
                f'<td class="score">{shown}</td></tr>'
            )
            position += 1
    head = "".join(
        f"<th>{h}</th>" for h in ("document", "segment", "source", "translation", "issues", "origin", "score")
    )
    made = escape(json.dumps(dict(signature or {}), ensure_ascii=False, indent=2))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>\n<h1>{escape(title)}</h1>\n"
        f"<p>{position} segments, {flagged} need review (score under {threshold:.2f}, or an error or "
        "invented content left on them). The score estimates translation quality from the model's "
        "confidence, dictionary coverage, length, size and the checks; it ranks segments, it does not "
        "replace reading them.</p>\n"
        '<div class="controls"><button id="sort-score" type="button">sort by score</button>'
        '<button id="sort-document" type="button">document order</button>'
        '<label><input type="checkbox" id="needs-review"> needs review only</label>'
        '<span><span id="shown"></span> shown</span></div>\n'
        f'<table id="segments"><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>\n"
        f"<details><summary>How this was made</summary><pre>{made}</pre></details>\n"
        f"<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def write_review(
    path: str | Path,
    documents: Sequence[ReviewDocument],
    *,
    threshold: float,
    title: str = "termalign review",
    signature: Mapping[str, Any] | None = None,
) -> Path:
    """Write the page atomically; returns its path."""
    atomic_write_text(path, render_review(documents, threshold=threshold, title=title, signature=signature))
    return Path(path)
