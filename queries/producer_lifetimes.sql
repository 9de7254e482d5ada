-- name: producer_lifetimes
-- title: How long Kafka producers live, and how they are closed
-- description: Per client host, and over all of them: producers seen, created, closed, the lifetime from
--   creation to `Closing the Kafka producer` (percentiles, a histogram, how many lived under `short_ms` and
--   their share of the producers whose lifetime is known), and the close timeouts with what each points
--   to. 60000 ms is the Pekko/Akka Kafka close-timeout default, a producer per stream (per request, in
--   the 28 August bug); 9223372036854775807 ms is a plain close(); 30000 ms Spring Kafka's factory.
-- param: short_ms DOUBLE = 1000  -- lifetime in milliseconds under which a producer is short-lived
WITH timeouts AS (
    SELECT host, close_timeout_ms, count(*) AS n
    FROM producers WHERE close_timeout_ms IS NOT NULL
    GROUP BY ALL
),
labelled AS (
    SELECT host, close_timeout_ms, n,
           format('{} ms ×{}{}', close_timeout_ms, n, CASE close_timeout_ms
               WHEN 60000 THEN ' (Pekko/Akka Kafka close-timeout default: a producer per stream)'
               WHEN 9223372036854775807 THEN ' (close() without a timeout)'
               WHEN 30000 THEN ' (Spring Kafka producer factory default)'
               ELSE '' END) AS label
    FROM timeouts
),
per_host AS (
    SELECT host, string_agg(label, '; ' ORDER BY n DESC, close_timeout_ms) AS close_timeouts FROM labelled GROUP BY host
),
overall AS (
    SELECT string_agg(label, '; ' ORDER BY n DESC, close_timeout_ms) AS close_timeouts
    FROM (SELECT close_timeout_ms, sum(n) AS n,
                 format('{} ms ×{}{}', close_timeout_ms, sum(n), CASE close_timeout_ms
                     WHEN 60000 THEN ' (Pekko/Akka Kafka close-timeout default: a producer per stream)'
                     WHEN 9223372036854775807 THEN ' (close() without a timeout)'
                     WHEN 30000 THEN ' (Spring Kafka producer factory default)'
                     ELSE '' END) AS label
          FROM timeouts GROUP BY close_timeout_ms)
),
stats AS (
    SELECT coalesce(host, '(all hosts)') AS host, GROUPING(host) AS total,
           count(*) AS producers,
           count(created_at) AS created,
           count(closed_at) AS closed,
           count(*) FILTER (WHERE created_at IS NOT NULL AND closed_at IS NULL) AS open_at_end,
           count(lifetime_ms) AS known_lifetimes,
           round(quantile_cont(lifetime_ms, 0.5), 1) AS p50_ms,
           round(quantile_cont(lifetime_ms, 0.9), 1) AS p90_ms,
           round(quantile_cont(lifetime_ms, 0.99), 1) AS p99_ms,
           max(lifetime_ms) AS max_ms,
           count(*) FILTER (WHERE lifetime_ms < $short_ms) AS short_lived,
           round(count(*) FILTER (WHERE lifetime_ms < $short_ms) / nullif(count(lifetime_ms), 0), 4) AS short_share,
           count(*) FILTER (WHERE lifetime_ms < 100) AS lt_100ms,
           count(*) FILTER (WHERE lifetime_ms >= 100 AND lifetime_ms < 1000) AS lt_1s,
           count(*) FILTER (WHERE lifetime_ms >= 1000 AND lifetime_ms < 10000) AS lt_10s,
           count(*) FILTER (WHERE lifetime_ms >= 10000 AND lifetime_ms < 60000) AS lt_1min,
           count(*) FILTER (WHERE lifetime_ms >= 60000 AND lifetime_ms < 600000) AS lt_10min,
           count(*) FILTER (WHERE lifetime_ms >= 600000) AS ge_10min
    FROM producers
    GROUP BY GROUPING SETS ((host), ())
)
SELECT s.* EXCLUDE (total), CASE WHEN s.total = 1 THEN o.close_timeouts ELSE p.close_timeouts END AS close_timeouts
FROM stats s
LEFT JOIN per_host p ON p.host = s.host AND s.total = 0
CROSS JOIN overall o
ORDER BY s.total, s.host;
