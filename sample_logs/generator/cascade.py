"""The incident as the brokers saw it, written in time order.

ISR churn while the first broker thrashes, its OutOfMemoryErrors (server.log and the JVM's
own ``Exception in thread`` lines in kafkaServer.out), the ZooKeeper session expiring, the
controller's ``Broker failure callback`` and leader elections, followers' fetch errors,
leadership moving onto the next victims, the controller itself failing over, the dynamic
``producer.id.expiration.ms`` change, and the operators' SIGTERM/SIGKILL restarts with
unclean-shutdown recovery and the final preferred-leader election.
"""

from __future__ import annotations

from . import heap
from . import scenario as sc
from . import templates as tpl
from .cluster import CTRL_LOGGER, Cluster
from .context import Context
from .partitions import TP, sorted_tps, tp_name
from .response import Response

SESSION_IDS = {
    1: "100007a2c3e10004",
    2: "200003f9b1d20002",
    3: "30001c4d2a90002",
    4: "100007a2c3e10009",
    5: "30001c4d2a9000b",
}


class Cascade(Response):
    """Builds every scripted line at construction; sinks hold them until their time comes."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = ctx.plan.rng("cascade")
        self.cluster = Cluster.initial(ctx)
        self.registered_at: dict[int, int] = {}
        self.truth = ctx.truth
        for f in sc.FAILURES:
            self.truth.event(f"kafka-{f.broker_id}", "zk_session_expired", f.session_expired)
        self.build()

    # --- helpers -------------------------------------------------------------------------

    def log(self, b: int, t: int, level: str, msg: str, logger: str, stack: str = "") -> None:
        self.ctx.broker_log(b).add(t, self.ctx.line(t, level, msg, logger, stack))

    def registered(self, b: int, t: int) -> bool:
        f = sc.FAILURE_BY_ID.get(b)
        return f is None or t < f.session_expired or t >= self.registered_at.get(b, 1 << 62)

    def live(self, t: int) -> set[int]:
        return {b for b in sc.BROKER_IDS if self.registered(b, t)}

    def follower_tps(self, x: int) -> list[TP]:
        return [tp for tp, p in self.cluster.parts.items() if x in p.isr and p.leader not in (-1, x)]

    def led_tps(self, x: int) -> list[TP]:
        return [tp for tp, p in self.cluster.parts.items() if p.leader == x]

    def thrash_start(self, b: int, until: int) -> int:
        t = until
        while t > sc.WINDOW_START and heap.live_mb(b, t - 30_000) > 0.9 * sc.HEAP_MB:
            t -= 30_000
        return t

    # --- the story -----------------------------------------------------------------------

    def build(self) -> None:
        for f in sc.FAILURES:
            self.precursors(f)
            self.oom(f)
            self.followers_drop(f)
            if f.broker_id == sc.INITIAL_CONTROLLER:
                self.failover(f)
            else:
                self.failure_callback(f)
            self.zombie_session(f)
            self.zombie_tail(f)
        self.overloaded_clients()
        self.reconfigure()
        for f in sc.FAILURES:
            self.shutdown_attempt(f)
            self.come_back(f)
        self.rebalance()

    def precursors(self, f: sc.Failure) -> None:
        """While the broker thrashes, its fetchers stall: ISRs shrink and grow back."""
        x = f.broker_id
        start = self.thrash_start(x, f.oom)
        candidates = sorted_tps(self.follower_tps(x))
        if not candidates or f.oom - start < 60_000:
            return
        for tp in self.rng.sample(candidates, min(6, len(candidates))):
            t = start + self.rng.randrange(f.oom - 20_000 - start)
            self.cluster.shrink_isr(t, tp, x)
            back = t + 20_000 + self.rng.randrange(60_000)
            if back < f.oom - 10_000:
                self.cluster.expand_isr(back, tp, x)

    def oom(self, f: sc.Failure) -> None:
        """The OutOfMemoryErrors of the broker, in server.log and in the JVM's stdout."""
        x, t = f.broker_id, f.oom
        host = f"kafka-{x}"
        self.truth.event(host, "first_oom", t)
        for k in range(3 + self.rng.randrange(3)):
            tt = t + (k and self.rng.randrange(400, 6_000) * k)
            client = f"producer-{self.rng.randrange(20_000, 96_000)}"
            pod_ip = f"10.20.{self.rng.choice((64, 65))}.{self.rng.randrange(2, 250)}"
            port = self.rng.randrange(32768, 60999)
            cid = 3 + self.rng.randrange(6)
            header = (
                f"RequestHeader(apiKey=PRODUCE, apiVersion=9, clientId={client}, correlationId={cid}, headerVersion=2)"
            )
            data = (
                f"ProduceRequestData(transactionalId=null, acks=-1, timeoutMs=30000, topicData=[TopicProduceData("
                f"name='{sc.AUDIT_TOPIC}', partitionData=[PartitionProduceData(index={self.rng.randrange(24)}, "
                "records=null)])])"
            )
            context = (
                f"RequestContext(header={header}, connectionId='10.20.1.{10 + x}:9092-{pod_ip}:{port}-"
                f"{self.rng.randrange(1, 900)}', clientAddress=/{pod_ip}, principal=User:ANONYMOUS, "
                "listenerName=ListenerName(PLAINTEXT), securityProtocol=PLAINTEXT, clientInformation="
                f"ClientInformation(softwareName=apache-kafka-java, softwareVersion={sc.KAFKA_VERSION}), "
                "fromPrivilegedListener=false, principalSerde=Optional[org.apache.kafka.common.security."
                "authenticator.DefaultKafkaPrincipalBuilder@6f7b2e54])"
            )
            self.log(
                x,
                tt,
                "ERROR",
                f"[KafkaApi-{x}] Unexpected error handling request {header} -- {data} with context {context}",
                "kafka.server.KafkaApis",
                tpl.OOM_PRODUCE,
            )
        reaper = t + self.rng.randrange(1_000, 4_000)
        self.log(
            x,
            reaper,
            "ERROR",
            f"[ExpirationReaper-{x}-Produce]: Error due to",
            "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
            tpl.OOM,
        )
        self.log(
            x,
            reaper + 2,
            "INFO",
            f"[ExpirationReaper-{x}-Produce]: Stopped",
            "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
        )
        fetch = t + self.rng.randrange(2_000, 9_000)
        leader = self.rng.choice([b for b in sc.BROKER_IDS if b != x])
        self.log(
            x,
            fetch,
            "ERROR",
            f"[ReplicaFetcher replicaId={x}, leaderId={leader}, fetcherId=0] Error due to",
            "kafka.server.ReplicaFetcherThread",
            tpl.OOM_FETCH,
        )
        self.log(
            x,
            fetch + 3,
            "INFO",
            f"[ReplicaFetcher replicaId={x}, leaderId={leader}, fetcherId=0] Stopped",
            "kafka.server.ReplicaFetcherThread",
        )
        console = self.ctx.console(x)
        for k, thread in enumerate(("metrics-meter-tick-thread-1", "metrics-meter-tick-thread-2")):
            tt = t + 700 + k * self.rng.randrange(3_000, 15_000)
            console.add(tt, f'Exception in thread "{thread}" java.lang.OutOfMemoryError: Java heap space\n')
        if x == sc.INITIAL_CONTROLLER:
            tt = t + self.rng.randrange(600, 2_500)
            self.ctx.controller_log(x).add(
                tt,
                self.ctx.line(
                    tt,
                    "ERROR",
                    f"[ControllerEventThread controllerId={x}] Uncaught error processing event "
                    f"AllocateProducerIds({self.rng.choice((2, 4, 5))},{self.cluster.broker_epoch[4]},kafka.controller."
                    "KafkaController$$Lambda$2306/0x00007f1c2c9a6a38@5a1d3e22)",
                    "kafka.controller.ControllerEventManager$ControllerEventThread",
                    tpl.OOM,
                ),
            )

    def followers_drop(self, f: sc.Failure) -> None:
        """Leaders drop the stalled broker from their ISRs once it lags 30 s behind."""
        x = f.broker_id
        for tp in sorted_tps(self.follower_tps(x)):
            if (
                self.cluster.parts[tp].leader in sc.FAILURE_BY_ID
                and sc.FAILURE_BY_ID[self.cluster.parts[tp].leader].oom < f.oom
            ):
                continue
            t = f.oom + 20_500 + self.rng.randrange(16_000)
            self.cluster.shrink_isr(t, tp, x)
        self.fetch_errors(f)

    def fetch_errors(self, f: sc.Failure) -> None:
        """Followers of the stalled broker's partitions: fetch requests that never come back."""
        x = f.broker_id
        followers: dict[tuple[int, int], list[TP]] = {}
        for tp in sorted_tps(self.led_tps(x)):
            for b in self.cluster.parts[tp].replicas:
                if b != x and self.registered(b, f.oom) and sc.broker_serving(b, f.oom):
                    followers.setdefault((b, tp[1] % 2), []).append(tp)
        end = f.session_expired
        for (b, fid), tps in sorted(followers.items()):
            session = self.rng.randrange(100_000_000, 2_000_000_000)
            epoch = self.rng.randrange(1000, 90_000)
            t = f.oom - 9_000 + 30_000 + self.rng.randrange(900)
            pre = f"[ReplicaFetcher replicaId={b}, leaderId={x}, fetcherId={fid}] "
            while t < end + 400:
                data = ", ".join(
                    f"{tp_name(tp)}=PartitionData(topicId={sc.TOPIC_BY_NAME[tp[0]].topic_id}, fetchOffset="
                    f"{self.cluster.hw(tp, t)[0]}, logStartOffset=0, maxBytes=1048576, currentLeaderEpoch=Optional["
                    f"{self.cluster.parts[tp].leader_epoch}], lastFetchedEpoch=Optional["
                    f"{self.cluster.parts[tp].leader_epoch}])"
                    for tp in tps[:4]
                )
                stack = tpl.FETCH_DISCONNECTED.format(leader=x)
                self.log(
                    b,
                    t,
                    "INFO",
                    f"{pre}Error sending fetch request (sessionId={session}, epoch={epoch}) to node {x}:",
                    "org.apache.kafka.clients.FetchSessionHandler",
                    stack,
                )
                self.log(
                    b,
                    t + 1,
                    "WARN",
                    f"{pre}Error in response for fetch request (type=FetchRequest, replicaId={b}, "
                    f"maxWait=500, minBytes=1, maxBytes=10485760, fetchData={{{data}}}, isolationLevel="
                    f"READ_UNCOMMITTED, removed=, replaced=, metadata=(sessionId={session}, epoch={epoch}), "
                    "rackId=)",
                    "kafka.server.ReplicaFetcherThread",
                    stack,
                )
                t += 31_000 + self.rng.randrange(500)
            done = end + 600 + self.rng.randrange(200)
            for word in ("Shutting down", "Stopped", "Shutdown completed"):
                self.log(b, done, "INFO", pre + word, "kafka.server.ReplicaFetcherThread")
                done += 1

    def failure_callback(self, f: sc.Failure) -> None:
        """The ZooKeeper controller sees the broker's znode go and moves its leaders."""
        x = f.broker_id
        t = f.session_expired + 180 + self.rng.randrange(150)
        ctrl = sc.controller_at(t)
        assert ctrl is not None
        c, epoch = ctrl
        live = self.live(t)
        log = self.ctx.controller_log(c)
        p = f"[Controller id={c}] "
        lines = [
            (
                "INFO",
                f"{p}Newly added brokers: , deleted brokers: {x}, bounced brokers: , all live brokers: "
                f"{','.join(map(str, sorted(live)))}",
                CTRL_LOGGER,
            ),
            ("INFO", f"[RequestSendThread controllerId={c}] Shutting down", "kafka.controller.RequestSendThread"),
            ("INFO", f"[RequestSendThread controllerId={c}] Stopped", "kafka.controller.RequestSendThread"),
            ("INFO", f"[RequestSendThread controllerId={c}] Shutdown completed", "kafka.controller.RequestSendThread"),
            ("INFO", f"{p}Broker failure callback for {x}", CTRL_LOGGER),
        ]
        for level, msg, logger in lines:
            log.add(t, self.ctx.line(t, level, msg, logger))
            if msg.endswith(f"Broker failure callback for {x}"):
                self.truth.event(
                    f"kafka-{x}",
                    "failure_seen_by_controller",
                    t,
                    failure_seen_by=f"kafka-{c}",
                    failure_line=f"Broker failure callback for {x}",
                )
            t += self.rng.randrange(0, 3)
        epochs = ", ".join(f"{b} -> {self.cluster.broker_epoch[b]}" for b in sorted(live))
        log.add(t + 1, self.ctx.line(t + 1, "INFO", f"{p}Updated broker epochs cache: HashMap({epochs})", CTRL_LOGGER))
        prev = {tp: x for tp in self.led_tps(x)}
        self.cluster.elect(t + 4, c, epoch, list(prev), live, prev)

    def zombie_session(self, f: sc.Failure) -> None:
        """The stalled broker's ZooKeeper client wakes up to an expired session, and fails to recover."""
        x = f.broker_id
        sid = SESSION_IDS[x]
        t = f.session_expired + 7_500 + self.rng.randrange(2_000)
        zk = "org.apache.zookeeper.ClientCnxn"
        (old_name, old_ip), (new_name, new_ip) = sc.ZK_SERVERS[x % 3], sc.ZK_SERVERS[(x + 1) % 3]
        silent = t - (f.oom - 9_000) + self.rng.randrange(900)
        self.log(
            x,
            t,
            "WARN",
            f"Client session timed out, have not heard from server in {silent}ms for session id 0x{sid}",
            zk,
        )
        self.log(
            x,
            t + 1,
            "WARN",
            f"Session 0x{sid} for server {old_name}/{old_ip}:2181, Closing socket connection. "
            "Attempting reconnect except it is a SessionExpiredException.",
            zk,
            tpl.ZK_SESSION_TIMEOUT.format(ms=silent, sid=sid),
        )
        t += 900 + self.rng.randrange(600)
        self.log(x, t, "INFO", f"Opening socket connection to server {new_name}/{new_ip}:2181.", zk)
        self.log(
            x,
            t + 3,
            "INFO",
            f"Socket connection established, initiating session, client: /10.20.1.{10 + x}:"
            f"{self.rng.randrange(40000, 60000)}, server: {new_name}/{new_ip}:2181",
            zk,
        )
        t += 11
        self.log(x, t, "WARN", f"Unable to reconnect to ZooKeeper service, session 0x{sid} has expired", zk)
        self.log(
            x,
            t + 1,
            "WARN",
            f"Session 0x{sid} for server {new_name}/{new_ip}:2181, Closing socket connection. "
            "Attempting reconnect except it is a SessionExpiredException.",
            zk,
            tpl.ZK_SESSION_EXPIRED.format(sid=sid),
        )
        self.log(x, t + 3, "INFO", f"EventThread shut down for session: 0x{sid}", zk)
        self.log(x, t + 5, "INFO", "[ZooKeeperClient Kafka server] Session expired.", "kafka.zookeeper.ZooKeeperClient")
        self.log(
            x,
            t + 1_800,
            "ERROR",
            "Uncaught exception in scheduled task 'zk-session-expired'",
            "org.apache.kafka.server.util.KafkaScheduler",
            tpl.OOM,
        )

    def zombie_tail(self, f: sc.Failure) -> None:
        """Until it is killed the zombie keeps failing: OOMs now and then, in its log and on stdout."""
        x = f.broker_id
        t = f.session_expired + 60_000 + self.rng.randrange(120_000)
        k = 0
        while t < f.sigterm:
            if k % 3 == 2:
                self.ctx.console(x).add(
                    t,
                    'Exception in thread "kafka-scheduler-'
                    + str(self.rng.randrange(10))
                    + '" java.lang.OutOfMemoryError: Java heap space\n',
                )
            else:
                self.log(
                    x,
                    t,
                    "ERROR",
                    "Uncaught exception in scheduled task 'PeriodicProducerExpirationCheck'"
                    if k % 3 == 0
                    else "Uncaught exception in scheduled task 'highwatermark-checkpoint'",
                    "org.apache.kafka.server.util.KafkaScheduler",
                    tpl.OOM,
                )
            k += 1
            t += 150_000 + self.rng.randrange(300_000)

    def overloaded_clients(self) -> None:
        """Live brokers answer clients that gave up waiting."""
        start, end = sc.FAILURES[0].oom, sc.FAILURES[-1].started
        for b in sc.BROKER_IDS:
            t = start + self.rng.randrange(60_000)
            while t < end:
                if sc.broker_serving(b, t):
                    ip = f"10.20.{self.rng.choice((64, 65, 12))}.{self.rng.randrange(2, 250)}"
                    self.log(
                        b,
                        t,
                        "WARN",
                        "Attempting to send response via channel for which there is no open "
                        f"connection, connection id 10.20.1.{10 + b}:9092-{ip}:{self.rng.randrange(32768, 60999)}-"
                        f"{self.rng.randrange(1, 9000)}",
                        "kafka.network.Processor",
                    )
                t += 5_000 + int(self.rng.expovariate(1.0) * 110_000)
