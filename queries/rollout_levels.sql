-- name: rollout_levels
-- title: Feature-flag rollout percentage per time bucket
-- description: For every flag whose changes set a rollout percentage, one row per time bucket from its
--   first change to the last logged time of any file: the percentage in effect at the end of the bucket,
--   how many changes were made in the bucket, whether one of them was a rollout step (a percentage other
--   than the flag's previous one; creating a flag at 0 % is not a step, as in rollout_impact), and the last
--   change's percentage before and after. Flags are
--   ranked (`flag_rank` 1 first) by how many percentage changes they had, then by the highest percentage
--   they reached, then by name.
-- param: bucket INTERVAL = '5 minutes'   -- width of a time bucket
WITH changes AS (
    SELECT feature, ts, percentage, previous_percentage, source_id, line_start,
           CASE WHEN lag(percentage) OVER w IS NULL THEN percentage > 0
                ELSE percentage IS DISTINCT FROM lag(percentage) OVER w END AS step
    FROM rollouts
    WHERE ts IS NOT NULL AND percentage IS NOT NULL
    WINDOW w AS (PARTITION BY feature ORDER BY ts, line_start)
),
flags AS (
    SELECT feature, min(ts) AS first_ts,
           row_number() OVER (ORDER BY count(*) DESC, max(percentage) DESC, feature) AS flag_rank
    FROM changes
    GROUP BY feature
),
buckets AS (
    SELECT f.feature, f.flag_rank,
           unnest(generate_series(time_bucket(CAST($bucket AS INTERVAL), greatest(f.first_ts, (SELECT window_start FROM time_window))),
                                  least(greatest(f.first_ts, (SELECT max(last_ts) FROM sources)), (SELECT window_end FROM time_window)),
                                  CAST($bucket AS INTERVAL))) AS bucket_start
    FROM flags AS f
),
inside AS (
    SELECT feature, time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start, count(*) AS changes,
           bool_or(step) AS step,
           arg_max(previous_percentage, (ts, line_start)) AS changed_from,
           arg_max(percentage, (ts, line_start)) AS changed_to,
           arg_max(source_id, (ts, line_start)) AS source_id,
           arg_max(line_start, (ts, line_start)) AS line_start
    FROM changes
    GROUP BY ALL
)
SELECT b.feature, b.flag_rank, b.bucket_start, b.bucket_start + CAST($bucket AS INTERVAL) AS bucket_end,
       c.percentage, coalesce(i.changes, 0) AS changes, coalesce(i.step, false) AS step, i.changed_from, i.changed_to, i.source_id, i.line_start
FROM buckets AS b
ASOF LEFT JOIN changes AS c ON b.feature = c.feature AND b.bucket_start + CAST($bucket AS INTERVAL) > c.ts
LEFT JOIN inside AS i ON i.feature = b.feature AND i.bucket_start = b.bucket_start
ORDER BY b.flag_rank, b.bucket_start;
