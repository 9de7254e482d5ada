-- A fragment, not a query: CTEs for the lives of every broker and how each one ended, included by
-- `-- include: broker_lives` in broker_episodes, cascade and broker_states. Reads hosts, broker_events, sources.
--
-- A life starts at the broker's `starting` line (or its `started` line when no `starting` came first) and
-- ends where the next one starts; what happened before the first start in the logs is life 0. A life ends:
-- `crash` (an OutOfMemoryError or a fatal error before any stop), `planned` (a signal, a controlled
-- shutdown, `shut down completed`), `failed` (the cluster lost it: the controller's failure callback, a KRaft
-- fence, another controller elected in its place, with nothing in the broker's own logs), `killed` (it
-- started again without any stop logged), or not at all (running at the end of its logs). The controller
-- sees every broker that leaves, planned or not: a failure seen from a minute before a planned stop on is
-- part of that stop.
life_span AS (  -- the span the story covers (time_window): lines stamped far outside it tell no life
    SELECT coalesce(min(window_start), '-infinity'::TIMESTAMPTZ) AS lo, coalesce(max(window_end), 'infinity'::TIMESTAMPTZ) AS hi
    FROM time_window
),
life_hosts AS (SELECT host, broker_id FROM hosts WHERE broker_id IS NOT NULL),
life_own AS (  -- what a broker logs about its own life; and the controller's view of its controlled shutdown
    SELECT b.host, b.broker_id, e.kind, e.ts, e.detail, s.path, e.source_id, e.line_start
    FROM broker_events e JOIN sources s USING (source_id)
    JOIN life_hosts b ON (e.host = b.host AND (e.broker_id IS NULL OR e.broker_id = b.broker_id))
                      OR (e.kind = 'controlled_shutdown' AND e.broker_id = b.broker_id)
    WHERE e.ts BETWEEN (SELECT lo FROM life_span) AND (SELECT hi FROM life_span)
      AND e.kind IN ('broker_starting', 'broker_started', 'process_signal', 'controlled_shutdown', 'broker_shutdown',
                     'unclean_shutdown', 'oom', 'fatal', 'unclean_recovery')
),
life_opens AS (  -- `starting`, or a `started` with no `starting` before it since the last start
    SELECT host, ts, source_id, line_start,
           kind = 'broker_starting'
           OR coalesce(lag(kind) OVER (PARTITION BY host ORDER BY ts, source_id, line_start), '') <> 'broker_starting' AS opens
    FROM life_own WHERE kind IN ('broker_starting', 'broker_started')
),
life_numbered AS (
    SELECT o.*, sum(CASE WHEN p.opens THEN 1 ELSE 0 END)
                    OVER (PARTITION BY o.host ORDER BY o.ts, o.source_id, o.line_start ROWS UNBOUNDED PRECEDING) AS life
    FROM life_own o LEFT JOIN life_opens p USING (host, ts, source_id, line_start)
),
life_events AS (
    SELECT *, row_number() OVER (PARTITION BY host, life, kind ORDER BY ts, source_id, line_start) = 1 AS first_of_kind
    FROM life_numbered
),
life_facts AS (
    SELECT host, any_value(broker_id) AS broker_id, life,
           min(ts) FILTER (WHERE kind IN ('broker_starting', 'broker_started')) AS started_at,
           arg_min(path, ts) FILTER (WHERE kind IN ('broker_starting', 'broker_started')) AS start_source,
           arg_min(line_start, ts) FILTER (WHERE kind IN ('broker_starting', 'broker_started')) AS start_line,
           min(ts) FILTER (WHERE kind = 'broker_started') AS up_at,
           bool_or(kind = 'unclean_recovery') AS after_unclean_end,
           min(ts) FILTER (WHERE kind IN ('oom', 'fatal')) AS crash_at,
           arg_min(CASE kind WHEN 'oom' THEN 'java.lang.OutOfMemoryError: ' ELSE 'fatal: ' END || coalesce(detail, ''), ts)
               FILTER (WHERE kind IN ('oom', 'fatal')) AS crash_cause,
           arg_min(path, ts) FILTER (WHERE kind IN ('oom', 'fatal')) AS crash_source,
           arg_min(line_start, ts) FILTER (WHERE kind IN ('oom', 'fatal')) AS crash_line,
           min(ts) FILTER (WHERE kind IN ('process_signal', 'controlled_shutdown', 'broker_shutdown', 'unclean_shutdown')) AS stop_at,
           string_agg(CASE kind WHEN 'process_signal' THEN detail WHEN 'controlled_shutdown' THEN 'controlled shutdown'
                                WHEN 'broker_shutdown' THEN 'shut down completed' WHEN 'unclean_shutdown' THEN 'unclean shutdown' END,
                      ', ' ORDER BY ts, source_id, line_start) FILTER (WHERE first_of_kind) AS stop_how,
           arg_min(path, ts) FILTER (WHERE kind IN ('process_signal', 'controlled_shutdown', 'broker_shutdown', 'unclean_shutdown')) AS stop_source,
           arg_min(line_start, ts) FILTER (WHERE kind IN ('process_signal', 'controlled_shutdown', 'broker_shutdown', 'unclean_shutdown')) AS stop_line,
           max(ts) AS last_own_at
    FROM life_events GROUP BY host, life
    UNION ALL BY NAME  -- a broker that logged nothing of its lives: one life, running as far as its logs tell
    SELECT host, broker_id, 0 AS life FROM life_hosts WHERE host NOT IN (SELECT host FROM life_events)
),
life_bounds AS (
    SELECT *, coalesce(started_at, '-infinity'::TIMESTAMPTZ) AS from_ts,
           lead(started_at) OVER (PARTITION BY host ORDER BY life) AS restarted_at,
           lead(after_unclean_end) OVER (PARTITION BY host ORDER BY life) AS next_after_unclean_end
    FROM life_facts
),
life_controllers AS (  -- who was the active controller at a time: elections, and lines a controller logs as one
    SELECT ts, broker_id AS controller FROM broker_events WHERE kind = 'controller_change' AND ts IS NOT NULL
    UNION ALL
    SELECT ts, node_id FROM broker_events
    WHERE kind IN ('broker_failed', 'producer_id_block', 'broker_registered') AND node_id IS NOT NULL AND ts IS NOT NULL
),
life_failovers AS (  -- an election of another broker while the previous controller was someone else: that one failed
    SELECT c.ts, c.host AS seen_by, s.path, c.line_start, c.broker_id AS new_controller, c.epoch,
           (SELECT arg_max(p.controller, p.ts) FROM life_controllers p WHERE p.ts < c.ts) AS previous
    FROM broker_events c JOIN sources s USING (source_id) WHERE c.kind = 'controller_change' AND c.ts IS NOT NULL
),
life_seen AS (  -- the cluster losing a broker
    SELECT e.broker_id, e.ts, e.host AS seen_by, s.path, e.line_start, e.detail
    FROM broker_events e JOIN sources s USING (source_id)
    WHERE e.kind = 'broker_failed' AND e.ts BETWEEN (SELECT lo FROM life_span) AND (SELECT hi FROM life_span)
      AND e.broker_id IS NOT NULL
    UNION ALL
    SELECT previous, ts, seen_by, path, line_start,
           'controller ' || previous || ' replaced: ' || new_controller || ' elected' || coalesce(' (epoch ' || epoch || ')', '')
    FROM life_failovers WHERE previous IS NOT NULL AND previous <> new_controller
),
life_seen_in AS (  -- each failure seen, in the life of the broker it was seen in; part of a planned stop or not
    SELECT f.*, l.host, l.life,
           l.stop_at IS NOT NULL AND f.ts >= l.stop_at - INTERVAL 1 MINUTE
               AND (l.crash_at IS NULL OR l.crash_at > l.stop_at) AS in_planned_stop
    FROM life_seen f ASOF JOIN life_bounds l ON f.broker_id = l.broker_id AND f.ts >= l.from_ts
),
lives AS (
    SELECT l.*,
           s.seen_at, s.seen_by, s.seen_detail, s.seen_source, s.seen_line, s.maintenance_seen_at,
           CASE WHEN l.crash_at IS NOT NULL AND (l.stop_at IS NULL OR l.crash_at <= l.stop_at) THEN 'crash'
                WHEN l.stop_at IS NOT NULL THEN 'planned'
                WHEN s.seen_at IS NOT NULL THEN 'failed'
                WHEN l.restarted_at IS NOT NULL THEN 'killed'
           END AS ending
    FROM life_bounds l
    LEFT JOIN (
        SELECT host, life,
               min(ts) FILTER (WHERE NOT in_planned_stop) AS seen_at,
               arg_min(seen_by, ts) FILTER (WHERE NOT in_planned_stop) AS seen_by,
               arg_min(detail, ts) FILTER (WHERE NOT in_planned_stop) AS seen_detail,
               arg_min(path, ts) FILTER (WHERE NOT in_planned_stop) AS seen_source,
               arg_min(line_start, ts) FILTER (WHERE NOT in_planned_stop) AS seen_line,
               min(ts) FILTER (WHERE in_planned_stop) AS maintenance_seen_at
        FROM life_seen_in GROUP BY host, life
    ) s USING (host, life)
),
