"""The headless core never loads Textual: only importing forensics.tui's screens does."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEADLESS = ["forensics.cli", "forensics.commands", "forensics.queries", "forensics.db", "forensics.ingest",
            "forensics.timeline", "forensics.story", "forensics.story.build", "forensics.report", "parsers.registry"]
#: Parts of the TUI package that hold no widget: they stay usable without Textual.
TUI_DATA = ["forensics.tui", "forensics.tui.data", "forensics.tui.model", "forensics.tui.excerpt",
            "forensics.tui.findings", "forensics.tui.filters", "forensics.tui.zoom"]


def textual_after_each(modules: list[str]) -> dict[str, bool]:
    """Import ``modules`` one after the other in a fresh interpreter: is Textual loaded after each?"""
    code = (
        "import importlib, json, sys\n"
        f"modules = {modules!r}\n"
        "seen = {}\n"
        "for m in modules:\n"
        "    importlib.import_module(m)\n"
        "    seen[m] = 'textual' in sys.modules\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout)


def test_the_headless_core_does_not_import_textual() -> None:
    loaded = textual_after_each(HEADLESS)
    assert not any(loaded.values()), [m for m, yes in loaded.items() if yes]


def test_the_tui_package_imports_textual_only_where_it_draws() -> None:
    loaded = textual_after_each([*TUI_DATA, "forensics.tui.app"])
    assert not any(loaded[m] for m in TUI_DATA), [m for m in TUI_DATA if loaded[m]]
    assert loaded["forensics.tui.app"]
