"""The incident model: cluster, topics, traffic, rollout and the timeline of the cascade.

Every other module reads its facts from here, so the story is told once. All times are
integer milliseconds since the Unix epoch, UTC. Choices made where the public facts stop
(version, broker count, heap, step times, traffic share) are documented in
``sample_logs/README.md`` and repeated in ``truth.json``.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field

KAFKA_VERSION = "3.7.1"
KAFKA_COMMIT_ID = "e2494e739ea8f0df"
INTER_BROKER_PROTOCOL = "3.7-IV4"
ZOOKEEPER_VERSION = "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC"
JDK_VERSION = "17.0.12+7"
CLUSTER_ID = "4L6g3nShT-eMCtK--X86sw"
ZK_CONNECT = "zk-1:2181,zk-2:2181,zk-3:2181/kafka"
LOG_DIR = "/var/lib/kafka/data"

DAY_MS = calendar.timegm((2025, 8, 28, 0, 0, 0)) * 1000
"""2025-08-28T00:00:00Z."""


def at(clock: str, day_offset: int = 0) -> int:
    """``"03:53:07.412"`` on 2025-08-28 (UTC) as epoch milliseconds."""
    hms, _, frac = clock.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    ms = int(frac.ljust(3, "0")) if frac else 0
    return DAY_MS + day_offset * 86_400_000 + ((h * 60 + m) * 60 + s) * 1000 + ms


WINDOW_START = at("00:00:00")
WINDOW_END = at("06:00:00")
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

# --- traffic -------------------------------------------------------------------------------

BASE_TRAFFIC_SHARE = 0.01
"""Fraction of PagerDuty's requests rendered at --scale 1 (uniform sampling of requests)."""
BASELINE_NEW_PRODUCERS_PER_HOUR = 50_000
"""Legitimate new producers per hour at full scale (the 'typical number' of the post-mortem)."""
AUDIT_REQUESTS_PER_HOUR = BASELINE_NEW_PRODUCERS_PER_HOUR * 332 / 3
"""API requests per hour on the audited path: at 75 % the buggy producers add 83x the baseline."""
API_FLEET_PODS = 300
"""API pods sharing the requests (events-api 200, rest-api 100); logs exist for two of them."""

FLAG_KEY = "api-key-usage-audit"
ROLLOUT_STEPS: list[tuple[int, int, int]] = [
    (at("01:04:12"), 0, 1),
    (at("01:49:41"), 1, 5),
    (at("02:24:55"), 5, 25),
    (at("02:55:18"), 25, 75),
    (at("04:36:02"), 75, 0),
]
"""(time, from %, to %) of every change of the audit flag; the last one is the rollback."""


def rollout_percent(t: int) -> int:
    """Percentage of API requests that create their own producer at time ``t``."""
    pct = 0
    for when, _, to in ROLLOUT_STEPS:
        if t >= when:
            pct = to
    return pct


# --- cluster -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    broker_id: int
    ip: str

    @property
    def host(self) -> str:
        return f"kafka-{self.broker_id}"


BROKERS = [Broker(i, f"10.20.1.{10 + i}") for i in range(1, 6)]
BROKER_IDS = [b.broker_id for b in BROKERS]
ZK_SERVERS = [("zk-1", "10.20.0.11"), ("zk-2", "10.20.0.12"), ("zk-3", "10.20.0.13")]


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    record_bytes: int
    """Mean record size, for segment rolls (full-scale offsets)."""
    records_per_s: float
    """Full-scale records per second over the whole topic when not driven by the storm."""
    segment_bytes: int
    compacted: bool = False
    topic_id: str = ""
    segment_ms: int = 0
    """Time-based roll (``segment.ms``) when set on the topic; 0 = the 7-day default."""


TOPICS = [
    Topic("api-audit-events", 24, 620, 0.0, 104_857_600, topic_id="Qm9ZfV1cR2mX0kTtq7yA3w", segment_ms=HOUR_MS),
    Topic("events-ingest", 24, 1_150, 2_050.0, 1_073_741_824, topic_id="b3JkZXJzLWluZ2VzdA0xAA"),
    Topic("incident-updates", 12, 900, 310.0, 536_870_912, topic_id="aW5jLXVwZGF0ZXMtMDAwMQ"),
    Topic("notification-requests", 12, 700, 420.0, 536_870_912, topic_id="bm90aWYtcmVxdWVzdHMtMQ"),
    Topic("billing-usage", 6, 480, 35.0, 268_435_456, topic_id="YmlsbGluZy11c2FnZS0wMQ"),
    Topic("user-profiles", 6, 2_000, 4.0, 104_857_600, compacted=True, topic_id="dXNlci1wcm9maWxlcy0wMQ"),
    Topic("__consumer_offsets", 50, 160, 60.0, 104_857_600, compacted=True, topic_id="X19jb25zdW1lcl9vZmZzZXQ"),
]
TOPIC_BY_NAME = {t.name: t for t in TOPICS}
AUDIT_TOPIC = "api-audit-events"

LEGIT_TOPIC_MIX = [
    ("events-ingest", 0.45),
    ("notification-requests", 0.25),
    ("incident-updates", 0.2),
    ("billing-usage", 0.1),
]
"""Where legitimate new producers write (each producer to one partition)."""

# --- heap ----------------------------------------------------------------------------------

HEAP_MB = 6144
REGION_MB = 2
WALL_FRACTION = 0.985
"""Live heap (fraction of -Xmx) at which G1 can no longer satisfy an allocation."""
HEAP_NON_PRODUCER_MB = {1: 760, 2: 700, 3: 820, 4: 680, 5: 720}
"""Live heap that is not producer state (metadata, caches, purgatories, buffers)."""
SURVIVOR_PEAK_FRACTION = {2: 0.835, 4: 0.815}
"""Peak live heap, as a fraction of -Xmx, of the brokers that bend but do not break."""
LOAD_SHIFT_MB = {1: 330, 2: 260, 4: 240, 5: 300}
"""Extra live heap on a broker each time another broker's partitions and clients move to it."""

# --- the cascade ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A broker that exhausts its heap, and how the operators bring it back."""

    broker_id: int
    oom: int
    """First OutOfMemoryError logged by the broker."""
    session_expired: int
    """ZooKeeper expires the broker's session (the controller sees the broker fail)."""
    sigterm: int
    sigkill: int
    restart: int
    """First line of the new JVM."""
    started: int
    """``[KafkaServer id=N] started`` after log recovery."""


FAILURES = [
    Failure(
        3,
        at("03:53:07.284"),
        at("03:53:29.051"),
        at("04:44:10.118"),
        at("04:46:10.130"),
        at("04:46:24.903"),
        at("04:50:02.644"),
    ),
    Failure(
        1,
        at("04:06:31.602"),
        at("04:06:55.417"),
        at("04:51:37.550"),
        at("04:53:37.561"),
        at("04:53:51.220"),
        at("04:57:21.905"),
    ),
    Failure(
        5,
        at("04:19:48.077"),
        at("04:20:09.846"),
        at("04:58:02.304"),
        at("05:00:02.317"),
        at("05:00:16.771"),
        at("05:03:40.218"),
    ),
]
FAILURE_BY_ID = {f.broker_id: f for f in FAILURES}
CASCADE_ORDER = [f.broker_id for f in FAILURES]

INITIAL_CONTROLLER = 1
INITIAL_CONTROLLER_EPOCH = 7
FAILOVER_CONTROLLER = 2
"""Wins the election when broker 1's session expires."""
FAILOVER_AT = FAILURE_BY_ID[INITIAL_CONTROLLER].session_expired + 486
"""``2 successfully elected as the controller``."""
CONTROLLER_STALLED_AT = at("04:03:41.530")
"""kafka-1, the controller, is in back-to-back Full GCs: AllocateProducerIds requests go unanswered."""
CONTROLLER_READY_DELAY_MS = 2_740
"""From election to ``Ready to serve as the new controller``; AllocateProducerIds waits meanwhile."""
FIRST_BLOCK_START = 41_537_000
"""Next free producer id in ZooKeeper's /latest_producer_id_block at the start of the window."""


def controller_at(t: int) -> tuple[int, int] | None:
    """(active controller id, controller epoch) able to serve requests at ``t``, or None."""
    if t < CONTROLLER_STALLED_AT:
        return INITIAL_CONTROLLER, INITIAL_CONTROLLER_EPOCH
    if t < FAILOVER_AT + CONTROLLER_READY_DELAY_MS:
        return None
    return FAILOVER_CONTROLLER, INITIAL_CONTROLLER_EPOCH + 1


def broker_serving(broker_id: int, t: int) -> bool:
    """Whether the broker answers client requests at ``t`` (not between its OOM and restart)."""
    f = FAILURE_BY_ID.get(broker_id)
    return f is None or not (f.oom <= t < f.started)


EXPIRATION_INITIAL_MS = 86_400_000
EXPIRATION_LOWERED_MS = 3_600_000
EXPIRATION_CHANGED_AT = at("04:42:31.208")
"""kafka-configs --alter --entity-default producer.id.expiration.ms=3600000 (cluster default)."""
EXPIRATION_CHECK_MS = 600_000
EXPIRATION_CHECK_PHASE_MS = {1: 137_411, 2: 402_016, 3: 61_970, 4: 518_233, 5: 289_560}
"""Offset of each broker's PeriodicProducerExpirationCheck within its 10-minute period."""

SERVICES_NORMAL_AT = at("05:41:00")
"""Error rates back to baseline (the public timeline's 10:10, compressed)."""


def expiry_cutoff(broker_id: int, t: int, loaded_at: int | None) -> int | None:
    """Producers created before the returned time are no longer held by ``broker_id`` at ``t``.

    ``None`` means nothing has expired in the window (24 h expiry, no reconfiguration yet).
    ``loaded_at`` is the start of the broker's current JVM when it was restarted in the window.
    """
    cutoff = None
    if loaded_at is not None and loaded_at >= EXPIRATION_CHANGED_AT:
        cutoff = loaded_at - EXPIRATION_LOWERED_MS
    last_check = last_expiration_check(broker_id, t)
    if last_check is not None and last_check >= EXPIRATION_CHANGED_AT:
        cut = last_check - EXPIRATION_LOWERED_MS
        cutoff = cut if cutoff is None else max(cutoff, cut)
    return cutoff


def last_expiration_check(broker_id: int, t: int) -> int | None:
    """Time of the latest PeriodicProducerExpirationCheck on the broker at or before ``t``."""
    phase = EXPIRATION_CHECK_PHASE_MS[broker_id]
    k = (t - DAY_MS - phase) // EXPIRATION_CHECK_MS
    if k < 0:
        return None
    return DAY_MS + phase + k * EXPIRATION_CHECK_MS


# --- run parameters ------------------------------------------------------------------------


NOISE_PER_EXTRA_SCALE = 10
"""Background noise added per scale unit above 1: the committed bundle keeps its background thin to
stay small, while real broker logs (and benchmarks) are mostly background."""


@dataclass
class Plan:
    """What one run of the generator renders: seed, scale and the derived volumes."""

    seed: int
    scale: float
    traffic_share: float = field(init=False)
    noise: float = field(init=False)

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        self.traffic_share = BASE_TRAFFIC_SHARE * self.scale
        self.noise = self.scale if self.scale <= 1 else 1 + NOISE_PER_EXTRA_SCALE * (self.scale - 1)

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible random stream for one part of the bundle."""
        return random.Random(f"{self.seed}/{name}")


def storm_cumulative_full(t: int) -> float:
    """Producers created by the audit feature from the window start to ``t``, at full scale."""
    total = 0.0
    pct = 0
    last = WINDOW_START
    for when, _, to in ROLLOUT_STEPS:
        if when >= t:
            break
        total += AUDIT_REQUESTS_PER_HOUR * pct / 100 * (when - last) / HOUR_MS
        pct, last = to, when
    total += AUDIT_REQUESTS_PER_HOUR * pct / 100 * (max(t, last) - last) / HOUR_MS
    return total


AUTO_BALANCE_PHASE_MS = 117_406
"""The active controller checks leader balance every 5 minutes from this offset in the hour."""


def auto_balance_ticks() -> list[int]:
    """Times of the controller's ``Processing automatic preferred replica leader election``."""
    return list(range(WINDOW_START + AUTO_BALANCE_PHASE_MS, WINDOW_END, 300_000))


REBALANCE_AT = next(t for t in auto_balance_ticks() if t >= FAILURE_BY_ID[5].started + 60_000)
"""First auto-balance check with every broker back and in sync: leadership returns home."""
