"""Client application logs: two API pods and one well-behaved service.

* api-pod-a: events-api (Scala, pekko-connectors-kafka), logstash-logback-encoder JSON lines,
  ``@timestamp`` in UTC (``DateTimeFormatter.ISO_OFFSET_DATE_TIME``: fraction trimmed).
* api-pod-b: rest-api (Spring Boot 2.x console layout), zone-less local time of
  America/Los_Angeles (PDT, UTC-7 for the whole window).
* billing-service: plain Java with Kafka's log4j layout (zone-less UTC), one long-lived
  producer, restarted by a deploy in the window, so its full ``ProducerConfig values:`` dump is
  there, and its close uses ``close()`` (timeoutMillis = 9223372036854775807).

The API pods silence ``ProducerConfig`` (WARN), as many teams do; each per-request producer
still shows its life: metrics collector, ``Instantiated an idempotent producer.``, AppInfo,
``Cluster ID``, ``ProducerId set to N with epoch 0``, ``Closing the Kafka producer with
timeoutMillis = 60000 ms.`` (the pekko close-timeout), metrics and AppInfo teardown.
"""

from __future__ import annotations

import uuid

from . import scenario as sc
from . import templates as tpl
from .billing import BillingService
from .clients_common import APPINFO, COLLECTOR, KP, META, METRICS, NETWORK, NOT_LEADER, SENDER, TXN, failing_share
from .context import Context
from .layouts import AppLog, LogstashLog, SpringLog
from .traffic import VisibleProducer

PDT_MS = -7 * 3_600_000


class ApiPod:
    """An API pod with per-request producers (the bug) and its long-lived events producer."""

    def __init__(
        self, ctx: Context, log: AppLog, app: str, thread_prefix: str, app_logger: str, app_thread: str, metrics: str
    ) -> None:
        self.ctx = ctx
        self.log = log
        self.host = log.host
        self.app = app
        self.prefix = thread_prefix
        self.app_logger = app_logger
        self.app_thread = app_thread
        self.metrics = metrics
        self.rng = ctx.plan.rng(f"client/{log.host}")
        self.next_client = 3
        self.correlation = 7_400_000 + self.rng.randrange(900_000)
        self.next_metrics = sc.WINDOW_START + self.rng.randrange(60_000)
        self.next_error = sc.FAILURES[0].oom + self.rng.randrange(8_000)
        self.retries_left = 2147483647

    def dispatcher(self) -> str:
        return f"{self.prefix}-pekko.kafka.default-dispatcher-{self.rng.randrange(8, 41)}"

    # --- per-request producers ---------------------------------------------------------

    def created(self, vp: VisibleProducer) -> None:
        cid = f"producer-{self.next_client}"
        self.next_client += 1
        vp.extra["client_id"] = cid
        thread = self.dispatcher()
        vp.extra["thread"] = thread
        t = vp.created
        w = self.log.write
        w(t, "INFO", COLLECTOR, thread, "initializing Kafka metrics collector")
        w(t + 1, "INFO", KP, thread, f"[Producer clientId={cid}] Instantiated an idempotent producer.")
        self.ctx.truth.client_producer(self.host, t + 1)
        t += 2 + self.rng.randrange(3)
        w(t, "INFO", APPINFO, thread, f"Kafka version: {sc.KAFKA_VERSION}")
        w(t, "INFO", APPINFO, thread, f"Kafka commitId: {sc.KAFKA_COMMIT_ID}")
        w(t, "INFO", APPINFO, thread, f"Kafka startTimeMs: {t - self.rng.randrange(2)}")

    def assigned(self, vp: VisibleProducer) -> None:
        cid = str(vp.extra["client_id"])
        net = f"kafka-producer-network-thread | {cid}"
        w = self.log.write
        ta = max(vp.assigned, vp.created + 6)
        w(ta - 2 - self.rng.randrange(3), "INFO", META, net, f"[Producer clientId={cid}] Cluster ID: {sc.CLUSTER_ID}")
        w(ta, "INFO", TXN, net, f"[Producer clientId={cid}] ProducerId set to {vp.producer_id} with epoch 0")
        self.ctx.truth.client_producer_id(self.host, ta, vp.producer_id)
        tc = ta + 4 + self.rng.randrange(30)
        if self.rng.random() < failing_share(ta):
            tc = self.failed_send(vp, cid, net, ta)
        thread = str(vp.extra["thread"])
        w(
            tc,
            "INFO",
            KP,
            thread,
            f"[Producer clientId={cid}] Closing the Kafka producer with timeoutMillis = 60000 ms.",
        )
        self.ctx.truth.client_close(self.host, tc)
        tc += 1 + self.rng.randrange(2)
        w(tc, "INFO", METRICS, thread, "Metrics scheduler closed")
        w(tc, "INFO", METRICS, thread, "Closing reporter org.apache.kafka.common.metrics.JmxReporter")
        w(
            tc,
            "INFO",
            METRICS,
            thread,
            "Closing reporter org.apache.kafka.common.telemetry.internals.ClientTelemetryReporter",
        )
        w(tc, "INFO", METRICS, thread, "Metrics reporters closed")
        w(tc + 1, "INFO", APPINFO, thread, f"App info kafka.producer for {cid} unregistered")

    def failed_send(self, vp: VisibleProducer, cid: str, net: str, ta: int) -> int:
        """The audit record cannot be written: retries, then delivery times out after 120 s."""
        tp = f"{sc.AUDIT_TOPIC}-{vp.partition}"
        error = "NOT_ENOUGH_REPLICAS" if ta >= sc.FAILURE_BY_ID[5].session_expired else "NOT_LEADER_OR_FOLLOWER"
        t = ta + 20 + self.rng.randrange(300)
        for left in range(2147483646, 2147483646 - 1 - self.rng.randrange(3), -1):
            self.log.write(
                t,
                "WARN",
                SENDER,
                net,
                f"[Producer clientId={cid}] Got error produce response with "
                f"correlation id {3 + 2147483646 - left} on topic-partition {tp}, retrying ({left} attempts "
                f"left). Error: {error}",
            )
            if error == "NOT_LEADER_OR_FOLLOWER":
                self.log.write(
                    t,
                    "WARN",
                    SENDER,
                    net,
                    f"[Producer clientId={cid}] Received invalid metadata error in "
                    f"produce request on partition {tp} due to {NOT_LEADER}. Going to request metadata "
                    "update now",
                )
            t += 100 + self.rng.randrange(900)
        expire = vp.created + 120_000 + self.rng.randrange(40)
        self.log.write(
            expire,
            "WARN",
            "com.example.audit.ApiUsageAuditSink",
            str(vp.extra["thread"]),
            f"Failed to publish API usage audit event for request "
            f"{uuid.UUID(int=self.rng.getrandbits(128), version=4)}",
            tpl.CLIENT_TIMEOUT_EXPIRED.format(n=1, tp=tp),
        )
        return expire + 2

    # --- the pod's own activity ---------------------------------------------------------

    def run(self, t0: int, t1: int) -> None:
        while self.next_metrics < t1:
            t = self.next_metrics
            failing = failing_share(t)
            accepted = int((1400 + self.rng.randrange(600)) * (1 - (0.95 if failing > 0.5 else failing)))
            rejected = int((1400 + self.rng.randrange(600)) * (0.95 if failing > 0.5 else failing))
            p99 = 30 + self.rng.randrange(25) + int(failing * 29_000)
            self.log.write(
                t, "INFO", self.app_logger, self.app_thread, self.metrics.format(ok=accepted, failed=rejected, p99=p99)
            )
            self.next_metrics += 60_000 + self.rng.randrange(-500, 500)
        end = sc.FAILURES[-1].started + 240_000
        while self.next_error < min(t1, end):
            self.cascade_line(self.next_error)
            gap = 6_000 if failing_share(self.next_error) > 0.5 else 25_000
            self.next_error += gap + self.rng.randrange(gap * 2)

    def cascade_line(self, t: int) -> None:
        """What the pod's long-lived producer-1 and its request handlers log during the cascade."""
        w = self.log.write
        net = "kafka-producer-network-thread | producer-1"
        pre = "[Producer clientId=producer-1] "
        dead = [f.broker_id for f in sc.FAILURES if f.oom <= t < f.started]
        self.correlation += 1 + self.rng.randrange(3000)
        part = f"events-ingest-{self.rng.randrange(24)}"
        roll = self.rng.random()
        if dead and roll < 0.3:
            b = self.rng.choice(dead)
            w(t, "INFO", NETWORK, net, f"{pre}Node {b} disconnected.")
            w(
                t + 1,
                "WARN",
                NETWORK,
                net,
                f"{pre}Connection to node {b} (kafka-{b}/10.20.1.{10 + b}:9092) could not be "
                "established. Node may not be available.",
            )
        elif t >= sc.FAILURE_BY_ID[5].session_expired and roll < 0.8:
            self.retries_left -= 1
            w(
                t,
                "WARN",
                SENDER,
                net,
                f"{pre}Got error produce response with correlation id {self.correlation} on "
                f"topic-partition {part}, retrying ({self.retries_left} attempts left). Error: NOT_ENOUGH_REPLICAS",
            )
            if roll > 0.7:
                w(
                    t + 3,
                    "ERROR",
                    self.app_logger,
                    self.app_thread,
                    f"Rejecting event batch with 502 Bad Gateway: publish to {part} did not complete",
                    tpl.CLIENT_TIMEOUT_EXPIRED.format(n=9 + self.rng.randrange(30), tp=part),
                )
        elif dead and roll < 0.55:
            b = self.rng.choice(dead)
            w(t, "INFO", NETWORK, net, f"{pre}Disconnecting from node {b} due to request timeout.")
            w(
                t,
                "INFO",
                NETWORK,
                net,
                f"{pre}Cancelled in-flight PRODUCE request with correlation id {self.correlation} "
                f"due to node {b} being disconnected (elapsed time since creation: "
                f"{30_000 + self.rng.randrange(80)}ms, "
                f"elapsed time since send: {30_000 + self.rng.randrange(40)}ms, request timeout: 30000ms)",
            )
            w(
                t + 1,
                "WARN",
                SENDER,
                net,
                f"{pre}Got error produce response with correlation id {self.correlation} on "
                f"topic-partition {part}, retrying (2147483646 attempts left). Error: NETWORK_EXCEPTION. Error "
                f"Message: "
                f"Disconnected from node {b}",
            )
        else:
            w(
                t,
                "WARN",
                SENDER,
                net,
                f"{pre}Got error produce response with correlation id {self.correlation} on "
                f"topic-partition {part}, retrying (2147483646 attempts left). Error: NOT_LEADER_OR_FOLLOWER",
            )
            w(
                t,
                "WARN",
                SENDER,
                net,
                f"{pre}Received invalid metadata error in produce request on partition {part} "
                f"due to {NOT_LEADER}. Going to request metadata update now",
            )


class Clients:
    """All client hosts; the traffic model calls ``created``/``assigned`` for visible producers."""

    def __init__(self, ctx: Context) -> None:
        self.pods = {
            "api-pod-a": ApiPod(
                ctx,
                LogstashLog(ctx, "api-pod-a", "events-api", "events-api-7d9f8b6c5d-x2x7q"),
                "events-api",
                "events-api",
                "com.example.eventsapi.ingest.IngestMetrics",
                "events-api-pekko.actor.default-dispatcher-5",
                "ingest window=60s accepted={ok} rejected={failed} p99_ms={p99}",
            ),
            "api-pod-b": ApiPod(
                ctx,
                SpringLog(ctx, "api-pod-b", PDT_MS),
                "rest-api",
                "rest-api",
                "com.example.restapi.web.RequestMetricsReporter",
                "scheduling-1",
                "requests window=60s 2xx={ok} 5xx={failed} p99_ms={p99}",
            ),
        }
        self.billing = BillingService(ctx)

    def created(self, vp: VisibleProducer) -> None:
        if vp.client in self.pods:
            self.pods[vp.client].created(vp)

    def assigned(self, vp: VisibleProducer) -> None:
        if vp.client in self.pods:
            self.pods[vp.client].assigned(vp)
        else:
            self.billing.assigned(vp)

    def run(self, t0: int, t1: int) -> None:
        for pod in self.pods.values():
            pod.run(t0, t1)
        self.billing.run(t0, t1)
