"""The README documents every key binding, as the code declares them."""

from __future__ import annotations

from forensics.tui.keys import markdown
from tests.conftest import REPO

START, END = "<!-- tui-keys:start -->", "<!-- tui-keys:end -->"


def test_the_readme_key_table_is_the_one_generated_from_the_bindings() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme, "README.md needs the tui key table between the tui-keys markers"
    documented = readme.split(START)[1].split(END)[0].strip("\n") + "\n"
    assert documented == markdown(), "regenerate it: python -m forensics.tui.keys"
