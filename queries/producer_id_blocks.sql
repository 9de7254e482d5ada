-- name: producer_id_blocks
-- title: Producer-ID blocks allocated per time bucket and broker
-- description: Producer IDs handed out, from the broker/controller block-allocation lines (one line per
--   1000 IDs, in every version's wording). KRaft controllers all replay the same record, so each block
--   (first producer ID) is counted once. `ids` is the number of IDs, `cumulative_ids` the running total
--   per broker over the buckets shown.
-- param: bucket INTERVAL = '1 hour'  -- width of a time bucket
WITH blocks AS (
    SELECT producer_id, any_value(broker_id) AS broker_id, min(ts) AS ts, any_value(count) AS size
    FROM broker_events
    WHERE kind = 'producer_id_block'
    GROUP BY producer_id
),
per_bucket AS (
    SELECT time_bucket($bucket, ts) AS bucket, broker_id, count(*) AS blocks, sum(size) AS ids
    FROM blocks
    GROUP BY ALL
)
SELECT bucket, broker_id, blocks, ids,
       sum(ids) OVER (PARTITION BY broker_id ORDER BY bucket) AS cumulative_ids
FROM per_bucket
ORDER BY bucket, broker_id;
