"""The zone-less hosts' local clocks are consistent with the true offsets recorded in truth.json."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .helpers import BLOCK, BROKERS, BUNDLE, LOG4J_HEAD, SPRING_HEAD, log4j_records, read_lines

START_MS = re.compile(r"Kafka startTimeMs: (\d+)")
PID_SET = re.compile(r"ProducerId set to (\d+) with epoch 0")


def _epoch_of_local(text: str, fmt: str, offset_hours: int) -> float:
    local = datetime.strptime(text, fmt).replace(tzinfo=UTC)
    return (local - timedelta(hours=offset_hours)).timestamp() * 1000


def test_truth_gives_a_true_offset_for_every_zone_less_host(truth: dict[str, Any]) -> None:
    zone_less = {host for host, clock in truth["hosts"].items() if clock["zone_less"]}
    assert zone_less == {*BROKERS, "api-pod-b", "billing-service"}
    assert truth["hosts"]["api-pod-b"]["utc_offset"] == "-07:00"


def test_spring_pod_local_time_minus_its_offset_matches_the_epoch_millis_it_logs(truth: dict[str, Any]) -> None:
    offset = int(truth["hosts"]["api-pod-b"]["utc_offset"][:3])
    checked = 0
    for line in read_lines(BUNDLE / "api-pod-b" / "app.log"):
        m = START_MS.search(line)
        if m:
            head = SPRING_HEAD.match(line)
            assert head, line
            at = _epoch_of_local(head.group(1), "%Y-%m-%d %H:%M:%S.%f", offset)
            assert 0 <= at - int(m.group(1)) <= 10, line
            checked += 1
    assert checked > 100


def test_reading_the_spring_pod_as_utc_would_put_it_seven_hours_early() -> None:
    line = next(line for line in read_lines(BUNDLE / "api-pod-b" / "app.log") if START_MS.search(line))
    as_utc = _epoch_of_local(SPRING_HEAD.match(line).group(1), "%Y-%m-%d %H:%M:%S.%f", 0)  # type: ignore[union-attr]
    true_ms = int(START_MS.search(line).group(1))  # type: ignore[union-attr]
    assert -7 * 3_600_000 <= as_utc - true_ms <= -7 * 3_600_000 + 10


def test_spring_pod_producer_ids_come_from_blocks_allocated_before_their_local_time(truth: dict[str, Any]) -> None:
    offset = int(truth["hosts"]["api-pod-b"]["utc_offset"][:3])
    blocks: list[tuple[int, datetime]] = []
    for host in BROKERS:
        for ts, _, text in log4j_records(BUNDLE / host / "controller.log"):
            m = BLOCK.search(text)
            if m:
                blocks.append((int(m.group(3)), ts))
    starts = {first: ts for first, ts in blocks}
    for line in read_lines(BUNDLE / "api-pod-b" / "app.log"):
        m = PID_SET.search(line)
        if m:
            pid = int(m.group(1))
            local = datetime.strptime(SPRING_HEAD.match(line).group(1), "%Y-%m-%d %H:%M:%S.%f")  # type: ignore[union-attr]
            at = (local - timedelta(hours=offset)).replace(tzinfo=UTC)
            assert starts[pid - pid % 1000] <= at, line


def test_broker_and_billing_clocks_are_utc(truth: dict[str, Any]) -> None:
    for line in read_lines(BUNDLE / "billing-service" / "app.log"):
        m = START_MS.search(line)
        if m:
            at = _epoch_of_local(LOG4J_HEAD.match(line).group(1), "%Y-%m-%d %H:%M:%S,%f", 0)  # type: ignore[union-attr]
            assert 0 <= at - int(m.group(1)) <= 10
    for host in truth["cascade_order"]:
        for path in sorted((BUNDLE / host).glob("server.log*")):
            for ts, _, text in log4j_records(path):
                m = START_MS.search(text)
                if m:
                    assert 0 <= ts.timestamp() * 1000 - int(m.group(1)) <= 10


def test_json_pod_timestamps_carry_their_zone() -> None:
    stamps = [json.loads(line)["@timestamp"] for line in read_lines(BUNDLE / "api-pod-a" / "app.log")[:500]]
    assert all(s.endswith("Z") for s in stamps)
    assert any(len(s) < len("2025-08-28T00:00:00.000Z") for s in stamps), "ISO_OFFSET_DATE_TIME trims trailing zeros"
