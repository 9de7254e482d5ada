"""SVG snapshots of every screen at 80×24 and 160×48, on the sample incident (no clock, no blinking).

Regenerate after a deliberate change of the look with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the SVGs in ``__snapshots__/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from forensics.tui.app import ForensicsApp
from tests.tui.pilot import settle

Steps = Callable[[Pilot[Any]], Awaitable[None]]


def keys(*pressed: str) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


async def sql_with_rows(pilot: Pilot[Any]) -> None:
    await keys("3")(pilot)
    pilot.app.screen.query_one("#editor", TextArea).text = (
        "SELECT host, count(*) AS oom_lines FROM broker_events WHERE kind = 'oom' GROUP BY host ORDER BY host")
    await keys("ctrl+r")(pilot)
    # the result table sizes its columns on a later refresh: under load one snapshot caught it half done
    for _ in range(3):
        await pilot.pause(0.05)
        await settle(pilot)


async def sql_with_an_error(pilot: Pilot[Any]) -> None:
    await keys("3")(pilot)
    pilot.app.screen.query_one("#editor", TextArea).text = "SELECT * FROM brokers_events"
    await keys("ctrl+r")(pilot)


CASES: dict[str, tuple[tuple[int, int], Steps, bool]] = {
    "timeline_80x24": ((80, 24), keys(), False),
    "timeline_160x48": ((160, 48), keys(), False),
    "timeline_zoomed_in_on_kafka_3_160x48": ((160, 48), keys("plus", "plus", "right", "right", "right", "right",
                                                             "right", "right"), False),
    "timeline_light_160x48": ((160, 48), keys(), True),
    "drill_down_80x24": ((80, 24), keys("right", "right", "right", "right", "right", "right", "enter"), False),
    "events_80x24": ((80, 24), keys("2"), False),
    "sql_80x24": ((80, 24), sql_with_rows, False),
    "sql_error_160x48": ((160, 48), sql_with_an_error, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_screens_look_as_reviewed(case: str, sample_db: Path, snap_compare: Any) -> None:
    size, steps, light = CASES[case]
    assert snap_compare(ForensicsApp(str(sample_db), light=light), terminal_size=size, run_before=steps)
