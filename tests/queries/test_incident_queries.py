"""cascade, timeline, gc_by_host, data_coverage and alert_thresholds on small hand-made rows: exact expected rows."""

from __future__ import annotations

from datetime import timedelta

from forensics.ingest import drop_copies
from tests.queries.support import T0, at, event, gc, rows, source, tiny_db


def incident():
    """kafka-3 fills its heap, thrashes, runs out of memory; controller kafka-1 sees it go, then fails itself."""
    con = tiny_db()
    source(con, 1, "kafka-3/gc.log", "kafka-3", family="gc", log_kind="gc", first=T0, last=at(3600), ts_origin="in-line")
    source(con, 2, "kafka-3/server.log", "kafka-3", first=T0, last=at(3600))
    source(con, 3, "kafka-3/kafkaServer.out", "kafka-3", log_kind="stdout", first=T0, last=at(3600))
    source(con, 4, "kafka-1/controller.log", "kafka-1", log_kind="controller", first=T0, last=at(3600))
    source(con, 5, "kafka-2/controller.log", "kafka-2", log_kind="controller", first=T0, last=at(3600))
    source(con, 6, "rollouts/deploys.csv", "rollouts", family="events", log_kind="deploys", status="unrecognised")
    con.execute("INSERT INTO hosts VALUES ('kafka-1', 1, 'broker', 1), ('kafka-2', 2, 'broker', 1), ('kafka-3', 3, 'broker,gc', 3)")
    gc(con, 1, "kafka-3", 10, at(60), "young", 20.0, 800, 400)
    gc(con, 1, "kafka-3", 20, at(600), "young", 30.0, 990, 930)            # heap after GC 93 %
    gc(con, 1, "kafka-3", 30, at(900), "full", 3000.0, 1000, 900)          # reclaims 10 %: not futile
    gc(con, 1, "kafka-3", 40, at(1200), "full", 3000.0, 1000, 970)         # 3 %, futile, 5 min after the last: a run begins
    gc(con, 1, "kafka-3", 50, at(1400), "full", 3000.0, 1000, 990)         # 1 %
    event(con, 3, "kafka-3", 7, at(1500), "oom", broker_id=3, detail="Java heap space")   # the console copy
    event(con, 2, "kafka-3", 70, at(1500), "oom", broker_id=3, detail="Java heap space")
    event(con, 4, "kafka-1", 5, at(1520), "broker_failed", broker_id=3, node_id=1, detail="[Controller id=1] Broker failure callback for 3")
    event(con, 4, "kafka-1", 6, at(1521), "leader_change", topic="t", partition=0, leader=1, prev_leader=3)
    event(con, 5, "kafka-2", 1, at(2000), "controller_change", broker_id=2, epoch=8, detail="2 successfully elected")
    event(con, 2, "kafka-3", 90, at(3000), "broker_started", broker_id=3, detail="[KafkaServer id=3] started")
    drop_copies(con)  # as ingest does: the console copy of the OOM moves to event_copies
    return con


def test_cascade_gives_each_stage_once_in_order_with_its_evidence() -> None:
    got = rows(incident(), "cascade")
    assert [(r["cascade_order"], r["host"], r["stage_no"], r["event"], r["ts"], r["detail"], r["seen_by"], r["source"],
             r["line_start"]) for r in got] == [
        (1, "kafka-3", 1, "heap_high", at(600), "heap after GC 93.0 % of 1000 MB", "kafka-3", "kafka-3/gc.log", 20),
        (1, "kafka-3", 2, "gc_thrashing", at(1200), "2 Full GCs in a row reclaiming 1.0–3.0 % of the heap", "kafka-3",
         "kafka-3/gc.log", 40),
        (1, "kafka-3", 3, "oom", at(1500), "java.lang.OutOfMemoryError: Java heap space", "kafka-3", "kafka-3/server.log", 70),
        (1, "kafka-3", 4, "broker_failed", at(1520), "[Controller id=1] Broker failure callback for 3", "kafka-1",
         "kafka-1/controller.log", 5),
        (1, "kafka-3", 5, "leadership_moved", at(1521), "leader of t-0 moved from 3 to 1", "kafka-1", "kafka-1/controller.log", 6),
        (1, "kafka-3", 6, "broker_started", at(3000), "[KafkaServer id=3] started", "kafka-3", "kafka-3/server.log", 90),
        (2, "kafka-1", 4, "broker_failed", at(2000), "controller 1 replaced: 2 elected (epoch 8)", "kafka-2",
         "kafka-2/controller.log", 1),
    ]


def test_timeline_merges_sources_drops_console_copies_and_filters_by_severity() -> None:
    got = rows(incident(), "timeline", min_severity="warning", collapse=timedelta(minutes=10))
    assert [(r["ts"], r["ts_end"], r["severity"], r["host"], r["origin"], r["kind"], r["description"], r["count"], r["source"],
             r["line_start"]) for r in got] == [
        (at(900), at(1400), "warning", "kafka-3", "gc", "full_gc", "Pause Full 3000 ms, heap 100 % → 90 % (and 2 more like it)",
         3, "kafka-3/gc.log", 30),
        (at(1500), at(1500), "critical", "kafka-3", "broker", "oom", "OutOfMemoryError: Java heap space", 1,
         "kafka-3/server.log", 70),
        (at(1520), at(1520), "critical", "kafka-1", "broker", "broker_failed", "controller saw broker 3 fail", 1,
         "kafka-1/controller.log", 5),
        (at(1521), at(1521), "warning", "kafka-1", "broker", "leader_change", "leader of t-0 → 1 (was 3)", 1,
         "kafka-1/controller.log", 6),
        (at(2000), at(2000), "warning", "kafka-2", "broker", "controller_change", "broker 2 became the controller (epoch 8)", 1,
         "kafka-2/controller.log", 1),
    ]


def test_gc_by_host_adds_up_a_hosts_files() -> None:
    got = rows(incident(), "gc_by_host")
    assert got == [{
        "host": "kafka-3", "files": 1, "collector": None, "pause_count": 5, "pause_total_ms": 9050.0, "pause_max_ms": 3000.0,
        "full_gc_count": 3, "first_full_gc": at(900), "max_heap_after_mb": 990.0, "max_heap_after_pct": 99.0,
        "first_ts": at(60), "last_ts": at(1403),
    }]


def test_data_coverage_says_per_host_what_was_read_and_how_times_were_taken() -> None:
    got = {r["host"]: r for r in rows(incident(), "data_coverage")}
    assert got["kafka-3"]["files"] == 3 and got["kafka-3"]["files_not_ok"] == 0
    assert got["kafka-3"]["time_origins"] == "assumed:UTC; in-line"
    assert got["kafka-3"]["log_kinds"] == "gc,server,stdout"
    assert (got["rollouts"]["files_not_ok"], got["rollouts"]["problems"]) == (1, "unrecognised")


def test_alert_thresholds_derive_from_the_baseline_and_say_when_they_would_have_fired() -> None:
    con = incident()
    got = rows(con, "alert_thresholds", bucket=timedelta(minutes=5), baseline_until=at(600))
    heap = next(r for r in got if r["signal"] == "heap_after_gc_pct")
    # baseline: the one GC before 00:10, heap after 40 % → threshold halfway to 100 %: 70 %; crossed at 00:10 (93 %)
    assert (heap["host"], heap["baseline_median"], heap["threshold"], heap["first_crossed"], heap["value_then"],
            heap["lead_minutes"]) == ("kafka-3", 40.0, 70.0, at(600), 93.0, 15.0)
    full = next(r for r in got if r["signal"] == "full_gcs")
    assert (full["threshold"], full["first_crossed"], full["rule"]) == (1, at(900), "any Full GC")
