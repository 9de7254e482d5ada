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
-- >>> new-producer estimate (the same text in producer_id_growth, rollout_impact, correlation, anomalies)
pid_blocks AS (
    SELECT producer_id AS first_id, any_value(count) AS size, arg_min(broker_id, ts) AS broker_id, min(ts) AS ts
    FROM broker_events
    WHERE kind = 'producer_id_block' AND ts IS NOT NULL AND broker_id IS NOT NULL AND producer_id IS NOT NULL
    GROUP BY producer_id
),
pid_starts AS (
    SELECT broker_id, ts FROM broker_events WHERE kind = 'broker_starting' AND ts IS NOT NULL AND broker_id IS NOT NULL
),
pid_grants AS (
    SELECT b.*, (SELECT count(*) FROM pid_starts s WHERE s.broker_id = b.broker_id AND s.ts <= b.ts) AS life
    FROM pid_blocks b
),
pid_curve AS (
    SELECT *,
        coalesce(sum(size) OVER w_before, 0) AS offset_ids,
        lag(size) OVER w AS prev_size,
        row_number() OVER w = 1 AS first_of_life
    FROM pid_grants
    WINDOW w AS (PARTITION BY broker_id, life ORDER BY ts, first_id),
           w_before AS (PARTITION BY broker_id, life ORDER BY ts, first_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
pid_points_raw AS (
    SELECT broker_id, life, ts,
        CASE WHEN NOT first_of_life THEN offset_ids - (1 - CAST($request_at AS DOUBLE)) * prev_size
             WHEN life = 0 THEN -(1 - CAST($request_at AS DOUBLE)) * size
             ELSE 0 END AS pos
    FROM pid_curve
    UNION ALL
    SELECT c.broker_id, c.life, p.created_at, c.offset_ids + (p.producer_id - c.first_id)
    FROM producers p
    JOIN pid_curve c ON p.producer_id >= c.first_id AND p.producer_id < c.first_id + c.size AND p.created_at >= c.ts
    WHERE p.created_at IS NOT NULL
),
pid_points AS (
    SELECT * FROM pid_points_raw
    QUALIFY pos >= coalesce(max(pos) OVER (PARTITION BY broker_id, life ORDER BY ts, pos
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), pos)
),
pid_spans AS (
    SELECT row_number() OVER () AS span_id, broker_id, t0, t1, dy
    FROM (
        SELECT broker_id, epoch(ts) AS t0, epoch(lead(ts) OVER w) AS t1, lead(pos) OVER w - pos AS dy
        FROM pid_points
        WINDOW w AS (PARTITION BY broker_id, life ORDER BY ts, pos)
    )
    WHERE t1 > t0
),
pid_knots AS (
    SELECT DISTINCT k FROM (
        SELECT min(t0) AS k FROM pid_spans UNION ALL SELECT max(t1) FROM pid_spans
        UNION ALL SELECT epoch(ts) FROM rollouts WHERE ts IS NOT NULL
    ) WHERE k BETWEEN (SELECT min(t0) FROM pid_spans) AND (SELECT max(t1) FROM pid_spans)
),
pid_segments AS (
    SELECT row_number() OVER (ORDER BY k) AS seg_id, k AS s0, lead(k) OVER (ORDER BY k) AS s1 FROM pid_knots
    QUALIFY s1 IS NOT NULL
),
pid_span_seg AS (
    SELECT sp.span_id, sg.seg_id, sp.broker_id, sp.dy, greatest(sp.t0, sg.s0) AS lo, least(sp.t1, sg.s1) AS hi,
           least(sp.t1, sg.s1) - greatest(sp.t0, sg.s0) AS o
    FROM pid_spans sp JOIN pid_segments sg ON sp.t0 < sg.s1 AND sp.t1 > sg.s0
),
pid_cover AS (SELECT seg_id, sum(o) AS cover FROM pid_span_seg GROUP BY seg_id),
pid_em AS (
    SELECT 0 AS iter, seg_id, 1.0::DOUBLE AS r FROM pid_segments
    UNION ALL
    SELECT any_value(iter) + 1, seg_id, sum(share) / any_value(cover)
    FROM (
        SELECT e.iter, ss.seg_id, c.cover,
               ss.dy * e.r * ss.o / nullif(sum(e.r * ss.o) OVER (PARTITION BY ss.span_id), 0) AS share
        FROM pid_em e JOIN pid_span_seg ss USING (seg_id) JOIN pid_cover c USING (seg_id)
        WHERE e.iter < 60
    )
    GROUP BY seg_id
),
pid_pieces AS (  -- new producer IDs per second handed out by a broker over [lo, hi) (epoch seconds)
    SELECT ss.broker_id, ss.lo, ss.hi,
           coalesce(ss.dy * e.r / nullif(sum(e.r * ss.o) OVER (PARTITION BY ss.span_id), 0), 0) AS per_s
    FROM pid_span_seg ss JOIN pid_em e USING (seg_id)
    WHERE e.iter = 60
),
-- <<< new-producer estimate
data_start AS (SELECT min(first_ts) AS t FROM sources WHERE first_ts IS NOT NULL AND family IN ('broker', 'gc')),
baseline AS (
    SELECT d.t AS lo,
           coalesce(CAST($baseline_until AS TIMESTAMPTZ),
                    (SELECT min(ts) FROM rollouts WHERE ts > d.t AND ts < d.t + INTERVAL 1 day AND percentage IS NOT NULL),
                    d.t + INTERVAL 1 hour) AS hi
    FROM data_start d
),
cluster_buckets AS (
    SELECT b AS bucket_start
    FROM (SELECT time_bucket(CAST($bucket AS INTERVAL), to_timestamp(min(lo))) AS lo, to_timestamp(max(hi)) AS hi FROM pid_pieces) s,
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
