-- name: producer_id_growth
-- title: Producer IDs per time bucket: allocated in blocks, new producers estimated, producer state held
-- description: Per time bucket, for each broker and for the whole cluster (scope = 'cluster', host NULL):
--   producer-ID blocks handed out (`Acquired new producerId block` lines, each block counted once) and the
--   IDs in them (`ids_allocated`, `cumulative_ids`); the estimated new producers (`new_producers`,
--   `cumulative_new_producers`): the IDs each broker actually handed to clients, read from where it stood
--   in its blocks (a broker asks for its next block when $request_at of the current one is used; every
--   producer ID a client logged pins the broker's position at that moment; a broker restart starts afresh)
--   and spread over time at a rate that is constant between rollout steps (an EM fit: the same estimate
--   is used by rollout_impact, correlation and anomalies); and `producer_ids_held`: the producer IDs in the
--   broker's latest `Wrote producer snapshot … with N producer ids` lines, summed over its partitions as of
--   the end of the bucket (cluster: each partition once, its largest replica).
--   `estimate_coverage` (0–1) is the share of the bucket in which the estimate knows where the broker stood,
--   between two of its grants or pinned IDs (cluster: the mean over brokers). After a broker's last grant it
--   knows nothing, so `new_producers` is NULL (unknown), not 0, where the coverage is 0, and covers only that
--   share of the bucket where it is below 1.
-- param: bucket INTERVAL = '1 hour'  -- width of a time bucket
-- param: request_at DOUBLE = 0.9  -- share of a block used when a broker asks for the next (Kafka 3.x prefetches at 90 %; 1.0 for brokers that allocate on exhaustion)
WITH RECURSIVE
-- include: new_producer_estimate
buckets AS (
    SELECT b AS bucket_start, b + CAST($bucket AS INTERVAL) AS bucket_end
    FROM (
        SELECT min(t) AS lo, max(t) AS hi FROM (
            SELECT ts AS t FROM pid_blocks
            UNION ALL SELECT to_timestamp(min(lo)) FROM pid_pieces UNION ALL SELECT to_timestamp(max(hi)) FROM pid_pieces
            UNION ALL SELECT ts FROM broker_events WHERE kind = 'producer_snapshot'
        )
    ), LATERAL (SELECT unnest(generate_series(time_bucket(CAST($bucket AS INTERVAL), greatest(lo, (SELECT window_start FROM time_window))),
                                              least(hi, (SELECT window_end FROM time_window)), CAST($bucket AS INTERVAL))) AS b)  -- within time_window
    WHERE lo IS NOT NULL
),
brokers AS (
    SELECT DISTINCT broker_id FROM (
        SELECT broker_id FROM pid_blocks
        UNION ALL SELECT h.broker_id FROM broker_events e JOIN hosts h USING (host) WHERE e.kind = 'producer_snapshot'
    ) WHERE broker_id IS NOT NULL
),
allocated AS (
    SELECT time_bucket(CAST($bucket AS INTERVAL), ts) AS bucket_start, broker_id, count(*) AS blocks, sum(size) AS ids
    FROM pid_blocks GROUP BY ALL
),
estimated AS (  -- per broker and bucket: the new producers, and for how many seconds the broker's position is known
    SELECT b.bucket_start, p.broker_id,
           sum(p.per_s * (least(p.hi, epoch(b.bucket_end)) - greatest(p.lo, epoch(b.bucket_start)))) AS ids,
           sum(least(p.hi, epoch(b.bucket_end)) - greatest(p.lo, epoch(b.bucket_start))) AS known_s
    FROM buckets b JOIN pid_pieces p ON p.lo < epoch(b.bucket_end) AND p.hi > epoch(b.bucket_start)
    GROUP BY ALL
),
snapshots AS (
    SELECT e.host, h.broker_id, e.topic, e."partition", e.ts, e.count
    FROM broker_events e LEFT JOIN hosts h USING (host)
    WHERE e.kind = 'producer_snapshot' AND e.ts IS NOT NULL AND e.count IS NOT NULL
),
held_per_replica AS (
    SELECT b.bucket_start, s.broker_id, s.topic, s."partition", s.count
    FROM buckets b
    JOIN (SELECT DISTINCT broker_id, topic, "partition" FROM snapshots) k ON true
    ASOF JOIN snapshots s
        ON s.broker_id IS NOT DISTINCT FROM k.broker_id AND s.topic = k.topic AND s."partition" = k."partition"
       AND s.ts < b.bucket_end
),
per_broker AS (
    SELECT b.bucket_start, k.broker_id,
           coalesce(a.blocks, 0) AS blocks,
           coalesce(a.ids, 0) AS ids_allocated,
           CASE WHEN e.known_s > 0 THEN e.ids END AS new_producers,  -- NULL: not known, not zero
           coalesce(e.known_s, 0) / (epoch(b.bucket_end) - epoch(b.bucket_start)) AS coverage,
           (SELECT sum(count) FROM held_per_replica r WHERE r.bucket_start = b.bucket_start AND r.broker_id = k.broker_id) AS held
    FROM buckets b CROSS JOIN brokers k
    LEFT JOIN allocated a ON a.bucket_start = b.bucket_start AND a.broker_id = k.broker_id
    LEFT JOIN estimated e ON e.bucket_start = b.bucket_start AND e.broker_id = k.broker_id
),
per_cluster AS (
    SELECT bucket_start, NULL::INTEGER AS broker_id, sum(blocks) AS blocks, sum(ids_allocated) AS ids_allocated,
           sum(new_producers) AS new_producers, avg(coverage) AS coverage,
           (SELECT sum(m) FROM (SELECT max(count) AS m FROM held_per_replica r WHERE r.bucket_start = p.bucket_start
                                GROUP BY topic, "partition")) AS held
    FROM per_broker p GROUP BY bucket_start
),
together AS (
    SELECT 'cluster' AS scope, * FROM per_cluster
    UNION ALL
    SELECT 'broker', * FROM per_broker
)
SELECT t.bucket_start,
       t.bucket_start + CAST($bucket AS INTERVAL) AS bucket_end,
       t.scope,
       h.host,
       t.broker_id,
       t.blocks,
       t.ids_allocated,
       sum(t.ids_allocated) OVER w AS cumulative_ids,
       round(t.new_producers, 1) AS new_producers,
       round(sum(t.new_producers) OVER w, 1) AS cumulative_new_producers,
       t.held AS producer_ids_held,
       round(t.coverage, 2) AS estimate_coverage
FROM together t
LEFT JOIN (SELECT broker_id, min(host) AS host FROM hosts WHERE broker_id IS NOT NULL GROUP BY broker_id) h USING (broker_id)
WINDOW w AS (PARTITION BY t.scope, t.broker_id ORDER BY t.bucket_start)
ORDER BY t.bucket_start, t.scope DESC, t.broker_id;
