-- name: rollout_impact
-- title: Each rollout step with the new-producer rate and GC overhead before and after it
-- description: One row per rollout step (a `rollouts` row whose percentage differs from the feature's previous
--   one; a flag created at 0 % is not a step). `before` is the time since the feature's previous step, at
--   most $window; `after` the time until its next step, at most $window. New producers are the estimate of
--   producer_id_growth (IDs handed to clients, per hour); `baseline_per_hour` is that rate from the start of
--   the data to the feature's first step above 0 %, and `ratio_to_baseline` the rate after the step over it.
--   GC overhead is the share of the window the brokers spent in stop-the-world GC pauses (mean over the
--   hosts with GC events in the window; `gc_overhead_max_*` the worst host), heap after GC the largest
--   heap-after-GC over capacity on any host. Windows outside the data give NULL.
-- param: window INTERVAL = '1 hour'  -- longest before/after window
-- param: request_at DOUBLE = 0.9  -- as in producer_id_growth
WITH RECURSIVE
-- include: new_producer_estimate
coverage AS (  -- from the moment every broker's estimate has begun to the last estimate
    SELECT max(first_lo) AS lo, (SELECT max(hi) FROM pid_pieces) AS hi
    FROM (SELECT broker_id, min(lo) AS first_lo FROM pid_pieces GROUP BY broker_id)
),
changes AS (
    SELECT ts, feature, percentage, actor, note, source_id, line_start,
           coalesce(previous_percentage, lag(percentage) OVER (PARTITION BY feature ORDER BY ts)) AS prev_pct,
           row_number() OVER (PARTITION BY feature ORDER BY ts) AS nth
    FROM rollouts WHERE ts IS NOT NULL AND percentage IS NOT NULL
),
steps AS (
    SELECT *,
        lag(ts) OVER (PARTITION BY feature ORDER BY ts) AS prev_step,
        lead(ts) OVER (PARTITION BY feature ORDER BY ts) AS next_step,
        min(ts) FILTER (WHERE percentage > 0) OVER (PARTITION BY feature) AS first_on
    FROM changes
    WHERE (prev_pct IS NULL AND percentage > 0) OR (prev_pct IS NOT NULL AND percentage IS DISTINCT FROM prev_pct)
),
windows AS (
    SELECT s.*,
        greatest(coalesce(prev_step, ts - CAST($window AS INTERVAL)), ts - CAST($window AS INTERVAL)) AS before_start,
        least(coalesce(next_step, ts + CAST($window AS INTERVAL)), ts + CAST($window AS INTERVAL)) AS after_end
    FROM steps s
),
spans AS (  -- every window whose new-producer rate is wanted, clipped to the estimate's coverage
    SELECT feature, ts, 'before' AS side, greatest(epoch(before_start), c.lo) AS a, least(epoch(ts), c.hi) AS b,
           epoch(before_start) AS wa, epoch(ts) AS wb
    FROM windows, coverage c
    UNION ALL
    SELECT feature, ts, 'after', greatest(epoch(ts), c.lo), least(epoch(after_end), c.hi), epoch(ts), epoch(after_end)
    FROM windows, coverage c
    UNION ALL
    SELECT feature, ts, 'baseline', c.lo, least(epoch(first_on), c.hi), c.lo, epoch(first_on)
    FROM windows, coverage c
),
rates AS (
    SELECT s.feature, s.ts, s.side,
        CASE WHEN s.b > s.a THEN 3600 * coalesce(sum(p.per_s * (least(p.hi, s.b) - greatest(p.lo, s.a))), 0) / (s.b - s.a) END AS per_hour
    FROM spans s LEFT JOIN pid_pieces p ON p.lo < s.b AND p.hi > s.a
    GROUP BY s.feature, s.ts, s.side, s.a, s.b
),
gc_windows AS (
    SELECT feature, ts, side, to_timestamp(wa) AS a, to_timestamp(wb) AS b FROM spans
),
gc_per_host AS (
    SELECT w.feature, w.ts, w.side, coalesce(g.host, src.host) AS host,
        100.0 * coalesce(sum(g.pause_ms) FILTER (WHERE g.stw AND g.kind <> 'safepoint' AND NOT g.nested), 0)
            / (1000.0 * epoch(w.b - w.a)) AS overhead_pct,
        max(100.0 * g.heap_after_kb / g.heap_capacity_kb)
            FILTER (WHERE g.heap_capacity_kb > 0 AND (g.stw OR g.kind = 'cycle') AND g.kind <> 'safepoint') AS heap_after_pct
    FROM gc_windows w
    JOIN gc_events g ON g.ts >= w.a AND g.ts < w.b
    LEFT JOIN sources src USING (source_id)
    WHERE w.b > w.a
    GROUP BY w.feature, w.ts, w.side, w.a, w.b, coalesce(g.host, src.host)
),
gc AS (
    SELECT feature, ts, side, avg(overhead_pct) AS overhead_pct, max(overhead_pct) AS overhead_max_pct,
           max(heap_after_pct) AS heap_after_pct
    FROM gc_per_host GROUP BY ALL
)
SELECT
    w.ts,
    w.feature,
    w.prev_pct AS from_pct,
    w.percentage AS to_pct,
    w.actor,
    w.before_start,
    w.after_end,
    round(rb.per_hour, 1) AS new_producers_before_per_hour,
    round(ra.per_hour, 1) AS new_producers_after_per_hour,
    round(ra.per_hour / nullif(rb.per_hour, 0), 2) AS step_ratio,
    round(base.per_hour, 1) AS baseline_per_hour,
    round(ra.per_hour / nullif(base.per_hour, 0), 2) AS ratio_to_baseline,
    round(gb.overhead_pct, 3) AS gc_overhead_before_pct,
    round(ga.overhead_pct, 3) AS gc_overhead_after_pct,
    round(gbase.overhead_pct, 3) AS gc_overhead_baseline_pct,
    round(ga.overhead_max_pct, 3) AS gc_overhead_max_after_pct,
    round(gb.heap_after_pct, 2) AS heap_after_before_pct,
    round(ga.heap_after_pct, 2) AS heap_after_after_pct,
    src.path AS source,
    w.line_start
FROM windows w
LEFT JOIN sources src USING (source_id)
LEFT JOIN rates rb ON rb.feature = w.feature AND rb.ts = w.ts AND rb.side = 'before'
LEFT JOIN rates ra ON ra.feature = w.feature AND ra.ts = w.ts AND ra.side = 'after'
LEFT JOIN rates base ON base.feature = w.feature AND base.ts = w.ts AND base.side = 'baseline'
LEFT JOIN gc gb ON gb.feature = w.feature AND gb.ts = w.ts AND gb.side = 'before'
LEFT JOIN gc ga ON ga.feature = w.feature AND ga.ts = w.ts AND ga.side = 'after'
LEFT JOIN gc gbase ON gbase.feature = w.feature AND gbase.ts = w.ts AND gbase.side = 'baseline'
ORDER BY w.ts, w.feature;
