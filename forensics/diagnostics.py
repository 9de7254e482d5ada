"""The only writer to stderr: errors, warnings, notes and progress lines.

stdout carries data only (query rows, reports); everything a person should
read about what happened goes through here.
"""

from __future__ import annotations

import sys
from typing import TextIO

PROG = "forensics"


def _out() -> TextIO:
    return sys.stderr


def error(message: str, hint: str | None = None) -> None:
    print(f"{PROG}: error: {message}", file=_out())
    if hint:
        print(f"{PROG}: hint: {hint}", file=_out())


def warning(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=_out())


def note(message: str) -> None:
    print(f"{PROG}: {message}", file=_out())


def line(text: str = "") -> None:
    """A plain line of a human-readable summary."""
    print(text, file=_out())
