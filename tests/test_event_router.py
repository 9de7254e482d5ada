"""The event router gathers candidates over batches: its events must not depend on how the records were cut."""

from __future__ import annotations

import polars as pl
import pytest

from parsers import events
from parsers.events import EventRouter
from parsers.registry import get_format, parse_lines
from tests.conftest import REPO

LOG = REPO / "sample_logs" / "incident" / "kafka-5" / "server.log.2025-08-28-04"  # 75 events of 10 kinds


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    lines = LOG.read_text(encoding="utf-8").splitlines()
    got, rejects = parse_lines(get_format("kafka_log4j"), lines)
    assert rejects.height == 0
    return got


def _batched(records: pl.DataFrame, size: int) -> tuple[list[int], pl.DataFrame]:
    """(rows of each flush, all events) when the records come in batches of ``size``."""
    router, flushes, frames = EventRouter("broker"), [], []
    for start in range(0, records.height, size):
        for table, frame in router.add(records.slice(start, size)):
            assert table == "broker_events"
            flushes.append(frame.height)
            frames.append(frame)
    for _, frame in router.flush():
        flushes.append(frame.height)
        frames.append(frame)
    return flushes, pl.concat(frames)


def test_events_are_the_same_whether_the_rules_run_once_or_per_gathering(records: pl.DataFrame,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    whole = EventRouter("broker").extract(records)
    assert whole.height == 75 and whole.get_column("kind").n_unique() == 10
    monkeypatch.setattr(events, "PENDING_ROWS", 10)  # a flush every few batches
    flushes, batched = _batched(records, 20)
    assert len(flushes) > 3
    assert batched.equals(whole)


def test_long_candidate_text_is_flushed_before_the_row_bound(records: pl.DataFrame,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "PENDING_BYTES", 2_000)
    flushes, batched = _batched(records, 20)
    assert len(flushes) > 3  # PENDING_ROWS (50,000) alone would flush once, at the end
    assert batched.equals(EventRouter("broker").extract(records))
