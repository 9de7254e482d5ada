-- name: cascade
-- title: How each broker fell: the first time of every stage, brokers in the order they failed
-- description: Per broker, the first time of each stage, in order: `heap_high` (a GC left the heap at least
--   $heap_pct % full), `gc_thrashing` (the first of $thrash_min_full_gcs or more Full GCs in a row, each within
--   $thrash_window of the previous and each reclaiming less than $thrash_max_reclaim_pct % of the heap
--   capacity), `oom` (the first OutOfMemoryError), `broker_failed` (the controller saw it go: `Broker failure
--   callback`, a KRaft fence, or, for the active controller itself, another broker elected in its place; never
--   the failure a controller logs when a broker stops as planned, see broker_episodes), `broker_killed` (it
--   started again with no stop logged: the time is that restart), `leadership_moved` (the first partition
--   whose leader moved off it, from its first unplanned fall on) and `broker_started` (back up after that).
--   `cascade_order` numbers the brokers by their first unplanned fall (NULL for brokers that did not fall:
--   planned restarts are maintenance, not a fall); rows name the host that logged the evidence, its file and line.
-- param: heap_pct DOUBLE = 90.0  -- heap after GC, % of capacity, that counts as high
-- param: thrash_min_full_gcs INTEGER = 2  -- Full GCs in a row that make thrashing
-- param: thrash_max_reclaim_pct DOUBLE = 5.0  -- a Full GC reclaiming less than this % of capacity reclaims "nothing"
-- param: thrash_window INTERVAL = '5 minutes'  -- longest gap between two Full GCs of one run
WITH
-- include: broker_lives
broker_hosts AS (SELECT host, broker_id FROM hosts WHERE broker_id IS NOT NULL),
gc AS (
    SELECT coalesce(g.host, s.host) AS host, g.ts, g.kind, g.line_start, s.path,
           100.0 * g.heap_after_kb / g.heap_capacity_kb AS after_pct,
           100.0 * (g.heap_before_kb - g.heap_after_kb) / g.heap_capacity_kb AS reclaim_pct,
           g.heap_capacity_kb
    FROM gc_events g JOIN sources s USING (source_id)
    WHERE g.ts IS NOT NULL AND g.heap_capacity_kb > 0 AND (g.stw OR g.kind = 'cycle') AND g.kind <> 'safepoint'
),
heap_high AS (
    SELECT host, arg_min(ts, ts) AS ts, arg_min(path, ts) AS path, arg_min(line_start, ts) AS line,
           'heap after GC ' || round(arg_min(after_pct, ts), 1) || ' % of ' || CAST(round(arg_min(heap_capacity_kb, ts) / 1024) AS BIGINT) || ' MB' AS detail
    FROM gc WHERE after_pct >= $heap_pct GROUP BY host
),
fulls AS (
    SELECT *,
        reclaim_pct < $thrash_max_reclaim_pct AS futile,
        ts - lag(ts) OVER (PARTITION BY host ORDER BY ts) <= CAST($thrash_window AS INTERVAL) AS close_to_prev
    FROM gc WHERE kind = 'full'
),
runs AS (  -- a run of futile Full GCs, each close to the previous
    SELECT *, sum(CASE WHEN futile AND coalesce(close_to_prev, false) AND coalesce(prev_futile, false) THEN 0 ELSE 1 END)
                  OVER (PARTITION BY host ORDER BY ts) AS run_id
    FROM (SELECT *, lag(futile) OVER (PARTITION BY host ORDER BY ts) AS prev_futile FROM fulls)
),
thrashing AS (
    SELECT host, arg_min(ts, ts) AS ts, arg_min(path, ts) AS path, arg_min(line_start, ts) AS line,
           count(*) || ' Full GCs in a row reclaiming ' || round(min(reclaim_pct), 1) || '–' || round(max(reclaim_pct), 1)
               || ' % of the heap' AS detail
    FROM runs WHERE futile
    GROUP BY host, run_id HAVING count(*) >= $thrash_min_full_gcs
    QUALIFY row_number() OVER (PARTITION BY host ORDER BY min(ts)) = 1
),
ev AS (  -- within the span the story covers
    SELECT e.*, s.path, (e.ts, s.path, e.line_start) AS cite
    FROM broker_events e JOIN sources s USING (source_id)
    WHERE e.ts BETWEEN (SELECT lo FROM life_span) AND (SELECT hi FROM life_span)
),
oom AS (
    SELECT host, min(ts) AS ts, arg_min(path, cite) AS path, arg_min(line_start, cite) AS line,
           'java.lang.OutOfMemoryError: ' || coalesce(arg_min(detail, cite), '') AS detail
    FROM ev WHERE kind = 'oom' GROUP BY host
),
failed AS (  -- the first time the cluster lost it, not counting the failures it logs for a planned stop
    SELECT broker_id, min(seen_at) AS ts, arg_min(seen_by, seen_at) AS seen_by, arg_min(seen_source, seen_at) AS path,
           arg_min(seen_line, seen_at) AS line, arg_min(seen_detail, seen_at) AS detail
    FROM lives WHERE seen_at IS NOT NULL GROUP BY broker_id
),
killed AS (  -- a life that ended with no stop and no failure logged; it is known to be over at its restart
    SELECT l.broker_id, min(n.started_at) AS ts, arg_min(n.host, n.started_at) AS seen_by,
           arg_min(n.start_source, n.started_at) AS path, arg_min(n.start_line, n.started_at) AS line,
           'no stop logged before it started again' AS detail
    FROM lives l JOIN lives n ON n.host = l.host AND n.life = l.life + 1
    WHERE l.ending = 'killed' GROUP BY l.broker_id
),
down AS (  -- when a broker first went down unplanned: its first OOM, failure or end without a stop
    SELECT b.host, b.broker_id, least(o.ts, f.ts, k.ts) AS ts
    FROM broker_hosts b LEFT JOIN oom o USING (host) LEFT JOIN failed f USING (broker_id) LEFT JOIN killed k USING (broker_id)
    WHERE o.ts IS NOT NULL OR f.ts IS NOT NULL OR k.ts IS NOT NULL
),
moved AS (
    SELECT d.broker_id, arg_min(e.ts, e.ts) AS ts, arg_min(e.host, e.ts) AS seen_by, arg_min(e.path, e.ts) AS path,
           arg_min(e.line_start, e.ts) AS line,
           'leader of ' || coalesce(arg_min(e.topic || '-' || e."partition", e.ts), 'a partition') || ' moved from '
               || d.broker_id || ' to ' || coalesce(CAST(arg_min(e.leader, e.ts) AS VARCHAR), '?') AS detail
    FROM down d JOIN ev e ON e.kind = 'leader_change' AND e.prev_leader = d.broker_id AND e.ts >= d.ts
    GROUP BY d.broker_id
),
started AS (
    SELECT d.broker_id, arg_min(e.ts, e.ts) AS ts, arg_min(e.host, e.ts) AS seen_by, arg_min(e.path, e.ts) AS path,
           arg_min(e.line_start, e.ts) AS line, arg_min(e.detail, e.ts) AS detail
    FROM down d JOIN ev e ON e.kind = 'broker_started' AND e.broker_id = d.broker_id AND e.ts > d.ts
    GROUP BY d.broker_id
),
stages AS (
    SELECT b.host, b.broker_id, 1 AS stage_no, 'heap_high' AS event, s.ts, b.host AS seen_by, s.path, s.line, s.detail
    FROM broker_hosts b JOIN heap_high s USING (host)
    UNION ALL
    SELECT b.host, b.broker_id, 2, 'gc_thrashing', s.ts, b.host, s.path, s.line, s.detail FROM broker_hosts b JOIN thrashing s USING (host)
    UNION ALL
    SELECT b.host, b.broker_id, 3, 'oom', s.ts, b.host, s.path, s.line, s.detail FROM broker_hosts b JOIN oom s USING (host)
    UNION ALL
    SELECT b.host, b.broker_id, 4, 'broker_failed', s.ts, s.seen_by, s.path, s.line, s.detail FROM broker_hosts b JOIN failed s USING (broker_id)
    UNION ALL
    SELECT b.host, b.broker_id, 4, 'broker_killed', s.ts, s.seen_by, s.path, s.line, s.detail FROM broker_hosts b JOIN killed s USING (broker_id)
    UNION ALL
    SELECT b.host, b.broker_id, 5, 'leadership_moved', s.ts, s.seen_by, s.path, s.line, s.detail FROM broker_hosts b JOIN moved s USING (broker_id)
    UNION ALL
    SELECT b.host, b.broker_id, 6, 'broker_started', s.ts, s.seen_by, s.path, s.line, s.detail FROM broker_hosts b JOIN started s USING (broker_id)
),
ordered AS (SELECT host, row_number() OVER (ORDER BY ts, host) AS cascade_order FROM down)
SELECT o.cascade_order, s.host, s.broker_id, s.stage_no, s.event, s.ts, s.detail, s.seen_by, s.path AS source, s.line AS line_start
FROM stages s LEFT JOIN ordered o USING (host)
ORDER BY o.cascade_order NULLS LAST, s.host, s.ts, s.stage_no;
