-- name: anomalies
-- title: Spikes per signal against a trailing baseline (ratio and robust z-score)
-- description: Every signal is a per-bucket series, per host where it belongs to one: new producers (the
--   estimate of producer_id_growth) and producer-ID block lines for the cluster; per host GC overhead (% of the
--   bucket in stop-the-world pauses), heap after GC (largest, % of capacity), Full GCs, the longest GC pause,
--   ISR shrinks, OOM events and ERROR/FATAL records. Counts are 0 in buckets without events between the host's
--   first and last record; levels exist where GC events were logged. The baseline of a bucket is the
--   $baseline_buckets buckets before it: `baseline_median`, and `robust_z` = (value - median) / (1.4826 * MAD),
--   with the MAD replaced by 1.2533 * the mean absolute deviation when it is 0 (NULL when both are 0). A bucket
--   is a spike when it has at least $min_history buckets of history, its value is above the median, the ratio
--   value / median is at least $min_ratio (or the median is 0) and the z-score is at least $min_z (or NULL).
--   `first_of_run` marks a spike whose previous bucket was not one.
-- param: bucket INTERVAL = '5 minutes'  -- width of a time bucket
-- param: baseline_buckets INTEGER = 12  -- trailing buckets that make the baseline
-- param: min_history INTEGER = 6  -- fewest trailing buckets before a spike can be called
-- param: min_ratio DOUBLE = 3.0  -- value over the baseline median
-- param: min_z DOUBLE = 3.5  -- robust z-score
-- param: request_at DOUBLE = 0.9  -- as in producer_id_growth
WITH RECURSIVE
-- include: new_producer_estimate
host_range AS (
    SELECT host, time_bucket(CAST($bucket AS INTERVAL), greatest(min(first_ts), (SELECT window_start FROM time_window))) AS lo,
           least(max(last_ts), (SELECT window_end FROM time_window)) AS hi  -- never beyond the records' dense span (time_window)
    FROM sources WHERE first_ts IS NOT NULL AND host IS NOT NULL GROUP BY host
),
host_buckets AS (
    SELECT h.host, b AS bucket_start
    FROM host_range h, LATERAL (SELECT unnest(generate_series(h.lo, h.hi, CAST($bucket AS INTERVAL))) AS b)
),
cluster_buckets AS (
    SELECT b AS bucket_start
    FROM (SELECT time_bucket(CAST($bucket AS INTERVAL), greatest(to_timestamp(min(lo)), (SELECT window_start FROM time_window))) AS lo,
                 least(to_timestamp(max(hi)), (SELECT window_end FROM time_window)) AS hi FROM pid_pieces) s,
         LATERAL (SELECT unnest(range(s.lo, s.hi, CAST($bucket AS INTERVAL))) AS b)
    WHERE s.lo IS NOT NULL
),
gc AS (
    SELECT coalesce(g.host, s.host) AS host, time_bucket(CAST($bucket AS INTERVAL), g.ts) AS bucket_start,
        least(100.0, 100.0 * coalesce(sum(g.pause_ms) FILTER (WHERE g.stw AND g.kind <> 'safepoint' AND NOT g.nested), 0)
              / (1000.0 * epoch(CAST($bucket AS INTERVAL)))) AS overhead_pct,
        max(100.0 * g.heap_after_kb / g.heap_capacity_kb)
            FILTER (WHERE g.heap_capacity_kb > 0 AND (g.stw OR g.kind = 'cycle') AND g.kind <> 'safepoint') AS heap_after_pct,
        count(*) FILTER (WHERE g.kind = 'full') AS full_gcs,
        max(g.pause_ms) FILTER (WHERE g.stw AND g.kind <> 'safepoint' AND NOT g.nested) AS pause_max_ms
    FROM gc_events g LEFT JOIN sources s USING (source_id)
    WHERE g.ts IS NOT NULL
    GROUP BY ALL
),
events AS (
    SELECT host, time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start,
           count(*) FILTER (WHERE kind = 'isr_shrink') AS isr_shrinks,
           count(DISTINCT ts) FILTER (WHERE kind = 'oom') AS ooms
    FROM broker_events WHERE ts IS NOT NULL GROUP BY ALL
),
errors AS (
    SELECT host, time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start, count(*) AS n
    FROM records WHERE level IN ('ERROR', 'FATAL', 'SEVERE') AND ts IS NOT NULL GROUP BY ALL
),
series AS (
    SELECT 'new_producers' AS signal, NULL AS host, b.bucket_start,
           coalesce(sum(p.per_s * (least(p.hi, epoch(b.bucket_start + CAST($bucket AS INTERVAL)))
                                   - greatest(p.lo, epoch(b.bucket_start)))), 0) AS value
    FROM cluster_buckets b
    LEFT JOIN pid_pieces p ON p.lo < epoch(b.bucket_start + CAST($bucket AS INTERVAL)) AND p.hi > epoch(b.bucket_start)
    GROUP BY b.bucket_start
    UNION ALL
    SELECT 'producer_id_blocks', NULL, b.bucket_start,
           (SELECT count(DISTINCT producer_id) FROM broker_events e
            WHERE e.kind = 'producer_id_block' AND e.ts >= b.bucket_start AND e.ts < b.bucket_start + CAST($bucket AS INTERVAL))
    FROM cluster_buckets b
    UNION ALL SELECT 'gc_overhead_pct', host, bucket_start, overhead_pct FROM gc
    UNION ALL SELECT 'heap_after_pct', host, bucket_start, heap_after_pct FROM gc WHERE heap_after_pct IS NOT NULL
    UNION ALL SELECT 'gc_pause_max_ms', host, bucket_start, pause_max_ms FROM gc WHERE pause_max_ms IS NOT NULL
    UNION ALL
    SELECT 'full_gcs', hb.host, hb.bucket_start, coalesce(gc.full_gcs, 0)
    FROM host_buckets hb LEFT JOIN gc USING (host, bucket_start) WHERE hb.host IN (SELECT host FROM gc)
    UNION ALL
    SELECT 'isr_shrinks', hb.host, hb.bucket_start, coalesce(e.isr_shrinks, 0)
    FROM host_buckets hb LEFT JOIN events e USING (host, bucket_start)
    WHERE hb.host IN (SELECT host FROM broker_events WHERE kind = 'isr_shrink')
    UNION ALL
    SELECT 'ooms', hb.host, hb.bucket_start, coalesce(e.ooms, 0)
    FROM host_buckets hb LEFT JOIN events e USING (host, bucket_start)
    WHERE hb.host IN (SELECT host FROM broker_events WHERE kind = 'oom')
    UNION ALL
    SELECT 'error_records', hb.host, hb.bucket_start, coalesce(r.n, 0)
    FROM host_buckets hb LEFT JOIN errors r USING (host, bucket_start)
    WHERE hb.host IN (SELECT host FROM errors)
),
scored AS (
    SELECT *,
        count(value) OVER w AS history,
        median(value) OVER w AS baseline_median,
        mad(value) OVER w AS baseline_mad,
        list(value) OVER w AS window_values
    FROM series
    WINDOW w AS (PARTITION BY signal, host ORDER BY bucket_start ROWS BETWEEN $baseline_buckets PRECEDING AND 1 PRECEDING)
),
z AS (
    SELECT *,
        CASE WHEN baseline_mad > 0 THEN 1.4826 * baseline_mad
             ELSE 1.2533 * list_avg(list_transform(window_values, lambda x: abs(x - baseline_median))) END AS scale
    FROM scored
),
flagged AS (
    SELECT *,
        value / nullif(baseline_median, 0) AS ratio,
        (value - baseline_median) / nullif(scale, 0) AS robust_z,
        history >= $min_history AND value > baseline_median
            AND (baseline_median = 0 OR value / baseline_median >= $min_ratio)
            AND (coalesce(scale, 0) = 0 OR (value - baseline_median) / scale >= $min_z) AS spike
    FROM z
)
SELECT bucket_start, bucket_start + CAST($bucket AS INTERVAL) AS bucket_end, signal, host,
       round(value, 3) AS value, round(baseline_median, 3) AS baseline_median, round(baseline_mad, 3) AS baseline_mad,
       round(ratio, 2) AS ratio, round(robust_z, 2) AS robust_z,
       NOT coalesce(lag(spike) OVER (PARTITION BY signal, host ORDER BY bucket_start), false) AS first_of_run
FROM flagged
QUALIFY spike
ORDER BY bucket_start, signal, host;
