-- name: alert_thresholds
-- title: What to alert on next time: thresholds from the baseline, and when they would have fired
-- description: For each signal, its baseline (from the start of the data to $baseline_until, by default to the
--   first rollout change after the start, or the first hour when there is none; changes that set no percentage do not count): median and 99th percentile
--   per bucket, a threshold derived from it, the first bucket after the baseline above the threshold, and how
--   long that was before the first OutOfMemoryError (of the host, or of any broker for cluster signals).
--   Thresholds: new producers per hour (cluster, the estimate of producer_id_growth) and GC overhead per host
--   at $factor × the baseline p99 (GC overhead at least $min_gc_overhead_pct %); heap after GC per host halfway
--   from the baseline p99 to a full heap; Full GCs per host: any (G1 and friends should not need one).
-- param: bucket INTERVAL = '5 minutes'  -- width of a time bucket
-- param: baseline_until TIMESTAMPTZ = NULL  -- end of the baseline (default: first rollout change in the data)
-- param: factor DOUBLE = 3.0  -- multiple of the baseline p99 for rates
-- param: min_gc_overhead_pct DOUBLE = 1.0  -- lowest GC-overhead threshold
-- param: request_at DOUBLE = 0.9  -- as in producer_id_growth
WITH RECURSIVE
-- include: new_producer_estimate
data_start AS (SELECT greatest(min(first_ts), (SELECT window_start FROM time_window)) AS t FROM sources WHERE first_ts IS NOT NULL AND family IN ('broker', 'gc')),
baseline AS (
    SELECT d.t AS lo,
           coalesce(CAST($baseline_until AS TIMESTAMPTZ),
                    (SELECT min(ts) FROM rollouts WHERE ts > d.t AND ts < d.t + INTERVAL 1 day AND percentage IS NOT NULL),
                    d.t + INTERVAL 1 hour) AS hi
    FROM data_start d
),
cluster_buckets AS (
    SELECT b AS bucket_start
    FROM (SELECT time_bucket(CAST($bucket AS INTERVAL), greatest(to_timestamp(min(lo)), (SELECT window_start FROM time_window))) AS lo,
                 least(to_timestamp(max(hi)), (SELECT window_end FROM time_window)) AS hi FROM pid_pieces) s,
         LATERAL (SELECT unnest(generate_series(s.lo, s.hi, CAST($bucket AS INTERVAL))) AS b)
    WHERE s.lo IS NOT NULL
),
producers_series AS (
    SELECT 'new_producers_per_hour' AS signal, NULL AS host, b.bucket_start,
           3600.0 / epoch(CAST($bucket AS INTERVAL))
             * coalesce(sum(p.per_s * (least(p.hi, epoch(b.bucket_start + CAST($bucket AS INTERVAL))) - greatest(p.lo, epoch(b.bucket_start)))), 0) AS value,
           -- a bucket only partly covered by the estimate is no measure of the rate
           coalesce(sum(least(p.hi, epoch(b.bucket_start + CAST($bucket AS INTERVAL))) - greatest(p.lo, epoch(b.bucket_start))), 0) > 0 AS measured
    FROM cluster_buckets b
    LEFT JOIN pid_pieces p ON p.lo < epoch(b.bucket_start + CAST($bucket AS INTERVAL)) AND p.hi > epoch(b.bucket_start)
    GROUP BY b.bucket_start
),
gc AS (
    SELECT coalesce(g.host, s.host) AS host, time_bucket(CAST($bucket AS INTERVAL), g.ts) AS bucket_start,
        least(100.0, 100.0 * coalesce(sum(g.pause_ms) FILTER (WHERE g.stw AND g.kind <> 'safepoint' AND NOT g.nested), 0)
              / (1000.0 * epoch(CAST($bucket AS INTERVAL)))) AS overhead_pct,
        max(100.0 * g.heap_after_kb / g.heap_capacity_kb)
            FILTER (WHERE g.heap_capacity_kb > 0 AND (g.stw OR g.kind = 'cycle') AND g.kind <> 'safepoint') AS heap_after_pct,
        count(*) FILTER (WHERE g.kind = 'full') AS full_gcs
    FROM gc_events g LEFT JOIN sources s USING (source_id)
    WHERE g.ts IS NOT NULL
    GROUP BY ALL
),
series AS (
    SELECT signal, host, bucket_start, value FROM producers_series WHERE measured
    UNION ALL SELECT 'gc_overhead_pct', host, bucket_start, overhead_pct FROM gc
    UNION ALL SELECT 'heap_after_gc_pct', host, bucket_start, heap_after_pct FROM gc WHERE heap_after_pct IS NOT NULL
    UNION ALL SELECT 'full_gcs', host, bucket_start, full_gcs FROM gc
),
stats AS (
    SELECT s.signal, s.host, count(*) AS baseline_buckets,
           median(s.value) AS baseline_median, quantile_cont(s.value, 0.99) AS baseline_p99
    FROM series s, baseline b
    WHERE s.bucket_start >= b.lo AND s.bucket_start + CAST($bucket AS INTERVAL) <= b.hi
    GROUP BY s.signal, s.host
),
thresholds AS (
    SELECT *,
        CASE signal
            WHEN 'new_producers_per_hour' THEN $factor * baseline_p99
            WHEN 'gc_overhead_pct' THEN greatest($factor * baseline_p99, $min_gc_overhead_pct)
            WHEN 'heap_after_gc_pct' THEN baseline_p99 + (100 - baseline_p99) / 2
            WHEN 'full_gcs' THEN greatest(1, baseline_p99 + 1)
        END AS threshold,
        CASE signal
            WHEN 'new_producers_per_hour' THEN printf('%g × the baseline p99 of new producers per hour', $factor)
            WHEN 'gc_overhead_pct' THEN printf('%g × the baseline p99 of GC overhead, at least %g %%', $factor, $min_gc_overhead_pct)
            WHEN 'heap_after_gc_pct' THEN 'halfway from the baseline p99 of heap after GC to a full heap'
            WHEN 'full_gcs' THEN 'any Full GC'
        END AS rule
    FROM stats
),
crossed AS (
    SELECT t.signal, t.host, min(s.bucket_start) AS first_crossed, arg_min(s.value, s.bucket_start) AS value_then
    FROM thresholds t JOIN series s ON s.signal = t.signal AND s.host IS NOT DISTINCT FROM t.host AND s.value >= t.threshold
    CROSS JOIN baseline b
    WHERE s.bucket_start >= b.hi
    GROUP BY t.signal, t.host
),
first_oom AS (SELECT host, min(ts) AS ts FROM broker_events WHERE kind = 'oom' AND ts IS NOT NULL GROUP BY host)
SELECT t.signal, t.host, b.lo AS baseline_from, b.hi AS baseline_until, t.baseline_buckets,
       round(t.baseline_median, 3) AS baseline_median, round(t.baseline_p99, 3) AS baseline_p99,
       round(t.threshold, 3) AS threshold, t.rule,
       c.first_crossed, round(c.value_then, 3) AS value_then,
       o.ts AS first_oom,
       round(epoch(o.ts - c.first_crossed) / 60.0, 1) AS lead_minutes
FROM thresholds t CROSS JOIN baseline b
LEFT JOIN crossed c ON c.signal = t.signal AND c.host IS NOT DISTINCT FROM t.host
LEFT JOIN LATERAL (SELECT min(f.ts) AS ts FROM first_oom f WHERE t.host IS NULL OR f.host = t.host) o ON true
ORDER BY t.signal, t.host NULLS FIRST;
