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
host_range AS (
    SELECT host, time_bucket(CAST($bucket AS INTERVAL), min(first_ts)) AS lo, max(last_ts) AS hi
    FROM sources WHERE first_ts IS NOT NULL AND host IS NOT NULL GROUP BY host
),
host_buckets AS (
    SELECT h.host, b AS bucket_start
    FROM host_range h, LATERAL (SELECT unnest(generate_series(h.lo, h.hi, CAST($bucket AS INTERVAL))) AS b)
),
cluster_buckets AS (
    SELECT b AS bucket_start
    FROM (SELECT time_bucket(CAST($bucket AS INTERVAL), to_timestamp(min(lo))) AS lo, to_timestamp(max(hi)) AS hi FROM pid_pieces) s,
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
