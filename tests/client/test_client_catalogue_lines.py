"""The catalogue's real client lines (§4, §5, §8) give exact typed client events, whatever the layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parsers.events import extract_events, guess_role, rules_for
from tests.client.conftest import client_events, only, records_of

# §4.2: one idempotent producer's life, in Kafka's own log4j layout (a client that ships Kafka's config).
LIFE = [
    "[2025-08-28 03:40:00,101] INFO ProducerConfig values: ",
    "\tacks = -1",
    "\tclient.id = producer-4187734",
    "\tenable.idempotence = true",
    "\ttransactional.id = null",
    "\tvalue.serializer = class org.apache.kafka.common.serialization.StringSerializer",
    " (org.apache.kafka.clients.producer.ProducerConfig)",
    "[2025-08-28 03:40:00,102] INFO initializing Kafka metrics collector (org.apache.kafka.common.telemetry.internals.KafkaMetricsCollector)",
    "[2025-08-28 03:40:00,104] INFO [Producer clientId=producer-4187734] Instantiated an idempotent producer. (org.apache.kafka.clients.producer.KafkaProducer)",
    "[2025-08-28 03:40:00,109] INFO Kafka version: 3.7.1 (org.apache.kafka.common.utils.AppInfoParser)",
    "[2025-08-28 03:40:00,109] INFO Kafka commitId: e2494e739ea8f0df (org.apache.kafka.common.utils.AppInfoParser)",
    "[2025-08-28 03:40:00,109] INFO Kafka startTimeMs: 1756352400109 (org.apache.kafka.common.utils.AppInfoParser)",
    "[2025-08-28 03:40:00,131] INFO [Producer clientId=producer-4187734] Cluster ID: 4L6g3nShT-eMCtK--X86sw (org.apache.kafka.clients.Metadata)",
    "[2025-08-28 03:40:00,144] INFO [Producer clientId=producer-4187734] ProducerId set to 41873112 with epoch 0 (org.apache.kafka.clients.producer.internals.TransactionManager)",
    "[2025-08-28 03:40:00,163] INFO [Producer clientId=producer-4187734] Closing the Kafka producer with timeoutMillis = 60000 ms. (org.apache.kafka.clients.producer.KafkaProducer)",
    "[2025-08-28 03:40:00,165] INFO Metrics scheduler closed (org.apache.kafka.common.metrics.Metrics)",
    "[2025-08-28 03:40:00,165] INFO Closing reporter org.apache.kafka.common.metrics.JmxReporter (org.apache.kafka.common.metrics.Metrics)",
    "[2025-08-28 03:40:00,165] INFO Closing reporter org.apache.kafka.common.telemetry.internals.ClientTelemetryReporter (org.apache.kafka.common.metrics.Metrics)",
    "[2025-08-28 03:40:00,165] INFO Metrics reporters closed (org.apache.kafka.common.metrics.Metrics)",
    "[2025-08-28 03:40:00,166] INFO App info kafka.producer for producer-4187734 unregistered (org.apache.kafka.common.utils.AppInfoParser)",
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_client_in_kafkas_log4j_layout_is_a_client_and_its_producer_life_is_typed() -> None:
    role, events = client_events("kafka_log4j", LIFE)
    assert role == "client"
    assert [e["kind"] for e in events] == [
        "producer_config", "producer_created", "client_version", "client_commit_id", "client_start_time",
        "cluster_id", "producer_id_set", "producer_closing", "app_info_unregistered",
    ]
    config = only(events, "producer_config")
    assert (config["client_kind"], config["client_id"], config["acks"], config["idempotence"],
            config["transactional_id"], config["count"], config["line_start"], config["line_end"]) == (
        "producer", "producer-4187734", "-1", True, None, 5, 1, 7)
    assert config["logger"] == "org.apache.kafka.clients.producer.ProducerConfig"
    created = only(events, "producer_created")
    assert (created["client_id"], created["idempotence"], created["detail"], created["ts"]) == (
        "producer-4187734", True, "idempotent", at("2025-08-28 03:40:00.104"))
    assert only(events, "client_version")["version"] == "3.7.1"
    assert only(events, "client_commit_id")["commit_id"] == "e2494e739ea8f0df"
    assert only(events, "client_start_time")["start_time_ms"] == 1756352400109
    assert only(events, "cluster_id")["cluster_id"] == "4L6g3nShT-eMCtK--X86sw"
    pid = only(events, "producer_id_set")
    assert (pid["client_id"], pid["producer_id"], pid["epoch"]) == ("producer-4187734", 41873112, 0)
    closing = only(events, "producer_closing")
    assert (closing["client_id"], closing["timeout_ms"], closing["ts"]) == (
        "producer-4187734", 60000, at("2025-08-28 03:40:00.163"))
    gone = only(events, "app_info_unregistered")
    assert (gone["client_kind"], gone["client_id"]) == ("producer", "producer-4187734")


def test_broker_files_stay_brokers_and_files_that_say_nothing_keep_their_formats_family() -> None:
    broker = records_of("kafka_log4j", [
        "[2025-08-28 03:53:07,412] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)",
        "[2025-08-28 03:53:08,001] INFO [Producer clientId=producer-1] Cluster ID: x (org.apache.kafka.clients.Metadata)",
    ])
    assert guess_role(broker) == "both"
    assert client_events("kafka_log4j", [
        "[2025-08-28 03:53:07,412] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)"])[0] == "broker"
    assert client_events("kafka_log4j", [
        "[2025-08-28 01:32:38,906] INFO Starting billing-service (com.example.billing.BillingServiceMain)"])[0] == "broker"


@pytest.mark.parametrize(("message", "kind", "expected"), [
    # §4.3 version differences
    ("[Producer clientId=producer-1] Node 3 disconnected.", "node_disconnected", {"node_id": 3}),
    ("[Producer clientId=producer-1] Connection to node 1 (kafka-1/10.1.2.3:9092) could not be established. "
     "Broker may not be available.", "connection_failed", {"node_id": 1, "detail": "kafka-1/10.1.2.3:9092"}),
    ("[Producer clientId=producer-1] Connection to node -1 (localhost/127.0.0.1:9092) could not be established. "
     "Node may not be available.", "connection_failed", {"node_id": -1}),
    ("[Producer clientId=producer-39] Error while fetching metadata with correlation id 1 : "
     "{api-audit-events=LEADER_NOT_AVAILABLE}", "metadata_error",
     {"client_id": "producer-39", "topic": "api-audit-events", "error": "LEADER_NOT_AVAILABLE"}),
    ("[Producer clientId=producer-7] The metadata response from the cluster reported a recoverable issue with "
     "correlation id 42 : {api-audit-events=LEADER_NOT_AVAILABLE}", "metadata_error", {"error": "LEADER_NOT_AVAILABLE"}),
    # §4.4 network lines
    ("[Producer clientId=producer-7] Bootstrap broker kafka-1:9092 (id: -1 rack: null) disconnected",
     "bootstrap_disconnected", {"node_id": -1, "detail": "kafka-1:9092"}),
    ("[Producer clientId=producer-7] Disconnecting from node 3 due to request timeout.", "request_timeout", {"node_id": 3}),
    ("[Producer clientId=producer-7] Cancelled in-flight PRODUCE request with correlation id 12 due to node 3 being "
     "disconnected (elapsed time since creation: 30013ms, elapsed time since send: 30011ms, throttle time: 0ms, "
     "request timeout: 30000ms)", "request_cancelled", {"node_id": 3, "duration_ms": 30011.0, "timeout_ms": 30000}),
    ("[Producer clientId=producer-7] Disconnecting from node 2 due to socket connection setup timeout. The timeout "
     "value is 10241 ms.", "connection_setup_timeout", {"node_id": 2, "timeout_ms": 10241}),
    # §4.5 producer errors
    ("[Producer clientId=producer-7] Got error produce response with correlation id 5 on topic-partition "
     "api-audit-events-3, retrying (2147483646 attempts left). Error: NOT_LEADER_FOR_PARTITION", "produce_error",
     {"topic": "api-audit-events", "partition": 3, "count": 2147483646, "error": "NOT_LEADER_FOR_PARTITION"}),
    ("[Producer clientId=producer-7] Got error produce response in correlation id 9 on topic-partition big-0, "
     "splitting and retrying (2147483647 attempts left). Error: MESSAGE_TOO_LARGE", "produce_error",
     {"topic": "big", "partition": 0, "error": "MESSAGE_TOO_LARGE"}),
    ("[Producer clientId=producer-7] Received invalid metadata error in produce request on partition "
     "api-audit-events-3 due to org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended "
     "only for the leader, this error indicates that the broker is not the current leader. For requests intended "
     "for any replica, this error indicates that the broker is not a replica of the topic partition. Going to "
     "request metadata update now", "invalid_metadata", {"partition": 3, "error": "NotLeaderOrFollowerException"}),
    ("[Producer clientId=producer-7] Received unknown topic or partition error in produce request on partition "
     "api-audit-events-3. The topic-partition may not exist or the user may not have Describe access to it",
     "unknown_topic", {"topic": "api-audit-events", "partition": 3}),
    ("org.apache.kafka.common.errors.TimeoutException: Expiring 12 record(s) for api-audit-events-3:120000 ms has "
     "passed since batch creation", "records_expired", {"count": 12, "topic": "api-audit-events", "timeout_ms": 120000}),
    ("org.apache.kafka.common.errors.TimeoutException: Topic api-audit-events not present in metadata after "
     "60000 ms.", "metadata_timeout", {"topic": "api-audit-events", "timeout_ms": 60000}),
    # §4.2 C7, C8b and the transactional prefix
    ("[Producer clientId=producer-tx-0, transactionalId=tx-0] ProducerId set to 2 with epoch 0", "producer_id_set",
     {"client_id": "producer-tx-0", "transactional_id": "tx-0", "producer_id": 2, "epoch": 0}),
    ("[Producer clientId=producer-7] Proceeding to force close the producer since pending requests could not be "
     "completed within timeout 60000 ms.", "producer_force_close", {"timeout_ms": 60000}),
    # §8: Connect's producer, slf4j-simple's teardown of a consumer
    ("[Producer clientId=connector-producer-pg-connector-0] Cluster ID: practicum", "cluster_id",
     {"client_id": "connector-producer-pg-connector-0", "cluster_id": "practicum"}),
    ("App info kafka.consumer for consumer-my-hava-app-1 unregistered", "app_info_unregistered",
     {"client_kind": "consumer", "client_id": "consumer-my-hava-app-1"}),
    ("[Consumer clientId=consumer-g-1, groupId=g] Node -1 disconnected.", "node_disconnected",
     {"client_kind": "consumer", "client_id": "consumer-g-1", "group_id": "g", "node_id": -1}),
])
def test_catalogue_message_gives_one_event_with_exact_fields(message: str, kind: str, expected: dict[str, object]) -> None:
    records = records_of("slf4j_simple", [f"[kafka-producer-network-thread | producer-7] WARN org.apache.kafka.x - {message}"])
    events = extract_events(records, rules_for("client")).to_dicts()
    event = only(events, kind)
    assert {key: event[key] for key in expected} == expected
    assert event["thread"] == "kafka-producer-network-thread | producer-7" and event["level"] == "WARN"


def test_a_90_key_config_dump_says_kafka_3_7_and_a_transactional_dump_names_its_id() -> None:
    keys = [f"\tkey.{i:02d} = x" for i in range(86)]
    dump = ["[2025-08-28 01:32:40,086] INFO ProducerConfig values: ", "\tacks = all", "\tclient.id = ",
            *keys, "\tenable.idempotence = true", "\ttransactional.id = tx-7", " (org.apache.kafka.clients.producer.ProducerConfig)"]
    config = only(client_events("kafka_log4j", dump)[1], "producer_config")
    assert (config["count"], config["version"], config["client_id"], config["transactional_id"], config["acks"]) == (
        90, "~3.7", None, "tx-7", "all")
