"""Log-derived text made safe to show: rich ``Text`` objects, never markup, no control characters.

A log line may contain ``[bold]``, escape sequences or C1 controls; shown as markup or passed to
the terminal raw, it could restyle or move the screen. Everything taken from a log or a query
result goes through :func:`log_text` (or :func:`clean`) before it reaches a widget.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.content import Content

from forensics.output import plain
from forensics.terminal import CONTROL_ESCAPES

#: The control escapes, with tabs kept for expansion (raw-line views).
_LINE_ESCAPES = {k: v for k, v in CONTROL_ESCAPES.items() if k != 9}


def clean(value: str, *, tabs: int = 0) -> str:
    """``value`` with every control character escaped; tabs expanded to ``tabs`` columns when given."""
    if tabs:
        return value.expandtabs(tabs).translate(_LINE_ESCAPES)
    return value.translate(CONTROL_ESCAPES)


def log_text(value: Any, style: str = "", *, tabs: int = 0) -> Text:
    """A ``Text`` for any value from the database or a log file (None becomes an empty text)."""
    if value is None:
        return Text("", style=style, end="")
    if isinstance(value, float):
        shown = f"{value:.6g}"
    else:
        shown = str(plain(value))
    return Text(clean(shown, tabs=tabs), style=style, end="")


def cell_text(value: Any) -> Text:
    """A table cell: numbers right-aligned, NULL shown as a dim ∅, the rest as :func:`log_text`."""
    if value is None:
        return Text("∅", style="dim", end="")
    text = log_text(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text.justify = "right"
    return text


#: Theme variables for each severity, so colours follow the dark or light theme.
SEVERITY_STYLE = {
    "crit": "bold $text-error",
    "warn": "$text-warning",
    "ok": "$text-success",
    "info": "$text-accent",
    "dim": "$text-muted",
}


def log_content(value: Any, style: str = "") -> Content:
    """Textual ``Content`` (never parsed as markup) for log-derived text, with a theme-aware style."""
    text = log_text(value).plain
    return Content.styled(text, style) if style else Content(text)
