"""Build the report: run the named queries on a read-only database and gather a ``Report``.

Every number comes from a query in queries/; this module only picks rows (the suspect feature, the
peak hour) and hands them to ``findings`` for the words.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from forensics import db, timeline
from forensics.story import findings
from forensics.story.model import ProducerSummary, Report, Row, Series
from forensics.timeline import run_named

#: A feature is the suspect only if its percentage tracks new producers at least this well (Pearson, lag 0).
SUSPECT_MIN_PEARSON = 0.5


def build_report(db_path: str | Path, bucket: timedelta = timedelta(minutes=5)) -> Report:
    con = db.open_read_only(db_path)
    try:
        return build_from(con, str(db_path), bucket)
    finally:
        con.close()


def build_from(con: duckdb.DuckDBPyConnection, database: str, bucket: timedelta) -> Report:
    coverage = run_named(con, "data_coverage")
    steps = run_named(con, "rollout_impact")
    correlation = run_named(con, "correlation", bucket=bucket)
    suspect = suspect_feature(correlation, steps)
    first_on = next((s["ts"] for s in steps if s["feature"] == suspect and (s["to_pct"] or 0) > 0), None)
    hours = [r for r in run_named(con, "producer_id_growth", bucket=timedelta(hours=1)) if r["scope"] == "cluster"]
    report = Report(
        database=database,
        bucket=bucket,
        window=_window(run_named(con, "time_span"), coverage),
        coverage=coverage,
        rollout_steps=steps,
        suspect_feature=suspect,
        producers=producer_summary(steps, suspect, hours),
        producer_hours=hours,
        client_producers=_optional(con, "producer_lifetimes"),
        gc=run_named(con, "gc_by_host"),
        correlation=correlation,
        cascade=run_named(con, "cascade"),
        episodes=run_named(con, "broker_episodes"),
        anomalies=[r for r in run_named(con, "anomalies", bucket=bucket) if r["first_of_run"]],
        alerts=run_named(con, "alert_thresholds", bucket=bucket, baseline_until=first_on),
        timeline=timeline.load(con, min_severity="warning", collapse="5 minutes"),
        series=_series(con, bucket),
    )
    report.findings = findings.compose(report)
    return report


def suspect_feature(correlation: list[Row], steps: list[Row]) -> str | None:
    """The rolled-out feature whose percentage tracks new producers best (lag 0), if any tracks them well."""
    candidates = [
        r for r in correlation
        if r["x_signal"] == "rollout_pct" and r["pearson_lag0"] is not None and r["pearson_lag0"] >= SUSPECT_MIN_PEARSON
        and any(s["feature"] == r["feature"] for s in steps)
    ]
    best = max(candidates, key=lambda r: (r["pearson_lag0"], r["spearman_lag0"] or 0), default=None)
    return best["feature"] if best else None


def producer_summary(steps: list[Row], suspect: str | None, hours: list[Row]) -> ProducerSummary:
    """Baseline: the rate before the suspect's first step (rollout_impact); peak: the busiest clock hour."""
    first = next((s for s in steps if s["feature"] == suspect and s["baseline_per_hour"] is not None), None)
    full = [h for h in hours if h["new_producers"] is not None]
    peak = max(full, key=lambda h: h["new_producers"], default=None)
    baseline = first["baseline_per_hour"] if first else (full[0]["new_producers"] if full else None)
    peak_rate = peak["new_producers"] if peak else None
    return ProducerSummary(
        baseline_per_hour=baseline,
        baseline_from=None if first else (full[0]["bucket_start"] if full else None),
        baseline_until=first["ts"] if first else (full[0]["bucket_end"] if full else None),
        peak_per_hour=peak_rate,
        peak_at=peak["bucket_start"] if peak else None,
        peak_ratio=round(peak_rate / baseline, 2) if baseline and peak_rate is not None else None,
    )


def _series(con: duckdb.DuckDBPyConnection, bucket: timedelta) -> Series:
    series = Series(bucket=bucket)
    per_hour = 3600 / bucket.total_seconds()
    for row in run_named(con, "producer_id_growth", bucket=bucket):
        if row["scope"] == "cluster":
            if row["new_producers"] is not None:  # NULL: not known (after the brokers' last grants), not zero
                series.new_producers.append((row["bucket_start"], float(row["new_producers"]) * per_hour))
            series.cumulative_ids.append((row["bucket_start"], float(row["cumulative_new_producers"] or 0)))
    for row in run_named(con, "gc_pressure", bucket=bucket):
        series.gc_overhead.setdefault(row["host"], []).append((row["bucket_start"], float(row["gc_overhead_pct"] or 0)))
        if row["heap_after_max_pct"] is not None:
            series.heap_after.setdefault(row["host"], []).append((row["bucket_start"], float(row["heap_after_max_pct"])))
    return series


def _window(span: list[Row], coverage: list[Row]) -> tuple[Any, Any]:
    """The span the story covers: where the records are dense (time_span), else all the sources cover."""
    if span:
        return span[0]["window_start"], span[0]["window_end"]
    starts = [r["first_ts"] for r in coverage if r["first_ts"] is not None]
    ends = [r["last_ts"] for r in coverage if r["last_ts"] is not None]
    return (min(starts) if starts else None, max(ends) if ends else None)


def _optional(con: duckdb.DuckDBPyConnection, name: str) -> list[Row]:
    """A query over client tables: no rows when the database has no client logs."""
    from forensics.errors import QueryError

    try:
        return run_named(con, name)
    except QueryError:
        return []
