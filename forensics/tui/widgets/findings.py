"""The findings panel: the report's findings, most important first; choosing one shows its evidence."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from forensics.tui.findings import Finding
from forensics.tui.text import SEVERITY_STYLE, log_content


def finding_prompt(finding: Finding, gap: bool = False) -> Content:
    """Title, text and how much evidence; ``gap`` ends it with an empty line (before the next one)."""
    title = log_content(finding.title, SEVERITY_STYLE.get(finding.severity, ""))
    parts: list[Content | str | tuple[str, str]] = [title]
    if finding.confidence != "measured":
        parts.append((f"  ({finding.confidence})", "$text-muted"))
    if finding.text:
        parts += ["\n", log_content(finding.text, "$text-muted")]
    if finding.evidence:
        parts += ["\n", (f"{len(finding.evidence)} line(s) of evidence: enter", "$text-accent")]
    if gap:
        parts.append("\n ")
    return Content.assemble(*parts)


class FindingsPanel(OptionList):
    """One option per finding; ``enter`` or a click posts ``Chosen``."""

    BINDINGS = [Binding("enter", "select", "Evidence")]

    class Chosen(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.findings: list[Finding] = []
        self.border_title = "Findings"
        self.set_loading_text()

    def set_loading_text(self) -> None:
        self.clear_options()
        self.add_option(Option(Content.styled("building the report…", "$text-muted"), disabled=True))

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.clear_options()
        if not findings:
            self.add_option(Option(Content.styled("the report found nothing to say", "$text-muted"), disabled=True))
            return
        last = len(findings) - 1
        self.add_options([Option(finding_prompt(f, gap=i < last), id=str(i)) for i, f in enumerate(findings)])
        self.highlighted = None
        self.call_after_refresh(self.scroll_home, animate=False, immediate=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self.findings[int(event.option.id)]))
