"""The key bindings of every screen, as the README documents them (generated from ``BINDINGS``).

``python -m forensics.tui.keys`` prints the README's key table; ``tests/tui/test_keys_doc.py``
checks that the README holds exactly this text, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from textual.binding import Binding

_NAMES = {
    "plus": "+", "equals_sign": "=", "minus": "-", "underscore": "_", "question_mark": "?", "slash": "/",
    "enter": "Enter", "escape": "Esc", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
    "space": "Space", "up": "↑", "down": "↓", "left": "←", "right": "→", "tab": "Tab",
}


def key_display(keys: str) -> str:
    """``plus,equals_sign`` → ``+ =``; ``ctrl+r,f5`` → ``Ctrl+R F5``."""
    shown = []
    for key in keys.split(","):
        parts = key.strip().split("+")
        last = parts[-1]
        name = _NAMES.get(last, last.upper() if len(last) > 1 or len(parts) > 1 else last)
        shown.append("+".join([p.capitalize() for p in parts[:-1]] + [name]))
    return " ".join(f"`{k}`" for k in shown)


def sections() -> list[tuple[str, list[Binding]]]:
    """(where, bindings) for the app and each screen and widget, in the order a user meets them."""
    from forensics.tui.app import ForensicsApp
    from forensics.tui.screens.detail import DetailScreen
    from forensics.tui.screens.events import EventsScreen
    from forensics.tui.screens.ingest import IngestScreen
    from forensics.tui.screens.sql import SqlScreen
    from forensics.tui.screens.timeline import TimelineScreen
    from forensics.tui.widgets.findings import FindingsPanel
    from forensics.tui.widgets.timeline import TimelineView

    def own(cls: type) -> list[Binding]:
        return [b if isinstance(b, Binding) else Binding(*b) for b in cls.__dict__.get("BINDINGS", [])]

    return [
        ("Everywhere", own(ForensicsApp)),
        ("Timeline", own(TimelineView) + own(TimelineScreen)),
        ("Findings panel", own(FindingsPanel)),
        ("Events", own(EventsScreen)),
        ("Detail (raw lines)", own(DetailScreen)),
        ("SQL", own(SqlScreen)),
        ("Ingest", own(IngestScreen)),
    ]


def markdown() -> str:
    """The README's key table."""
    lines = ["| where | keys | what |", "|---|---|---|"]
    for where, bindings in sections():
        for binding in bindings:
            lines.append(f"| {where} | {key_display(binding.key)} | {binding.description or binding.action} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
