-- name: correlation
-- title: How well producer growth tracks GC pressure per broker, and rollouts track producer growth
-- description: Pearson and Spearman coefficients between two per-bucket series, with y shifted by every lag
--   from -$max_lag to +$max_lag buckets (lag > 0: y follows x). One row per pair of series: the coefficients at
--   lag 0 and at the best lag (largest |Pearson| among lags with at least $min_pairs buckets; on a tie the
--   smaller lag). Pairs: new producers per bucket (estimate of producer_id_growth) and cumulative new producers
--   against each broker's GC overhead (% of the bucket in stop-the-world pauses) and heap after GC (largest, %
--   of capacity); and each rolled-out feature's percentage (in force at the middle of the bucket) against new
--   producers. Spearman ranks ties (values equal to 6 decimals) by their mean rank. Only buckets where both series have a value are paired (GC series exist where the host logged GC
--   events); buckets before $since or from $until on are left out when these are given.
-- param: bucket INTERVAL = '5 minutes'  -- width of a time bucket
-- param: max_lag INTEGER = 6  -- lags scanned, in buckets, each way
-- param: min_pairs INTEGER = 6  -- fewest paired buckets for a coefficient
-- param: since TIMESTAMPTZ = NULL  -- leave out buckets before this time
-- param: until TIMESTAMPTZ = NULL  -- leave out buckets from this time on
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
span AS (
    SELECT time_bucket(CAST($bucket AS INTERVAL), to_timestamp(min(lo))) AS lo, to_timestamp(max(hi)) AS hi FROM pid_pieces
),
buckets AS (
    SELECT b AS bucket_start, b + CAST($bucket AS INTERVAL) AS bucket_end,
           row_number() OVER (ORDER BY b) AS idx
    FROM span, LATERAL (SELECT unnest(range(span.lo, span.hi, CAST($bucket AS INTERVAL))) AS b)
    WHERE span.lo IS NOT NULL
),
producers_per_bucket AS (
    SELECT b.idx, b.bucket_start,
           coalesce(sum(p.per_s * (least(p.hi, epoch(b.bucket_end)) - greatest(p.lo, epoch(b.bucket_start)))), 0) AS ids
    FROM buckets b LEFT JOIN pid_pieces p ON p.lo < epoch(b.bucket_end) AND p.hi > epoch(b.bucket_start)
    GROUP BY b.idx, b.bucket_start
),
gc_per_bucket AS (
    SELECT b.idx, b.bucket_start, coalesce(g.host, s.host) AS host,
        least(100.0, 100.0 * coalesce(sum(g.pause_ms) FILTER (WHERE g.stw AND g.kind <> 'safepoint' AND NOT g.nested), 0)
              / (1000.0 * epoch(CAST($bucket AS INTERVAL)))) AS overhead_pct,
        max(100.0 * g.heap_after_kb / g.heap_capacity_kb)
            FILTER (WHERE g.heap_capacity_kb > 0 AND (g.stw OR g.kind = 'cycle') AND g.kind <> 'safepoint') AS heap_after_pct
    FROM gc_events g LEFT JOIN sources s USING (source_id)
    JOIN buckets b ON g.ts >= b.bucket_start AND g.ts < b.bucket_end
    GROUP BY ALL
),
features AS (SELECT DISTINCT feature FROM rollouts WHERE percentage IS NOT NULL AND ts IS NOT NULL),
rollout_per_bucket AS (
    SELECT b.idx, b.bucket_start, f.feature,
           coalesce((SELECT arg_max(r.percentage, r.ts) FROM rollouts r
                     WHERE r.feature = f.feature AND r.percentage IS NOT NULL
                       AND r.ts <= b.bucket_start + CAST($bucket AS INTERVAL) / 2), 0) AS pct
    FROM buckets b CROSS JOIN features f
),
series AS (  -- (pair, role, host, feature, idx, value): x and y of every pair of series
    SELECT 'new_producers' AS x_signal, y.signal AS y_signal, y.host, NULL AS feature, 'x' AS role, p.idx, p.bucket_start, p.ids AS v
    FROM producers_per_bucket p CROSS JOIN (SELECT DISTINCT host, signal FROM gc_per_bucket,
                                            (VALUES ('gc_overhead_pct'), ('heap_after_pct')) s(signal)) y
    UNION ALL
    SELECT 'producer_ids_cumulative', y.signal, y.host, NULL, 'x', p.idx, p.bucket_start, sum(p.ids) OVER (ORDER BY p.idx)
    FROM producers_per_bucket p CROSS JOIN (SELECT DISTINCT host, signal FROM gc_per_bucket,
                                            (VALUES ('gc_overhead_pct'), ('heap_after_pct')) s(signal)) y
    UNION ALL
    SELECT x.x_signal, 'gc_overhead_pct', g.host, NULL, 'y', g.idx, g.bucket_start, g.overhead_pct
    FROM gc_per_bucket g, (VALUES ('new_producers'), ('producer_ids_cumulative')) x(x_signal)
    UNION ALL
    SELECT x.x_signal, 'heap_after_pct', g.host, NULL, 'y', g.idx, g.bucket_start, g.heap_after_pct
    FROM gc_per_bucket g, (VALUES ('new_producers'), ('producer_ids_cumulative')) x(x_signal)
    UNION ALL
    SELECT 'rollout_pct', 'new_producers', NULL, r.feature, 'x', r.idx, r.bucket_start, r.pct FROM rollout_per_bucket r
    UNION ALL
    SELECT 'rollout_pct', 'new_producers', NULL, f.feature, 'y', p.idx, p.bucket_start, p.ids
    FROM producers_per_bucket p CROSS JOIN features f
),
kept AS (
    SELECT * FROM series
    WHERE v IS NOT NULL
      AND ($since IS NULL OR bucket_start >= CAST($since AS TIMESTAMPTZ))
      AND ($until IS NULL OR bucket_start < CAST($until AS TIMESTAMPTZ))
),
pairs AS (
    SELECT x.x_signal, x.y_signal, x.host, x.feature, l.lag, x.v AS xv, y.v AS yv
    FROM kept x
    CROSS JOIN (SELECT unnest(range(-$max_lag, $max_lag + 1)) AS lag) l
    JOIN kept y ON y.role = 'y' AND y.x_signal = x.x_signal AND y.y_signal = x.y_signal
               AND y.host IS NOT DISTINCT FROM x.host AND y.feature IS NOT DISTINCT FROM x.feature
               AND y.idx = x.idx + l.lag
    WHERE x.role = 'x'
),
ranked AS (
    SELECT *,
        rank() OVER (PARTITION BY x_signal, y_signal, host, feature, lag ORDER BY xt)
            + (count(*) OVER (PARTITION BY x_signal, y_signal, host, feature, lag, xt) - 1) / 2.0 AS xr,
        rank() OVER (PARTITION BY x_signal, y_signal, host, feature, lag ORDER BY yt)
            + (count(*) OVER (PARTITION BY x_signal, y_signal, host, feature, lag, yt) - 1) / 2.0 AS yr
    FROM (SELECT *, round(xv, 6) AS xt, round(yv, 6) AS yt FROM pairs)  -- equal to 6 decimals: a tie
),
per_lag AS (
    SELECT x_signal, y_signal, host, feature, lag, count(*) AS n, corr(xv, yv) AS pearson, corr(xr, yr) AS spearman
    FROM ranked GROUP BY ALL
    HAVING count(*) >= $min_pairs
),
best AS (
    SELECT * FROM per_lag WHERE pearson IS NOT NULL AND NOT isnan(pearson)
    QUALIFY row_number() OVER (PARTITION BY x_signal, y_signal, host, feature ORDER BY abs(pearson) DESC, abs(lag), lag) = 1
)
SELECT b.x_signal, b.y_signal, b.host, b.feature,
       z.n AS n_lag0,
       round(z.pearson, 3) AS pearson_lag0,
       round(z.spearman, 3) AS spearman_lag0,
       b.lag AS best_lag,
       round(b.lag * epoch(CAST($bucket AS INTERVAL)) / 60.0, 1) AS best_lag_minutes,
       b.n,
       round(b.pearson, 3) AS pearson,
       round(b.spearman, 3) AS spearman
FROM best b
LEFT JOIN per_lag z ON z.x_signal = b.x_signal AND z.y_signal = b.y_signal AND z.host IS NOT DISTINCT FROM b.host
                   AND z.feature IS NOT DISTINCT FROM b.feature AND z.lag = 0
ORDER BY b.x_signal, b.y_signal, b.host, b.feature;
