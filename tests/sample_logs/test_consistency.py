"""The files of the bundle tell one consistent story (independent of truth.json where possible)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from .helpers import (
    BLOCK,
    BROKERS,
    BUNDLE,
    GC_LINE,
    GC_PAUSE,
    LOG4J_HEAD,
    SPRING_HEAD,
    gc_files,
    iso,
    log4j_records,
    log4j_time,
    read_lines,
    server_logs,
)

PID_SET = re.compile(r"\[Producer clientId=([\w-]+)\] ProducerId set to (\d+) with epoch 0")
CREATED = re.compile(r"\[Producer clientId=([\w-]+)\] Instantiated an idempotent producer\.")
SNAPSHOT = re.compile(
    r"\[ProducerStateManager partition=(api-audit-events-\d+)\] Wrote producer snapshot at offset \d+ "
    r"with (\d+) producer ids in \d+ ms\."
)


def _blocks() -> list[tuple[datetime, str, int, int, int]]:
    """(time, controller host, controller id in the line, first id, path version), in time order."""
    out = []
    for host in BROKERS:
        for ts, _, text in log4j_records(BUNDLE / host / "controller.log"):
            m = BLOCK.search(text)
            if m:
                out.append((ts, host, int(m.group(1)), int(m.group(3)), int(m.group(4))))
    return sorted(out)


def _client_lines(host: str, offset_hours: int) -> list[tuple[datetime, str]]:
    """(UTC time, message) of a client log, whatever its layout."""
    out = []
    for line in read_lines(BUNDLE / host / "app.log"):
        if host == "api-pod-a":
            rec = json.loads(line)
            out.append((iso(rec["@timestamp"]), rec["message"]))
        elif (m := SPRING_HEAD.match(line)) is not None:
            local = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
            out.append((local - timedelta(hours=offset_hours), line))
        elif (m := LOG4J_HEAD.match(line)) is not None:
            out.append((log4j_time(m.group(1)), line))
    return out


def test_producer_id_blocks_are_contiguous_and_versioned_like_the_zookeeper_znode() -> None:
    blocks = _blocks()
    firsts = [first for _, _, _, first, _ in blocks]
    assert firsts == list(range(firsts[0], firsts[0] + 1000 * len(firsts), 1000))
    assert all(version == first // 1000 + 1 for _, _, _, first, version in blocks)
    assert all(host == f"kafka-{cid}" for _, host, cid, _, _ in blocks)


def test_block_lines_move_to_the_new_controller_when_the_controller_fails(truth: dict[str, Any]) -> None:
    change = truth["controller"]["changes"][0]
    at = iso(change["at"])
    blocks = _blocks()
    assert {host for ts, host, *_ in blocks if ts < at} == {truth["controller"]["initial"]}
    assert {host for ts, host, *_ in blocks if ts > at} == {change["controller"]}
    elected = [
        ts
        for ts, _, text in log4j_records(BUNDLE / change["controller"] / "controller.log")
        if "successfully elected as the controller" in text
    ]
    assert elected == [at]


def test_client_producer_ids_come_from_blocks_the_controller_logged_before_them(truth: dict[str, Any]) -> None:
    logged = {first: ts for ts, _, _, first, _ in _blocks()}
    checked = 0
    for host in ("api-pod-a", "api-pod-b", "billing-service"):
        lines = _client_lines(host, int(truth["hosts"][host]["utc_offset"][:3]))
        created = {m.group(1) for _, text in lines if (m := CREATED.search(text))}
        for ts, text in lines:
            m = PID_SET.search(text)
            if m and m.group(1) in created:
                pid = int(m.group(2))
                assert pid - pid % 1000 in logged, text
                assert logged[pid - pid % 1000] <= ts, text
                checked += 1
    assert checked == sum(c["producers_created"] for c in truth["clients"].values())


def test_each_api_pod_producer_lives_once_and_closes_with_the_pekko_timeout() -> None:
    for host in ("api-pod-a", "api-pod-b"):
        lines = _client_lines(host, -7 if host == "api-pod-b" else 0)
        created = [m.group(1) for _, text in lines if (m := CREATED.search(text))]
        closed = [
            m.group(1)
            for _, text in lines
            if (
                m := re.search(
                    r"\[Producer clientId=([\w-]+)\] Closing the Kafka producer with "
                    r"timeoutMillis = 60000 ms\.",
                    text,
                )
            )
        ]
        assert len(created) == len(set(created)) > 100
        assert sorted(closed) == sorted(created)
        numbers = [int(c.split("-")[1]) for c in created]
        assert numbers == sorted(numbers), "client.id sequence grows with every producer"


def test_the_normal_service_dumps_its_full_producer_config_and_closes_without_timeout() -> None:
    text = (BUNDLE / "billing-service" / "app.log").read_text(encoding="utf-8")
    dump = text.split("ProducerConfig values: \n", 1)[1].split(
        "\n (org.apache.kafka.clients.producer.ProducerConfig)", 1
    )[0]
    keys = [line.split(" = ", 1)[0].strip() for line in dump.split("\n")]
    assert len(keys) == 90 and keys == sorted(keys)
    assert "timeoutMillis = 9223372036854775807 ms." in text


def test_each_failed_broker_is_seen_failing_after_its_first_oom(truth: dict[str, Any]) -> None:
    for host in truth["cascade_order"]:
        facts = truth["brokers"][host]
        oom = min(
            ts
            for path in server_logs(host)
            for ts, _, text in log4j_records(path)
            if "java.lang.OutOfMemoryError" in text
        )
        seen = [
            ts
            for ts, _, text in log4j_records(BUNDLE / facts["failure_seen_by"] / "controller.log")
            if facts["failure_line"] in text
        ]
        assert oom < seen[0] < oom + timedelta(minutes=2)


def test_oom_appears_in_the_jvm_console_as_an_uncaught_exception(truth: dict[str, Any]) -> None:
    for host in truth["cascade_order"]:
        console = read_lines(BUNDLE / host / "kafkaServer.out")
        assert any(
            re.match(r'^Exception in thread "[^"]+" java\.lang\.OutOfMemoryError: Java heap space$', line)
            for line in console
        )


def test_restarted_brokers_were_killed_and_recover_without_a_clean_shutdown_file(truth: dict[str, Any]) -> None:
    for host in truth["cascade_order"]:
        records = [(ts, text) for path in server_logs(host) for ts, _, text in log4j_records(path)]
        sigterm = [ts for ts, text in records if "Terminating process due to signal SIGTERM" in text]
        recovering = [ts for ts, text in records if "since no clean shutdown file was found" in text]
        assert len(sigterm) == 1 and len(recovering) == 1 and sigterm[0] < recovering[0]
        between = [text for ts, text in records if sigterm[0] < ts < recovering[0]]
        assert not any("shut down completed" in text for text in between)


def _gc_pauses(host: str) -> list[tuple[datetime, str, int, int]]:
    out = []
    for path in gc_files(host):
        for line in read_lines(path):
            m = GC_LINE.match(line)
            p = GC_PAUSE.search(line)
            if m and p and m.group("tags").strip() == "gc":
                out.append(
                    (
                        datetime.strptime(m.group("ts"), "%Y-%m-%dT%H:%M:%S.%f%z"),
                        p.group("what"),
                        int(p.group("after")),
                        int(p.group("cap")),
                    )
                )
    return out


def test_heap_after_gc_climbs_with_the_storm_and_fills_the_heap_before_each_oom(truth: dict[str, Any]) -> None:
    for host in truth["cascade_order"]:
        oom = iso(truth["brokers"][host]["first_oom"])
        pauses = [p for p in _gc_pauses(host) if p[0] < oom]

        means = {}
        for hour in (0, 2, 3):
            values = [after for ts, _, after, _ in pauses if ts.hour == hour]
            means[hour] = sum(values) / len(values)
        assert means[0] < means[2] < means[3]
        fulls = [after / cap for ts, what, after, cap in pauses if what.startswith("Pause Full")]
        assert len(fulls) >= 5 and min(fulls[-5:]) > 0.96, "back-to-back Full GCs reclaim almost nothing"
    for host in BROKERS:
        assert all(after <= cap for _, _, after, cap in _gc_pauses(host))


def test_brokers_that_survive_never_run_a_full_gc(truth: dict[str, Any]) -> None:
    for host in set(BROKERS) - set(truth["cascade_order"]):
        assert not any(what.startswith("Pause Full") for _, what, _, _ in _gc_pauses(host))


def test_producer_snapshot_counts_grow_until_the_expiry_is_lowered(truth: dict[str, Any]) -> None:
    lowered = iso(truth["scenario"]["producer_id_expiration_ms"]["lowered_at"])
    allocated = sum(truth["new_producers_per_hour"]["hours"].values())
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for host in BROKERS:
        for path in server_logs(host):
            for ts, _, text in log4j_records(path):
                m = SNAPSHOT.search(text)
                if m and ts < lowered:
                    series[(host, m.group(1))].append(int(m.group(2)))
    assert len(series) >= 60
    for counts in series.values():
        assert counts == sorted(counts)
        assert counts[-1] <= allocated
    assert max(c[-1] for c in series.values()) > 50 * min(c[0] for c in series.values()) + 50


def test_rotated_server_log_files_hold_only_their_hour() -> None:
    for host in BROKERS:
        for path in server_logs(host)[:-1]:
            hour = path.name.removesuffix(".gz").rsplit(".", 1)[1]
            stamps = {ts.strftime("%Y-%m-%d-%H") for ts, _, _ in log4j_records(path)}
            assert stamps == {hour}, path


def test_leadership_moves_off_each_failed_broker_and_isrs_shrink(truth: dict[str, Any]) -> None:
    state_change = "\n".join(line for host in BROKERS for line in read_lines(BUNDLE / host / "state-change.log"))
    server = "\n".join(line for host in BROKERS for path in server_logs(host) for line in read_lines(path))
    for host in truth["cascade_order"]:
        b = host[-1]
        assert f"Previous leader Some({b}) and previous leader epoch was" in state_change
        assert re.search(
            rf"Shrinking ISR from [\d,]*{b}[\d,]* to [\d,]+\. Leader: .*Out of sync replicas: "
            rf"\(brokerId: {b}, ",
            server,
        )
    assert re.search(r"ISR updated to \d(,\d)*  and version updated to \d+ \(kafka\.cluster\.Partition\)", server)
    assert re.search(r"ISR updated to \d \(under-min-isr\) and version updated to \d+", server)


def test_the_rollback_comes_before_the_restarts(truth: dict[str, Any]) -> None:
    rollback = iso(truth["rollout"]["steps"][-1]["at"])
    assert truth["rollout"]["steps"][-1]["to_percent"] == 0
    for host in truth["cascade_order"]:
        assert iso(truth["brokers"][host]["first_oom"]) < rollback < iso(truth["brokers"][host]["sigterm"])
