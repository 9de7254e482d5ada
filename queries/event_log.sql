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
WITH p AS (
    SELECT CAST($start AS TIMESTAMPTZ) AS t_start, CAST($stop AS TIMESTAMPTZ) AS t_stop,
           CAST($around AS TIMESTAMPTZ) AS t_around, CAST($host AS VARCHAR) AS f_host,
           CAST($source AS VARCHAR) AS f_source, CAST($kind AS VARCHAR) AS f_kind,
           CASE WHEN CAST($level AS VARCHAR) IS NOT NULL
                THEN coalesce(list_position(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
                                            replace(replace(upper(CAST($level AS VARCHAR)), 'WARNING', 'WARN'),
                                                    'SEVERE', 'FATAL')), 99) END AS min_level_rank,
           lower(CAST($text AS VARCHAR)) AS f_text
),
ev AS (
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
narrowed AS (
    SELECT ev.*, p.* FROM ev, p
    WHERE (t_start IS NULL OR ts >= t_start)
      AND (t_stop IS NULL OR ts < t_stop)
      AND (f_host IS NULL OR host = f_host)
      AND (f_source IS NULL OR source = f_source)
      AND (f_kind IS NULL OR kind = f_kind)
),
leveled AS (
    SELECT n.*, coalesce(r.level, CASE WHEN n.source = 'gc' THEN 'INFO' END) AS level, r.message,
           list_position(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
                         replace(replace(upper(coalesce(r.level, CASE WHEN n.source = 'gc' THEN 'INFO' END)),
                                         'WARNING', 'WARN'), 'SEVERE', 'FATAL')) AS level_rank
    FROM narrowed AS n
    LEFT JOIN records AS r ON r.source_id = n.source_id AND r.line_start = n.line_start
),
picked AS (
    SELECT * FROM leveled
    WHERE (min_level_rank IS NULL OR level_rank >= min_level_rank OR source IN ('rollout', 'deploy'))
      AND (f_text IS NULL OR contains(lower(coalesce(message, summary, '')), f_text))
    ORDER BY CASE WHEN t_around IS NULL THEN epoch_us(ts) ELSE abs(epoch_us(ts) - epoch_us(t_around)) END NULLS LAST,
             ts, source_id, line_start
    LIMIT $max_rows
)
SELECT ts, host, source, kind, level,
       CASE WHEN source IN ('broker', 'client') THEN coalesce(nullif(split_part(message, chr(10), 1), ''), summary)
            ELSE summary END AS message,
       summary AS detail, source_id, line_start, line_end
FROM picked
ORDER BY ts NULLS LAST, source_id, line_start;
