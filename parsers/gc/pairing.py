"""Open phase starts waiting for their end line, kept across batches with a bounded size.

Concurrent phases log a start line and, much later (after other GCs' lines), an end line
with the duration. ``OpenStarts`` holds the starts by key (GC id + phase name) until the end
arrives; when more than ``limit`` starts are open (a file with starts but no ends), the
oldest are evicted and reported as incomplete events, so memory stays bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

#: Starts kept open at most; beyond this the oldest are given up as incomplete.
OPEN_LIMIT = 10_000


@dataclass(frozen=True)
class Start:
    """A start line: where and when, plus whatever the caller needs to report it alone."""

    line_no: int
    ts: datetime | None
    uptime_s: float | None
    tags: str | None
    payload: dict[str, object]


class OpenStarts:
    """Starts by key, oldest first."""

    def __init__(self, limit: int = OPEN_LIMIT) -> None:
        self._open: OrderedDict[Hashable, Start] = OrderedDict()
        self._limit = limit

    def open(self, key: Hashable, start: Start) -> list[Start]:
        """Register a start; returns the starts evicted (a repeated key or the oldest beyond the limit)."""
        evicted = [self._open.pop(key)] if key in self._open else []
        self._open[key] = start
        while len(self._open) > self._limit:
            evicted.append(self._open.popitem(last=False)[1])
        return evicted

    def close(self, key: Hashable) -> Start | None:
        """The start for this end, if one is open."""
        return self._open.pop(key, None)

    def drain(self) -> list[Start]:
        """Every start still open, oldest first (at end of file)."""
        starts = list(self._open.values())
        self._open.clear()
        return starts

    def __len__(self) -> int:
        return len(self._open)
