"""A new user's session under tmux, on the sample incident: real terminal, real keys, screen read back."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tui.tmux_session import TIMELINE_ROW, TMUX, TmuxSession

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def test_a_new_user_finds_the_first_oom_its_raw_lines_the_events_and_sql(sample_db: Path) -> None:
    session = TmuxSession([sys.executable, "-m", "forensics", "tui", "--db", str(sample_db)], 120, 40, cwd=REPO)
    try:
        screen = session.wait_for(TIMELINE_ROW)
        assert "1 Timeline" in screen and "2 Events" in screen and "3 SQL" in screen
        screen = session.wait_for("OOM #1")  # the readout of the cursor's bucket: the first OOM
        assert "kafka-1" in screen and "kafka-5" in screen and "client err" in screen
        assert "brokers: · up ~ thrashing ! OOM X failed _ down ^ restarted" in screen

        session.keys("Right", "Right", "Right", "Right", "Right", "Right")  # the kafka-3 lane
        session.wait_for("kafka-3 failed")
        session.keys("Enter")  # the raw lines behind kafka-3's state
        session.wait_for("sample_logs/incident/kafka-1/controller.log:624")
        screen = session.wait_for("624 ▶")
        assert "624 ▶ [2025-08-28 03:53:29,251] INFO [Controller id=1] Broker failure callback for 3" in screen

        session.keys("Escape", "2")  # events around the cursor, warnings and worse
        screen = session.wait_for("level≥WARN")
        session.keys("/", "C-u")
        session.wait_for("filter: host:kafka-3 source:gc")  # the placeholder: the line is empty
        session.type("kind:oom host:kafka-5")
        session.wait_for(" kind:oom host:kafka-5")
        session.keys("Enter")
        screen = session.wait_for("kind=oom")
        assert "kafka-5" in screen and "kafka-3" not in screen.split("level≥")[0].split("events")[-1]
        session.keys("Enter")
        screen = session.wait_for("java.lang.OutOfMemoryError")
        session.keys("Escape", "F4")
        session.wait_for("SQL (ctrl+r runs")
        session.keys("F7", "BSpace")  # select all, delete
        session.wait_for(re.compile(r"\A(?![\s\S]*SELECT kind, count)"))  # the example SQL is gone
        session.type("SELECT count(*) AS ooms FROM broker_events WHERE kind = 'oom'")
        session.wait_for("WHERE kind = 'oom'")  # typed into the editor before it runs
        session.keys("C-r")
        screen = session.wait_for("1 row(s)")
        assert "ooms" in screen and " 50" in screen  # each OOM once: the stdout copies are in event_copies
        session.keys("Escape", "1", "q")
    finally:
        session.close()
