-- name: gc_by_host
-- title: GC pauses per host, over all its GC log files
-- description: gc_summary added up per host (a JVM restarted in the window leaves two files): stop-the-world GC
--   pauses counted as in gc_summary (a nested pause once, safepoints apart), their total and longest time,
--   Full GCs, the first Full GC, the peak heap after GC (MB and % of capacity) and the time span covered.
WITH ev AS (
    SELECT coalesce(s.host, e.host) AS host, e.*
    FROM gc_events e JOIN sources s USING (source_id)
)
SELECT
    host,
    count(DISTINCT source_id) AS files,
    max(collector) AS collector,
    count(*) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested AND pause_ms IS NOT NULL) AS pause_count,
    round(coalesce(sum(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested), 0), 3) AS pause_total_ms,
    round(max(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested), 3) AS pause_max_ms,
    count(*) FILTER (WHERE kind = 'full') AS full_gc_count,
    min(ts) FILTER (WHERE kind = 'full') AS first_full_gc,
    round(max(heap_after_kb) FILTER (WHERE (stw OR kind = 'cycle') AND kind <> 'safepoint') / 1024.0, 1) AS max_heap_after_mb,
    round(max(100.0 * heap_after_kb / heap_capacity_kb)
        FILTER (WHERE heap_capacity_kb > 0 AND (stw OR kind = 'cycle') AND kind <> 'safepoint'), 2) AS max_heap_after_pct,
    min(ts) AS first_ts,
    max(coalesce(ts_end, ts)) AS last_ts
FROM ev
GROUP BY host
ORDER BY host;
