"""A large, realistic broker server.log for benchmarks, written fast.

Record bodies are rendered once from line templates (24 single-line kinds, WARN/ERROR kinds
with Java stack traces on ~1.7 % of records, a ``KafkaConfig values:`` dump every ~700k
records); writing then only prefixes timestamps and joins chunks, so the rate is bounded by
string joins rather than by formatting.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from . import scenario as sc
from . import templates as tpl

_INFO = [
    "[GroupCoordinator {b}]: Preparing to rebalance group {g} in state PreparingRebalance with old generation {n} "
    "(__consumer_offsets-{p}) (reason: removing member consumer-{g}-1-{u} on heartbeat expiration) "
    "(kafka.coordinator.group.GroupCoordinator)",
    "[GroupCoordinator {b}]: Stabilized group {g} generation {n} (__consumer_offsets-{p}) with {k} members "
    "(kafka.coordinator.group.GroupCoordinator)",
    "[GroupCoordinator {b}]: Assignment received from leader consumer-{g}-1-{u} for group {g} for generation {n}. "
    "The group has {k} members, 0 of which are static. (kafka.coordinator.group.GroupCoordinator)",
    "[GroupCoordinator {b}]: Member consumer-{g}-2-{u} in group {g} has failed, removing it from the group "
    "(kafka.coordinator.group.GroupCoordinator)",
    "[GroupMetadataManager brokerId={b}] Removed 0 expired offsets in {k} milliseconds. "
    "(kafka.coordinator.group.GroupMetadataManager)",
    "[LocalLog partition={tp}, dir=/var/lib/kafka/data] Rolled new log segment at offset {o} in {k} ms. "
    "(kafka.log.LocalLog)",
    "[ProducerStateManager partition={tp}] Wrote producer snapshot at offset {o} with {n} producer ids in {k} ms. "
    "(org.apache.kafka.storage.internals.log.ProducerStateManager)",
    "[UnifiedLog partition={tp}, dir=/var/lib/kafka/data] Incremented log start offset to {o} due to SegmentDeletion "
    "(kafka.log.UnifiedLog)",
    "Deleted log /var/lib/kafka/data/{tp}/{o:020d}.log.deleted. (org.apache.kafka.storage.internals.log.LogSegment)",
    "Deleted offset index /var/lib/kafka/data/{tp}/{o:020d}.index.deleted. "
    "(org.apache.kafka.storage.internals.log.LogSegment)",
    "Deleted time index /var/lib/kafka/data/{tp}/{o:020d}.timeindex.deleted. "
    "(org.apache.kafka.storage.internals.log.LogSegment)",
    "Deleted producer state snapshot /var/lib/kafka/data/{tp}/{o:020d}.snapshot.deleted "
    "(org.apache.kafka.storage.internals.log.SnapshotFile)",
    "[Partition {tp} broker={b}] Shrinking ISR from {b},{c},{d} to {b},{c}. Leader: (highWatermark: {o}, endOffset: "
    "{o2}). Out of sync replicas: (brokerId: {d}, endOffset: {o3}, lastCaughtUpTimeMs: {ms}). "
    "(kafka.cluster.Partition)",
    "[Partition {tp} broker={b}] ISR updated to {b},{c}  and version updated to {n} (kafka.cluster.Partition)",
    "[ReplicaFetcherManager on broker {b}] Removed fetcher for partitions HashSet({tp}) "
    "(kafka.server.ReplicaFetcherManager)",
    "[ReplicaFetcher replicaId={b}, leaderId={c}, fetcherId=0] Truncating partition {tp} with TruncationState(offset="
    "{o}, completed=true) due to leader epoch and offset EpochEndOffset(errorCode=0, partition={p}, leaderEpoch={k}, "
    "endOffset={o}) (kafka.server.ReplicaFetcherThread)",
    "[zk-broker-{b}-to-controller-alter-partition-channel-manager]: Recorded new ZK controller, from now on will use "
    "node kafka-{c}:9092 (id: {c} rack: null) (kafka.server.NodeToControllerRequestThread)",
    "[GroupCoordinator {b}]: Dynamic member with unknown member id joins group {g} in PreparingRebalance state. "
    "Created a new member id consumer-{g}-3-{u} and request the member to rejoin with this id. "
    "(kafka.coordinator.group.GroupCoordinator)",
    "[TransactionCoordinator id={b}] Initialized transactionalId tx-{g}-{k} with producerId {o} and producer "
    "epoch 0 on "
    "partition __transaction_state-{p} (kafka.coordinator.transaction.TransactionCoordinator)",
    "[Admin Manager on Broker {b}]: Updating topic {g}-events with new configuration : retention.ms -> 604800000 "
    "(kafka.server.ZkAdminManager)",
    "Processing notification(s) to /config/changes (kafka.common.ZkNodeChangeNotificationListener)",
    "[Log partition={tp}, dir=/var/lib/kafka/data] Loading producer state till offset {o} with message format "
    "version 2 (kafka.log.UnifiedLog$)",
    "[SocketServer listenerType=ZK_BROKER, nodeId={b}] Failed authentication with /10.20.{k}.{p} "
    "(channelId=10.20.1.1{b}:9092-10.20.{k}.{p}:{n}-{k}) (Unexpected Kafka request of type METADATA during SASL "
    "handshake.) (org.apache.kafka.common.network.Selector)",
    "[KafkaServer id={b}] Rejected connection from /10.20.{k}.{p}, address already has the configured maximum of "
    "{k} connections. (kafka.network.ConnectionQuotas)",
]
_DEBUG = [
    "[Controller id={b}] Topics not in preferred replica for broker {c} HashMap() (kafka.controller.KafkaController)"
]
_WARN_PLAIN = [
    "Attempting to send response via channel for which there is no open connection, connection id "
    "10.20.1.1{b}:9092-10.20.{k}.{p}:{n}-{k} (kafka.network.Processor)"
]
_WARN_STACK = [
    (
        "[SocketServer listenerType=ZK_BROKER, nodeId={b}] Unexpected error from /10.20.{k}.{p} (channelId="
        "10.20.1.1{b}:9092-10.20.{k}.{p}:{n}-{k}); closing connection (org.apache.kafka.common.network.Selector)",
        tpl.INVALID_RECEIVE,
    ),
    (
        "[ReplicaFetcher replicaId={b}, leaderId={c}, fetcherId=0] Error in response for fetch request "
        "(type=FetchRequest, replicaId={b}, maxWait=500, minBytes=1, maxBytes=10485760, fetchData={{}}, "
        "isolationLevel=READ_UNCOMMITTED, removed=, replaced=, metadata=(sessionId={n}, epoch={k}), rackId=) "
        "(kafka.server.ReplicaFetcherThread)",
        tpl.FETCH_DISCONNECTED.replace("{leader}", "{c}"),
    ),
]
_ERROR_STACK = [
    (
        "[ReplicaManager broker={b}] Error processing append operation on partition {tp} (kafka.server.ReplicaManager)",
        tpl.COMPACTED_NO_KEY.replace("{tp}", "{tp}"),
    ),
    (
        "[KafkaApi-{b}] Unexpected error handling request RequestHeader(apiKey=PRODUCE, apiVersion=9, "
        "clientId=producer-{n}, correlationId={k}, headerVersion=2) -- ProduceRequestData(transactionalId=null, "
        "acks=-1, timeoutMs=30000, topicData=[]) with context RequestContext(header=..., connectionId='{tp}') "
        "(kafka.server.KafkaApis)",
        tpl.OOM_PRODUCE,
    ),
]
_GROUPS = ["notification-workers", "events-enricher", "analytics-sink", "audit-archiver", "webhook-dispatcher"]
_TOPICS = ["events-ingest", "incident-updates", "notification-requests", "api-audit-events", "user-profiles"]


def _fill(template: str, rng: random.Random) -> str:
    b, c, d = rng.sample(range(1, 6), 3)
    o = rng.randrange(10_000, 99_000_000)
    return template.format(
        b=b,
        c=c,
        d=d,
        g=rng.choice(_GROUPS),
        n=rng.randrange(100, 60_000),
        k=rng.randrange(1, 90),
        p=rng.randrange(50),
        u=f"{rng.getrandbits(128):032x}",
        tp=f"{rng.choice(_TOPICS)}-{rng.randrange(24)}",
        o=o,
        o2=o + rng.randrange(50),
        o3=o - rng.randrange(5_000),
        ms=1756339200000 + rng.randrange(21_600_000),
    )


def _pool(rng: random.Random, size: int = 4096) -> tuple[list[str], list[float]]:
    """Rendered bodies (``LEVEL message (logger)\\n`` + stack) and their cumulative weights."""
    bodies: list[str] = []
    weights: list[float] = []
    kinds: list[tuple[str, list[str] | list[tuple[str, str]], float]] = [
        ("INFO", _INFO, 0.963),
        ("DEBUG", _DEBUG, 0.01),
        ("WARN", _WARN_PLAIN, 0.01),
        ("WARN", _WARN_STACK, 0.01),
        ("ERROR", _ERROR_STACK, 0.007),
    ]
    for level, templates, share in kinds:
        n = max(8, int(size * share))
        for _ in range(n):
            item = rng.choice(templates)
            if isinstance(item, tuple):
                head, stack = item
                body = f"{level} {_fill(head, rng)}\n{_fill(stack, rng) if '{' in stack else stack}"
            else:
                body = f"{level} {_fill(item, rng)}\n"
            bodies.append(body)
            weights.append(share / n)
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    return bodies, cum


def write_server_log(path: str | Path, target_bytes: int, seed: int = 1) -> dict[str, int]:
    """Write a broker server.log of about ``target_bytes``; return bytes, lines and records written."""
    rng = random.Random(seed)
    bodies, cum = _pool(rng)
    config = f"INFO {tpl.kafka_config(1)} (kafka.server.KafkaConfig)\n"
    ts = sc.WINDOW_START
    sec = -1
    prefix = ""
    written = lines = records = 0
    since_config = 700_000
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as fh:
        while written < target_bytes:
            picks = rng.choices(bodies, cum_weights=cum, k=8192)
            steps = rng.choices((0, 0, 1, 1, 2, 3, 5, 8, 13, 40), k=8192)
            out = []
            for body, dt in zip(picks, steps, strict=False):
                ts += dt
                s = ts // 1000
                if s != sec:
                    sec = s
                    prefix = time.strftime("[%Y-%m-%d %H:%M:%S,", time.gmtime(s))
                out.append(f"{prefix}{ts % 1000:03d}] {body}")
            since_config += len(out)
            if since_config >= 700_000:
                since_config = 0
                out.append(f"{prefix}{ts % 1000:03d}] {config}")
            chunk = "".join(out)
            fh.write(chunk)
            written += len(chunk.encode("utf-8")) if not chunk.isascii() else len(chunk)
            lines += chunk.count("\n")
            records += len(out)
    return {"bytes": written, "lines": lines, "records": records}
