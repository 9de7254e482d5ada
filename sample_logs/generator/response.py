"""How the cluster and the operators respond: controller failover, the dynamic expiry change,
the SIGTERM/SIGKILL restarts with unclean-shutdown recovery, and the final leader rebalance.

``Response`` is the half of ``cascade.Cascade`` that brings the cluster back; it shares the
cascade's partition state, so leaders, ISRs and epochs stay continuous across both halves.
"""

from __future__ import annotations

import random

from . import scenario as sc
from . import startup
from . import templates as tpl
from .broker_noise import ControllerChecks
from .cluster import CTRL_LOGGER, Cluster
from .context import Context
from .partitions import TP, sorted_tps, tp_name
from .truth import Truth

NEW_SESSION_IDS = {1: "20000c1f3e7001d", 3: "20000c1f3e70019", 5: "100007a2c3e10021"}
NEW_BROKER_EPOCHS = {3: 4_294_991_611, 1: 4_294_992_204, 5: 4_294_992_773}


class Response:
    """Scenes of the recovery; the state they use is set up by ``Cascade``."""

    ctx: Context
    rng: random.Random
    cluster: Cluster
    truth: Truth
    registered_at: dict[int, int]

    def log(self, b: int, t: int, level: str, msg: str, logger: str, stack: str = "") -> None:
        raise NotImplementedError

    def live(self, t: int) -> set[int]:
        raise NotImplementedError

    def registered(self, b: int, t: int) -> bool:
        raise NotImplementedError

    def led_tps(self, x: int) -> list[TP]:
        raise NotImplementedError

    def failover(self, f: sc.Failure) -> None:
        """The controller itself dies: another broker wins the election and takes over."""
        x = f.broker_id
        t = sc.FAILOVER_AT
        c, epoch = sc.FAILOVER_CONTROLLER, sc.INITIAL_CONTROLLER_EPOCH + 1
        live = self.live(t)
        self.truth.event(
            f"kafka-{x}",
            "failure_seen_by_controller",
            t,
            failure_seen_by=f"kafka-{c}",
            failure_line=f"{c} successfully elected as the controller",
        )
        self.truth.controller_change(t, c, epoch)
        log = self.ctx.controller_log(c)
        p = f"[Controller id={c}] "
        topics = ", ".join(sorted(t_.name for t_ in sc.TOPICS))
        epochs = ", ".join(f"{b} -> {self.cluster.broker_epoch[b]}" for b in sorted(live))
        live_set = ", ".join(map(str, sorted(live)))
        seq = [
            (
                "INFO",
                f"{p}{c} successfully elected as the controller. Epoch incremented to {epoch} and epoch zk version "
                f"is now {epoch}",
            ),
            ("INFO", f"{p}Registering handlers"),
            ("INFO", f"{p}Deleting log dir event notifications"),
            ("INFO", f"{p}Deleting isr change notifications"),
            ("INFO", f"{p}Initializing controller context"),
            ("INFO", f"{p}Initialized broker epochs cache: HashMap({epochs})"),
            ("DEBUG", f"{p}Register BrokerModifications handler for Set({live_set})"),
            ("INFO", f"{p}Currently active brokers in the cluster: Set({live_set})"),
            ("INFO", f"{p}Currently shutting brokers in the cluster: HashSet()"),
            ("INFO", f"{p}Current list of topics in the cluster: HashSet({topics})"),
            ("INFO", f"{p}Fetching topic deletions in progress"),
            ("INFO", f"{p}List of topics to be deleted: "),
            ("INFO", f"{p}List of topics ineligible for deletion: "),
            ("INFO", f"{p}Initializing topic deletion manager"),
        ]
        for level, msg in seq:
            log.add(t, self.ctx.line(t, level, msg, CTRL_LOGGER))
            t += self.rng.randrange(1, 25)
        log.add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"[Topic Deletion Manager {c}] Initializing manager with initial deletions: "
                "Set(), initial ineligible deletions: HashSet()",
                "kafka.controller.TopicDeletionManager",
            ),
        )
        log.add(t + 1, self.ctx.line(t + 1, "INFO", f"{p}Sending update metadata request", CTRL_LOGGER))
        self.ctx.state_change_log(c).add(
            t + 2,
            self.ctx.line(
                t + 2,
                "INFO",
                f"[Controller id={c} epoch={epoch}] Sending UpdateMetadata request to brokers "
                f"HashSet({live_set}) for {len(self.cluster.parts)} partitions",
                "state.change.logger",
            ),
        )
        for b in sorted(live):
            t += self.rng.randrange(2, 12)
            log.add(
                t,
                self.ctx.line(
                    t, "INFO", f"[RequestSendThread controllerId={c}] Starting", "kafka.controller.RequestSendThread"
                ),
            )
            log.add(
                t + 9,
                self.ctx.line(
                    t + 9,
                    "INFO",
                    f"[RequestSendThread controllerId={c}] Controller {c} connected "
                    f"to kafka-{b}:9092 (id: {b} rack: null) for sending state change requests",
                    "kafka.controller.RequestSendThread",
                ),
            )
        for name, msg in (
            ("ReplicaStateMachine", "Initializing replica state"),
            ("ReplicaStateMachine", "Triggering online replica state changes"),
            ("ReplicaStateMachine", "Triggering offline replica state changes"),
            ("PartitionStateMachine", "Initializing partition state"),
            ("PartitionStateMachine", "Triggering online partition state changes"),
        ):
            t += self.rng.randrange(3, 40)
            log.add(t, self.ctx.line(t, "INFO", f"[{name} controllerId={c}] {msg}", f"kafka.controller.Zk{name}"))
        prev = {tp: x for tp in self.led_tps(x)}
        t = self.cluster.elect(t + 5, c, epoch, list(prev), live, prev) + 30
        for msg in (
            "Ready to serve as the new controller with epoch 8",
            "Partitions undergoing preferred replica election: ",
            "Partitions that completed preferred replica election: ",
            "Skipping preferred replica election for partitions due to topic deletion: ",
            "Resuming preferred replica election for partitions: ",
            "Starting replica leader election (PREFERRED) for partitions  triggered by ZkTriggered",
            "Starting the controller scheduler",
        ):
            log.add(t, self.ctx.line(t, "INFO", p + msg.replace("epoch 8", f"epoch {epoch}"), CTRL_LOGGER))
            t += self.rng.randrange(1, 20)
        for b in sorted(live):
            if b == c:
                continue
            tt = sc.FAILOVER_AT + self.rng.randrange(2, 30)
            if b == 4:
                self.ctx.controller_log(b).add(
                    tt,
                    self.ctx.line(
                        tt,
                        "DEBUG",
                        f"[Controller id={b}] Broker {c} was elected as controller instead of broker {b}",
                        CTRL_LOGGER,
                        tpl.CONTROLLER_MOVED,
                    ),
                )
            else:
                self.ctx.controller_log(b).add(
                    tt,
                    self.ctx.line(
                        tt,
                        "DEBUG",
                        f"[Controller id={b}] Broker {c} has been elected as the controller, so stopping the "
                        "election process.",
                        CTRL_LOGGER,
                    ),
                )
        for b in sorted(live):
            tt = sc.FAILOVER_AT + 2_900 + self.rng.randrange(400)
            for name in ("forwarding", "alter-partition"):
                self.log(
                    b,
                    tt,
                    "INFO",
                    f"[zk-broker-{b}-to-controller-{name}-channel-manager]: Recorded new ZK "
                    f"controller, from now on will use node kafka-{c}:9092 (id: {c} rack: null)",
                    "kafka.server.NodeToControllerRequestThread",
                )
                tt += self.rng.randrange(1, 40)

    def reconfigure(self) -> None:
        """The operators lower producer.id.expiration.ms cluster-wide (brokers that are up apply it)."""
        t0 = sc.EXPIRATION_CHANGED_AT
        for b in sc.BROKER_IDS:
            if not (self.registered(b, t0) and sc.broker_serving(b, t0)):
                continue
            t = t0 + 20 + self.rng.randrange(300)
            self.log(
                b,
                t,
                "INFO",
                "Processing notification(s) to /config/changes",
                "kafka.common.ZkNodeChangeNotificationListener",
            )
            self.log(
                b,
                t + 4,
                "INFO",
                "Processing override for entityPath: brokers/<default> with config: "
                f"HashMap(producer.id.expiration.ms -> {sc.EXPIRATION_LOWERED_MS})",
                "kafka.server.DynamicConfigManager",
            )
            self.log(
                b,
                t + 9,
                "INFO",
                f"Reconfigure producer.id.expiration.ms from {sc.EXPIRATION_INITIAL_MS} to {sc.EXPIRATION_LOWERED_MS}",
                "kafka.server.DynamicProducerStateManagerConfig",
            )
            self.truth.event(f"kafka-{b}", "expiration_lowered", t + 9)

    def shutdown_attempt(self, f: sc.Failure) -> None:
        """SIGTERM: the hook starts a controlled shutdown that never finishes; SIGKILL leaves no line."""
        x, t = f.broker_id, f.sigterm
        self.truth.event(f"kafka-{x}", "sigterm", t)
        self.log(
            x,
            t,
            "INFO",
            "Terminating process due to signal SIGTERM",
            "org.apache.kafka.common.utils.LoggingSignalHandler",
        )
        self.log(x, t + 6, "INFO", f"[KafkaServer id={x}] shutting down", "kafka.server.KafkaServer")
        self.log(x, t + 9, "INFO", f"[KafkaServer id={x}] Starting controlled shutdown", "kafka.server.KafkaServer")
        self.log(
            x,
            t + 30_000 + self.rng.randrange(90),
            "WARN",
            f"[KafkaServer id={x}] Error during controlled "
            "shutdown, possibly because leader movement took longer than the configured controller.socket.timeout.ms "
            "and/or request.timeout.ms: Connection to 2 was disconnected before the response was read",
            "kafka.server.KafkaServer",
        )

    def come_back(self, f: sc.Failure) -> None:
        """Restart after SIGKILL: log recovery, registration, the controller re-admits the broker."""
        x = f.broker_id
        host = f"kafka-{x}"
        epoch = NEW_BROKER_EPOCHS[x]
        out = startup.restart(self.ctx, f, NEW_SESSION_IDS[x], epoch)
        self.truth.event(host, "restart_first_line", f.restart)
        self.truth.event(host, "registered", out["registered"])
        self.truth.event(host, "started", out["started"], recovered_logs=out["recovered_logs"])
        self.cluster.broker_epoch[x] = epoch
        self.registered_at[x] = out["registered"]
        t = out["registered"] + 90 + self.rng.randrange(120)
        c, cepoch = sc.FAILOVER_CONTROLLER, sc.INITIAL_CONTROLLER_EPOCH + 1
        live = self.live(t)
        log = self.ctx.controller_log(c)
        p = f"[Controller id={c}] "
        for msg, logger in (
            (
                f"{p}Newly added brokers: {x}, deleted brokers: , bounced brokers: , all live brokers: "
                f"{','.join(map(str, sorted(live)))}",
                CTRL_LOGGER,
            ),
            (f"[RequestSendThread controllerId={c}] Starting", "kafka.controller.RequestSendThread"),
            (f"{p}New broker startup callback for {x}", CTRL_LOGGER),
        ):
            log.add(t, self.ctx.line(t, "INFO", msg, logger))
            t += self.rng.randrange(1, 6)
        log.add(
            t + 8,
            self.ctx.line(
                t + 8,
                "INFO",
                f"[RequestSendThread controllerId={c}] Controller {c} connected to "
                f"kafka-{x}:9092 (id: {x} rack: null) for sending state change requests",
                "kafka.controller.RequestSendThread",
            ),
        )
        scl = self.ctx.state_change_log(c)
        scl.add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"[Controller id={c} epoch={cepoch}] Sending UpdateMetadata request to brokers "
                f"HashSet({x}) for {len(self.cluster.parts)} partitions",
                "state.change.logger",
            ),
        )
        hosted = [tp for tp, ps in self.cluster.parts.items() if x in ps.replicas]
        offline = [tp for tp in hosted if self.cluster.parts[tp].leader == -1]
        follow = [tp for tp in sorted_tps(hosted) if tp not in offline and self.cluster.parts[tp].leader != x]
        scl.add(
            t + 2,
            self.ctx.line(
                t + 2,
                "INFO",
                f"[Controller id={c} epoch={cepoch}] Sending LeaderAndIsr request to "
                f"broker {x} with 0 become-leader and {len(follow)} become-follower partitions",
                "state.change.logger",
            ),
        )
        done = self.cluster.broker_applies(t + 20, x, c, cepoch, [], follow, {})
        if offline:
            self.cluster.elect(done + 15, c, cepoch, offline, live)
            for tp in sorted_tps(offline):
                for b in self.cluster.parts[tp].replicas:
                    if b in live and b != self.cluster.parts[tp].leader:
                        self.cluster.expand_isr(out["started"] + 6_000 + self.rng.randrange(50_000), tp, b)
        for tp in sorted_tps(follow):
            lag = 4_000 + self.rng.randrange(40_000) * (3 if tp[0] == sc.AUDIT_TOPIC else 1)
            self.cluster.expand_isr(out["started"] + lag, tp, x)

    def rebalance(self) -> None:
        """Auto leader balancing moves leadership back to the preferred replicas."""
        t = sc.REBALANCE_AT
        c, epoch = sc.FAILOVER_CONTROLLER, sc.INITIAL_CONTROLLER_EPOCH + 1
        moved = {
            tp: p.leader
            for tp, p in self.cluster.parts.items()
            if p.leader not in (-1, p.replicas[0]) and p.replicas[0] in p.isr
        }
        imbalance: dict[int, list[str]] = {}
        for tp in sorted_tps(list(moved)):
            reps = self.cluster.parts[tp].replicas
            imbalance.setdefault(reps[0], []).append(f"{tp_name(tp)} -> ArrayBuffer({', '.join(map(str, reps))})")
        ControllerChecks(self.ctx).check(t, c, imbalance)
        names = ",".join(tp_name(tp) for tp in sorted_tps(list(moved)))
        self.ctx.controller_log(c).add(
            t + 3,
            self.ctx.line(
                t + 3,
                "INFO",
                f"[Controller id={c}] Starting replica leader election (PREFERRED) for partitions {names} "
                "triggered by AutoTriggered",
                CTRL_LOGGER,
            ),
        )
        self.cluster.elect(t + 5, c, epoch, list(moved), self.live(t), moved, preferred=True)
