"""Helpers for Pilot tests: wait until every worker is done and every message handled."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the workers (database jobs), then for the messages they posted, until none is running."""
    app = pilot.app
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return
    raise AssertionError("the app did not settle: workers still running")
