-- name: timeline
-- title: Every notable event from every source, merged in time order
-- description: Broker events (failures, OOMs, ZooKeeper sessions, controller and leader moves, ISR changes,
--   shutdowns and restarts, producer-ID blocks), Full GCs and GC pauses of at least $long_pause_ms ms,
--   client warnings and errors, rollout changes and deploys, each with a severity (critical, error, warning, info), a one-line
--   description, and the file and line it comes from. Events of one kind on one host less than $collapse
--   apart are merged into one row (`count`, `ts` of the first, `ts_end` of the last; the file and line of
--   the first). kafkaServer.out's copies of server.log lines are left out. Rows below $min_severity are
--   left out.
-- param: collapse INTERVAL = '1 minute'  -- merge events of one kind on one host closer than this
-- param: long_pause_ms DOUBLE = 1000.0  -- GC pauses this long or longer are notable
-- param: min_severity VARCHAR = 'info'  -- info | warning | error | critical
WITH
broker AS (
    SELECT e.ts, e.host, 'broker' AS origin, e.kind,
        CASE WHEN e.kind IN ('oom', 'fatal', 'broker_failed') THEN 'critical'
             WHEN e.kind IN ('zk_session_expired', 'unclean_shutdown', 'pid_rpc_timeout', 'heartbeat_failed') THEN 'error'
             WHEN e.kind IN ('zk_session_timeout', 'isr_shrink', 'controller_change', 'controller_resigned', 'leader_change',
                             'process_signal', 'controlled_shutdown', 'broker_fenced', 'unclean_recovery') THEN 'warning'
             ELSE 'info' END AS severity,
        CASE e.kind
            WHEN 'oom' THEN 'OutOfMemoryError: ' || coalesce(e.detail, '')
            WHEN 'broker_failed' THEN 'controller saw broker ' || e.broker_id || ' fail'
            WHEN 'controller_change' THEN 'broker ' || e.broker_id || ' became the controller' || coalesce(' (epoch ' || e.epoch || ')', '')
            WHEN 'leader_change' THEN 'leader of ' || coalesce(e.topic || '-' || e."partition", 'partitions') || ' → '
                                      || coalesce(CAST(e.leader AS VARCHAR), '?') || coalesce(' (was ' || e.prev_leader || ')', '')
            WHEN 'isr_shrink' THEN 'ISR of ' || coalesce(e.topic || '-' || e."partition", '?') || ' shrank ' || coalesce(e.prev_isr, '')
                                   || ' → ' || coalesce(e.isr, '')
            WHEN 'isr_updated' THEN 'ISR of ' || coalesce(e.topic || '-' || e."partition", '?') || ' now ' || coalesce(e.isr, '')
                                    || CASE WHEN e.detail LIKE '%under-min-isr%' THEN ' (under min ISR)' ELSE '' END
            WHEN 'producer_id_block' THEN 'producer-ID block ' || coalesce(CAST(e.producer_id AS VARCHAR), '?') || ' (' ||
                                          coalesce(CAST(e.count AS VARCHAR), '?') || ' ids) for broker ' || coalesce(CAST(e.broker_id AS VARCHAR), '?')
            WHEN 'unclean_recovery' THEN 'recovering ' || coalesce(CAST(e.count AS VARCHAR) || ' logs', 'logs') || ' after an unclean shutdown'
            WHEN 'broker_started' THEN 'broker ' || coalesce(CAST(e.broker_id AS VARCHAR), '') || ' started'
            ELSE replace(e.kind, '_', ' ') || coalesce(': ' || e.detail, '')
        END AS description,
        s.path, e.line_start
    FROM broker_events e JOIN sources s USING (source_id)
    WHERE e.ts IS NOT NULL AND e.kind <> 'producer_snapshot'  -- (a stdout's copies are in event_copies, not here)
),
gc AS (
    SELECT g.ts, coalesce(g.host, s.host) AS host, 'gc' AS origin,
        CASE WHEN g.kind = 'full' THEN 'full_gc' ELSE 'long_gc_pause' END AS kind,
        'warning' AS severity,
        coalesce(g.name, g.kind) || ' ' || CAST(round(g.pause_ms) AS BIGINT) || ' ms'
            || CASE WHEN g.heap_capacity_kb > 0 THEN ', heap ' || CAST(round(100.0 * g.heap_before_kb / g.heap_capacity_kb) AS BIGINT)
                    || ' % → ' || CAST(round(100.0 * g.heap_after_kb / g.heap_capacity_kb) AS BIGINT) || ' %' ELSE '' END AS description,
        s.path, g.line_start
    FROM gc_events g JOIN sources s USING (source_id)
    WHERE g.ts IS NOT NULL AND g.stw AND NOT g.nested AND g.kind <> 'safepoint'
      AND (g.kind = 'full' OR g.pause_ms >= $long_pause_ms)
),
rollout AS (
    SELECT r.ts, s.host, 'rollout' AS origin, 'rollout' AS kind, 'info' AS severity,
        r.feature || ' ' || coalesce(regexp_replace(CAST(coalesce(r.previous_percentage, lag(r.percentage) OVER (PARTITION BY r.feature ORDER BY r.ts)) AS VARCHAR),
                                                    '\.0+$', '') || ' % → ', 'at ')
            || coalesce(regexp_replace(CAST(r.percentage AS VARCHAR), '\.0+$', '') || ' %', 'no percentage')
            || coalesce(' by ' || r.actor, '') AS description,
        s.path, r.line_start
    FROM rollouts r LEFT JOIN sources s USING (source_id)
    WHERE r.ts IS NOT NULL
),
deploy AS (
    SELECT d.ts, s.host, 'deploy' AS origin, 'deploy' AS kind, 'info' AS severity,
        'deploy ' || coalesce(d.service, '?') || coalesce(' ' || d.version, '') || coalesce(' by ' || d.actor, '') AS description,
        s.path, d.line_start
    FROM deploys d LEFT JOIN sources s USING (source_id)
    WHERE d.ts IS NOT NULL
),
client AS (
    SELECT c.ts, c.host, 'client' AS origin, c.kind,
        CASE WHEN c.level IN ('ERROR', 'FATAL') THEN 'error' ELSE 'warning' END AS severity,
        replace(c.kind, '_', ' ') || coalesce(': ' || c.error, '') || coalesce(' on ' || c.topic || coalesce('-' || c."partition", ''), '')
            || coalesce(' (' || c.client_id || ')', '') AS description,
        s.path, c.line_start
    FROM client_events c JOIN sources s USING (source_id)
    WHERE c.ts IS NOT NULL AND c.level IN ('WARN', 'WARNING', 'ERROR', 'FATAL')
),
everything AS (
    SELECT * FROM broker UNION ALL SELECT * FROM gc UNION ALL SELECT * FROM rollout UNION ALL SELECT * FROM deploy
    UNION ALL SELECT * FROM client
),
grouped AS (
    SELECT *, sum(CASE WHEN ts - prev_ts < CAST($collapse AS INTERVAL) THEN 0 ELSE 1 END)
                  OVER (PARTITION BY host, origin, kind ORDER BY ts, path, line_start) AS grp
    FROM (SELECT *, lag(ts) OVER (PARTITION BY host, origin, kind ORDER BY ts, path, line_start) AS prev_ts FROM everything)
),
merged AS (
    SELECT min(ts) AS ts, max(ts) AS ts_end, any_value(severity) AS severity, host, origin, kind,
           arg_min(description, (ts, path, line_start)) AS description, count(*) AS count,
           arg_min(path, (ts, path, line_start)) AS source, arg_min(line_start, (ts, path, line_start)) AS line_start
    FROM grouped GROUP BY host, origin, kind, grp
)
SELECT ts, ts_end, severity, host, origin, kind,
       description || CASE WHEN count > 1 THEN ' (and ' || (count - 1) || ' more like it)' ELSE '' END AS description,
       count, source, line_start
FROM merged
WHERE list_position(['info', 'warning', 'error', 'critical'], severity)
      >= coalesce(list_position(['info', 'warning', 'error', 'critical'], lower($min_severity)), 1)
ORDER BY ts, host, origin, kind;
