"""The real broker lines of the catalogue (§8, and the examples of §2–§3) give exact typed events."""

from __future__ import annotations

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
REAL_LIFE_LINES = [
    ("[2017-05-23 17:40:02,114] INFO [Kafka Server 0], started (kafka.server.KafkaServer)",
     "broker_started", {"broker_id": 0}),
    ("[2014-01-14 18:02:10,223] INFO [Kafka Server 0], Started (kafka.server.KafkaServer)", "broker_started", {"broker_id": 0}),
    ("[2017-05-23 17:48:20,602] INFO [Kafka Server 0], shut down completed (kafka.server.KafkaServer)",
     "broker_shutdown", {"broker_id": 0}),
    ("[2017-05-23 17:48:19,001] INFO [Kafka Server 0], Starting controlled shutdown (kafka.server.KafkaServer)",
     "controlled_shutdown", {"broker_id": 0, "detail": "Starting controlled shutdown"}),
    ("[2017-05-23 17:48:19,210] INFO [Kafka Server 0], Controlled shutdown succeeded (kafka.server.KafkaServer)",
     "controlled_shutdown", {"broker_id": 0, "detail": "Controlled shutdown succeeded"}),
    ("[2017-05-23 17:40:01,777] INFO 0 successfully elected as leader (kafka.server.ZookeeperLeaderElector)",
     "controller_change", {"broker_id": 0}),
    ("[2017-05-23 17:40:01,990] INFO [Controller 0]: Broker 0 is ready to serve as the new controller with epoch 10 (kafka.controller.KafkaController)",
     "controller_ready", {"broker_id": 0, "epoch": 10}),
    ("[2017-05-23 17:40:01,950] TRACE Controller 0 epoch 10 elected leader 0 for Offline partition [idriver,0] (state.change.logger)",
     "offline_leader_elected", {"leader": 0, "epoch": 10, "topic": "idriver", "partition": 0, "node_id": 0}),
    ("[2017-05-23 17:40:01,951] TRACE Controller 0 epoch 10 changed partition [idriver,0] from OfflinePartition to OnlinePartition with leader 0 (state.change.logger)",
     "leader_change", {"leader": 0, "topic": "idriver", "partition": 0, "detail": "OfflinePartition"}),
    ('[2017-05-23 17:40:01,949] INFO [OfflinePartitionLeaderSelector]: Selected new leader and ISR {"leader":0,"leader_epoch":1,"isr":[0]} for offline partition [idriver,0] (kafka.controller.OfflinePartitionLeaderSelector)',
     "offline_leader_elected", {"leader": 0, "epoch": 1, "isr": "0", "topic": "idriver"}),
    ("[2016-11-14 17:20:41,112] INFO [SessionExpirationListener on 0], ZK expired; shut down all controller components and try to re-elect (kafka.controller.KafkaController$SessionExpirationListener)",
     "zk_session_expired", {"broker_id": 0, "detail": "ZK expired"}),
    ("[2016-11-17 17:05:00,010] INFO Partition [topicold,24] on broker 1: Shrinking ISR for partition [topicold,24] from 1,0,2 to 1 (kafka.cluster.Partition)",
     "isr_shrink", {"topic": "topicold", "partition": 24, "broker_id": 1, "prev_isr": "1,0,2", "isr": "1"}),
    ("[2017-05-23 17:48:20,650] FATAL Fatal error during KafkaServerStable shutdown. Prepare to halt (kafka.server.KafkaServerStartable)",
     "fatal", {"detail": "Fatal error during KafkaServerStable shutdown"}),
    ("[2018-03-28 21:10:02,001] ERROR Exiting Kafka. (kafka.Kafka$)", "fatal", {"detail": "Exiting Kafka"}),
    ("[2020-01-20 01:32:00,705] ERROR [Controller id=1 epoch=6] Controller 1 epoch 6 failed to change state for partition __consumer_offsets-22 from OfflinePartition to OnlinePartition (state.change.logger)",
     "partition_offline", {"node_id": 1, "epoch": 6, "topic": "__consumer_offsets", "partition": 22}),
    ("[2023-09-02 14:38:37,100] INFO [Broker id=0] Follower t-0 starts at leader epoch 5 from offset 120 with partition epoch 7 and high watermark 120. Current leader is 1. Previous leader Some(0) and previous leader epoch was 4. (state.change.logger)",
     "follower_change", {"broker_id": 0, "leader": 1, "epoch": 5, "topic": "t", "partition": 0}),
    ("[2025-05-17 12:07:51,002] INFO [RaftManager id=1] Completed transition to Leader(localReplicaKey=ReplicaKey(id=1, directoryId=kXUJD2A9YWQ2GIJctGNUGg), epoch=2, epochStartOffset=0, highWatermark=Optional.empty, voterStates={1=ReplicaState(replicaKey=ReplicaKey(id=1, directoryId=kXUJD2A9YWQ2GIJctGNUGg), endOffset=Optional.empty)}) from Candidate(localReplicaKey=ReplicaKey(id=1, directoryId=kXUJD2A9YWQ2GIJctGNUGg), epoch=2, retries=1, voteStates={1=GRANTED}, highWatermark=Optional.empty, electionTimeoutMs=1406) (org.apache.kafka.raft.QuorumState)",
     "controller_change", {"broker_id": 1, "epoch": 2}),
    ("[2025-05-17 12:09:00,000] INFO [QuorumController id=0] In the new epoch 4538, the leader is (none). (org.apache.kafka.controller.QuorumController)",
     "controller_lost", {"node_id": 0, "epoch": 4538}),
    ("[2025-05-14 23:18:01,417] INFO [broker-10-to-controller-heartbeat-channel-manager]: Recorded new KRaft controller, from now on will use node localhost:9193 (id: 10 rack: null isFenced: false) (kafka.server.NodeToControllerRequestThread)",
     "controller_seen", {"broker_id": 10}),
    ("[2025-05-14 23:22:10,000] INFO [QuorumController id=0] Fencing broker 0 at epoch 1072 because its session has timed out. (org.apache.kafka.controller.ReplicationControlManager)",
     "broker_failed", {"broker_id": 0, "epoch": 1072, "node_id": 0}),
    ("[2025-05-14 23:18:02,999] INFO [BrokerLifecycleManager id=1] Unable to send a heartbeat because the RPC got timed out before it could be sent. (kafka.server.BrokerLifecycleManager)",
     "heartbeat_failed", {"broker_id": 1}),
]


@pytest.mark.parametrize(("line", "kind", "fields"), REAL_LIFE_LINES, ids=[k + "-" + str(i) for i, (_, k, _) in enumerate(REAL_LIFE_LINES)])
def test_lines_of_real_broker_lives_give_their_event(line: str, kind: str, fields: dict[str, Any]) -> None:
    event = only(events_of("kafka_log4j", [line]), kind)
    assert {k: event[k] for k in fields} == fields


def test_a_kraft_start_is_one_start() -> None:
    events = events_of("kafka_log4j", [
        "[2025-05-14 23:09:49,010] INFO [BrokerServer id=10] Transition from STARTING to STARTED (kafka.server.BrokerServer)",
        "[2025-05-14 23:09:49,012] INFO [KafkaRaftServer nodeId=10] Kafka Server started (kafka.server.KafkaRaftServer)",
    ])
    assert [(e["kind"], e["broker_id"]) for e in events] == [("broker_started", 10)]


def test_the_uncaught_exception_handlers_oom_is_a_record_and_an_oom_of_its_own() -> None:
    records, _ = parse_lines(get_format("kafka_log4j"), [
        "[2019-03-05 10:42:11,100] ERROR [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Error due to (kafka.server.ReplicaFetcherThread)",
        'Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in thread "kafka-scheduler-7"',
    ])
    assert records["line_start"].to_list() == [1, 2] and records["logger"].to_list()[1] == "jvm"
    oom = only(extract_events(records, rules_for("broker")).to_dicts(), "oom")
    assert oom["line_start"] == 2
