"""billing-service: a well-behaved Java service with one long-lived producer (log4j layout, UTC).

A deploy restarts it at 01:32, so its log holds the old producer's ``close()`` (timeoutMillis =
9223372036854775807), the new one's full ``ProducerConfig values:`` dump (90 keys, 3.7.1) and its
single ``ProducerId set``; during the cascade it logs retries and failed usage batches.
"""

from __future__ import annotations

from . import scenario as sc
from . import templates as tpl
from .clients_common import APPINFO, COLLECTOR, KP, META, METRICS, NETWORK, SENDER, TXN, failing_share
from .context import Context
from .layouts import Log4jLog
from .traffic import VisibleProducer


class BillingService:
    """One long-lived producer; restarted by a deploy at 01:32, so its config dump is in the window."""

    STOP = sc.at("01:32:03.412")
    START = sc.at("01:32:38.906")
    CLIENT = "billing-usage-producer"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.log = Log4jLog(ctx, "billing-service")
        self.rng = ctx.plan.rng("client/billing")
        self.next_batch = sc.WINDOW_START + self.rng.randrange(120_000)
        self.next_error = sc.FAILURES[0].oom + 2_000 + self.rng.randrange(20_000)
        self.restart_written = False
        self.correlation = 880_000 + self.rng.randrange(10_000)
        self.epoch = 0
        self.producer_id = -1
        self.vp = VisibleProducer("billing-service", self.START + 1_204, 0)

    def run(self, t0: int, t1: int) -> None:
        w = self.log.write
        while self.next_batch < t1:
            t = self.next_batch
            if not self.STOP - 5_000 <= t < self.START + 5_000:
                failing = failing_share(t) > 0.5
                if failing and self.rng.random() < 0.8:
                    w(
                        t,
                        "ERROR",
                        "com.example.billing.usage.UsagePublisher",
                        "usage-publisher-1",
                        "Failed to publish usage batch; will retry with the next window",
                        tpl.CLIENT_TIMEOUT_EXPIRED.format(
                            n=380 + self.rng.randrange(90), tp=f"billing-usage-{self.rng.randrange(6)}"
                        ),
                    )
                else:
                    n = 380 + self.rng.randrange(90)
                    w(
                        t,
                        "INFO",
                        "com.example.billing.usage.UsagePublisher",
                        "usage-publisher-1",
                        f"Published usage batch: {n} records for {n - self.rng.randrange(30)} accounts in "
                        f"{30 + self.rng.randrange(60)} ms",
                    )
            self.next_batch += 120_000 + self.rng.randrange(-300, 300)
        if not self.restart_written and t1 > self.STOP:
            self.restart_written = True
            self.stop(self.STOP)
            self.start(self.START)
        end = sc.FAILURES[-1].started + 300_000
        while self.next_error < min(t1, end):
            t = self.next_error
            dead = [f.broker_id for f in sc.FAILURES if f.oom <= t < f.started]
            pre = f"[Producer clientId={self.CLIENT}] "
            net = f"kafka-producer-network-thread | {self.CLIENT}"
            self.correlation += 1 + self.rng.randrange(40)
            if dead and self.rng.random() < 0.4:
                b = self.rng.choice(dead)
                w(t, "INFO", NETWORK, net, f"{pre}Node {b} disconnected.")
                w(
                    t + 2,
                    "WARN",
                    NETWORK,
                    net,
                    f"{pre}Connection to node {b} (kafka-{b}/10.20.1.{10 + b}:9092) could "
                    "not be established. Node may not be available.",
                )
            else:
                error = "NOT_ENOUGH_REPLICAS" if failing_share(t) > 0.5 else "NOT_LEADER_OR_FOLLOWER"
                w(
                    t,
                    "WARN",
                    SENDER,
                    net,
                    f"{pre}Got error produce response with correlation id {self.correlation} on "
                    f"topic-partition billing-usage-{self.rng.randrange(6)}, retrying (2147483646 attempts left). "
                    f"Error: {error}",
                )
            if self.epoch == 0 and t > sc.FAILURE_BY_ID[5].session_expired + 130_000 and self.producer_id > 0:
                self.epoch = 1
                w(t + 40, "INFO", TXN, net, f"{pre}ProducerId set to {self.producer_id} with epoch 1")
            self.next_error += 20_000 + self.rng.randrange(60_000)

    def stop(self, t: int) -> None:
        w = self.log.write
        w(t, "INFO", "com.example.billing.BillingServiceMain", "SIGTERM handler", "Received SIGTERM, shutting down")
        w(
            t + 3,
            "INFO",
            KP,
            "main",
            f"[Producer clientId={self.CLIENT}] Closing the Kafka producer with timeoutMillis = "
            "9223372036854775807 ms.",
        )
        for msg in (
            "Metrics scheduler closed",
            "Closing reporter org.apache.kafka.common.metrics.JmxReporter",
            "Closing reporter org.apache.kafka.common.telemetry.internals.ClientTelemetryReporter",
            "Metrics reporters closed",
        ):
            w(t + 41, "INFO", METRICS, "main", msg)
        w(t + 42, "INFO", APPINFO, "main", f"App info kafka.producer for {self.CLIENT} unregistered")
        w(t + 44, "INFO", "com.example.billing.BillingServiceMain", "main", "Stopped.")

    def start(self, t: int) -> None:
        w = self.log.write
        app = "com.example.billing.BillingServiceMain"
        w(t, "INFO", app, "main", "Starting billing-service 2025.08.28-1 on billing-service-01 with PID 41877")
        w(t + 160, "INFO", app, "main", "Loaded configuration from /etc/billing-service/application.properties")
        overrides = {
            "batch.size": "65536",
            "compression.type": "lz4",
            "linger.ms": "20",
            "bootstrap.servers": "[kafka-1:9092, kafka-2:9092, kafka-3:9092, kafka-4:9092, kafka-5:9092]",
            "max.in.flight.requests.per.connection": "5",
        }
        t += 1_180
        w(
            t,
            "INFO",
            "org.apache.kafka.clients.producer.ProducerConfig",
            "main",
            tpl.producer_config(self.CLIENT, overrides),
        )
        w(t + 9, "INFO", COLLECTOR, "main", "initializing Kafka metrics collector")
        w(t + 12, "INFO", KP, "main", f"[Producer clientId={self.CLIENT}] Instantiated an idempotent producer.")
        self.ctx.truth.client_producer("billing-service", t + 12)
        w(
            t + 13,
            "INFO",
            "org.apache.kafka.clients.producer.ProducerConfig",
            "main",
            "These configurations '[billing.flush.interval.ms]' were supplied but are not used yet.",
        )
        for msg in (
            f"Kafka version: {sc.KAFKA_VERSION}",
            f"Kafka commitId: {sc.KAFKA_COMMIT_ID}",
            f"Kafka startTimeMs: {t + 14}",
        ):
            w(t + 14, "INFO", APPINFO, "main", msg)
        w(t + 620, "INFO", app, "main", "Started billing-service in 1.93 seconds")
        w(
            t + 540_000 + 700,
            "INFO",
            NETWORK,
            f"kafka-producer-network-thread | {self.CLIENT}",
            f"[Producer clientId={self.CLIENT}] Node -1 disconnected.",
        )

    def assigned(self, vp: VisibleProducer) -> None:
        net = f"kafka-producer-network-thread | {self.CLIENT}"
        ta = vp.assigned
        self.producer_id = vp.producer_id
        self.log.write(ta - 11, "INFO", META, net, f"[Producer clientId={self.CLIENT}] Cluster ID: {sc.CLUSTER_ID}")
        self.log.write(
            ta, "INFO", TXN, net, f"[Producer clientId={self.CLIENT}] ProducerId set to {vp.producer_id} with epoch 0"
        )
        self.ctx.truth.client_producer_id("billing-service", ta, vp.producer_id)
