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
-- include: new_producer_estimate
span AS (
    SELECT time_bucket(CAST($bucket AS INTERVAL), greatest(to_timestamp(min(lo)), (SELECT window_start FROM time_window))) AS lo,
           least(to_timestamp(max(hi)), (SELECT window_end FROM time_window)) AS hi FROM pid_pieces  -- within the records' dense span (time_window)
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
