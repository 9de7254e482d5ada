"""The top line of every screen: which screen this is, how to reach the others, and the database."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static

from forensics.tui.text import clean

#: Screens in the order of their keys (1/F2, 2/F3, 3/F4).
SCREENS = (("timeline", "1", "Timeline"), ("events", "2", "Events"), ("sql", "3", "SQL"))


class NavBar(Static):
    """`` forensics  1 Timeline  2 Events  3 SQL   ? help  q quit   sample.duckdb``; names are clickable."""

    def __init__(self, current: str, db_path: str) -> None:
        super().__init__(classes="nav")
        self.current = current
        self.db_path = db_path

    def on_mount(self) -> None:
        parts: list[Content | str | tuple[str, str]] = [(" forensics ", "bold $text-accent")]
        for name, key, title in SCREENS:
            style = "reverse bold" if name == self.current else ""
            parts += [" ", (f" {key} {title} ", f"{style} @click=app.show('{name}')".strip())]
        parts += ["  ", ("? help", "$text-muted @click=app.toggle_help"),
                  "  ", ("q quit", "$text-muted @click=app.quit")]
        parts += ["  ", (clean(Path(self.db_path).name), "$text-muted")]
        self.update(Content.assemble(*parts))
