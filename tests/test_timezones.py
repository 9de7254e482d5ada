"""Zone-less times become UTC in the zone the user names, right across DST changes."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from forensics.discovery import TzPolicy
from forensics.errors import UsageError
from parsers.base import ParseContext
from parsers.registry import get_format, parse_lines
from parsers.timestamps import localize


def utc(series: pl.Series) -> list[str]:
    return [t.isoformat() for t in series.to_list()]


def test_los_angeles_fall_back_hour_takes_the_second_occurrence_when_time_goes_backwards() -> None:
    local = pl.Series([datetime(2025, 11, 2, 0, 59), datetime(2025, 11, 2, 1, 30), datetime(2025, 11, 2, 1, 59),
                       datetime(2025, 11, 2, 1, 5), datetime(2025, 11, 2, 1, 40), datetime(2025, 11, 2, 2, 10)])
    assert utc(localize(local, "America/Los_Angeles")) == [
        "2025-11-02T07:59:00+00:00", "2025-11-02T08:30:00+00:00", "2025-11-02T08:59:00+00:00",
        "2025-11-02T09:05:00+00:00", "2025-11-02T09:40:00+00:00", "2025-11-02T10:10:00+00:00",
    ]


def test_berlin_spring_forward_and_summer_offsets() -> None:
    local = pl.Series([datetime(2025, 3, 30, 1, 59), datetime(2025, 3, 30, 3, 0), datetime(2025, 8, 28, 5, 53)])
    assert utc(localize(local, "Europe/Berlin")) == [
        "2025-03-30T00:59:00+00:00", "2025-03-30T01:00:00+00:00", "2025-08-28T03:53:00+00:00",
    ]


def test_the_fall_back_rule_holds_across_batches() -> None:
    first = localize(pl.Series([datetime(2025, 11, 2, 1, 50)]), "America/Los_Angeles")
    second = localize(pl.Series([datetime(2025, 11, 2, 1, 10)]), "America/Los_Angeles",
                      running_max=datetime(2025, 11, 2, 1, 50))
    assert utc(first) == ["2025-11-02T08:50:00+00:00"]
    assert utc(second) == ["2025-11-02T09:10:00+00:00"]


def test_a_broker_line_in_a_given_zone_is_stored_in_utc_with_its_origin() -> None:
    line = "[2025-08-28 05:53:07,412] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)"
    ctx = ParseContext(path="x", host="kafka-2", tz="Europe/Berlin", tz_given=True)
    records, _ = parse_lines(get_format("kafka_log4j"), [line], ctx)
    assert records["ts"][0].isoformat() == "2025-08-28T03:53:07.412000+00:00"
    assert records["ts_origin"][0] == "tz:Europe/Berlin"


def test_tz_flags_resolve_per_host_and_path_glob_before_the_default() -> None:
    policy = TzPolicy.from_flags(("Asia/Tokyo", "api-pod-b=America/Los_Angeles", "*/eu/*.log=Europe/Berlin"))
    assert policy.zone_for("api-pod-b", "logs/api-pod-b/app.log") == ("America/Los_Angeles", True)
    assert policy.zone_for("x", "logs/eu/server.log") == ("Europe/Berlin", True)
    assert policy.zone_for("kafka-1", "logs/kafka-1/server.log") == ("Asia/Tokyo", True)
    assert TzPolicy.from_flags(()).zone_for("kafka-1", "server.log") == ("UTC", False)


@pytest.mark.parametrize("flag", ["Mars/Olympus", "UTC+2", "kafka-1=Europe/Nowhere"])
def test_unknown_or_posix_style_zones_are_refused(flag: str) -> None:
    with pytest.raises(UsageError, match="unknown time zone"):
        TzPolicy.from_flags((flag,))


def test_a_tz_rule_without_a_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="expected PATTERN=VALUE"):
        TzPolicy.from_flags(("kafka-1=",))
