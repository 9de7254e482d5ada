-- name: broker_states
-- title: State of every broker per time bucket: up, thrashing, OOM, failed, down, restarted
-- description: One row per broker host (a host whose logs name its broker id) and time bucket, from the
--   host's first logged time to its last. The state shown for a bucket is the worst one the broker was in
--   during it, from its lifecycle events and its GC: `oom` from its first OutOfMemoryError, `failed` from
--   the cluster losing it (the controller's broker-failure callback; for the active controller, another
--   broker elected in its place, as in cascade; or its ZooKeeper session expiring),
--   `down` from a shutdown, SIGTERM or fatal error — each lasting until the broker starts again (worst
--   first: down, failed, oom) — `restarted` for a bucket in which it started (from `starting` to
--   `started`) and ended up running, `thrashing` for a bucket in which it did at least
--   $thrash_min_full_gcs Full GCs and none reclaimed $thrash_max_reclaim_pct % of the heap capacity (the
--   rule of gc_pressure), and `up` otherwise. `changed` marks a bucket whose state differs from the
--   bucket before; `event`, `event_ts`, `source_id` and `line_start` name the event that set the state
--   (NULL for up and thrashing).
-- param: bucket INTERVAL = '5 minutes'   -- width of a time bucket
-- param: thrash_min_full_gcs INTEGER = 2   -- Full GCs in one bucket before it can be thrashing
-- param: thrash_max_reclaim_pct DOUBLE = 5.0   -- a Full GC reclaiming less than this % of capacity reclaims "nothing"
WITH brokers AS (
    SELECT h.host, h.broker_id, greatest(min(s.first_ts), (SELECT window_start FROM time_window)) AS first_ts,
           least(max(s.last_ts), (SELECT window_end FROM time_window)) AS last_ts  -- within the records' dense span (time_window)
    FROM hosts AS h
    JOIN sources AS s USING (host)
    WHERE h.broker_id IS NOT NULL AND s.first_ts IS NOT NULL
    GROUP BY ALL
),
buckets AS (
    SELECT host, broker_id,
           unnest(generate_series(time_bucket(CAST($bucket AS INTERVAL), first_ts), last_ts,
                                  CAST($bucket AS INTERVAL))) AS bucket_start
    FROM brokers
),
controller_seen AS (  -- who was the active controller at a time (the rule of cascade.sql)
    SELECT ts, broker_id AS controller FROM broker_events WHERE kind = 'controller_change' AND ts IS NOT NULL
    UNION ALL
    SELECT ts, node_id FROM broker_events
    WHERE kind IN ('broker_failed', 'producer_id_block', 'broker_registered') AND node_id IS NOT NULL AND ts IS NOT NULL
),
failovers AS (  -- another broker elected while the previous controller was someone else: that one failed
    SELECT c.ts, 'controller_replaced' AS kind, c.source_id, c.line_start,
           (SELECT arg_max(p.controller, p.ts) FROM controller_seen AS p WHERE p.ts < c.ts) AS broker_id,
           c.broker_id AS new_controller
    FROM broker_events AS c
    WHERE c.kind = 'controller_change' AND c.ts IS NOT NULL
),
lifecycle AS (
    SELECT ts, kind, source_id, line_start, broker_id, host FROM broker_events
    WHERE ts IS NOT NULL
      AND kind IN ('broker_starting', 'broker_started', 'oom', 'broker_failed', 'zk_session_expired',
                   'broker_shutdown', 'controlled_shutdown', 'unclean_shutdown', 'process_signal', 'fatal')
    UNION ALL
    SELECT ts, kind, source_id, line_start, broker_id, NULL FROM failovers WHERE broker_id <> new_controller
),
changes AS (
    SELECT b.host, e.ts, e.kind, e.source_id, e.line_start,
           CASE
               WHEN e.kind = 'broker_starting' THEN 'restarted'
               WHEN e.kind = 'broker_started' THEN 'up'
               WHEN e.kind = 'oom' THEN 'oom'
               WHEN e.kind IN ('broker_failed', 'controller_replaced', 'zk_session_expired') THEN 'failed'
               ELSE 'down'
           END AS state
    FROM lifecycle AS e
    -- an event whose line names no broker (an OOM, a signal) is the broker's whose host logged it, where the
    -- host's logs show that one broker only (hosts.broker_id; NULL where two brokers wrote the same files)
    JOIN brokers AS b ON b.broker_id = e.broker_id OR (e.broker_id IS NULL AND b.host = e.host)
),
lives AS (  -- a life of a broker ends where it starts again
    SELECT *,
           CASE state WHEN 'oom' THEN 1 WHEN 'failed' THEN 2 WHEN 'down' THEN 3 ELSE 0 END AS severity,
           sum(CASE WHEN state IN ('restarted', 'up') THEN 1 ELSE 0 END)
               OVER (PARTITION BY host ORDER BY ts, source_id, line_start ROWS UNBOUNDED PRECEDING) AS life
    FROM changes
),
running AS (  -- the state after each change: the worst one of the life so far
    SELECT host, ts, kind, source_id, line_start, state AS own_state,
           max(severity) OVER w AS severity,
           arg_max(kind, (severity, -epoch_us(ts))) OVER w AS worst_kind,
           arg_max(ts, (severity, -epoch_us(ts))) OVER w AS worst_ts,
           arg_max(source_id, (severity, -epoch_us(ts))) OVER w AS worst_source_id,
           arg_max(line_start, (severity, -epoch_us(ts))) OVER w AS worst_line_start
    FROM lives
    WINDOW w AS (PARTITION BY host, life ORDER BY ts, source_id, line_start ROWS UNBOUNDED PRECEDING)
),
after AS (
    SELECT *,
           CASE WHEN severity = 3 THEN 'down' WHEN severity = 2 THEN 'failed' WHEN severity = 1 THEN 'oom'
                ELSE own_state END AS state
    FROM running
),
at_start AS (  -- the state carried into each bucket
    SELECT b.host, b.broker_id, b.bucket_start, a.state AS start_state, coalesce(a.severity, 0) AS start_severity,
           a.worst_kind, a.worst_ts, a.worst_source_id, a.worst_line_start
    FROM buckets AS b
    ASOF LEFT JOIN after AS a ON b.host = a.host AND b.bucket_start > a.ts
),
inside AS (  -- the changes made during each bucket
    SELECT host, time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start,
           max(severity) AS max_severity,
           bool_or(own_state = 'restarted') AS restart,
           arg_max(state, (ts, source_id, line_start)) AS end_state,
           arg_max(worst_kind, (severity, ts)) AS worst_kind,
           arg_max(worst_ts, (severity, ts)) AS worst_ts,
           arg_max(worst_source_id, (severity, ts)) AS worst_source_id,
           arg_max(worst_line_start, (severity, ts)) AS worst_line_start,
           arg_min(kind, ts) FILTER (WHERE own_state = 'restarted') AS restart_kind,
           min(ts) FILTER (WHERE own_state = 'restarted') AS restart_ts,
           arg_min(source_id, ts) FILTER (WHERE own_state = 'restarted') AS restart_source_id,
           arg_min(line_start, ts) FILTER (WHERE own_state = 'restarted') AS restart_line_start
    FROM after
    GROUP BY ALL
),
gc AS (
    SELECT coalesce(e.host, s.host) AS host, time_bucket(CAST($bucket AS INTERVAL), e.ts) AS bucket_start,
           count(*) FILTER (WHERE e.kind = 'full') AS full_gc_count,
           max(100.0 * (e.heap_before_kb - e.heap_after_kb) / e.heap_capacity_kb)
               FILTER (WHERE e.kind = 'full' AND e.heap_capacity_kb > 0) AS full_gc_reclaim_max_pct
    FROM gc_events AS e
    LEFT JOIN sources AS s USING (source_id)
    WHERE e.ts IS NOT NULL
    GROUP BY ALL
),
shown AS (
    SELECT s.host, s.broker_id, s.bucket_start,
           coalesce(i.end_state, s.start_state, 'up') AS end_state,
           greatest(s.start_severity, coalesce(i.max_severity, 0)) AS severity,
           coalesce(i.restart, false) OR s.start_state = 'restarted' AS restarting,
           coalesce(g.full_gc_count >= $thrash_min_full_gcs AND g.full_gc_reclaim_max_pct < $thrash_max_reclaim_pct,
                    false) AS thrashing,
           i.max_severity IS NOT NULL AND i.max_severity >= s.start_severity AS set_inside,
           s.worst_kind AS start_kind, s.worst_ts AS start_ts, s.worst_source_id AS start_source_id,
           s.worst_line_start AS start_line_start,
           i.worst_kind, i.worst_ts, i.worst_source_id, i.worst_line_start,
           i.restart_kind, i.restart_ts, i.restart_source_id, i.restart_line_start
    FROM at_start AS s
    LEFT JOIN inside AS i USING (host, bucket_start)
    LEFT JOIN gc AS g USING (host, bucket_start)
),
stated AS (
    SELECT *,
           CASE
               WHEN restarting AND end_state IN ('up', 'restarted') THEN 'restarted'
               WHEN severity = 3 THEN 'down'
               WHEN severity = 2 THEN 'failed'
               WHEN severity = 1 THEN 'oom'
               WHEN thrashing THEN 'thrashing'
               ELSE 'up'
           END AS state
    FROM shown
)
SELECT
    host,
    broker_id,
    bucket_start,
    bucket_start + CAST($bucket AS INTERVAL) AS bucket_end,
    state,
    state <> coalesce(lag(state) OVER (PARTITION BY host ORDER BY bucket_start), 'up') AS changed,
    CASE WHEN state = 'restarted' THEN coalesce(restart_kind, start_kind)
         WHEN state IN ('up', 'thrashing') THEN NULL
         WHEN set_inside THEN worst_kind ELSE start_kind END AS event,
    CASE WHEN state = 'restarted' THEN coalesce(restart_ts, start_ts)
         WHEN state IN ('up', 'thrashing') THEN NULL
         WHEN set_inside THEN worst_ts ELSE start_ts END AS event_ts,
    CASE WHEN state = 'restarted' THEN coalesce(restart_source_id, start_source_id)
         WHEN state IN ('up', 'thrashing') THEN NULL
         WHEN set_inside THEN worst_source_id ELSE start_source_id END AS source_id,
    CASE WHEN state = 'restarted' THEN coalesce(restart_line_start, start_line_start)
         WHEN state IN ('up', 'thrashing') THEN NULL
         WHEN set_inside THEN worst_line_start ELSE start_line_start END AS line_start
FROM stated
ORDER BY host, bucket_start;
