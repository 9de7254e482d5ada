"""The report as JSON, in the shape published in report.schema.json (times ISO 8601 UTC, ``Z``)."""

from __future__ import annotations

import json
from typing import Any

from forensics.output import plain
from forensics.story.model import Report

SCHEMA_VERSION = 1


def to_dict(report: Report) -> dict[str, Any]:
    p = report.producers
    data = {
        "schema_version": SCHEMA_VERSION,
        "database": report.database,
        "bucket_seconds": report.bucket.total_seconds(),
        "window": {"start": report.window[0], "end": report.window[1]},
        "suspect_feature": report.suspect_feature,
        "findings": [
            {"id": f.id, "severity": f.severity, "confidence": f.confidence, "title": f.title, "text": f.text,
             "evidence": [{"source": e.source, "line": e.line, "what": e.what} for e in f.evidence]}
            for f in report.findings
        ],
        "rollout_steps": [
            {
                "ts": s["ts"], "feature": s["feature"], "percentage": s["to_pct"], "previous_percentage": s["from_pct"],
                "actor": s["actor"],
                "new_producers_before_per_hour": s["new_producers_before_per_hour"],
                "new_producers_after_per_hour": s["new_producers_after_per_hour"],
                "ratio_to_baseline": s["ratio_to_baseline"],
                "gc_overhead_before_pct": s["gc_overhead_before_pct"], "gc_overhead_after_pct": s["gc_overhead_after_pct"],
                "source": s["source"], "line": s["line_start"],
            }
            for s in report.rollout_steps
        ],
        "producers": {
            "baseline_per_hour": p.baseline_per_hour,
            "baseline_until": p.baseline_until,
            "peak_per_hour": p.peak_per_hour,
            "peak_ratio": p.peak_ratio,
            "peak_at": p.peak_at,
            "per_hour": [
                {"hour": h["bucket_start"], "new_producers": h["new_producers"], "blocks": h["blocks"],
                 "ids_allocated": h["ids_allocated"], "producer_ids_held": h["producer_ids_held"],
                 "estimate_coverage": h["estimate_coverage"]}
                for h in report.producer_hours
            ],
        },
        "gc": [
            {"host": g["host"], "pause_count": g["pause_count"], "pause_total_ms": g["pause_total_ms"],
             "pause_max_ms": g["pause_max_ms"], "full_gc_count": g["full_gc_count"], "first_full_gc": g["first_full_gc"],
             "max_heap_after_pct": g["max_heap_after_pct"], "max_heap_after_mb": g["max_heap_after_mb"]}
            for g in report.gc
        ],
        "correlation": [
            {k: r[k] for k in ("x_signal", "y_signal", "host", "feature", "n_lag0", "pearson_lag0", "spearman_lag0",
                               "best_lag", "best_lag_minutes", "pearson", "spearman")}
            for r in report.correlation
        ],
        "cascade": [
            {"order": r["cascade_order"], "host": r["host"], "broker_id": r["broker_id"], "event": r["event"], "ts": r["ts"],
             "detail": r["detail"], "seen_by": r["seen_by"], "source": r["source"], "line": r["line_start"]}
            for r in report.cascade
        ],
        "episodes": [
            {k: e[k] for k in ("host", "broker_id", "life", "started_at", "up_at", "ending", "unplanned", "ended_at", "cause",
                               "seen_at", "seen_by", "restarted_at", "source", "line_start")}
            for e in report.episodes
        ],
        "alerts": [
            {k: a[k] for k in ("signal", "host", "baseline_median", "baseline_p99", "threshold", "rule", "first_crossed",
                               "lead_minutes")}
            for a in report.alerts
        ],
        "coverage": [
            {k: c[k] for k in ("host", "families", "formats", "files", "files_not_ok", "first_ts", "last_ts", "records",
                               "lines_rejected", "time_origins")}
            for c in report.coverage
        ],
        "timeline": [
            {"ts": t.ts, "ts_end": t.ts_end, "severity": t.severity, "host": t.host, "origin": t.origin, "kind": t.kind,
             "description": t.description, "count": t.count, "source": t.source, "line": t.line_start}
            for t in report.timeline
        ],
    }
    return plain(data)  # type: ignore[no-any-return]


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=1, ensure_ascii=False) + "\n"
