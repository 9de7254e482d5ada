-- name: event_log
-- title: Every typed event of every source on one clock, filtered, with the file and lines it comes from
-- description: The merged timeline of typed events: broker events, GC events (pauses, Full GCs, concurrent
--   phases, to-space exhaustion), client events, feature-flag changes and deploys, each with its host,
--   `source` (broker, gc, client, rollout, deploy), `kind`, the log level of its record, a one-line
--   `message` (the first line of a broker or client record; what the collector did; the flag change or
--   deploy), the event's own `detail`, and the `source_id`/`line_start`/`line_end` it comes from.
--   GC events have the level of the GC log's lines (INFO); flag changes and deploys have none.
--   Filters (NULL: no filter): a time range [$start, $stop), `host`, `source` and `kind` (exact), `level`
--   (this level or worse: TRACE, DEBUG, INFO, WARN, ERROR, FATAL; flag changes and deploys always pass),
--   `text` (case-insensitive, anywhere in the whole record). At most $max_rows events are returned, those nearest in time to $around (or the
--   first ones when $around is NULL), in time order.
-- param: start TIMESTAMPTZ = NULL   -- events at or after this time
-- param: stop TIMESTAMPTZ = NULL   -- events before this time
-- param: around TIMESTAMPTZ = NULL   -- keep the events nearest this time
-- param: host VARCHAR = NULL   -- only this host
-- param: source VARCHAR = NULL   -- only this source: broker, gc, client, rollout or deploy
-- param: kind VARCHAR = NULL   -- only this kind (oom, producer_created, full, …)
-- param: level VARCHAR = NULL   -- only this level or worse
-- param: text VARCHAR = NULL   -- only records containing this text
-- param: max_rows BIGINT = 1000   -- at most this many events
WITH ev AS (
    SELECT 'broker' AS source, source_id, host, line_start, line_end, ts, kind, detail AS summary FROM broker_events
    UNION ALL
    SELECT 'client', source_id, host, line_start, line_end, ts, kind, coalesce(error, detail) FROM client_events
    UNION ALL
    SELECT 'gc', source_id, host, line_start, line_end, ts, kind,
           concat_ws(' ', name,
                     CASE WHEN heap_before_kb IS NOT NULL
                          THEN format('{}M->{}M({}M)', heap_before_kb // 1024, heap_after_kb // 1024,
                                      heap_capacity_kb // 1024) END,
                     CASE WHEN pause_ms IS NOT NULL THEN format('{:.3f}ms', pause_ms)
                          WHEN duration_ms IS NOT NULL THEN format('{:.3f}ms', duration_ms) END)
    FROM gc_events
    UNION ALL
    SELECT 'rollout', source_id, host, line_start, line_end, ts, 'flag_change',
           concat(feature, ' ', coalesce(printf('%g', previous_percentage) || '% → ', ''),
                  coalesce(printf('%g', percentage) || '%', ''), ' ', coalesce(note, ''))
    FROM rollouts
    UNION ALL
    SELECT 'deploy', source_id, host, line_start, line_end, ts, 'deploy', concat_ws(' ', service, version, status, note)
    FROM deploys
),
narrowed AS (  -- parameters are used in place (not through a CTE) so that DuckDB drops the unused filters
    SELECT * FROM ev
    WHERE (CAST($start AS TIMESTAMPTZ) IS NULL OR ts >= CAST($start AS TIMESTAMPTZ))
      AND (CAST($stop AS TIMESTAMPTZ) IS NULL OR ts < CAST($stop AS TIMESTAMPTZ))
      AND (CAST($host AS VARCHAR) IS NULL OR host = CAST($host AS VARCHAR))
      AND (CAST($source AS VARCHAR) IS NULL OR source = CAST($source AS VARCHAR))
      AND (CAST($kind AS VARCHAR) IS NULL OR kind = CAST($kind AS VARCHAR))
),
leveled AS (  -- the record's level only: its text is read for the events kept, or for a text filter
    SELECT n.*,
           list_position(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
                         replace(replace(upper(coalesce(r.level, CASE WHEN n.source = 'gc' THEN 'INFO' END)),
                                         'WARNING', 'WARN'), 'SEVERE', 'FATAL')) AS level_rank,
           coalesce(r.level, CASE WHEN n.source = 'gc' THEN 'INFO' END) AS level
    FROM narrowed AS n
    LEFT JOIN records AS r ON r.source_id = n.source_id AND r.line_start = n.line_start
),
matched AS (
    SELECT * FROM leveled AS l
    WHERE (CAST($level AS VARCHAR) IS NULL OR source IN ('rollout', 'deploy')
           OR level_rank >= coalesce(list_position(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
                                                   replace(replace(upper(CAST($level AS VARCHAR)), 'WARNING', 'WARN'),
                                                           'SEVERE', 'FATAL')), 99))
      AND (CAST($text AS VARCHAR) IS NULL
           OR contains(lower(coalesce(summary, '')), lower(CAST($text AS VARCHAR)))
           OR EXISTS (SELECT 1 FROM records AS r
                      WHERE r.source_id = l.source_id AND r.line_start = l.line_start
                        AND contains(lower(r.message), lower(CAST($text AS VARCHAR)))))
),
picked AS (
    SELECT * FROM matched
    ORDER BY CASE WHEN CAST($around AS TIMESTAMPTZ) IS NULL THEN epoch_us(ts)
                  ELSE abs(epoch_us(ts) - epoch_us(CAST($around AS TIMESTAMPTZ))) END NULLS LAST,
             ts, source_id, line_start
    LIMIT $max_rows
),
shown AS (
    SELECT p.*, r.message
    FROM picked AS p
    LEFT JOIN records AS r ON r.source_id = p.source_id AND r.line_start = p.line_start
)
SELECT ts, host, source, kind, level,
       CASE WHEN source IN ('broker', 'client') THEN coalesce(nullif(split_part(message, chr(10), 1), ''), summary)
            ELSE summary END AS message,
       summary AS detail, source_id, line_start, line_end
FROM shown
ORDER BY ts NULLS LAST, source_id, line_start;
