-- name: gc_summary
-- title: GC pauses per GC log file
-- description: One row per GC log file: how often and how long the JVM stopped for garbage collection,
--   the worst pause, Full GCs, the time span the file covers, throughput and the peak heap after GC.
--   A pause is a stop-the-world GC pause with the duration the JVM logged for it (young, mixed, initial
--   mark, remark, cleanup, full, degenerated and other STW phases such as ZGC's Pause Mark Start); a pause
--   logged inside another one (Serial/Parallel promotion failure printing a Full GC inside the Young
--   pause, CMS scavenge before remark) is counted once, inside the enclosing pause; pauses whose end is
--   not in the file are counted apart (incomplete_pause_count). Safepoints ("application threads were
--   stopped", JDK 17+ "Safepoint …" lines) are not GC pauses: they are reported in their own columns.
--   full_gc_count counts every Full GC, nested ones included. first_ts is the start of the first event,
--   last_ts the end of the last one (NULL for uptime-only logs without an anchor); the span uses wall-clock
--   time when known, else uptime. throughput_pct is the share of that span not spent in pauses;
--   max_heap_after_pct is the peak of heap-after-GC over heap capacity (ZGC: max capacity).
WITH ev AS (
    SELECT e.*, s.path, s.host AS source_host
    FROM gc_events AS e
    JOIN sources AS s USING (source_id)
),
per_file AS (
    SELECT
        source_id,
        any_value(path) AS source,
        coalesce(any_value(source_host), any_value(host)) AS host,
        max(collector) AS collector,
        count(*) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested AND pause_ms IS NOT NULL) AS pause_count,
        coalesce(sum(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested), 0) AS pause_total_ms,
        max(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested) AS pause_max_ms,
        count(*) FILTER (WHERE stw AND kind <> 'safepoint' AND pause_ms IS NULL) AS incomplete_pause_count,
        count(*) FILTER (WHERE kind = 'full') AS full_gc_count,
        count(*) FILTER (WHERE kind = 'safepoint') AS safepoint_count,
        coalesce(sum(pause_ms) FILTER (WHERE kind = 'safepoint'), 0) AS safepoint_total_ms,
        min(ts) AS first_ts,
        max(coalesce(ts_end, ts)) AS last_ts,
        (epoch_us(max(coalesce(ts_end, ts))) - epoch_us(min(ts))) / 1000.0 AS wall_span_ms,
        (max(coalesce(uptime_end_s, uptime_s)) - min(uptime_s)) * 1000.0 AS uptime_span_ms,
        max(100.0 * heap_after_kb / heap_capacity_kb)
            FILTER (WHERE heap_capacity_kb > 0 AND (stw OR kind = 'cycle') AND kind <> 'safepoint') AS max_heap_after_pct
    FROM ev
    GROUP BY source_id
)
SELECT
    source,
    host,
    collector,
    pause_count,
    round(pause_total_ms, 6) AS pause_total_ms,
    round(pause_max_ms, 6) AS pause_max_ms,
    incomplete_pause_count,
    full_gc_count,
    safepoint_count,
    round(safepoint_total_ms, 6) AS safepoint_total_ms,
    first_ts,
    last_ts,
    round(coalesce(wall_span_ms, uptime_span_ms), 6) AS span_ms,
    CASE WHEN coalesce(wall_span_ms, uptime_span_ms) > 0
         THEN round(100.0 * (1 - pause_total_ms / coalesce(wall_span_ms, uptime_span_ms)), 3) END AS throughput_pct,
    round(max_heap_after_pct, 2) AS max_heap_after_pct
FROM per_file
ORDER BY source;
