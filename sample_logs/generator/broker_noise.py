"""Background of every broker: what a healthy 3.7 ZooKeeper-mode broker logs anyway.

Consumer-group rebalances, expired-offset sweeps, segment rolls with their producer
snapshots, retention deletions, compaction runs (log-cleaner.log), the active controller's
auto-rebalance checks (controller.log, TRACE/DEBUG included as Kafka's default config
does), and unrelated WARN/ERROR lines with stack traces (HTTP and TLS probes on the
plaintext port, a client writing keyless records to a compacted topic, responses to
clients that already left). Rates scale with ``--scale``; nothing is logged by a broker
between its OOM and the end of its restart.
"""

from __future__ import annotations

import random
import time
import uuid

from . import scenario as sc
from . import templates as tpl
from .context import Context
from .partitions import TP, tp_name

GROUPS = [
    "notification-workers",
    "incident-timeline-indexer",
    "events-enricher",
    "billing-aggregator",
    "analytics-sink",
    "audit-archiver",
    "escalation-scheduler",
    "webhook-dispatcher",
]


def java_hash(s: str) -> int:
    h = 0
    for ch in s:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def offsets_partition(group: str) -> int:
    return (java_hash(group) & 0x7FFFFFFF) % 50


def broker_quiet(broker_id: int, t: int) -> bool:
    """True while the broker logs no background (from its OOM until it has started again)."""
    f = sc.FAILURE_BY_ID.get(broker_id)
    return f is not None and f.oom <= t < f.started


class Poisson:
    """Event times of a Poisson process with a rate per hour."""

    def __init__(self, rng: random.Random, per_hour: float, start: int) -> None:
        self.rng = rng
        self.mean_ms = 3_600_000 / per_hour if per_hour > 0 else float("inf")
        self.next = start + self._gap()

    def _gap(self) -> int:
        return 1 + int(self.rng.expovariate(1.0) * self.mean_ms) if self.mean_ms != float("inf") else 1 << 60

    def due(self, t1: int) -> list[int]:
        out = []
        while self.next < t1:
            out.append(self.next)
            self.next += self._gap()
        return out


class BrokerNoise:
    """Background lines of one broker."""

    def __init__(self, ctx: Context, broker_id: int) -> None:
        self.ctx = ctx
        self.b = broker_id
        self.rng = ctx.plan.rng(f"noise/{broker_id}")
        rate = ctx.plan.noise
        start = sc.WINDOW_START
        self.groups = [
            g for g in GROUPS if ctx.partitions.replicas[("__consumer_offsets", offsets_partition(g))][0] == broker_id
        ]
        self.generation = {g: 1200 + self.rng.randrange(3000) for g in self.groups}
        self.procs = {
            "rebalance": Poisson(self.rng, 3.5 * rate * max(1, len(self.groups)), start),
            "http_probe": Poisson(self.rng, 2.0 * rate, start),
            "tls_probe": Poisson(self.rng, 0.9 * rate, start),
            "keyless": Poisson(self.rng, 1.1 * rate, start),
            "gone_client": Poisson(self.rng, 1.6 * rate, start),
            "cleaner": Poisson(self.rng, 2.5 * rate, start),
        }
        self.sweep_next = start + self.rng.randrange(600_000)
        self.rolls = sorted(
            (t, off, tp) for tp in ctx.partitions.hosted_by(broker_id) for t, off in ctx.partitions.rolls(tp)
        )
        self.roll_i = 0
        self.pending_deletes: list[tuple[int, TP, str, int]] = []
        self.compacted = [tp for tp in ctx.partitions.hosted_by(broker_id) if sc.TOPIC_BY_NAME[tp[0]].compacted]
        self.keyless_tps = [tp for tp in ctx.partitions.led_by(broker_id) if tp[0] == "user-profiles"]

    def run(self, t0: int, t1: int) -> None:
        for name, proc in self.procs.items():
            for t in proc.due(t1):
                if not broker_quiet(self.b, t):
                    getattr(self, name)(t)
        while self.sweep_next < t1:
            if not broker_quiet(self.b, self.sweep_next):
                self.log(
                    self.sweep_next,
                    "INFO",
                    f"[GroupMetadataManager brokerId={self.b}] Removed 0 expired offsets "
                    f"in {self.rng.randrange(0, 3)} milliseconds.",
                    "kafka.coordinator.group.GroupMetadataManager",
                )
            self.sweep_next += 600_000
        while self.roll_i < len(self.rolls) and self.rolls[self.roll_i][0] < t1:
            t, off, tp = self.rolls[self.roll_i]
            self.roll_i += 1
            t += self.b * 37
            if not broker_quiet(self.b, t):
                self.roll(t, tp, off)
        due = [d for d in self.pending_deletes if d[0] < t1]
        self.pending_deletes = [d for d in self.pending_deletes if d[0] >= t1]
        for t, tp, seg, base in due:
            if not broker_quiet(self.b, t):
                self.delete_files(t, tp, seg, base)

    def log(self, t: int, level: str, msg: str, logger: str, stack: str = "") -> None:
        self.ctx.broker_log(self.b).add(t, self.ctx.line(t, level, msg, logger, stack))

    # --- kinds ---------------------------------------------------------------------------

    def rebalance(self, t: int) -> None:
        if not self.groups:
            return
        g = self.rng.choice(self.groups)
        part = offsets_partition(g)
        gen = self.generation[g]
        self.generation[g] = gen + 1
        members = 3 + self.rng.randrange(9)
        member = f"consumer-{g}-{self.rng.randrange(1, 4)}-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
        prefix = f"[GroupCoordinator {self.b}]: "
        logger = "kafka.coordinator.group.GroupCoordinator"
        if self.rng.random() < 0.5:
            reason = f"Removing member {member} on LeaveGroup; client reason: the consumer is being closed"
        else:
            self.log(t, "INFO", f"{prefix}Member {member} in group {g} has failed, removing it from the group", logger)
            reason = f"removing member {member} on heartbeat expiration"
        t += 1
        self.log(
            t,
            "INFO",
            f"{prefix}Preparing to rebalance group {g} in state PreparingRebalance with old generation "
            f"{gen} (__consumer_offsets-{part}) (reason: {reason})",
            logger,
        )
        t += 2_000 + self.rng.randrange(3_500)
        if self.rng.random() < 0.5:
            new = f"consumer-{g}-{self.rng.randrange(1, 4)}-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
            self.log(
                t - 900,
                "INFO",
                f"{prefix}Dynamic member with unknown member id joins group {g} in "
                f"PreparingRebalance state. Created a new member id {new} and request the member to rejoin with "
                "this id.",
                logger,
            )
        self.log(
            t,
            "INFO",
            f"{prefix}Stabilized group {g} generation {gen + 1} (__consumer_offsets-{part}) with {members} members",
            logger,
        )
        t += 3 + self.rng.randrange(40)
        leader = f"consumer-{g}-1-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
        self.log(
            t,
            "INFO",
            f"{prefix}Assignment received from leader {leader} for group {g} for generation "
            f"{gen + 1}. The group has {members} members, 0 of which are static.",
            logger,
        )

    def _client(self) -> tuple[str, str]:
        ip = f"10.20.{self.rng.choice((9, 12, 33, 44, 64, 65))}.{self.rng.randrange(2, 250)}"
        channel = f"10.20.1.{10 + self.b}:9092-{ip}:{self.rng.randrange(32768, 60999)}-{self.rng.randrange(1, 4000)}"
        return ip, channel

    def http_probe(self, t: int, size: int = 1195725856) -> None:
        ip, channel = self._client()
        self.log(
            t,
            "WARN",
            f"[SocketServer listenerType=ZK_BROKER, nodeId={self.b}] Unexpected error from /{ip} "
            f"(channelId={channel}); closing connection",
            "org.apache.kafka.common.network.Selector",
            tpl.INVALID_RECEIVE.replace("1195725856", str(size)),
        )

    def tls_probe(self, t: int) -> None:
        self.http_probe(t, 369296128)

    def keyless(self, t: int) -> None:
        if not self.keyless_tps:
            return
        tp = self.rng.choice(self.keyless_tps)
        self.log(
            t,
            "ERROR",
            f"[ReplicaManager broker={self.b}] Error processing append operation on partition {tp_name(tp)}",
            "kafka.server.ReplicaManager",
            tpl.COMPACTED_NO_KEY.format(tp=tp_name(tp)),
        )

    def gone_client(self, t: int) -> None:
        _, channel = self._client()
        self.log(
            t,
            "WARN",
            f"Attempting to send response via channel for which there is no open connection, connection id {channel}",
            "kafka.network.Processor",
        )

    def roll(self, t: int, tp: TP, offset: int) -> None:
        name = tp_name(tp)
        prefix = f"[LocalLog partition={name}, dir={sc.LOG_DIR}] "
        self.log(
            t,
            "INFO",
            f"{prefix}Rolled new log segment at offset {offset} in {1 + self.rng.randrange(4)} ms.",
            "kafka.log.LocalLog",
        )
        ids = self.ctx.partitions.producer_ids(tp, self.b, t)
        full_ids = ids / self.ctx.plan.traffic_share if tp[0] == sc.AUDIT_TOPIC else ids
        ms = 1 + int(full_ids / 9_000) + self.rng.randrange(3)
        t += ms + 1
        self.log(
            t,
            "INFO",
            f"[ProducerStateManager partition={name}] Wrote producer snapshot at offset {offset} with "
            f"{ids} producer ids in {ms} ms.",
            "org.apache.kafka.storage.internals.log.ProducerStateManager",
        )
        if tp[0] != sc.AUDIT_TOPIC and not sc.TOPIC_BY_NAME[tp[0]].compacted:
            check = t + 300_000 - (t - sc.WINDOW_START) % 300_000 + self.b * 211
            if not broker_quiet(self.b, check):
                self.retention(check, tp)

    def retention(self, t: int, tp: TP) -> None:
        topic = sc.TOPIC_BY_NAME[tp[0]]
        per_segment = topic.segment_bytes // topic.record_bytes
        start = self.ctx.partitions.offset(tp, sc.WINDOW_START) - 7 * 24 * 3600 * int(self.ctx.partitions.rate[tp])
        base = max(0, start - start % 1000)
        name = tp_name(tp)
        seg = self._segment(tp, base, per_segment)
        logger = "kafka.log.UnifiedLog"
        prefix = f"[UnifiedLog partition={name}, dir={sc.LOG_DIR}] "
        self.log(
            t,
            "INFO",
            f"{prefix}Deleting segment {seg} due to log retention time 604800000ms breach based on "
            "the largest record timestamp in the segment",
            logger,
        )
        self.log(
            t + 1,
            "INFO",
            f"{prefix}Incremented log start offset to {base + per_segment} due to SegmentDeletion",
            logger,
        )
        self.pending_deletes.append((t + 60_000 + self.rng.randrange(30), tp, seg, base))

    def _segment(self, tp: TP, base: int, per_segment: int) -> str:
        topic = sc.TOPIC_BY_NAME[tp[0]]
        modified = sc.WINDOW_START - 7 * 86_400_000 - self.rng.randrange(3_600_000)
        size = topic.segment_bytes - self.rng.randrange(topic.record_bytes * 3)
        return (
            f"LogSegment(baseOffset={base}, size={size}, lastModifiedTime={modified // 1000 * 1000}, "
            f"largestRecordTimestamp=Some({modified - self.rng.randrange(900)}))"
        )

    def delete_files(self, t: int, tp: TP, seg: str, base: int) -> None:
        name = tp_name(tp)
        self.log(
            t,
            "INFO",
            f"[LocalLog partition={name}, dir={sc.LOG_DIR}] Deleting segment files {seg}",
            "kafka.log.LocalLog$",
        )
        path = f"{sc.LOG_DIR}/{name}/{base:020d}"
        logger = "org.apache.kafka.storage.internals.log.LogSegment"
        self.log(t + 2, "INFO", f"Deleted log {path}.log.deleted.", logger)
        self.log(t + 2, "INFO", f"Deleted offset index {path}.index.deleted.", logger)
        self.log(t + 2, "INFO", f"Deleted time index {path}.timeindex.deleted.", logger)
        self.log(
            t + 3,
            "INFO",
            f"Deleted producer state snapshot {path}.snapshot.deleted",
            "org.apache.kafka.storage.internals.log.SnapshotFile",
        )

    def cleaner(self, t: int) -> None:
        if not self.compacted:
            return
        tp = self.rng.choice(self.compacted)
        name = tp_name(tp)
        dirty_start = self.ctx.partitions.offset(tp, t) - self.rng.randrange(500, 20_000)
        dirty_end = dirty_start + self.rng.randrange(300, 5_000)
        msgs = dirty_end - dirty_start
        kept = max(1, int(msgs * (0.02 + 0.2 * self.rng.random())))
        log = self.ctx.cleaner_log(self.b)
        lg = "kafka.log.LogCleaner"

        def line(dt: int, msg: str) -> None:
            log.add(t + dt, self.ctx.line(t + dt, "INFO", msg, lg))

        horizon = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime((t - 86_400_000) // 1000))
        prior = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime((t - 4_000) // 1000))
        line(0, f"Cleaner 0: Beginning cleaning of log {name}")
        line(0, f"Cleaner 0: Building offset map for {name}...")
        line(
            1,
            f"Cleaner 0: Building offset map for log {name} for 1 segments in offset range "
            f"[{dirty_start}, {dirty_end}).",
        )
        line(9, f"Cleaner 0: Offset map for log {name} complete.")
        line(
            9,
            f"Cleaner 0: Cleaning log {name} (cleaning prior to {prior}, discarding tombstones prior to upper "
            f"bound deletion horizon {horizon})...",
        )
        size_mb = msgs * sc.TOPIC_BY_NAME[tp[0]].record_bytes / 1e6
        secs = 0.02 + self.rng.random() * 0.2
        pct = 100 * (1 - kept / msgs)
        summary = (
            f"[kafka-log-cleaner-thread-0]: \n\tLog cleaner thread 0 cleaned log {name} (dirty section = "
            f"[{dirty_start}, {dirty_end}])\n\t{size_mb:.1f} MB of log processed in {secs:.1f} seconds "
            f"({size_mb / secs:.1f} MB/sec).\n\tIndexed {size_mb:.1f} MB in {secs * 0.4:.1f} seconds "
            f"({size_mb / secs / 0.4:.1f} Mb/sec, 40.1% of total time)\n\tBuffer utilization: 0.0%\n\t"
            f"Cleaned {size_mb:.1f} MB in {secs * 0.6:.1f} seconds ({size_mb / secs / 0.6:.1f} Mb/sec, 59.9% "
            f"of total time)\n\tStart size: {size_mb:.1f} MB ({msgs} messages)\n\tEnd size: "
            f"{size_mb * kept / msgs:.1f} MB ({kept} messages)\n\t{pct:.1f}% size reduction ({pct:.1f}% fewer "
            "messages)\n"
        )
        dt = 12 + int(secs * 1000)
        log.add(t + dt, f"[{self.ctx.clock(t + dt)}] INFO {summary} ({lg})\n")


class ControllerChecks:
    """The active controller's auto leader-balance check every 5 minutes (controller.log)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.next = sc.WINDOW_START + sc.AUTO_BALANCE_PHASE_MS

    def run(self, t0: int, t1: int) -> None:
        while self.next < t1:
            t = self.next
            self.next += 300_000
            ctrl = sc.controller_at(t)
            if ctrl is None or t == sc.REBALANCE_AT:
                continue
            self.check(t, ctrl[0])

    def check(self, t: int, c: int, imbalance: dict[int, list[str]] | None = None) -> None:
        log = self.ctx.controller_log(c)
        lg = "kafka.controller.KafkaController"
        p = f"[Controller id={c}] "
        log.add(t, self.ctx.line(t, "INFO", p + "Processing automatic preferred replica leader election", lg))
        log.add(t, self.ctx.line(t, "TRACE", p + "Checking need to trigger auto leader balancing", lg))
        for b in sc.BROKER_IDS:
            if sc.broker_serving(b, t) or (b == c):
                moved = (imbalance or {}).get(b, [])
                listing = ", ".join(moved)
                log.add(
                    t + 1,
                    self.ctx.line(
                        t + 1, "DEBUG", f"{p}Topics not in preferred replica for broker {b} HashMap({listing})", lg
                    ),
                )
                ratio = len(moved) / max(1, sum(1 for reps in self.ctx.partitions.replicas.values() if reps[0] == b))
                log.add(
                    t + 1, self.ctx.line(t + 1, "TRACE", f"{p}Leader imbalance ratio for broker {b} is {ratio}", lg)
                )
