-- name: broker_episodes
-- title: Each broker's lives: how each started and ended, planned or not, with the lines that show it
-- description: One row per life of a broker (a host whose logs name its broker id): from a start (`starting`,
--   or `started` without one) to the next start; life 0 is what its logs show before their first start.
--   `ending`: `crash` (an OutOfMemoryError or a fatal error before any stop), `planned` (a signal, a controlled
--   shutdown or `shut down completed`: maintenance), `failed` (the controller or the quorum lost it and its own
--   logs say nothing), `killed` (it started again with no stop logged), NULL (running when its logs end).
--   `unplanned` marks crash, failed and killed. `ended_at` is when the ending shows (NULL for killed: not in
--   the logs; `restarted_at` bounds it); `seen_at` is when the cluster saw it go (a controller's failure
--   callback or fence, or a failover from it), never the failure the controller logs for a planned stop.
--   `source`/`line_start` name the line that shows the ending. The rules: queries/fragments/broker_lives.sql.
WITH
-- include: broker_lives
episodes AS (SELECT * FROM lives)
SELECT
    host, broker_id, life, started_at, up_at,
    ending,
    coalesce(ending IN ('crash', 'failed', 'killed'), false) AS unplanned,
    CASE ending WHEN 'crash' THEN crash_at WHEN 'planned' THEN stop_at WHEN 'failed' THEN seen_at END AS ended_at,
    CASE ending
        WHEN 'crash' THEN crash_cause
        WHEN 'planned' THEN stop_how || coalesce('; the controller saw it leave at ' || strftime(maintenance_seen_at, '%H:%M:%S'), '')
        WHEN 'failed' THEN seen_detail
        WHEN 'killed' THEN 'no stop logged before it started again'
                           || CASE WHEN next_after_unclean_end THEN ', recovering its logs as after an unclean shutdown' ELSE '' END
    END AS cause,
    seen_at, seen_by,
    restarted_at,
    CASE ending WHEN 'crash' THEN crash_source WHEN 'planned' THEN stop_source WHEN 'failed' THEN seen_source END AS source,
    CASE ending WHEN 'crash' THEN crash_line WHEN 'planned' THEN stop_line WHEN 'failed' THEN seen_line END AS line_start,
    start_source, start_line
FROM episodes
ORDER BY host, life;
