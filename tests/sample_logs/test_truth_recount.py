"""truth.json agrees with an independent recount of the files it describes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .helpers import (
    BLOCK,
    BROKERS,
    BUNDLE,
    GC_LINE,
    GC_PAUSE,
    LOG4J_HEAD,
    SPRING_HEAD,
    bundle_files,
    count_records,
    gc_files,
    hour_of,
    iso,
    log4j_records,
    log4j_time,
    read_lines,
    server_logs,
)


def test_truth_lists_every_file_of_the_bundle(truth: dict[str, Any]) -> None:
    on_disk = sorted(str(p.relative_to(BUNDLE)) for p in bundle_files())
    assert sorted(truth["files"]) == on_disk


@pytest.mark.parametrize("relpath", sorted(str(p.relative_to(BUNDLE)) for p in bundle_files()))
def test_line_record_and_byte_counts_of_each_file_match_the_truth(truth: dict[str, Any], relpath: str) -> None:
    path = BUNDLE / relpath
    lines = read_lines(path)
    assert truth["files"][relpath] == {
        "lines": len(lines),
        "records": count_records(path, lines),
        "bytes": path.stat().st_size,
    }


def test_producer_id_block_lines_per_hour_match_the_truth(truth: dict[str, Any]) -> None:
    per_hour: Counter[str] = Counter()
    per_controller: Counter[str] = Counter()
    for host in BROKERS:
        for line in read_lines(BUNDLE / host / "controller.log"):
            m = BLOCK.search(line)
            if m:
                per_hour[hour_of(log4j_time(LOG4J_HEAD.match(line).group(1)))] += 1  # type: ignore[union-attr]
                per_controller[host] += 1
    blocks = truth["producer_id_blocks"]
    assert {h: per_hour.get(h, 0) for h in blocks["per_hour"]} == blocks["per_hour"]
    assert dict(per_controller) == blocks["per_controller"]
    assert sum(per_hour.values()) == blocks["total"]


def test_block_lines_account_for_the_new_producers_of_each_hour(truth: dict[str, Any]) -> None:
    new = truth["new_producers_per_hour"]["hours"]
    blocks = truth["producer_id_blocks"]["per_hour"]
    for hour, producers in new.items():
        assert abs(blocks[hour] * 1000 - producers) <= 6_000, hour


def test_new_producer_rate_peaks_at_about_84_times_the_baseline(truth: dict[str, Any]) -> None:
    rate = truth["new_producers_per_hour"]
    assert rate["peak"] == max(rate["hours"].values())
    assert rate["baseline"] == rate["hours"][rate["baseline_hour"]]
    assert rate["ratio"] == round(rate["peak"] / rate["baseline"], 2)
    assert 80 <= rate["ratio"] <= 88


def test_oom_lines_per_broker_and_file_match_the_truth(truth: dict[str, Any]) -> None:
    for host in BROKERS:
        counted = {}
        for path in sorted((BUNDLE / host).iterdir()):
            n = sum(1 for line in read_lines(path) if "java.lang.OutOfMemoryError" in line)
            if n:
                counted[path.name] = n
        assert counted == truth["brokers"][host]["oom_lines"], host


def test_gc_figures_per_broker_match_a_recount_of_the_gc_logs(truth: dict[str, Any]) -> None:
    for host in BROKERS:
        pauses: list[tuple[str, float, int]] = []
        to_space = 0
        for path in gc_files(host):
            for line in read_lines(path):
                m = GC_LINE.match(line)
                assert m, line
                if m.group("tags").strip() != "gc":
                    continue
                if m.group("msg").endswith("To-space exhausted"):
                    to_space += 1
                p = GC_PAUSE.search(m.group("msg"))
                if p:
                    pauses.append((p.group("what"), float(p.group("ms")), int(p.group("after"))))
        gc = truth["gc"][host]
        assert gc["pauses"] == len(pauses)
        assert gc["full_gcs"] == sum(1 for w, _, _ in pauses if w.startswith("Pause Full"))
        assert gc["remark_pauses"] == sum(1 for w, _, _ in pauses if w == "Pause Remark")
        assert gc["mixed_pauses"] == sum(1 for w, _, _ in pauses if w.startswith("Pause Young (Mixed)"))
        assert gc["total_pause_ms"] == pytest.approx(sum(ms for _, ms, _ in pauses), abs=0.01)
        assert gc["max_pause_ms"] == max(ms for _, ms, _ in pauses)
        assert gc["peak_heap_after_gc_mb"] == max(after for _, _, after in pauses)
        assert gc["to_space_exhausted"] == to_space


def _created_per_hour(host: str, offset_hours: int) -> Counter[str]:
    hours: Counter[str] = Counter()
    for line in read_lines(BUNDLE / host / "app.log"):
        if "Instantiated an idempotent producer." not in line:
            continue
        if host == "api-pod-a":
            hours[hour_of(iso(json.loads(line)["@timestamp"]))] += 1
        elif host == "api-pod-b":
            local = datetime.strptime(SPRING_HEAD.match(line).group(1), "%Y-%m-%d %H:%M:%S.%f")  # type: ignore[union-attr]
            hours[hour_of(local - timedelta(hours=offset_hours))] += 1
        else:
            hours[hour_of(log4j_time(LOG4J_HEAD.match(line).group(1)))] += 1  # type: ignore[union-attr]
    return hours


@pytest.mark.parametrize("host", ["api-pod-a", "api-pod-b", "billing-service"])
def test_producers_created_per_pod_and_hour_match_the_truth(truth: dict[str, Any], host: str) -> None:
    offset = int(truth["hosts"][host]["utc_offset"][:3])
    counted = _created_per_hour(host, offset)
    expected = truth["clients"][host]["producers_created_per_hour"]
    assert {h: counted.get(h, 0) for h in expected} == expected
    assert sum(counted.values()) == truth["clients"][host]["producers_created"]


def test_rollout_steps_match_the_flag_export(truth: dict[str, Any]) -> None:
    steps = []
    for line in read_lines(BUNDLE / "rollouts" / "feature-flags.jsonl"):
        rec = json.loads(line)
        if rec["key"] == truth["rollout"]["flag"] and rec["titleVerb"] == "updated the flag":
            at = datetime.fromtimestamp(rec["date"] / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            steps.append({"at": at, "from_percent": rec["rollout"]["before"], "to_percent": rec["rollout"]["after"]})
    assert steps == truth["rollout"]["steps"]
    assert [s["to_percent"] for s in steps] == [1, 5, 25, 75, 0]


def test_cascade_order_is_the_order_of_the_first_oom_of_each_broker(truth: dict[str, Any]) -> None:
    first: dict[str, datetime] = {}
    for host in BROKERS:
        for path in server_logs(host):
            for ts, _, text in log4j_records(path):
                if "java.lang.OutOfMemoryError" in text:
                    first.setdefault(host, ts)
    assert sorted(first, key=first.__getitem__) == truth["cascade_order"]
    for host, ts in first.items():
        assert iso(truth["brokers"][host]["first_oom"]) == ts


def test_failure_and_restart_times_are_the_times_of_their_lines(truth: dict[str, Any]) -> None:
    for host in truth["cascade_order"]:
        b = host[-1]
        facts = truth["brokers"][host]
        seen_by = facts["failure_seen_by"]
        times = [
            ts for ts, _, text in log4j_records(BUNDLE / seen_by / "controller.log") if facts["failure_line"] in text
        ]
        assert iso(facts["failure_seen_by_controller"]) == times[0]
        started = [
            ts
            for path in server_logs(host)
            for ts, _, text in log4j_records(path)
            if f"[KafkaServer id={b}] started" in text
        ]
        assert [iso(facts["started"])] == started
        recovered = [
            text
            for path in server_logs(host)
            for _, _, text in log4j_records(path)
            if "since no clean shutdown file was found" in text
        ]
        assert len(recovered) == 1 and f"Recovering {facts['recovered_logs']} logs from" in recovered[0]
