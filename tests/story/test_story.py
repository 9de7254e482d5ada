"""The story says only what the evidence shows: planned restarts are maintenance, a cascade needs unplanned
falls, each event is told once, and what the data cannot tell is said."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from forensics.timeline import run_named

from tests.story.incident import failure_callback, line, oom, planned_stop, started, starting, story, write


def findings(report):  # noqa: ANN001, ANN201
    return {f.id: f for f in report.findings}


def test_a_planned_restart_hours_before_is_maintenance_not_the_first_fall_of_the_cascade(tmp_path: Path) -> None:
    root = write(tmp_path / "logs", {
        "kafka-1/server.log": [started("00:00:01", 1), oom("14:21:05", 1)],
        "kafka-1/controller.log": [failure_callback("06:19:43", 1, 4), failure_callback("13:52:30", 1, 3)],
        "kafka-3/server.log": [started("00:00:02", 3), oom("13:52:15", 3)],
        "kafka-4/server.log": [started("00:00:03", 4), *planned_stop("06:19:40", "06:19:50", 4), starting("06:20:05"),
                               started("06:20:11", 4), oom("14:33:00", 4)],
    })
    con, report = story(root, tmp_path / "x.duckdb")
    said = findings(report)
    assert said["cascade"].text == "Cascade: kafka-3 (OOM 13:52:15) → kafka-1 (OOM 14:21:05) → kafka-4 (OOM 14:33:00)."
    assert said["maintenance"].text == ("kafka-4 stopped at 06:19:40 (SIGTERM, controlled shutdown, shut down completed; "
                                        "the controller saw it leave at 06:19:43), back up at 06:20:05.")
    # kafka-4's own story is its crash, not the maintenance; kafka-3's fall was seen by the controller
    assert said["broker_kafka-4"].text == "kafka-4: OOM at 14:33:00."
    assert said["broker_kafka-3"].text == "kafka-3: OOM at 13:52:15; failure seen by the controller at 13:52:30."
    episodes = [(e["host"], e["life"], e["ending"], e["unplanned"], e["ended_at"].strftime("%H:%M:%S") if e["ended_at"] else None)
                for e in report.episodes]
    assert episodes == [("kafka-1", 1, "crash", True, "14:21:05"), ("kafka-3", 1, "crash", True, "13:52:15"),
                        ("kafka-4", 1, "planned", False, "06:19:40"), ("kafka-4", 2, "crash", True, "14:33:00")]


def test_without_an_oom_the_cascade_names_the_failures_seen_and_claims_no_oom(tmp_path: Path) -> None:
    root = write(tmp_path / "logs", {
        "kafka-1/server.log": [started("00:00:01", 1)],
        "kafka-1/controller.log": [failure_callback("10:00:00", 1, 2), failure_callback("10:05:00", 1, 3)],
        "kafka-2/server.log": [started("00:00:02", 2)],
        "kafka-3/server.log": [started("00:00:03", 3)],
    })
    _, report = story(root, tmp_path / "x.duckdb")
    said = findings(report)
    assert said["cascade"].text == "Cascade: kafka-2 (failed 10:00:00) → kafka-3 (failed 10:05:00)."
    assert all("OOM" not in f.text and "OutOfMemory" not in f.text for f in report.findings)
    assert "rollout" not in " ".join(f.title for f in report.findings)
    assert said["coverage"].text.startswith("No rollout, feature-flag or deploy export was ingested")
    assert "no GC log for kafka-1, kafka-2, kafka-3" in said["coverage"].text


def test_a_broker_that_started_again_with_no_stop_logged_was_killed_at_an_unknown_time(tmp_path: Path) -> None:
    root = write(tmp_path / "logs", {
        "kafka-2/server.log": [started("00:00:02", 2), line("09:00:00", "INFO", "[Partition t-1 broker=2] nothing", "kafka.cluster.Partition"),
                               starting("09:30:00"), started("09:30:20", 2)],
    })
    _, report = story(root, tmp_path / "x.duckdb")
    said = findings(report)
    assert [(e["life"], e["ending"], e["ended_at"]) for e in report.episodes] == [(1, "killed", None), (2, None, None)]
    assert said["cascade"].text == "Cascade: kafka-2 (stopped without a shutdown, restarted 09:30:00)."
    assert "when kafka-2 went down is unknown" in said["coverage"].text


def test_an_oom_in_server_log_and_its_copy_in_kafkaserver_out_is_one_event_with_both_places(tmp_path: Path) -> None:
    root = write(tmp_path / "logs", {
        "kafka-3/server.log": [started("00:00:02", 3), oom("13:52:15", 3)],
        "kafka-3/kafkaServer.out": [oom("13:52:15", 3)],  # the stdout appender copies WARN and ERROR records
    })
    con, report = story(root, tmp_path / "x.duckdb")
    assert con.sql("SELECT s.path LIKE '%server.log', e.line_start FROM broker_events e JOIN sources s USING (source_id) "
                   "WHERE kind = 'oom'").fetchall() == [(True, 2)]
    assert con.sql("SELECT s.path LIKE '%kafkaServer.out', c.line_start, k.path LIKE '%server.log', c.kept_line_start "
                   "FROM event_copies c JOIN sources s USING (source_id) JOIN sources k ON k.source_id = c.kept_source_id"
                   ).fetchall() == [(True, 1, True, 2)]
    assert len([t for t in report.timeline if t.kind == "oom"]) == 1  # the report's timeline tells it once


def test_a_stray_line_stamped_1970_and_a_host_a_year_off_are_named_and_size_nothing(tmp_path: Path) -> None:
    root = write(tmp_path / "logs", {
        "kafka-1/server.log": [line("00:00:00", "INFO", "clock not set yet", "kafka.server.KafkaServer", day="1970-01-01"),
                               started("10:00:01", 1), oom("14:21:05", 1)],
        "kafka-2/server.log": [started("10:00:02", 2), failure_callback("14:21:20", 2, 1)],
        "kafka-9/server.log": [started(f"0{h}:00:00", 9) for h in range(4)],  # its clock is a year behind
    })
    (root / "kafka-9" / "server.log").write_text((root / "kafka-9" / "server.log").read_text().replace("2025-09-16", "2024-09-16"))
    con, report = story(root, tmp_path / "x.duckdb")
    assert con.sql("SELECT strftime(window_start, '%Y-%m-%d %H:%M:%S'), strftime(window_end, '%Y-%m-%d %H:%M:%S'), records_inside, records_outside "
                   "FROM time_window").fetchall() == [("2025-09-16 10:00:01", "2025-09-16 14:21:20", 4, 5)]
    assert report.window[0].isoformat() == "2025-09-16T10:00:01+00:00"
    # every bucketed series stays inside the window: 53 five-minute buckets, not 55 years of them
    buckets = sorted({r["bucket_start"] for r in run_named(con, "broker_states", bucket=timedelta(minutes=5))})
    assert (buckets[0].strftime("%H:%M"), buckets[-1].strftime("%H:%M"), len(buckets)) == ("10:00", "14:20", 53)
    assert all(r["host"] != "kafka-9" or r["bucket_start"] >= buckets[0] for r in run_named(con, "broker_states"))
    unknowns = findings(report)["coverage"].text
    assert "1 record(s) of kafka-1 lie outside the span told (1970-01-01 00:00:00 to 1970-01-01 00:00:00)" in unknowns
    assert "4 record(s) of kafka-9 lie outside the span told (2024-09-16 00:00:00 to 2024-09-16 03:00:00)" in unknowns
