"""The headless core never loads Textual: only importing forensics.tui does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

HEADLESS = ["forensics.cli", "forensics.commands", "forensics.queries", "forensics.db", "forensics.ingest",
            "forensics.timeline", "forensics.report", "forensics.report.build", "parsers.registry"]


def textual_loaded_after(module: str) -> bool:
    code = f"import sys, importlib; importlib.import_module({module!r}); print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return done.stdout.strip() == "True"


@pytest.mark.parametrize("module", HEADLESS)
def test_the_headless_core_does_not_import_textual(module: str) -> None:
    assert not textual_loaded_after(module)


def test_the_tui_package_imports_textual_only_where_it_draws() -> None:
    for module in ("forensics.tui", "forensics.tui.data", "forensics.tui.model", "forensics.tui.excerpt",
                   "forensics.tui.findings", "forensics.tui.filters", "forensics.tui.zoom"):
        assert not textual_loaded_after(module), module
    assert textual_loaded_after("forensics.tui.app")
