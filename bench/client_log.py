"""A realistic client application log of any size, fast: logback's default layout, seeded, streamed to disk.

The shape of the 28 August API pods, in the layout with no date (``HH:mm:ss.SSS [thread] LEVEL logger -
msg``): request metrics, a producer per request (metrics collector, ``Instantiated an idempotent
producer.``, AppInfo with ``startTimeMs`` — which dates the file —, Cluster ID, ``ProducerId set to …``,
``Closing … timeoutMillis = 60000 ms.``, metrics and AppInfo teardown), produce errors, and ~1 % of
requests failing with a stack trace. It starts at 23:30 and, from about 150 MB, runs past midnight, so the day bump is
part of the measurement.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

KP = "o.a.k.clients.producer.KafkaProducer"
APPINFO = "o.a.kafka.common.utils.AppInfoParser"
LIFE = [
    (0, "{d}", "o.a.k.c.t.i.KafkaMetricsCollector", "initializing Kafka metrics collector"),
    (1, "{d}", KP, "[Producer clientId=producer-{n}] Instantiated an idempotent producer."),
    (3, "{d}", APPINFO, "Kafka version: 3.7.1"),
    (3, "{d}", APPINFO, "Kafka commitId: e2494e739ea8f0df"),
    (3, "{d}", APPINFO, "Kafka startTimeMs: {epoch}"),
    (6, "kafka-producer-network-thread | producer-{n}", "org.apache.kafka.clients.Metadata",
     "[Producer clientId=producer-{n}] Cluster ID: 4L6g3nShT-eMCtK--X86sw"),
    (9, "kafka-producer-network-thread | producer-{n}", "o.a.k.c.p.i.TransactionManager",
     "[Producer clientId=producer-{n}] ProducerId set to {pid} with epoch 0"),
    (30, "{d}", KP, "[Producer clientId=producer-{n}] Closing the Kafka producer with timeoutMillis = 60000 ms."),
    (31, "{d}", "o.a.k.common.metrics.Metrics", "Metrics scheduler closed"),
    (31, "{d}", "o.a.k.common.metrics.Metrics", "Closing reporter org.apache.kafka.common.metrics.JmxReporter"),
    (31, "{d}", "o.a.k.common.metrics.Metrics", "Metrics reporters closed"),
    (32, "{d}", APPINFO, "App info kafka.producer for producer-{n} unregistered"),
]
APP = [
    ("c.e.eventsapi.ingest.IngestController", "accepted event batch {u} from account {a} ({m} events)"),
    ("c.e.eventsapi.auth.ApiKeyFilter", "api key {u} authenticated for account {a}"),
    ("c.e.audit.ApiUsageAuditSink", "publishing API usage audit event for request {u}"),
]
WARN = ("o.a.k.clients.producer.internals.Sender", "[Producer clientId=producer-1] Got error produce response with "
        "correlation id {m} on topic-partition events-ingest-{p}, retrying (2147483646 attempts left). Error: "
        "NOT_LEADER_OR_FOLLOWER")
ERROR = ("c.e.audit.ApiUsageAuditSink", "Failed to publish API usage audit event for request {u}")
STACK = (
    "org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s) for api-audit-events-{p}:120000 ms has "
    "passed since batch creation\n"
)
START = datetime(2025, 8, 27, 23, 30, 0)


def _line(t: datetime, thread: str, level: str, logger: str, msg: str) -> str:
    return f"{t.strftime('%H:%M:%S')}.{t.microsecond // 1000:03d} [{thread}] {level:<5} {logger} - {msg}\n"


def write_client_log(path: Path, target_bytes: int, seed: int = 1) -> int:
    """Write about ``target_bytes`` of client log; returns the number of producers in it."""
    rng = random.Random(seed)
    written = producers = 0
    t = START
    epoch0 = int((START - datetime(1970, 1, 1)).total_seconds() * 1000)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        while written < target_bytes:
            chunk = []
            for _ in range(2_000):
                t += timedelta(milliseconds=rng.randrange(1, 60))
                d = f"events-api-pekko.kafka.default-dispatcher-{rng.randrange(8, 41)}"
                u, a, m, p = f"{rng.getrandbits(64):016x}", rng.randrange(10**6), rng.randrange(1, 500), rng.randrange(24)
                for logger, msg in APP[:2]:
                    chunk.append(_line(t, d, "INFO", logger, msg.format(u=u, a=a, m=m)))
                producers += 1
                n, pid = producers + 2, 41_537_000 + producers
                epoch = epoch0 + int((t - START).total_seconds() * 1000) + 3
                for offset, thread, logger, msg in LIFE:
                    when = t + timedelta(milliseconds=offset)
                    chunk.append(_line(when, thread.format(d=d, n=n), "INFO", logger, msg.format(n=n, pid=pid, epoch=epoch)))
                roll = rng.random()
                if roll < 0.03:
                    chunk.append(_line(t, "kafka-producer-network-thread | producer-1", "WARN", WARN[0], WARN[1].format(m=m, p=p)))
                elif roll < 0.04:
                    chunk.append(_line(t, d, "WARN", ERROR[0], ERROR[1].format(u=u)) + STACK.format(p=p))
            text = "".join(chunk)
            out.write(text)
            written += len(text)
    return producers


if __name__ == "__main__":
    print(write_client_log(Path(sys.argv[1]), int(float(sys.argv[2]) * 1e6)))
