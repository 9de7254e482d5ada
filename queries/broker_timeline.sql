-- name: broker_timeline
-- title: Broker lifecycle and failure events in time order
-- description: Starts, shutdowns, failures seen by the controller, controller moves, OOMs, fatal errors,
--   unclean recoveries and ZooKeeper session loss, with the file and line each comes from. Noisy kinds
--   (snapshots, block allocations, per-partition ISR, leader and follower changes, who-is-the-controller
--   notes, config dumps) are left out; query
--   broker_events for them.
SELECT e.ts, e.host, e.kind, e.broker_id, e.detail, s.path AS source, e.line_start
FROM broker_events e JOIN sources s USING (source_id)
WHERE e.kind NOT IN ('producer_snapshot', 'producer_id_block', 'isr_shrink', 'isr_expand', 'isr_updated', 'leader_change',
                     'follower_change', 'offline_leader_elected', 'controller_seen', 'broker_config')
ORDER BY e.ts, e.host, e.line_start;
