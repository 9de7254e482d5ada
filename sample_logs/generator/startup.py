"""A broker JVM starting after an unclean shutdown (ZooKeeper mode, Kafka 3.7.1).

From ``Registered kafka:type=kafka.Log4jController MBean`` to ``[KafkaServer id=N] started``:
ZooKeeper session, the ``KafkaConfig values:`` dump, log recovery (``Recovering N logs … since
no clean shutdown file was found``) with one ``Completed load of Log(…)`` per partition and
the producer-state reloads, which take longest for partitions full of producer ids.
"""

from __future__ import annotations

from . import scenario as sc
from . import templates as tpl
from .context import Context
from .partitions import sorted_tps, tp_name

ZK_CLIENT = "org.apache.zookeeper.ClientCnxn"


class Lines:
    """Appends lines to a broker's files at advancing times."""

    def __init__(self, ctx: Context, broker_id: int, t: int) -> None:
        self.ctx = ctx
        self.b = broker_id
        self.t = t
        self.rng = ctx.plan.rng(f"startup/{broker_id}/{t}")

    def log(self, level: str, msg: str, logger: str, dt: int = 0, stack: str = "") -> None:
        self.t += dt
        self.ctx.broker_log(self.b).add(self.t, self.ctx.line(self.t, level, msg, logger, stack))

    def step(self, lo: int, hi: int) -> int:
        return lo + self.rng.randrange(hi - lo + 1)


def restart(ctx: Context, f: sc.Failure, session_id: str, broker_epoch: int) -> dict[str, int]:
    """Write the start-up of broker ``f.broker_id``; returns key times and counts for the truth."""
    b = f.broker_id
    out = Lines(ctx, b, f.restart)
    z = out.step
    host = f"kafka-{b}"
    out.log("INFO", "Registered kafka:type=kafka.Log4jController MBean", "kafka.utils.Log4jControllerRegistration$")
    out.log(
        "INFO",
        "Setting -D jdk.tls.rejectClientInitiatedRenegotiation=true to disable client-initiated TLS renegotiation",
        "org.apache.zookeeper.common.X509Util",
        z(300, 500),
    )
    out.log(
        "INFO",
        "Registered signal handlers for TERM, INT, HUP",
        "org.apache.kafka.common.utils.LoggingSignalHandler",
        z(40, 90),
    )
    out.log("INFO", "starting", "kafka.server.KafkaServer", z(1, 4))
    out.log("INFO", f"Connecting to zookeeper on {sc.ZK_CONNECT}", "kafka.server.KafkaServer", z(1, 3))
    out.log(
        "INFO",
        f"[ZooKeeperClient Kafka server] Initializing a new session to {sc.ZK_CONNECT}.",
        "kafka.zookeeper.ZooKeeperClient",
        z(8, 20),
    )
    env = [
        ("zookeeper.version", sc.ZOOKEEPER_VERSION),
        ("host.name", f"{host}.kafka.internal.example"),
        ("java.version", "17.0.12"),
        ("java.vendor", "Eclipse Adoptium"),
        ("java.home", "/usr/lib/jvm/temurin-17-jdk-amd64"),
        ("java.class.path", tpl.CLASSPATH),
        ("java.library.path", "/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib"),
        ("java.io.tmpdir", "/tmp"),
        ("java.compiler", "<NA>"),
        ("os.name", "Linux"),
        ("os.arch", "amd64"),
        ("os.version", "6.1.0-23-cloud-amd64"),
        ("user.name", "kafka"),
        ("user.home", "/home/kafka"),
        ("user.dir", "/opt/kafka"),
        ("os.memory.free", f"{6100 - z(0, 60)}MB"),
        ("os.memory.max", "6144MB"),
        ("os.memory.total", "6144MB"),
    ]
    for i, (k, v) in enumerate(env):
        out.log("INFO", f"Client environment:{k}={v}", "org.apache.zookeeper.ZooKeeper", z(0, 1) if i else z(6, 12))
    out.log(
        "INFO",
        f"Initiating client connection, connectString={sc.ZK_CONNECT} sessionTimeout=18000 "
        f"watcher=kafka.zookeeper.ZooKeeperClient$ZooKeeperClientWatcher$@{out.rng.getrandbits(31):x}",
        "org.apache.zookeeper.ZooKeeper",
        z(2, 6),
    )
    out.log("INFO", "jute.maxbuffer value is 4194304 Bytes", "org.apache.zookeeper.ClientCnxnSocket", z(5, 12))
    out.log("INFO", "zookeeper.request.timeout value is 0. feature enabled=false", ZK_CLIENT, z(3, 8))
    out.log(
        "INFO", "[ZooKeeperClient Kafka server] Waiting until connected.", "kafka.zookeeper.ZooKeeperClient", z(1, 3)
    )
    zk_name, zk_ip = sc.ZK_SERVERS[(b + 1) % 3]
    out.log("INFO", f"Opening socket connection to server {zk_name}/{zk_ip}:2181.", ZK_CLIENT, z(1, 4))
    out.log(
        "INFO",
        f"Socket connection established, initiating session, client: /10.20.1.{10 + b}:{z(40000, 60000)}, "
        f"server: {zk_name}/{zk_ip}:2181",
        ZK_CLIENT,
        z(3, 9),
    )
    out.log(
        "INFO",
        f"Session establishment complete on server {zk_name}/{zk_ip}:2181, session id = 0x{session_id}, "
        "negotiated timeout = 18000",
        ZK_CLIENT,
        z(4, 15),
    )
    out.log("INFO", "[ZooKeeperClient Kafka server] Connected.", "kafka.zookeeper.ZooKeeperClient", z(2, 6))
    out.log(
        "INFO",
        "[feature-zk-node-event-process-thread]: Starting",
        "kafka.server.FinalizedFeatureChangeListener$ChangeNotificationProcessorThread",
        z(60, 140),
    )
    out.log("INFO", f"Cluster ID = {sc.CLUSTER_ID}", "kafka.server.KafkaServer", z(90, 240))
    t = out.t + z(20, 60)
    out.t = t
    ctx.broker_log(b).add(t, f"[{ctx.clock(t)}] INFO {tpl.kafka_config(b)} (kafka.server.KafkaConfig)\n")
    for name in ("Fetch", "Produce", "Request", "ControllerMutation"):
        out.log(
            "INFO",
            f"[ThrottledChannelReaper-{name}]: Starting",
            "kafka.server.ClientQuotaManager$ThrottledChannelReaper",
            z(0, 2) if name != "Fetch" else z(30, 60),
        )
    logs = _recovery(ctx, out, f)
    cleaner = ctx.cleaner_log(b)
    for msg in ("Starting the log cleaner", "[kafka-log-cleaner-thread-0]: Starting"):
        out.t += z(2, 30)
        cleaner.add(out.t, ctx.line(out.t, "INFO", msg, "kafka.log.LogCleaner"))
    out.log(
        "INFO",
        f"[zk-broker-{b}-to-controller-forwarding-channel-manager]: Starting",
        "kafka.server.NodeToControllerRequestThread",
        z(20, 60),
    )
    out.log(
        "INFO",
        "Updated connection-accept-rate max connection creation rate to 2147483647",
        "kafka.network.ConnectionQuotas",
        z(200, 420),
    )
    out.log(
        "INFO",
        f"[SocketServer listenerType=ZK_BROKER, nodeId={b}] Created data-plane acceptor and processors for "
        "endpoint : ListenerName(PLAINTEXT)",
        "kafka.network.SocketServer",
        z(20, 60),
    )
    out.log(
        "INFO",
        f"[zk-broker-{b}-to-controller-alter-partition-channel-manager]: Starting",
        "kafka.server.NodeToControllerRequestThread",
        z(5, 20),
    )
    for name in ("Produce", "Fetch", "DeleteRecords", "ElectLeader", "RemoteFetch"):
        out.log(
            "INFO",
            f"[ExpirationReaper-{b}-{name}]: Starting",
            "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
            z(0, 8),
        )
    out.log("INFO", "[LogDirFailureHandler]: Starting", "kafka.server.ReplicaManager$LogDirFailureHandler", z(5, 15))
    out.log(
        "INFO", f"[AddPartitionsToTxnSenderThread-{b}]: Starting", "kafka.server.AddPartitionsToTxnManager", z(1, 4)
    )
    out.log("INFO", f"Creating /brokers/ids/{b} (is it secure? false)", "kafka.zk.KafkaZkClient", z(20, 40))
    now_ms = out.t + z(10, 20)
    stat = (
        f"{broker_epoch},{broker_epoch},{now_ms},{now_ms},1,0,0,{0x200000000000000 + out.rng.getrandbits(40)},"
        f"210,0,{broker_epoch}"
    )
    out.log("INFO", f"Stat of the created znode at /brokers/ids/{b} is: {stat}\n", "kafka.zk.KafkaZkClient", z(10, 20))
    registered = out.t + z(1, 3)
    out.log(
        "INFO",
        f"Registered broker {b} at path /brokers/ids/{b} with addresses: PLAINTEXT://kafka-{b}:9092, czxid "
        f"(broker epoch): {broker_epoch}",
        "kafka.zk.KafkaZkClient",
        registered - out.t,
    )
    ctl = ctx.controller_log(b)
    ctl.add(
        out.t + 40,
        ctx.line(
            out.t + 40,
            "INFO",
            f"[ControllerEventThread controllerId={b}] Starting",
            "kafka.controller.ControllerEventManager$ControllerEventThread",
        ),
    )
    for name in ("topic", "Heartbeat", "Rebalance"):
        out.log(
            "INFO",
            f"[ExpirationReaper-{b}-{name}]: Starting",
            "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
            z(3, 20),
        )
    out.log("INFO", f"[GroupCoordinator {b}]: Starting up.", "kafka.coordinator.group.GroupCoordinator", z(5, 12))
    out.log("INFO", f"[GroupCoordinator {b}]: Startup complete.", "kafka.coordinator.group.GroupCoordinator", z(8, 20))
    ctl.add(
        out.t + 2,
        ctx.line(
            out.t + 2,
            "DEBUG",
            f"[Controller id={b}] Broker {sc.FAILOVER_CONTROLLER} has been "
            "elected as the controller, so stopping the election process.",
            "kafka.controller.KafkaController",
        ),
    )
    out.log(
        "INFO",
        f"[TransactionCoordinator id={b}] Starting up.",
        "kafka.coordinator.transaction.TransactionCoordinator",
        z(10, 30),
    )
    out.log(
        "INFO",
        f"[TxnMarkerSenderThread-{b}]: Starting",
        "kafka.coordinator.transaction.TransactionMarkerChannelManager",
        z(3, 9),
    )
    out.log(
        "INFO",
        f"[TransactionCoordinator id={b}] Startup complete.",
        "kafka.coordinator.transaction.TransactionCoordinator",
        z(0, 3),
    )
    out.log(
        "INFO",
        f"[ExpirationReaper-{b}-AlterAcls]: Starting",
        "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
        z(20, 60),
    )
    out.log(
        "INFO",
        "[/config/changes-event-process-thread]: Starting",
        "kafka.common.ZkNodeChangeNotificationListener$ChangeEventProcessThread",
        z(10, 30),
    )
    out.log(
        "INFO",
        f"[SocketServer listenerType=ZK_BROKER, nodeId={b}] Enabling request processing.",
        "kafka.network.SocketServer",
        z(10, 30),
    )
    out.log("INFO", "Awaiting socket connections on 0.0.0.0:9092.", "kafka.network.DataPlaneAcceptor", z(2, 6))
    out.log("INFO", f"Kafka version: {sc.KAFKA_VERSION}", "org.apache.kafka.common.utils.AppInfoParser", z(5, 15))
    out.log("INFO", f"Kafka commitId: {sc.KAFKA_COMMIT_ID}", "org.apache.kafka.common.utils.AppInfoParser")
    out.log("INFO", f"Kafka startTimeMs: {out.t - z(2, 9)}", "org.apache.kafka.common.utils.AppInfoParser")
    if out.t >= f.started:
        raise AssertionError(f"kafka-{b}: start-up runs past its scheduled 'started' time")
    out.t = f.started
    out.log("INFO", f"[KafkaServer id={b}] started", "kafka.server.KafkaServer")
    for name in ("forwarding", "alter-partition"):
        out.log(
            "INFO",
            f"[zk-broker-{b}-to-controller-{name}-channel-manager]: Recorded new ZK controller, from now "
            f"on will use node kafka-{sc.FAILOVER_CONTROLLER}:9092 (id: {sc.FAILOVER_CONTROLLER} rack: null)",
            "kafka.server.NodeToControllerRequestThread",
            z(20, 80),
        )
    return {"registered": registered, "started": f.started, "recovered_logs": logs}


def _recovery(ctx: Context, out: Lines, f: sc.Failure) -> int:
    """Log loading after an unclean shutdown; the slowest partitions are the audit ones."""
    b = f.broker_id
    z = out.step
    tps = sorted_tps(ctx.partitions.hosted_by(b))
    n = len(tps)
    out.log("INFO", f"Loading logs from log dirs ArraySeq({sc.LOG_DIR})", "kafka.log.LogManager", z(10, 30))
    out.log(
        "INFO",
        f"Recovering {n} logs from {sc.LOG_DIR} since no clean shutdown file was found",
        "kafka.log.LogManager",
        z(2, 8),
    )
    begin = out.t
    budget = f.started - begin
    weights = {tp: (40.0 if tp[0] == sc.AUDIT_TOPIC else 1.0) for tp in tps}
    unit = budget * 2 / sum(weights.values())
    lanes = [begin, begin]
    plan: list[tuple[int, int, tuple[str, int]]] = []
    for tp in tps:
        lane = 0 if lanes[0] <= lanes[1] else 1
        took = max(3, int(weights[tp] * unit * (0.8 + 0.4 * out.rng.random())))
        plan.append((lanes[lane], took, tp))
        lanes[lane] += took + 1
    stretch = (f.started - 1_900 - begin) / (max(lanes) - begin)
    plan = [(begin + int((t - begin) * stretch), max(3, int(took * stretch)), tp) for t, took, tp in plan]
    lanes = [max(t + took + 1 for t, took, _ in plan)]
    order = {tp: i for i, (_, _, tp) in enumerate(sorted(plan, key=lambda p: (p[0] + p[1], p[2])), start=1)}
    for t, took, tp in plan:
        name = tp_name(tp)
        pre = f"[LogLoader partition={name}, dir={sc.LOG_DIR}] "
        leo = ctx.partitions.offset(tp, f.oom)
        seg = leo - leo % 1000 if leo > 5000 else 0

        def log(dt: int, msg: str, logger: str, t: int = t) -> None:
            ctx.broker_log(b).add(t + dt, ctx.line(t + dt, "INFO", msg, logger))

        log(0, f"{pre}Recovering unflushed segment {seg}. 0/1 recovered for {name}.", "kafka.log.LogLoader")
        log(1, f"{pre}Loading producer state till offset {leo} with message format version 2", "kafka.log.UnifiedLog$")
        snap = f"{sc.LOG_DIR}/{name}/{seg:020d}.snapshot"
        log(
            1,
            f"[ProducerStateManager partition={name}] Loading producer state from snapshot file "
            f"'SnapshotFile(offset={seg}, file={snap})'",
            "org.apache.kafka.storage.internals.log.ProducerStateManager",
        )
        load_ms, seg_ms = int(took * 0.62), int(took * 0.35)
        log(
            took - 3,
            f"{pre}Producer state recovery took {load_ms}ms for snapshot load and {seg_ms}ms for segment "
            f"recovery from offset {seg}",
            "kafka.log.UnifiedLog$",
        )
        if tp[0] == sc.AUDIT_TOPIC:
            ids = ctx.partitions.producer_ids(tp, b, t + took)
            wms = 1 + int(ids / ctx.plan.traffic_share / 9_000)
            log(
                took - 2,
                f"[ProducerStateManager partition={name}] Wrote producer snapshot at offset {leo} with {ids} "
                f"producer ids in {wms} ms.",
                "org.apache.kafka.storage.internals.log.ProducerStateManager",
            )
        topic_id = sc.TOPIC_BY_NAME[tp[0]].topic_id
        start_off = max(0, seg - 3 * 1000)
        log(
            took,
            f"Completed load of Log(dir={sc.LOG_DIR}/{name}, topicId={topic_id}, topic={tp[0]}, partition={tp[1]}, "
            f"highWatermark={leo}, lastStableOffset={leo}, logStartOffset={start_off}, logEndOffset={leo}) with "
            f"{1 + out.rng.randrange(4)} segments, local-log-start-offset {start_off} and log-end-offset {leo} in "
            f"{took}ms ({order[tp]}/{n} completed in {sc.LOG_DIR})",
            "kafka.log.LogManager",
        )
    out.t = max(lanes) + z(2, 9)
    out.log(
        "INFO",
        f"Loaded {n} logs in {out.t - begin}ms (unclean log dirs = ArrayBuffer({sc.LOG_DIR}))",
        "kafka.log.LogManager",
    )
    out.log("INFO", "Starting log cleanup with a period of 300000 ms.", "kafka.log.LogManager", z(1, 4))
    out.log(
        "INFO", "Starting log flusher with a default period of 9223372036854775807 ms.", "kafka.log.LogManager", z(0, 3)
    )
    return n
