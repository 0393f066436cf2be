"""The run report of a batch: ``report.json`` for tools, ``report.html`` for people.

Both carry the reproducibility signature (tool version, translator signature
with model id and hash, termbase hash and decoding settings, manifest hash).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termalign.kernel.atomic import atomic_write_text

if TYPE_CHECKING:
    from termalign.translator.batch import BatchReport

__all__ = ["write_report", "render_html"]

_COLUMNS = (
    ("id", "document"),
    ("status", "status"),
    ("segments", "segments"),
    ("reused", "from journal"),
    ("translated", "translated now"),
    ("tm_hits", "TM hits"),
    ("mt", "MT segments"),
    ("term_accuracy", "term accuracy"),
    ("qa_issues", "QA issues"),
    ("mean_quality", "mean score"),
    ("needs_review", "needs review"),
    ("seconds", "time (s)"),
    ("output", "output"),
)

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    ".missing,.error{background:#fdd}.warning{background:#ffd}pre{background:#f6f6f6;padding:1em;overflow:auto}"
)


def write_report(result: BatchReport, output_dir: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` atomically into ``output_dir``."""
    data = result.to_dict()
    json_path, html_path = output_dir / "report.json", output_dir / "report.html"
    atomic_write_text(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(html_path, render_html(data))
    return json_path, html_path


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def render_html(data: dict[str, Any]) -> str:
    """A self-contained HTML page: one table row per document, totals, the signature."""
    head = "".join(f"<th>{escape(label)}</th>" for _, label in _COLUMNS)
    rows = []
    for doc in data["documents"]:
        cells = "".join(f"<td>{_cell(doc.get(key))}</td>" for key, _ in _COLUMNS)
        rows.append(f'<tr class="{escape(doc["status"])}">{cells}</tr>')
        if doc.get("error"):
            rows.append(f'<tr class="error"><td colspan="{len(_COLUMNS)}">{escape(doc["error"])}</td></tr>')
    totals = "".join(f"<tr><th>{escape(k)}</th><td>{_cell(v)}</td></tr>" for k, v in data["totals"].items())
    problems = _problems_html(data["documents"])
    signature = escape(json.dumps(data["signature"], ensure_ascii=False, indent=2))
    title = "termalign batch report" + (" (dry run)" if data.get("dry_run") else "")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body>\n<h1>{title}</h1>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        f"<h2>Totals</h2><table>{totals}</table>\n{problems}"
        '<p>Segment by segment, with scores and terms: <a href="review.html">review.html</a>.</p>\n'
        f"<p>Run time: {data['seconds']:.1f} s</p>\n"
        f"<h2>How this was made</h2><p><code>{escape(str(data.get('signature_text', '')))}</code></p>"
        f"<pre>{signature}</pre>\n</body></html>\n"
    )


def _problems_html(documents: list[dict[str, Any]]) -> str:
    """One table row per QA issue or markup repair, grouped by document (empty when there are none)."""
    rows = [
        f'<tr class="{escape(p["severity"])}"><td>{escape(doc["id"])}</td><td>{escape(p["segment"])}</td>'
        f"<td>{escape(p['check'])}</td><td>{escape(p['term'])}</td><td>{escape(p['message'])}</td></tr>"
        for doc in documents
        for p in doc.get("problems", ())
    ]
    if not rows:
        return "<h2>Problems</h2><p>None: every approved term rendered as approved, no QA issue.</p>\n"
    head = "".join(f"<th>{h}</th>" for h in ("document", "segment", "check", "term", "message"))
    return (
        f"<h2>Problems ({len(rows)})</h2><table><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
    )
