"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

Every piece of text that comes from the logs goes through ``html.escape``; the page's
Content-Security-Policy forbids scripts besides.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from importlib import resources
from string import Template

from forensics.report.charts import chart
from forensics.story.model import Report
from forensics.report.sections import sections


def _template() -> Template:
    return Template(resources.files("forensics.report").joinpath("templates/report.html").read_text(encoding="utf-8"))


def _charts(report: Report) -> list[str]:
    s = report.series
    points = [ts for pts in (s.new_producers, *s.heap_after.values(), *s.gc_overhead.values()) for ts, _ in pts]
    if not points:
        return []
    span = (min(points), max(points))
    marks = [(r["ts"], f"{r['feature']} {r['to_pct']:g}%") for r in report.suspect_steps]
    marks += [(r["ts"], f"{r['host']} OOM") for r in report.cascade if r["event"] == "oom"]
    per = f"per hour, {report.bucket.total_seconds() / 60:g}-minute buckets"
    return [
        chart("New producers (estimate)", per, {"cluster": s.new_producers}, span, marks, "new_producers"),
        chart("Producer IDs handed out, cumulative", "estimate", {"cluster": s.cumulative_ids}, span, marks, "producer_ids"),
        chart("GC overhead per broker", "% of each bucket in GC pauses", s.gc_overhead, span, marks, "gc_overhead"),
        chart("Heap after GC per broker", "% of capacity", s.heap_after, span, marks, "heap_after"),
    ]


def render(report: Report) -> str:
    start, end = report.window
    body = [f"<h1>Incident report: {escape(report.database)}</h1>"]
    if isinstance(start, datetime) and isinstance(end, datetime):
        body.append(f"<p>Evidence from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S} UTC. All times UTC.</p>")
    body.append('<h2 id="findings">Findings</h2>')
    for f in report.findings:
        evidence = ", ".join(f"<code>{escape(str(e))}</code>" for e in f.evidence)
        body.append(f'<div class="finding {escape(f.severity)}"><b>{escape(f.title)}</b> ({escape(f.severity)}, {escape(f.confidence)}). '
                    f"{escape(f.text)}" + (f'<div class="ev">Evidence: {evidence}</div>' if evidence else "") + "</div>")
    charts = _charts(report)
    if charts:
        body.append('<h2 id="charts">On one clock</h2><p>Dashed red lines: the suspect feature\'s rollout steps and '
                    "each broker's first OutOfMemoryError.</p>")
        body.extend(charts)
    for section in sections(report):
        body.append(f'<h2 id="{escape(section.key)}">{escape(section.title)}</h2><p>{escape(section.intro)}</p>')
        if not section.rows:
            body.append("<p>(nothing)</p>")
            continue
        head = "".join(f"<th>{escape(c)}</th>" for c in section.columns)
        rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in section.rows)
        body.append(f'<table data-section="{escape(section.key)}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    return _template().substitute(title=escape(f"Incident report: {report.database}"), body="\n".join(body))
