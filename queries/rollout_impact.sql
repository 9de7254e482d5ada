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
