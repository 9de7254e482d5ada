"""The report as Markdown, for pasting into a post-mortem."""

from __future__ import annotations

from forensics.story.model import Report
from forensics.terminal import visible
from forensics.report.sections import sections


def _escape(text: str) -> str:
    text = visible(text.replace("\n", " "))  # no control character of a log line reaches the reader's terminal
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render(report: Report) -> str:
    start, end = report.window
    out = [f"# Incident report: {report.database}", ""]
    if start and end:
        out += [f"Evidence from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S} UTC. All times UTC.", ""]
    out += ["## Findings", ""]
    for f in report.findings:
        out.append(f"* **{_escape(f.title)}** ({f.severity}, {f.confidence}). {_escape(f.text)}")
        if f.evidence:
            out.append("  Evidence: " + ", ".join(f"`{_escape(str(e))}`" for e in f.evidence))
    for section in sections(report):
        out += ["", f"## {section.title}", "", _escape(section.intro), ""]
        if not section.rows:
            out.append("(nothing)")
            continue
        out.append("| " + " | ".join(section.columns) + " |")
        out.append("|" + "|".join("---" for _ in section.columns) + "|")
        out += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in section.rows]
    return "\n".join(out) + "\n"
