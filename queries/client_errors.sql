-- name: client_errors
-- title: Client warnings and errors per time bucket, for all client hosts and per host
-- description: Typed client events logged at WARN or above (produce errors, expired batches, failed
--   connections, stale metadata …) per time bucket: one row per bucket with `host` NULL for all client
--   hosts together, then one row per client host; `kinds` lists the event kinds. Buckets without any are
--   left out.
-- param: bucket INTERVAL = '5 minutes'   -- width of a time bucket
SELECT
    time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start,
    time_bucket(CAST($bucket AS INTERVAL), ts) + CAST($bucket AS INTERVAL) AS bucket_end,
    host,
    count(*) AS errors,
    string_agg(DISTINCT kind, ',' ORDER BY kind) AS kinds
FROM client_events
WHERE ts IS NOT NULL AND upper(level) IN ('WARN', 'WARNING', 'ERROR', 'FATAL', 'SEVERE')
GROUP BY GROUPING SETS ((time_bucket(CAST($bucket AS INTERVAL), ts)), (time_bucket(CAST($bucket AS INTERVAL), ts), host))
ORDER BY bucket_start, host NULLS FIRST;
