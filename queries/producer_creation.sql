-- name: producer_creation
-- title: New Kafka producers per time bucket and client host, with a cluster-wide estimate
-- description: Producers created (a `ProducerConfig values:` dump or an `Instantiated … producer.` line)
--   per bucket on each client host, from the producers view. A last row per bucket adds them up: when the
--   hosts are a sample of a fleet of alike pods (`fleet`, a glob such as 'api-pod-*'; default all client
--   hosts), `(cluster estimate)` scales the fleet hosts' count by the share of pods covered, `pod_share`
--   if given, else the fleet hosts with logs / `pods`, and adds the other hosts as they are; without a
--   share the row is `(all hosts)`, the plain sum.
-- param: bucket INTERVAL = '1 hour'  -- width of a time bucket
-- param: fleet VARCHAR = NULL  -- glob of the hosts that are pods of one fleet, e.g. 'api-pod-*'
-- param: pods INTEGER = NULL  -- how many pods the fleet has, e.g. 300
-- param: pod_share DOUBLE = NULL  -- share of the fleet's pods whose logs were ingested (instead of pods)
WITH fleet AS (
    SELECT count(DISTINCT host) AS hosts
    FROM sources
    WHERE family = 'client' AND ($fleet IS NULL OR host GLOB $fleet)
),
share AS (
    SELECT coalesce($pod_share, CASE WHEN $pods > 0 THEN hosts / $pods END) AS share FROM fleet
),
per_host AS (
    SELECT time_bucket($bucket, created_at) AS bucket, host,
           $fleet IS NULL OR host GLOB $fleet AS in_fleet,
           count(*) AS created
    FROM producers
    WHERE created_at IS NOT NULL
    GROUP BY ALL
)
SELECT bucket, host, created, false AS estimated
FROM per_host
UNION ALL
SELECT bucket,
       CASE WHEN share IS NULL THEN '(all hosts)' ELSE '(cluster estimate)' END AS host,
       CAST(round(coalesce(sum(created) FILTER (WHERE in_fleet), 0) / coalesce(share, 1)
                  + coalesce(sum(created) FILTER (WHERE NOT in_fleet), 0)) AS BIGINT) AS created,
       share IS NOT NULL AS estimated
FROM per_host, share
GROUP BY bucket, share
ORDER BY bucket, starts_with(host, '('), host;
