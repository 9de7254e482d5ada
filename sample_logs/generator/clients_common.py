"""Logger names and the client-side view of the cascade, shared by the client hosts."""

from __future__ import annotations

from . import scenario as sc

KP = "org.apache.kafka.clients.producer.KafkaProducer"
APPINFO = "org.apache.kafka.common.utils.AppInfoParser"
METRICS = "org.apache.kafka.common.metrics.Metrics"
NETWORK = "org.apache.kafka.clients.NetworkClient"
SENDER = "org.apache.kafka.clients.producer.internals.Sender"
TXN = "org.apache.kafka.clients.producer.internals.TransactionManager"
META = "org.apache.kafka.clients.Metadata"
COLLECTOR = "org.apache.kafka.common.telemetry.internals.KafkaMetricsCollector"

NOT_LEADER = (
    "org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended only for the leader, "
    "this error indicates that the broker is not the current leader. For requests intended for any replica, "
    "this error indicates that the broker is not a replica of the topic partition."
)


def failing_share(t: int) -> float:
    """Share of audit sends that fail at ``t`` (leaders moving, then partitions under min ISR)."""
    f3, f1, f5 = (sc.FAILURE_BY_ID[b] for b in sc.CASCADE_ORDER)
    if t < f3.oom - 300_000:
        return 0.0
    if t < f1.oom:
        return 0.07
    if t < f5.session_expired:
        return 0.22
    return 0.72
