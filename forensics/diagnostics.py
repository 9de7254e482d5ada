"""The only writer to stderr: errors, warnings, notes and progress lines.

stdout carries data only (query rows, reports); everything a person should
read about what happened goes through here.
"""

from __future__ import annotations

import sys
from typing import TextIO

from forensics.terminal import visible

PROG = "forensics"


def _out() -> TextIO:
    return sys.stderr


def error(message: str, hint: str | None = None) -> None:
    print(f"{PROG}: error: {visible(message)}", file=_out())
    if hint:
        print(f"{PROG}: hint: {visible(hint)}", file=_out())


def warning(message: str) -> None:
    print(f"{PROG}: warning: {visible(message)}", file=_out())


def note(message: str) -> None:
    print(f"{PROG}: {visible(message)}", file=_out())


def line(text: str = "") -> None:
    """A plain line of a human-readable summary (file names and notes come from the input: made visible)."""
    print(visible(text), file=_out())
