"""The real broker lines of the catalogue (§8, and the examples of §2–§3) give exact typed events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parsers.events import extract_events, rules_for
from parsers.registry import get_format, parse_lines


def events_of(fmt: str, lines: list[str]) -> list[dict[str, Any]]:
    records, rejects = parse_lines(get_format(fmt), lines)
    assert rejects.height == 0, rejects.to_dicts()
    return extract_events(records, rules_for("broker")).to_dicts()


def only(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [e for e in events if e["kind"] == kind]
    assert len(found) == 1, events
    return found[0]


def test_zk_2_0_producer_id_block_gives_broker_first_id_and_size() -> None:
    line = ("[2021-10-11 09:40:11,118] INFO [ProducerId Manager 1001]: Acquired new producerId block "
            "(brokerId:1001,blockStartProducerId:0,blockEndProducerId:999) by writing to Zk with path version 1 "
            "(kafka.coordinator.transaction.ProducerIdManager)")
    event = only(events_of("kafka_log4j", [line]), "producer_id_block")
    assert (event["broker_id"], event["node_id"], event["producer_id"], event["count"]) == (1001, 1001, 0, 1000)
    assert event["ts"].isoformat() == "2021-10-11T09:40:11.118000+00:00"


def test_short_date_layout_producer_id_block() -> None:
    line = ("20/10/20 12:11:50 INFO transaction.ProducerIdManager: [ProducerId Manager 0]: Acquired new producerId "
            "block (brokerId:0,blockStartProducerId:7000,blockEndProducerId:7999) by writing to Zk with path version 8")
    event = only(events_of("log4j_short_date", [line]), "producer_id_block")
    assert (event["broker_id"], event["producer_id"], event["count"]) == (0, 7000, 1000)


def test_zk_controller_3_7_block_line_names_the_assigned_broker() -> None:
    line = ("[2025-08-28 03:41:09,877] INFO [Controller id=1] Acquired new producerId block ProducerIdsBlock("
            "assignedBrokerId=3, firstProducerId=41872000, size=1000) by writing to Zk with path version 41873 "
            "(kafka.controller.KafkaController)")
    event = only(events_of("kafka_log4j", [line]), "producer_id_block")
    assert (event["broker_id"], event["node_id"], event["producer_id"], event["count"]) == (3, 1, 41872000, 1000)


def test_kraft_replayed_producer_ids_record_gives_the_block_before_next_id() -> None:
    line = ("[2025-08-28 03:41:09,880] INFO [QuorumController id=9991] Replaying ProducerIdsRecord ProducerIdsRecord("
            "brokerId=3, brokerEpoch=2147, nextProducerId=41873000) (org.apache.kafka.controller.ProducerIdControlManager)")
    event = only(events_of("kafka_log4j", [line]), "producer_id_block")
    assert (event["broker_id"], event["producer_id"], event["count"], event["epoch"]) == (3, 41872000, 1000, 2147)


@pytest.mark.parametrize(
    ("fmt", "line", "expected"),
    [
        ("kafka_log4j",
         "[2025-04-25 10:48:24,255] INFO [ProducerStateManager partition=__cluster_metadata-0]Wrote producer snapshot at "
         "offset 124648021 with 0 producer ids in 6 ms. (org.apache.kafka.storage.internals.log.ProducerStateManager)",
         ("__cluster_metadata", 0, 124648021, 0, 6.0)),
        ("kafka_log4j",
         "[2023-12-27 01:24:46,104] INFO [ProducerStateManager partition=99-alertmanager-6] Wrote producer snapshot at "
         "offset 52 with 0 producer ids in 109 ms. (kafka.log.ProducerStateManager)",
         ("99-alertmanager", 6, 52, 0, 109.0)),
        ("kafka_log4j",
         "[2025-08-28 03:45:10,332] INFO [ProducerStateManager partition=api-audit-events-7] Wrote producer snapshot at "
         "offset 98813220 with 1187342 producer ids in 2312 ms. (org.apache.kafka.storage.internals.log.ProducerStateManager)",
         ("api-audit-events", 7, 98813220, 1187342, 2312.0)),
        ("strimzi_log4j2",
         "2026-09-21 11:54:44 INFO  [main] ProducerStateManager:441 - [ProducerStateManager partition=__cluster_metadata-0] "
         "Wrote producer snapshot at offset 357483 with 0 producer ids in 3 ms.",
         ("__cluster_metadata", 0, 357483, 0, 3.0)),
    ],
)
def test_producer_snapshot_lines_of_every_version_give_partition_count_and_write_time(
    fmt: str, line: str, expected: tuple[Any, ...]
) -> None:
    event = only(events_of(fmt, [line]), "producer_snapshot")
    assert (event["topic"], event["partition"], event["offset"], event["count"], event["duration_ms"]) == expected


def test_zk_start_up_registration_and_started_lines() -> None:
    events = events_of("kafka_log4j", [
        "[2021-10-11 09:40:10,990] INFO Registered broker 1001 at path /brokers/ids/1001 with addresses: "
        "ArrayBuffer(EndPoint(kafka,9092,ListenerName(PLAINTEXT),PLAINTEXT)) (kafka.zk.KafkaZkClient)",
        "[2021-10-11 09:40:11,230] INFO [KafkaServer id=1001] started (kafka.server.KafkaServer)",
    ])
    assert only(events, "broker_registered")["broker_id"] == 1001
    assert only(events, "broker_started")["broker_id"] == 1001


def test_isr_shrink_and_update_lines_with_and_without_partition_prefix() -> None:
    events = events_of("kafka_log4j", [
        "[2019-01-18 10:00:00,000] INFO Shrinking ISR from 1,2,0 to 0. Leader: (highWatermark: 0, endOffset: 20). "
        "Out of sync replicas: (brokerId: 1, endOffset: 19) (brokerId: 2, endOffset: 19). (kafka.cluster.Partition)",
        "[2025-08-28 03:58:02,101] INFO [Partition api-audit-events-7 broker=1] ISR updated to 1,2  and version updated "
        "to 41 (kafka.cluster.Partition)",
    ])
    shrink = only(events, "isr_shrink")
    assert (shrink["prev_isr"], shrink["isr"]) == ("1,2,0", "0")
    update = only(events, "isr_updated")
    assert (update["topic"], update["partition"], update["broker_id"], update["isr"], update["epoch"]) == (
        "api-audit-events", 7, 1, "1,2", 41)


def test_kafka_1_0_oom_under_a_request_error_is_an_oom_event() -> None:
    events = events_of("kafka_log4j", [
        "[2018-01-04 12:00:00,000] ERROR [KafkaApi-1] Error when handling request ; (kafka.server.KafkaApis)",
        "{replica_id=-1,max_wait_time=500,min_bytes=1}",
        "java.lang.OutOfMemoryError: Java heap space",
    ])
    assert only(events, "oom")["detail"] == "Java heap space"


def test_fatal_startup_error_with_oom_stack_gives_both_events() -> None:
    events = events_of("kafka_log4j", [
        "[2022-02-20 17:18:49,545] ERROR [KafkaServer id=0] Fatal error during KafkaServer startup. Prepare to shutdown "
        "(kafka.server.KafkaServer)",
        "java.lang.OutOfMemoryError: Java heap space",
        "\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)",
    ])
    assert only(events, "fatal")["detail"] == "Fatal error during KafkaServer startup"
    assert only(events, "oom")["line_end"] == 3


def test_strimzi_oom_in_a_purgatory_reaper() -> None:
    events = events_of("strimzi_log4j1", [
        "2022-03-27 22:50:38,006 ERROR [ExpirationReaper-0-Fetch]: Error due to "
        "(kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper) [ExpirationReaper-0-Fetch]",
        "java.lang.OutOfMemoryError: Java heap space",
    ])
    assert only(events, "oom")["ts"].isoformat() == "2022-03-27T22:50:38.006000+00:00"


def test_direct_buffer_oom_keeps_its_own_detail() -> None:
    events = events_of("kafka_log4j", [
        "[2025-03-20 08:04:15,034] ERROR Processor got uncaught exception. (kafka.network.Processor)",
        "java.lang.OutOfMemoryError: Cannot reserve 369295617 bytes of direct buffer memory (allocated: 1, limit: 2)",
    ])
    assert only(events, "oom")["detail"].startswith("Cannot reserve 369295617 bytes of direct buffer memory")


def test_kraft_start_unfence_and_raft_leadership() -> None:
    events = events_of("kafka_log4j", [
        "[2023-09-02 14:38:36,823] INFO [KafkaRaftServer nodeId=0] Kafka Server started (kafka.server.KafkaRaftServer)",
        "[2024-03-11 10:20:44,102] INFO [BrokerServer id=1] Transition from STARTING to STARTED (kafka.server.BrokerServer)",
        "[2024-03-11 10:20:45,000] INFO [BrokerLifecycleManager id=1] The broker has been unfenced. Transitioning from "
        "RECOVERY to RUNNING. (kafka.server.BrokerLifecycleManager)",
        "[2024-03-11 10:20:46,000] INFO [RaftManager id=0] Completed transition to Leader(localId=0, epoch=2, "
        "epochStartOffset=28, highWatermark=Optional.empty) from CandidateState(localId=0, epoch=2) "
        "(org.apache.kafka.raft.QuorumState)",
    ])
    # `Transition from STARTING to STARTED` belongs to the same start as `Kafka Server started`: not a start of its own
    assert [e["broker_id"] for e in events if e["kind"] == "broker_started"] == [0]
    assert only(events, "broker_unfenced")["broker_id"] == 1
    change = only(events, "controller_change")
    assert (change["broker_id"], change["epoch"]) == (0, 2)


def test_zk_failure_callback_for_two_brokers_gives_one_event_each() -> None:
    events = events_of("kafka_log4j", [
        "[2025-08-28 04:02:17,551] INFO [Controller id=1] Broker failure callback for 3,4 (kafka.controller.KafkaController)",
    ])
    assert sorted(e["broker_id"] for e in events if e["kind"] == "broker_failed") == [3, 4]


def test_leadership_moving_in_state_change_log() -> None:
    line = ("[2025-08-28 04:02:18,004] INFO [Broker id=1] Leader api-audit-events-7 with topic id "
            "Some(q1J8cK3mT0uD4hG2bW9xYw) starts at leader epoch 18 from offset 98813301 with partition epoch 42, "
            "high watermark 98813220, ISR [1,2], adding replicas [] and removing replicas [] . Previous leader Some(3) "
            "and previous leader epoch was 17. (state.change.logger)")
    event = only(events_of("kafka_log4j", [line]), "leader_change")
    assert (event["leader"], event["prev_leader"], event["epoch"], event["partition"]) == (1, 3, 18, 7)


def test_records_that_only_look_alike_give_no_event() -> None:
    events = events_of("kafka_log4j", [
        "[2022-11-17 09:15:03,988] INFO [TransactionCoordinator id=0] Initialized transactionalId tx-producer-2 with "
        "producerId 2 and producer epoch 0 on partition __transaction_state-2 "
        "(kafka.coordinator.transaction.TransactionCoordinator)",
        "[2025-01-01 00:00:00,000] WARN [SocketServer listenerType=BROKER, nodeId=1] Unexpected error from /172.20.0.4 "
        "(channelId=172.20.0.3:9092-172.20.0.4:43226-35); closing connection (org.apache.kafka.common.network.Selector)",
        "[2025-01-01 00:00:01,000] INFO starting the broker was not fatal and not started (kafka.server.Other)",
    ])
    assert events == []


# The lines real logs showed were missing (issue: real Kafka logs of every version), each with its event.
# Taken by file and line from the corpus of real logs (tests/real_logs/kafka/), so each is a line a broker wrote.
CORPUS = Path(__file__).parent / "real_logs" / "kafka"
REAL_LIFE_LINES = [
    ("k0.8.1-darrendao-kafka.play.time/server.log.2014-02-02-02", 29, "broker_started", {"broker_id": 0}),
    ("k0.8.0-FlavioF-openshift-kafka-cartridge/server.log.2014-01-14-18", 29, "broker_started", {"broker_id": 0}),
    ("k0.8.1-darrendao-kafka.play.time/server.log.2014-02-02-02", 59, "broker_shutdown", {"broker_id": 0}),
    ("k0.9-danisharora-helloworld/server.log.2016-11-17-18", 163, "controlled_shutdown",
     {"broker_id": 0, "detail": "Starting controlled shutdown"}),
    ("k0.9-danisharora-helloworld/server.log.2016-11-17-17", 244, "controlled_shutdown",
     {"broker_id": 2, "detail": "Controlled shutdown succeeded"}),
    ("k0.8.0-FlavioF-openshift-kafka-cartridge/server.log.2014-01-14-18", 28, "controller_change", {"broker_id": 0}),
    ("k0.8.0-FlavioF-openshift-kafka-cartridge/controller.log.2014-01-14-18", 14, "controller_ready", {"broker_id": 0, "epoch": 1}),
    ("k0.8.1-darrendao-kafka.play.time/state-change.log.2014-02-02-02", 46, "offline_leader_elected",
     {"leader": 0, "epoch": 3, "topic": "test", "partition": 0, "node_id": 0}),
    ("k0.8.1-darrendao-kafka.play.time/controller.log.2014-02-02-02", 76, "offline_leader_elected",
     {"leader": 0, "epoch": 1, "isr": "0", "topic": "test", "partition": 0}),
    ("k0.10-jjshi-kafka_2.11-0.10.2.1/state-change.log.2017-05-23-18", 82, "leader_change",
     {"leader": 0, "topic": "idriver", "partition": 0, "detail": "OfflinePartition"}),
    ("k0.9-danisharora-helloworld/controller.log.2016-11-14-17", 13, "zk_session_expired", {"broker_id": 0, "detail": "ZK expired"}),
    ("k0.9-danisharora-helloworld/server.log.2016-11-17-18", 3, "isr_shrink",
     {"topic": "othertopic", "partition": 2, "broker_id": 1, "prev_isr": "1,2", "isr": "1"}),
    ("k0.10-jjshi-kafka_2.11-0.10.2.1/server.log.2017-05-23-17", 152, "fatal", {"detail": "Fatal error during KafkaServerStable shutdown"}),
    ("k2.8-zk-AndreasTraut-kafka_2.13-2.8.0/server.log.2021-04-28-16", 317, "fatal", {"detail": "Exiting Kafka"}),
    ("k4.0-kraft-Ammar777782439-kafka_2.13-4.0.0/server.log.2025-05-14-23", 209, "controller_change", {"broker_id": 10, "epoch": 4}),
    ("k4.0-kraft-Ammar777782439-kafka_2.13-4.0.0/server.log.2025-05-14-23", 252, "controller_seen", {"broker_id": 10}),
    ("k4.0-kraft-Ammar777782439-kafka_2.13-4.0.0/controller.log.2025-05-14-23", 50, "broker_failed",
     {"broker_id": 10, "epoch": 123, "node_id": 10}),
    ("k3.6-kraft-Jeong-Rae-KafkaDemo/logs/server.log.2023-11-10-02", 4, "heartbeat_failed", {"broker_id": 1}),
]


def corpus_line(file: str, number: int) -> str:
    return (CORPUS / file).read_text(encoding="utf-8").splitlines()[number - 1]


@pytest.mark.parametrize(("file", "number", "kind", "fields"), REAL_LIFE_LINES,
                         ids=[f"{k}-{f.split('/')[0]}:{n}" for f, n, k, _ in REAL_LIFE_LINES])
def test_lines_of_real_broker_lives_give_their_event(file: str, number: int, kind: str, fields: dict[str, Any]) -> None:
    event = only(events_of("kafka_log4j", [corpus_line(file, number)]), kind)
    assert {k: event[k] for k in fields} == fields


# Messages the issue quotes from real logs that are not in the corpus: the message is theirs, the time and
# logger around it ours.
QUOTED_MESSAGES = [
    ("INFO", "Partition [topicold,24] on broker 1: Shrinking ISR for partition [topicold,24] from 1,0,2 to 1", "kafka.cluster.Partition",
     "isr_shrink", {"topic": "topicold", "partition": 24, "broker_id": 1, "prev_isr": "1,0,2", "isr": "1"}),
    ("ERROR", "Controller 1 epoch 6 failed to change state for partition __consumer_offsets-22 from OfflinePartition to OnlinePartition",
     "state.change.logger", "partition_offline", {"node_id": 1, "epoch": 6, "topic": "__consumer_offsets", "partition": 22}),
    ("INFO", "[QuorumController id=0] In the new epoch 4538, the leader is (none).", "org.apache.kafka.controller.QuorumController",
     "controller_lost", {"node_id": 0, "epoch": 4538}),
    ("INFO", "[QuorumController id=0] Fencing broker 0 at epoch 1072 because its session has timed out.",
     "org.apache.kafka.controller.ReplicationControlManager", "broker_failed", {"broker_id": 0, "epoch": 1072, "node_id": 0}),
]


@pytest.mark.parametrize(("level", "message", "logger", "kind", "fields"), QUOTED_MESSAGES, ids=[m[3] for m in QUOTED_MESSAGES])
def test_messages_quoted_from_real_logs_give_their_event(level: str, message: str, logger: str, kind: str,
                                                         fields: dict[str, Any]) -> None:
    event = only(events_of("kafka_log4j", [f"[2025-01-01 00:00:00,000] {level} {message} ({logger})"]), kind)
    assert {k: event[k] for k in fields} == fields


def test_a_kraft_start_is_one_start() -> None:
    file = "k4.0-kraft-Ammar777782439-kafka_2.13-4.0.0/server.log.2025-05-14-23"
    events = events_of("kafka_log4j", [corpus_line(file, 652), corpus_line(file, 656)])  # BrokerServer STARTED, Kafka Server started
    assert [(e["kind"], e["broker_id"]) for e in events] == [("broker_started", 10)]


def test_the_uncaught_exception_handlers_oom_is_a_record_and_an_oom_of_its_own() -> None:
    """The JVM's line as the issue quotes it (thread name ours), after a log4j record it must not be glued to."""
    records, _ = parse_lines(get_format("kafka_log4j"), [
        "[2019-03-05 10:42:11,100] ERROR [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Error due to (kafka.server.ReplicaFetcherThread)",
        'Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in thread "kafka-scheduler-7"',
    ])
    assert records["line_start"].to_list() == [1, 2] and records["logger"].to_list()[1] == "jvm"
    oom = only(extract_events(records, rules_for("broker")).to_dicts(), "oom")
    assert oom["line_start"] == 2
