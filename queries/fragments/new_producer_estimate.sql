-- A fragment, not a query: CTEs that estimate new producers per broker over time, included by
-- `-- include: new_producer_estimate` in producer_id_growth, rollout_impact, correlation, anomalies and
-- alert_thresholds (inside their WITH RECURSIVE). Uses $request_at; reads broker_events, producers, rollouts.
--
-- How: each broker hands out producer IDs from 1000-ID blocks and asks for the next block when
-- $request_at of the current one is used; every producer ID a client logged pins where the broker stood
-- at that moment; a broker restart starts afresh. The IDs between two such points are spread over time
-- at a rate that is constant between rollout steps (an EM fit in a recursive CTE).
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
    ASOF JOIN pid_curve c ON p.producer_id >= c.first_id  -- the block the ID is in: blocks do not overlap
    WHERE p.created_at IS NOT NULL AND p.producer_id < c.first_id + c.size AND p.created_at >= c.ts
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
pid_work AS (  -- what the fit weighs: the spans that cross a segment boundary, part by part; a span inside one
               -- segment gives it all its IDs whatever the rates, so those are summed once per segment
    SELECT span_id, seg_id, dy, o FROM pid_span_seg
    QUALIFY count(*) OVER (PARTITION BY span_id) > 1
    UNION ALL
    SELECT -any_value(seg_id), seg_id, sum(dy), 1.0 FROM pid_span_seg
    WHERE span_id IN (SELECT span_id FROM pid_span_seg GROUP BY span_id HAVING count(*) = 1)
    GROUP BY seg_id
),
pid_em AS (
    SELECT 0 AS iter, seg_id, 1.0::DOUBLE AS r FROM pid_segments
    UNION ALL
    SELECT any_value(iter) + 1, seg_id, sum(share) / any_value(cover)
    FROM (
        SELECT e.iter, w.seg_id, c.cover,
               w.dy * e.r * w.o / nullif(sum(e.r * w.o) OVER (PARTITION BY w.span_id), 0) AS share
        FROM pid_em e JOIN pid_work w USING (seg_id) JOIN pid_cover c USING (seg_id)
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
