"""Drive ``forensics tui`` in a real terminal under tmux: start it, send keys, read the screen.

Used by ``test_tmux_session.py`` and to measure launch → first timeline by hand::

    python -m tests.tui.tmux_session DB_PATH [WIDTH HEIGHT]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")
#: A tmux server of the tests' own (``tmux -L``), apart from any the user runs.
SOCKET = "forensics-tests"
#: A row of the timeline: a time on the axis (``HH:MM`` or ``DD HH:MM``) followed by lane cells.
TIMELINE_ROW = re.compile(r"^(\d\d )?\d\d:\d\d(:\d\d)?[ ◆]", re.M)


class TmuxSession:
    """One detached tmux session running one command at a fixed size."""

    def __init__(self, command: list[str], width: int = 120, height: int = 40, cwd: Path | None = None) -> None:
        assert TMUX, "tmux is not installed"
        self.name = f"forensics-test-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "TERM": "xterm-256color", "TZ": "UTC", "LANG": "C.UTF-8"}
        env.pop("FORENSICS_DB", None)
        shell = " ".join(_quote(c) for c in command)
        self.started = time.perf_counter()
        subprocess.run([TMUX, "-L", SOCKET, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        f"{shell}; sleep 60"], check=True, cwd=cwd, env=env)

    def screen(self) -> str:
        out = subprocess.run([TMUX, "-L", SOCKET, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=True)
        return out.stdout

    def keys(self, *keys: str) -> None:
        """Send keys; a lone Escape is followed by a pause, or the terminal reads Escape+key as Alt+key."""
        for key in keys:
            subprocess.run([TMUX, "-L", SOCKET, "send-keys", "-t", self.name, key], check=True)
            if key == "Escape":
                time.sleep(0.4)
            elif key in ("/", "Enter", "F2", "F3", "F4", "1", "2", "3"):
                time.sleep(0.2)  # the focus or the screen changes: let it happen before the next key

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        subprocess.run([TMUX, "-L", SOCKET, "send-keys", "-t", self.name, "-l", text], check=True)

    def wait_for(self, what: str | re.Pattern[str], timeout: float = 30.0) -> str:
        """The screen once it shows ``what`` (text or pattern); fails with the screen after ``timeout``."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen()
            found = what.search(screen) if isinstance(what, re.Pattern) else what in screen
            if found:
                return screen
            if time.perf_counter() > deadline:
                raise AssertionError(f"{what!r} not on the screen after {timeout} s:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run([TMUX, "-L", SOCKET, "kill-session", "-t", self.name], capture_output=True)


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[\w./=:-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def first_timeline_seconds(db_path: str, width: int = 120, height: int = 40) -> float:
    """Launch ``forensics tui --db DB`` and time it until the first timeline rows are on the screen."""
    session = TmuxSession([sys.executable, "-m", "forensics", "tui", "--db", db_path], width, height)
    try:
        session.wait_for(TIMELINE_ROW, timeout=120)
        return time.perf_counter() - session.started
    finally:
        session.close()


if __name__ == "__main__":
    size = [int(v) for v in sys.argv[2:4]] or [120, 40]
    print(f"{first_timeline_seconds(sys.argv[1], *size):.2f} s")
