"""Every client layout reads real lines into exact records: times (offsets, --tz, time-of-day dating), fields, multi-line."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from parsers.base import ParseContext
from parsers.registry import AmbiguousFormat, detect, get_format, parse_lines
from tests.client.conftest import client_events, only, records_of


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fields(fmt: str, lines: list[str], ctx: ParseContext | None = None, keys: str = "ts ts_origin level thread logger message"):
    return [tuple(r[k] for k in keys.split()) for r in records_of(fmt, lines, ctx).to_dicts()]


# -- logback / log4j2 default: the time of day only -------------------------------------------------

LOGBACK_14 = [  # a public logback 1.4 log (TTLLLayout: no padding, "--"), a JVM in UTC+9
    "07:58:13.411 [main] INFO org.apache.kafka.common.telemetry.internals.KafkaMetricsCollector -- initializing Kafka metrics collector",
    "07:58:13.464 [main] INFO org.apache.kafka.clients.producer.KafkaProducer -- [Producer clientId=producer-1] Instantiated an idempotent producer.",
    "07:58:13.503 [main] INFO org.apache.kafka.common.utils.AppInfoParser -- Kafka version: 4.1.1",
    "07:58:13.504 [main] INFO org.apache.kafka.common.utils.AppInfoParser -- Kafka commitId: be816b82d25370ce",
    "07:58:13.504 [main] INFO org.apache.kafka.common.utils.AppInfoParser -- Kafka startTimeMs: 1764629893502",
]


def test_logback_time_of_day_takes_its_date_from_the_kafka_start_time_record_later_in_the_file() -> None:
    got = fields("logback_default", LOGBACK_14, ParseContext("app.log", "h", tz="Asia/Seoul", tz_given=True), "ts ts_origin")
    assert got[0] == (utc("2025-12-01 22:58:13.411"), "tz:Asia/Seoul date:startTimeMs")
    assert got[-1] == (utc("2025-12-01 22:58:13.504"), "tz:Asia/Seoul date:startTimeMs")


def test_logback_time_of_day_takes_its_date_from_the_file_name_and_bumps_the_day_at_midnight() -> None:
    lines = [
        "23:59:59.900 [main] INFO  o.a.k.c.p.i.TransactionManager - [Producer clientId=producer-7] ProducerId set to 48213 with epoch 0",
        "23:59:59.899 [kafka-producer-network-thread | producer-7] INFO  org.apache.kafka.clients.Metadata - [Producer clientId=producer-7] Cluster ID: x",
        "00:00:00.101 [main] INFO  o.a.k.clients.producer.KafkaProducer - [Producer clientId=producer-7] Closing the Kafka producer with timeoutMillis = 60000 ms.",
        "java.lang.IllegalStateException: boom",
        "\tat a.b.C.d(C.java:1)",
    ]
    ctx = ParseContext("logs/api/app.2025-08-27.log", "api", tz="America/Los_Angeles", tz_given=True)
    records = records_of("logback_default", lines, ctx).to_dicts()
    assert [(r["ts"], r["line_start"], r["line_end"]) for r in records] == [
        (utc("2025-08-28 06:59:59.900"), 1, 1), (utc("2025-08-28 06:59:59.899"), 2, 2), (utc("2025-08-28 07:00:00.101"), 3, 5)]
    assert {r["ts_origin"] for r in records} == {"tz:America/Los_Angeles date:file-name"}
    assert records[2]["message"].endswith("ms.\njava.lang.IllegalStateException: boom\n\tat a.b.C.d(C.java:1)")


def test_logback_time_of_day_takes_its_date_from_the_jvm_start_given_on_the_command_line() -> None:
    line = "00:10:00.000 [main] INFO  c.e.App - started"
    before_midnight = ParseContext("app.log", "h", anchor=datetime(2025, 8, 27, 23, 50, tzinfo=UTC))
    same_day = ParseContext("app.log", "h", anchor=datetime(2025, 8, 28, 0, 5, tzinfo=UTC))
    assert fields("logback_default", [line], before_midnight, "ts ts_origin") == [(utc("2025-08-28 00:10"), "assumed:UTC date:jvm-start")]
    assert fields("logback_default", [line], same_day, "ts") == [(utc("2025-08-28 00:10"),)]


def test_logback_time_of_day_without_any_date_keeps_its_records_with_no_time() -> None:
    assert fields("logback_default", ["03:40:00.101 [main] INFO  c.e.App - started"], None, "ts ts_origin") == [(None, "time-only")]


def test_logback_and_log4j2_default_layouts_read_padding_abbreviated_loggers_and_key_value_pairs() -> None:
    lines = [  # log4j2's DefaultConfiguration renders logback 1.2's pattern: %d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n
        "03:40:00.101 [kafka-producer-network-thread | producer-7] INFO  o.a.k.c.p.i.TransactionManager - [Producer clientId=producer-7] ProducerId set to 48213 with epoch 0",
        '03:40:00.102 [main] WARN  c.e.audit.Sink -traceId="4bf92f35" spanId="00f067aa"- audit event dropped',
    ]
    got = fields("logback_default", lines, None, "level thread logger message")
    assert got == [
        ("INFO", "kafka-producer-network-thread | producer-7", "o.a.k.c.p.i.TransactionManager",
         "[Producer clientId=producer-7] ProducerId set to 48213 with epoch 0"),
        ("WARN", "main", "c.e.audit.Sink", "audit event dropped"),
    ]


# -- Spring Boot 2 and 3 ------------------------------------------------------------------------


def test_spring_boot_2_local_time_follows_the_zone_given_across_the_dst_fall_back() -> None:
    lines = [
        "2025-11-02 01:59:59.000  INFO 1 --- [   scheduling-1] c.e.restapi.web.RequestMetricsReporter   : requests window=60s",
        "2025-11-02 01:00:00.500  INFO 1 --- [   scheduling-1] c.e.restapi.web.RequestMetricsReporter   : requests window=60s",
    ]
    ctx = ParseContext("app.log", "api-pod-b", tz="America/Los_Angeles", tz_given=True)
    assert fields("spring_boot2", lines, ctx, "ts") == [(utc("2025-11-02 08:59:59"),), (utc("2025-11-02 09:00:00.5"),)]


def test_spring_boot_2_config_dump_is_one_record_and_one_producer_config_event() -> None:
    lines = [
        "2023-10-14 17:01:22.979  INFO 21104 --- [           main] o.a.k.clients.producer.ProducerConfig    : ProducerConfig values: ",
        "\tacks = -1", "\tbatch.size = 16384", "\tclient.id = producer-1", "\tenable.idempotence = true",
        "\ttransactional.id = null", "",
        "2023-10-14 17:01:22.999  INFO 21104 --- [           main] o.a.k.clients.producer.KafkaProducer     : [Producer clientId=producer-1] Instantiated an idempotent producer.",
    ]
    role, events = client_events("spring_boot2", lines)
    assert role == "client"
    config = only(events, "producer_config")
    assert (config["line_start"], config["line_end"], config["client_id"], config["count"], config["idempotence"]) == (1, 7, "producer-1", 5, True)
    assert only(events, "producer_created")["line_start"] == 8


def test_spring_boot_3_times_carry_their_offset_and_3_2_application_names_are_skipped() -> None:
    lines = [
        "2026-05-14T12:51:38.126Z  INFO 2537 --- [-kit-executor-3] org.apache.kafka.raft.QuorumState        : [RaftManager id=0] ...",
        "2024-04-08T12:24:23.479-03:00  INFO 4380 --- [kafka] [nio-8080-exec-3] o.a.k.clients.producer.KafkaProducer     : [Producer clientId=producer-1] Instantiated an idempotent producer.",
    ]
    assert fields("spring_boot3", lines, ParseContext("x", "h", tz="Asia/Tokyo", tz_given=True), "ts ts_origin thread") == [
        (utc("2026-05-14 12:51:38.126"), "in-line", "-kit-executor-3"),
        (utc("2024-04-08 15:24:23.479"), "in-line", "nio-8080-exec-3"),
    ]


# -- Quarkus, slf4j-simple ----------------------------------------------------------------------


def test_quarkus_reads_seconds_and_milliseconds_and_thread_names_with_parentheses() -> None:
    lines = [
        "2026-07-08 06:25:52 INFO  [org.apache.kafka.clients.producer.KafkaProducer] (main) [Producer clientId=producer-1] Closing the Kafka producer with timeoutMillis = 5000 ms.",
        "2021-07-30 05:45:28,292 INFO  [org.apa.kaf.com.uti.AppInfoParser] (Camel (camel-1) thread #0 - KafkaConsumer[test-topic]) Kafka version: 2.8.0",
    ]
    assert fields("quarkus", lines, None, "ts logger thread message") == [
        (utc("2026-07-08 06:25:52"), "org.apache.kafka.clients.producer.KafkaProducer", "main",
         "[Producer clientId=producer-1] Closing the Kafka producer with timeoutMillis = 5000 ms."),
        (utc("2021-07-30 05:45:28.292"), "org.apa.kaf.com.uti.AppInfoParser",
         "Camel (camel-1) thread #0 - KafkaConsumer[test-topic]", "Kafka version: 2.8.0"),
    ]


def test_quarkus_with_milliseconds_is_told_from_strimzi_by_the_end_of_its_lines() -> None:
    lines = ["2021-02-09 08:27:15,851 INFO  [org.apa.kaf.com.uti.AppInfoParser] (main) Kafka version: 2.5.0"] * 3
    assert detect(lines) is get_format("quarkus")


def test_two_layouts_that_fit_equally_well_are_a_tie_that_detection_names() -> None:
    from dataclasses import replace

    from parsers.registry import LayoutFormat

    quarkus = get_format("quarkus")
    twin = LayoutFormat(replace(quarkus.spec, name="quarkus_twin"))  # type: ignore[attr-defined]
    lines = ["2021-02-09 08:27:15,851 INFO  [org.apa.kaf.com.uti.AppInfoParser] (main) Kafka version: 2.5.0"] * 3
    with pytest.raises(AmbiguousFormat, match="quarkus and quarkus_twin|quarkus_twin and quarkus"):
        detect(lines, (quarkus, twin))


def test_slf4j_simple_records_have_no_time_and_still_give_events() -> None:
    lines = [
        "[main] INFO org.apache.kafka.common.metrics.Metrics - Metrics reporters closed",
        "[main] INFO org.apache.kafka.common.utils.AppInfoParser - App info kafka.producer for producer-1 unregistered",
    ]
    assert fields("slf4j_simple", lines, None, "ts ts_origin thread") == [(None, "missing", "main")] * 2
    assert only(client_events("slf4j_simple", lines)[1], "app_info_unregistered")["client_id"] == "producer-1"


# -- JSON lines ---------------------------------------------------------------------------------

LOGSTASH = [
    '{"@timestamp":"2022-10-21T15:52:34.695Z","@version":"1","message":"[Consumer clientId=consumer-g-1, groupId=g] Node -1 disconnected.","logger_name":"org.apache.kafka.clients.NetworkClient","thread_name":"main","level":"INFO","level_value":20000}',
    '{"@timestamp":"2025-08-28T04:26:04.4Z","@version":"1","message":"Failed to publish usage batch","logger_name":"com.example.billing.usage.UsagePublisher","thread_name":"scheduler-1","level":"ERROR","level_value":40000,"stack_trace":"org.apache.kafka.common.errors.TimeoutException: Expiring 440 record(s) for billing-usage-1:120000 ms has passed since batch creation\\n"}',
    '{"@timestamp":"2025-08-28T04:26:05+02:00","message":"ProducerConfig values: \\n\\tacks = -1\\n\\tclient.id = producer-2\\n","logger_name":"org.apache.kafka.clients.producer.ProducerConfig","thread_name":"main","level":"INFO"}',
]


def test_logstash_json_lines_give_records_with_stack_traces_and_offsets_honoured() -> None:
    records = records_of("json_lines", LOGSTASH).to_dicts()
    assert [(r["ts"], r["ts_origin"], r["level"], r["thread"]) for r in records] == [
        (utc("2022-10-21 15:52:34.695"), "in-line", "INFO", "main"),
        (utc("2025-08-28 04:26:04.4"), "in-line", "ERROR", "scheduler-1"),
        (utc("2025-08-28 02:26:05"), "in-line", "INFO", "main"),
    ]
    assert records[1]["message"] == ("Failed to publish usage batch\norg.apache.kafka.common.errors.TimeoutException: "
                                     "Expiring 440 record(s) for billing-usage-1:120000 ms has passed since batch creation")
    events = client_events("json_lines", LOGSTASH)[1]
    assert only(events, "records_expired")["count"] == 440
    assert only(events, "producer_config")["client_id"] == "producer-2"
    assert (only(events, "node_disconnected")["client_kind"], only(events, "node_disconnected")["group_id"]) == ("consumer", "g")


def test_log4j2_jsonlayout_and_ecs_lines_are_read_by_their_own_key_names() -> None:
    log4j2 = ['{"instant":{"epochSecond":1756352400,"nanoOfSecond":109000000},"thread":"main","level":"WARN",'
              '"loggerName":"org.apache.kafka.clients.NetworkClient","message":"[Producer clientId=producer-1] Node 3 disconnected.",'
              '"thrown":{"name":"java.io.IOException","message":"Connection reset"},"endOfBatch":false,"threadId":1}']
    ecs = ['{"@timestamp":"2025-08-28T03:40:00.109Z","log.level":"warn","message":"send failed","ecs.version":"1.2.0",'
           '"process.thread.name":"main","log.logger":"c.e.Audit","error.stack_trace":"java.lang.OutOfMemoryError: Java heap space"}']
    assert fields("json_lines", log4j2, None, "ts level logger thread message") == [
        (utc("2025-08-28 03:40:00.109"), "WARN", "org.apache.kafka.clients.NetworkClient", "main",
         "[Producer clientId=producer-1] Node 3 disconnected.\njava.io.IOException: Connection reset")]
    assert fields("json_lines", ecs, None, "level logger thread message") == [
        ("WARN", "c.e.Audit", "main", "send failed\njava.lang.OutOfMemoryError: Java heap space")]
    assert only(client_events("json_lines", ecs)[1], "oom")["detail"] == "Java heap space"


def test_json_messages_without_an_exception_end_with_the_message() -> None:
    """log4j2 JsonLayout writes ``thrown`` only with an exception; a line without one is its message alone."""
    plain = ['{"instant":{"epochSecond":1756352400,"nanoOfSecond":0},"thread":"main","level":"INFO",'
             '"loggerName":"org.apache.kafka.clients.producer.KafkaProducer","message":"[Producer clientId=p-1] Instantiated an idempotent producer."}',
             '{"instant":{"epochSecond":1756352401,"nanoOfSecond":0},"thread":"main","level":"ERROR","loggerName":"x",'
             '"message":"send failed","thrown":{"name":"java.lang.IllegalStateException"}}']
    assert [m for (m,) in fields("json_lines", plain, None, "message")] == [
        "[Producer clientId=p-1] Instantiated an idempotent producer.", "send failed\njava.lang.IllegalStateException"]


def test_json_layouts_that_nest_their_fields_are_read_by_the_nested_keys() -> None:
    """winston (KafkaJS apps) nests the time under ``extra``; ECS may nest ``log.level`` and ``log.logger``."""
    winston = ['{"extra":{"groupId":"shop-group","logger":"kafkajs","timestamp":"2022-08-05T19:24:47.656Z"},'
               '"label":"INFO","level":"info","message":"Starting","namespace":"Consumer"}'] * 2
    ecs = ['{"@timestamp":"2025-08-28T03:40:00.109Z","log":{"level":"warn","logger":"org.apache.kafka.clients.NetworkClient"},'
           '"message":"[Producer clientId=p-1] Node 3 disconnected.","process":{"thread":{"name":"main"}}}']
    assert fields("json_lines", winston, None, "ts level logger message") == [
        (utc("2022-08-05 19:24:47.656"), "INFO", "kafkajs", "Starting")] * 2
    assert fields("json_lines", ecs, None, "level logger message") == [
        ("WARN", "org.apache.kafka.clients.NetworkClient", "[Producer clientId=p-1] Node 3 disconnected.")]


def test_json_lines_that_are_not_json_or_lack_a_time_are_rejected_with_their_reason() -> None:
    lines = [LOGSTASH[0], "Exception in thread \"main\" java.lang.OutOfMemoryError", '{"@timestamp":"2025-08-28T00:00:00Z","message":"x","level":"INFO"',
             '{"message":"no time","level":"INFO"}', '{"@timestamp":"yesterday","message":"x","level":"INFO"}']
    records, rejects = parse_lines(get_format("json_lines"), lines)
    assert records["line_start"].to_list() == [1]
    assert rejects.select("line_no", "reason").rows() == [
        (2, "not a JSON object"), (3, "not a JSON object"), (4, "no time (key @timestamp)"), (5, "invalid time 'yesterday'")]


def test_each_sample_client_log_is_detected_as_its_layout() -> None:
    from forensics.reader import head_lines
    from tests.conftest import SAMPLE

    found = {host: detect(head_lines(SAMPLE / "incident" / host / "app.log")).name  # type: ignore[union-attr]
             for host in ("api-pod-a", "api-pod-b", "billing-service")}
    assert found == {"api-pod-a": "json_lines", "api-pod-b": "spring_boot2", "billing-service": "kafka_log4j"}


def test_a_time_of_day_log_keeps_counting_days_across_batches() -> None:
    parser = get_format("logback_default").parser(ParseContext("app-2025-08-27.log", "h"))
    def batch(first: int, lines: list[str]) -> pl.DataFrame:
        return pl.DataFrame({"line_no": range(first, first + len(lines)), "line": lines}, schema={"line_no": pl.Int64, "line": pl.String})
    parts = [
        parser.parse(batch(1, ["23:59:58.000 [main] INFO  c.e.App - a", "23:59:59.000 [main] INFO  c.e.App - b"])),
        parser.parse(batch(3, ["00:00:01.000 [main] INFO  c.e.App - c", "00:00:02.000 [main] INFO  c.e.App - d"])),
        parser.finish(),
    ]
    times = [t for p in parts for t in p.records["ts"].to_list()]
    assert times == [utc("2025-08-27 23:59:58"), utc("2025-08-27 23:59:59"), utc("2025-08-28 00:00:01"), utc("2025-08-28 00:00:02")]


@pytest.mark.parametrize("name", ["json_lines", "events_jsonl"])
def test_a_plugin_format_is_detected_from_its_own_sample(name: str) -> None:
    fmt = get_format(name)
    assert detect([fmt.sample] * 3) is fmt
