"""The report's findings: plain sentences with numbers and the file:line evidence, from a built report.

Findings are part of the headless core (the TUI shows them too); they pick and word numbers the
queries computed, they compute none of their own beyond a difference of two times.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from forensics.story.model import Evidence, Finding, Row

if TYPE_CHECKING:
    from forensics.story.model import Report

#: Heap after GC (% of capacity) that the cascade findings call "full".
FULL_HEAP_PCT = 97.0


def hhmm(ts: datetime | None) -> str:
    return ts.strftime("%H:%M:%S") if ts else "?"


def stamp(ts: datetime) -> str:
    """Date and time, the year in four digits (year 1 is 0001, as a stray line may say)."""
    return f"{ts.year:04d}-{ts:%m-%d %H:%M:%S}"


def num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "?"
    return f"{value:,.{digits}f}".replace(",", " ")


def pct(value: float | None) -> str:
    return "?" if value is None else f"{value:g} %"


def compose(report: Report) -> list[Finding]:
    found = [
        _producer_growth(report),
        _per_request_producers(report),
        _cascade(report),
        *_broker_falls(report),
        _maintenance(report),
        _correlation(report),
        _alerts(report),
        _unknowns(report),
    ]
    return [f for f in found if f is not None]


def _producer_growth(report: Report) -> Finding | None:
    p = report.producers
    if p.peak_per_hour is None:
        return None
    if not report.rollout_steps:  # no flag or deploy export: nothing to blame, and no "before the rollout" baseline
        when = f" in the {p.peak_at:%H:%M} hour" if p.peak_at else ""
        return Finding("producer_growth", "warning", "New producers grew",
                       f"New producers peaked at {num(p.peak_per_hour)}/h{when}. No rollout or deploy export was ingested: "
                       "what made them is not in the data.", confidence="estimated")
    steps = [s for s in report.suspect_steps if (s["to_pct"] or 0) > (s["from_pct"] or 0)]
    jumps = [s for s in steps if (s["step_ratio"] or 0) >= 2]
    said = ", ".join(f"{pct(s['to_pct'])} (×{s['step_ratio']:g})" for s in jumps)
    text = (
        f"New producers rose from {num(p.baseline_per_hour)}/h before {report.suspect_feature or 'any rollout'} was first "
        f"turned on to {num(p.peak_per_hour)}/h in the {p.peak_at:%H:%M} hour ({p.peak_ratio:.0f}×)"
        if p.peak_at and p.peak_ratio is not None else f"New producers peaked at {num(p.peak_per_hour)}/h"
    )
    if said:
        text += f", rising after each step of {report.suspect_feature}: {said} on the rate before the step"
    text += "."
    evidence = tuple(Evidence(s["source"], s["line_start"], f"{s['feature']} → {pct(s['to_pct'])}") for s in steps if s["source"])
    return Finding("producer_growth", "warning", "New producers grew with the rollout", text, evidence, "estimated")


def _per_request_producers(report: Report) -> Finding | None:
    hosts = [r for r in report.client_producers
             if "60000" in str(r.get("close_timeouts") or "") and r.get("host") and not str(r["host"]).startswith("(")]
    if not hosts:
        return None
    created = sum(r.get("created") or 0 for r in hosts)
    closed = sum(r.get("closed") or 0 for r in hosts)
    medians = [r["p50_ms"] for r in hosts if r.get("p50_ms") is not None]
    span = f"{num(min(medians))}–{num(max(medians))} ms" if len(medians) > 1 else f"{num(medians[0])} ms" if medians else "?"
    text = (
        f"On {', '.join(r['host'] for r in hosts)}, {num(created)} producers were created and {num(closed)} closed, "
        f"median lifetime {span}, every close with timeoutMillis = 60000 (the Pekko/Akka default of a producer per "
        "stream): a producer per request."
    )
    return Finding("producer_per_request", "warning", "A Kafka producer per request", text, confidence="inferred")


#: How each broker's fall is named in the cascade, the first stage it has: what the data shows, nothing more.
FALL_STAGES = (("oom", "OOM", "first OutOfMemoryError"), ("broker_failed", "failed", "failure seen by the controller"),
               ("broker_killed", "stopped without a shutdown, restarted", "started again with no stop logged"),
               ("leadership_moved", "leadership moved", "leadership moved away"))


def _fall(stages: dict[str, Row]) -> tuple[str, str, Row] | None:
    """The first stage of a broker's fall the data shows: its word, what it shows, its row."""
    return next(((word, what, stages[stage]) for stage, word, what in FALL_STAGES if stage in stages), None)


def _cascade(report: Report) -> Finding | None:
    falls = [(host, fall) for host, stages in _fallen(report) if (fall := _fall(stages))]
    if not falls:
        return None
    parts = [f"{host} ({word} {hhmm(row['ts'])})" for host, (word, _, row) in falls]
    evidence = tuple(Evidence(row["source"], row["line_start"], f"{host}: {what}")
                     for host, (_, what, row) in falls if row["source"])
    title = "Brokers fell one after the other" if len(falls) > 1 else "A broker fell"
    return Finding("cascade", "critical", title, "Cascade: " + " → ".join(parts) + ".", evidence)


def _broker_falls(report: Report) -> list[Finding]:
    found = []
    heap_base = {a["host"]: a for a in report.alerts if a["signal"] == "heap_after_gc_pct"}
    for n, (host, stages) in enumerate(_fallen(report), start=1):
        words = []
        base = heap_base.get(host)
        full_at = next((t for t, v in report.series.heap_after.get(host, []) if v >= FULL_HEAP_PCT), None)
        if base and base["first_crossed"] and full_at:
            minutes = (full_at - base["first_crossed"]).total_seconds() / 60
            words.append(
                f"heap after GC went from {num(base['baseline_median'])} % (baseline) past {num(base['threshold'])} % "
                f"at {hhmm(base['first_crossed'])} to {FULL_HEAP_PCT:g} % by {hhmm(full_at)} ({num(minutes)} minutes)"
            )
        labels = {
            "gc_thrashing": "Full-GC thrashing from", "oom": "OOM at", "broker_failed": "failure seen by the controller at",
            "broker_killed": "started again with no stop logged at",
            "leadership_moved": "leadership moved away at", "broker_started": "back up at",
        }
        for event, label in labels.items():
            if event in stages:
                row = stages[event]
                extra = f" ({row['detail']})" if event == "broker_failed" and "replaced" in str(row["detail"]) else ""
                words.append(f"{label} {hhmm(row['ts'])}{extra}")
        evidence = tuple(Evidence(r["source"], r["line_start"], f"{r['event']}: {r['detail']}") for r in stages.values()
                         if r["source"])
        found.append(Finding(f"broker_{host}", "critical", f"{n}. {host}", f"{host}: " + "; ".join(words) + ".", evidence))
    return found


def _correlation(report: Report) -> Finding | None:
    heap = [r for r in report.correlation if r["x_signal"] == "producer_ids_cumulative" and r["y_signal"] == "heap_after_pct"]
    rollout = [r for r in report.correlation if r["x_signal"] == "rollout_pct"]
    if not heap and not rollout:
        return None
    sentences = []
    if heap:
        lo = min(r["pearson_lag0"] or 0 for r in heap)
        hi = max(r["pearson_lag0"] or 0 for r in heap)
        sentences.append(
            f"Heap after GC tracks the cumulative new producers on every broker with GC logs ({len(heap)}): "
            f"Pearson {lo:g}–{hi:g} at lag 0."
        )
    suspect = next((r for r in rollout if r["feature"] == report.suspect_feature), None)
    if suspect:
        others = ", ".join(f"{r['feature']} {r['pearson_lag0']:g}" for r in rollout if r is not suspect)
        sentences.append(
            f"{suspect['feature']}'s rollout percentage tracks new producers with Pearson {suspect['pearson_lag0']:g} "
            f"(Spearman {suspect['spearman_lag0']:g}) at lag 0" + (f"; the other flags changed meanwhile: {others}." if others else ".")
        )
    return Finding("correlation", "info", "What moves together", " ".join(sentences), confidence="estimated")


def _alerts(report: Report) -> Finding | None:
    fired = [a for a in report.alerts if a["first_crossed"] is not None and a["lead_minutes"] is not None]
    if not fired:
        return None
    best = max(fired, key=lambda a: a["lead_minutes"])
    heap = sorted((a for a in fired if a["signal"] == "heap_after_gc_pct"), key=lambda a: a["first_crossed"])
    text = (
        f"An alert on {best['signal'].replace('_', ' ')} above {num(best['threshold'])} ({best['rule']}) would have fired at "
        f"{hhmm(best['first_crossed'])}, {num(best['lead_minutes'])} minutes before the first OutOfMemoryError"
    )
    if heap:
        h = heap[0]
        text += (f"; one on heap after GC above {num(h['threshold'])} % on {h['host']} at {hhmm(h['first_crossed'])}, "
                 f"{num(h['lead_minutes'])} minutes before it")
    return Finding("alerts", "info", "What would have warned us", text + ".", confidence="estimated")


def _maintenance(report: Report) -> Finding | None:
    """Planned stops: shown as maintenance, never as a fall of the cascade."""
    planned = [e for e in report.episodes if e["ending"] == "planned"]
    if not planned:
        return None
    parts = []
    for e in planned:
        back = f", back up at {hhmm(e['restarted_at'])}" if e["restarted_at"] else ", not started again in the logs"
        parts.append(f"{e['host']} stopped at {hhmm(e['ended_at'])} ({e['cause']}){back}")
    evidence = tuple(Evidence(e["source"], e["line_start"], f"{e['host']}: planned stop") for e in planned if e["source"])
    return Finding("maintenance", "info", "Planned restarts (maintenance, not part of the cascade)",
                   "; ".join(parts) + ".", evidence)


def _unknowns(report: Report) -> Finding | None:
    """What the data could not tell, and why: the last finding."""
    bad = [r for r in report.coverage if r["files_not_ok"]]
    assumed = [r["host"] for r in report.coverage if "assumed" in str(r["time_origins"] or "")]
    no_changes = not any("events" in str(r.get("families") or "") for r in report.coverage)
    brokers = [r["host"] for r in report.coverage if "broker" in str(r.get("families") or "")]
    no_gc = [h for h in brokers if not any(r["host"] == h and "gc" in str(r.get("families") or "") for r in report.coverage)]
    no_clients = not any("client" in str(r.get("families") or "") for r in report.coverage)
    killed = [e for e in report.episodes if e["ending"] == "killed"]
    parts = []
    if no_changes:
        parts.append("no rollout, feature-flag or deploy export was ingested, so no finding can name a change behind the incident")
    if no_gc:
        parts.append(f"no GC log for {', '.join(no_gc)}: their heap and GC pauses are unknown")
    if no_clients and brokers:
        parts.append("no client application log: producer lifetimes and who created them are unknown")
    if killed:
        parts.append("when " + ", ".join(sorted({e["host"] for e in killed})) + " went down is unknown: no stop or failure "
                     "was logged before it started again")
    for r in report.coverage:
        if r.get("outside_window"):
            parts.append(f"{num(r['outside_window'])} record(s) of {r['host']} lie outside the span told "
                         f"({stamp(r['outside_first'])} to {stamp(r['outside_last'])}): "
                         "a clock far off or stray lines, left out of every bucket and chart")
    if assumed:
        parts.append(f"zone-less times were taken as UTC on {', '.join(assumed)}")
    if bad:
        parts.append(f"{sum(r['files_not_ok'] for r in bad)} file(s) not wholly ingested on {', '.join(r['host'] for r in bad)}")
    if not parts:
        return None
    text = "; ".join(parts)
    return Finding("coverage", "info", "What the evidence could not tell", text[:1].upper() + text[1:] + ".")


def _fallen(report: Report) -> list[tuple[str, dict[str, Row]]]:
    """Brokers that fell, in cascade order, each with its first row per stage."""
    by_host: dict[str, dict[str, Row]] = {}
    order: dict[str, int] = {}
    for row in report.cascade:
        if row["cascade_order"] is None:
            continue
        order[row["host"]] = row["cascade_order"]
        by_host.setdefault(row["host"], {}).setdefault(row["event"], row)
    return sorted(by_host.items(), key=lambda item: order[item[0]])
