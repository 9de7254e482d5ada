"""producer_id_growth, rollout_impact, correlation and anomalies on small hand-made rows: input rows → expected rows.

The new-producer estimate is checked where it has an exact answer: block lines alone (1000 IDs between two
grants, spread evenly), and a rollout step with client-logged IDs on both sides (the EM fit recovers the two
rates exactly; values are rounded to 0.1 by the queries, so the fit's remaining error is below that).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.queries.support import T0, at, event, rows, source, tiny_db

QUERIES = Path(__file__).resolve().parents[2] / "queries"
SHARED = ("producer_id_growth", "rollout_impact", "correlation", "anomalies", "alert_thresholds")
HOUR = timedelta(hours=1)


def test_every_query_that_estimates_new_producers_includes_the_one_shared_estimate() -> None:
    from forensics.queries import all_queries

    fragment = (QUERIES / "fragments" / "new_producer_estimate.sql").read_text(encoding="utf-8")
    for name in SHARED:
        assert "-- include: new_producer_estimate" in (QUERIES / f"{name}.sql").read_text(encoding="utf-8"), name
        assert fragment.rstrip("\n") in all_queries()[name].sql, name
    assert "new_producer_estimate" not in all_queries()


def blocks_only():
    con = tiny_db()
    source(con, 1, "kafka-1/controller.log", "kafka-1", log_kind="controller", first=T0, last=at(7200))
    con.execute("INSERT INTO hosts VALUES ('kafka-1', 1, 'broker', 1), ('kafka-2', 2, 'broker', 1)")
    # broker 2 asks at 90 % of its block: 1000 IDs between the two grants, one hour apart
    event(con, 1, "kafka-1", 1, at(0), "producer_id_block", broker_id=2, node_id=1, producer_id=5000, count=1000)
    event(con, 1, "kafka-1", 2, at(3600), "producer_id_block", broker_id=2, node_id=1, producer_id=6000, count=1000)
    # a KRaft-style replay of the same block on another controller is counted once
    event(con, 1, "kafka-1", 3, at(3601), "producer_id_block", broker_id=2, node_id=3, producer_id=6000, count=1000)
    event(con, 1, "kafka-1", 4, at(1700), "producer_snapshot", topic="t", partition=0, count=7)
    event(con, 1, "kafka-1", 5, at(3000), "producer_snapshot", topic="t", partition=0, count=9)
    return con


def test_producer_id_growth_spreads_the_ids_between_two_grants_evenly() -> None:
    """Broker 2's IDs between its grants are spread over the hour; outside them (and for broker 1, which
    was granted nothing) the estimate does not know, and says so: NULL with coverage 0, not 0 producers."""
    got = rows(blocks_only(), "producer_id_growth", bucket=timedelta(minutes=30))
    assert [(r["bucket_start"], r["scope"], r["host"], r["broker_id"], r["blocks"], r["ids_allocated"], r["cumulative_ids"],
             r["new_producers"], r["cumulative_new_producers"], r["producer_ids_held"], r["estimate_coverage"])
            for r in got] == [
        (at(0), "cluster", None, None, 1, 1000, 1000, 500.0, 500.0, 7, 0.5),
        (at(0), "broker", "kafka-1", 1, 0, 0, 0, None, None, 7, 0.0),
        (at(0), "broker", "kafka-2", 2, 1, 1000, 1000, 500.0, 500.0, None, 1.0),
        (at(1800), "cluster", None, None, 0, 0, 1000, 500.0, 1000.0, 9, 0.5),
        (at(1800), "broker", "kafka-1", 1, 0, 0, 0, None, None, 9, 0.0),
        (at(1800), "broker", "kafka-2", 2, 0, 0, 1000, 500.0, 1000.0, None, 1.0),
        (at(3600), "cluster", None, None, 1, 1000, 2000, None, 1000.0, 9, 0.0),
        (at(3600), "broker", "kafka-1", 1, 0, 0, 0, None, None, 9, 0.0),
        (at(3600), "broker", "kafka-2", 2, 1, 1000, 2000, None, 1000.0, None, 0.0),
    ]


def with_a_rollout():
    """Broker 1: grants at 0 h and 2 h; a rollout at 1 h; clients logged IDs at 1:10 and 1:20.

    After the step the broker hands out 0.2 IDs/s (720/h): 300 at 1:10, 420 at 1:20, 900 at 2:00 (the next
    grant, at 90 % of the block). Before it, 400 - 0.2 × 600 = 280 IDs in the first hour.
    """
    con = tiny_db()
    source(con, 1, "kafka-1/controller.log", "kafka-1", log_kind="controller", first=T0, last=at(7200))
    source(con, 2, "flags.jsonl", "rollouts", family="events", log_kind="feature-flags", first=at(3600), last=at(3600))
    con.execute("INSERT INTO hosts VALUES ('kafka-1', 1, 'broker', 1)")
    event(con, 1, "kafka-1", 1, at(0), "producer_id_block", broker_id=1, node_id=1, producer_id=1000, count=1000)
    event(con, 1, "kafka-1", 2, at(7200), "producer_id_block", broker_id=1, node_id=1, producer_id=2000, count=1000)
    con.execute("""INSERT INTO producers (host, client_id, created_at, producer_id) VALUES
                   ('api', 'producer-1', ?, 1300), ('api', 'producer-2', ?, 1420)""", [at(4200), at(4800)])
    con.execute("""INSERT INTO rollouts (source_id, host, line_start, line_end, ts, feature, percentage, previous_percentage, actor)
                   VALUES (2, 'rollouts', 1, 1, ?, 'audit', 50, 0, 'dev')""", [at(3600)])
    return con


def test_producer_id_growth_fits_a_constant_rate_on_each_side_of_a_rollout_step() -> None:
    got = [r for r in rows(with_a_rollout(), "producer_id_growth", bucket=HOUR) if r["scope"] == "cluster"]
    assert [(r["bucket_start"], r["new_producers"], r["cumulative_new_producers"]) for r in got] == [
        (at(0), 280.0, 280.0), (at(3600), 720.0, 1000.0), (at(7200), None, 1000.0)]


def test_rollout_impact_gives_the_rate_before_and_after_each_step_and_the_ratio_to_the_baseline() -> None:
    got = rows(with_a_rollout(), "rollout_impact")
    assert [{k: r[k] for k in ("ts", "feature", "from_pct", "to_pct", "actor", "new_producers_before_per_hour",
                               "new_producers_after_per_hour", "step_ratio", "baseline_per_hour", "ratio_to_baseline",
                               "source", "line_start")} for r in got] == [{
        "ts": at(3600), "feature": "audit", "from_pct": 0.0, "to_pct": 50.0, "actor": "dev",
        "new_producers_before_per_hour": 280.0, "new_producers_after_per_hour": 720.0, "step_ratio": 2.57,
        "baseline_per_hour": 280.0, "ratio_to_baseline": 2.57, "source": "flags.jsonl", "line_start": 1,
    }]


def test_correlation_finds_the_rollout_that_moves_new_producers_at_lag_zero() -> None:
    # 12 ten-minute buckets: 6 at 0 % and 46.7 new producers, 6 at 50 % and 120: two ties each side, r = 1.
    got = rows(with_a_rollout(), "correlation", bucket=timedelta(minutes=10), min_pairs=4)
    assert [(r["x_signal"], r["y_signal"], r["feature"], r["n_lag0"], r["pearson_lag0"], r["spearman_lag0"], r["best_lag"])
            for r in got] == [("rollout_pct", "new_producers", "audit", 12, 1.0, 1.0, 0)]


def test_correlation_scans_lags_and_reports_the_best() -> None:
    con = tiny_db()
    source(con, 1, "gc.log", "kafka-1", family="gc", log_kind="gc", first=T0, last=at(3600))
    # y: heap after GC that copies the rollout percentage two buckets later
    pct = [0, 0, 10, 10, 30, 30, 30, 60, 60, 90, 90, 90]
    con.execute("""INSERT INTO rollouts (source_id, host, line_start, line_end, ts, feature, percentage)
                   SELECT 1, 'r', i, i, ?::TIMESTAMPTZ + INTERVAL 5 minutes * i, 'f', p
                   FROM (SELECT unnest(range(12)) i, unnest(?::INTEGER[]) p)""", [T0, pct])
    for i in range(14):
        after = 100 + pct[max(0, min(11, i - 2))]
        con.execute("""INSERT INTO gc_events (source_id, host, line_start, line_end, ts, kind, stw, nested, pause_ms,
                       heap_before_kb, heap_after_kb, heap_capacity_kb) VALUES (1, 'kafka-1', ?, ?, ?, 'young', true, false,
                       10, 900 * 1024, ? * 1024, 1000 * 1024)""", [i, i, at(300 * i + 1), after])
    event(con, 1, "kafka-1", 1, at(0), "producer_id_block", broker_id=1, producer_id=0, count=1000)
    event(con, 1, "kafka-1", 2, at(4200), "producer_id_block", broker_id=1, producer_id=1000, count=1000)
    got = {(r["x_signal"], r["y_signal"]): r for r in rows(con, "correlation", bucket=timedelta(minutes=5), max_lag=3)}
    heap = got[("producer_ids_cumulative", "heap_after_pct")]
    assert heap["host"] == "kafka-1" and heap["pearson_lag0"] is not None
    rollout = got[("rollout_pct", "new_producers")]
    assert rollout["feature"] == "f" and rollout["n_lag0"] == 14


def test_anomalies_flag_a_spike_against_the_trailing_median_with_a_robust_z_score() -> None:
    con = tiny_db()
    source(con, 1, "gc.log", "kafka-1", family="gc", log_kind="gc", first=T0, last=at(3600))
    values = [10, 11, 10, 12, 10, 11, 10, 60, 10]  # pause ms per 5-minute bucket
    for i, pause in enumerate(values):
        con.execute("""INSERT INTO gc_events (source_id, host, line_start, line_end, ts, kind, stw, nested, pause_ms,
                       heap_before_kb, heap_after_kb, heap_capacity_kb) VALUES (1, 'kafka-1', ?, ?, ?, 'young', true, false,
                       ?, 900 * 1024, 300 * 1024, 1000 * 1024)""", [i, i, at(300 * i), pause])
    got = rows(con, "anomalies", bucket=timedelta(minutes=5))
    assert [(r["bucket_start"], r["signal"], r["host"], r["value"], r["baseline_median"], r["baseline_mad"], r["ratio"],
             r["robust_z"], r["first_of_run"]) for r in got] == [
        # 60 ms in 300 s = 0.02 %; the 7 buckets before: median 10 ms (0.003 %), MAD 0, so the scale is 1.2533 × the
        # mean absolute deviation 4/7: z = 50 / 0.7162 = 69.82
        (at(2100), "gc_overhead_pct", "kafka-1", 0.02, 0.003, 0.0, 6.0, 69.82, True),
        (at(2100), "gc_pause_max_ms", "kafka-1", 60.0, 10.0, 0.0, 6.0, 69.82, True),
    ]
