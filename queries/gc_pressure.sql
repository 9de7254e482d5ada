-- name: gc_pressure
-- title: GC pressure per host and time bucket
-- description: Per host and time bucket (buckets with GC events only, by the event's start time): how many
--   stop-the-world GC pauses, their total and longest time, the GC overhead (share of the bucket spent in
--   pauses, capped at 100 %), the heap after GC (largest, and as % of capacity), Full GCs and the most any
--   of them reclaimed, and a thrashing flag. A pause is counted as in gc_summary: stop-the-world GC pauses
--   as logged, a nested pause counted once inside the enclosing one, safepoints not counted.
--   Thrashing: at least $thrash_min_full_gcs Full GCs in the bucket and none of them reclaiming
--   $thrash_max_reclaim_pct % of the heap capacity or more (the JVM collects the whole heap again and again
--   and gets nothing back: the prelude to an OutOfMemoryError or to a broker dropping out of the ISR).
--   Events without a wall-clock time (uptime-only logs without an anchor) are left out.
-- param: bucket INTERVAL = '5 minutes'   -- width of a time bucket
-- param: thrash_min_full_gcs INTEGER = 2   -- Full GCs in one bucket before it can be thrashing
-- param: thrash_max_reclaim_pct DOUBLE = 5.0   -- a Full GC reclaiming less than this % of capacity reclaims "nothing"
WITH ev AS (
    SELECT
        coalesce(e.host, s.host) AS host,
        time_bucket(CAST($bucket AS INTERVAL), e.ts) AS bucket_start,
        e.*
    FROM gc_events AS e
    LEFT JOIN sources AS s USING (source_id)
    WHERE e.ts IS NOT NULL
),
per_bucket AS (
    SELECT
        host,
        bucket_start,
        count(*) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested AND pause_ms IS NOT NULL) AS pause_count,
        coalesce(sum(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested), 0) AS pause_total_ms,
        max(pause_ms) FILTER (WHERE stw AND kind <> 'safepoint' AND NOT nested) AS pause_max_ms,
        max(heap_after_kb) FILTER (WHERE (stw OR kind = 'cycle') AND kind <> 'safepoint') AS heap_after_max_kb,
        max(100.0 * heap_after_kb / heap_capacity_kb)
            FILTER (WHERE heap_capacity_kb > 0 AND (stw OR kind = 'cycle') AND kind <> 'safepoint') AS heap_after_max_pct,
        count(*) FILTER (WHERE kind = 'full') AS full_gc_count,
        max(100.0 * (heap_before_kb - heap_after_kb) / heap_capacity_kb)
            FILTER (WHERE kind = 'full' AND heap_capacity_kb > 0) AS full_gc_reclaim_max_pct
    FROM ev
    GROUP BY host, bucket_start
)
SELECT
    host,
    bucket_start,
    bucket_start + CAST($bucket AS INTERVAL) AS bucket_end,
    pause_count,
    round(pause_total_ms, 6) AS pause_total_ms,
    round(least(100.0, 100.0 * pause_total_ms / (epoch(CAST($bucket AS INTERVAL)) * 1000.0)), 3) AS gc_overhead_pct,
    round(pause_max_ms, 6) AS pause_max_ms,
    heap_after_max_kb,
    round(heap_after_max_pct, 2) AS heap_after_max_pct,
    full_gc_count,
    round(full_gc_reclaim_max_pct, 2) AS full_gc_reclaim_max_pct,
    coalesce(full_gc_count >= $thrash_min_full_gcs AND full_gc_reclaim_max_pct < $thrash_max_reclaim_pct, false) AS thrashing
FROM per_bucket
ORDER BY host, bucket_start;
