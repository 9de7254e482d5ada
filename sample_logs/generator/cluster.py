"""Leaders, ISRs and epochs of every partition, and the lines that change them.

The ZooKeeper controller elects leaders and pushes LeaderAndIsr/UpdateMetadata requests;
brokers log the state changes (state-change.log) and move their fetchers (server.log);
leaders shrink and expand ISRs themselves (server.log, ``kafka.cluster.Partition``). Line
shapes are Kafka 3.7's (catalogue §3.5–3.7).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import scenario as sc
from .context import Context
from .partitions import TP, sorted_tps, tp_name

SC_LOGGER = "state.change.logger"
CTRL_LOGGER = "kafka.controller.KafkaController"


@dataclass
class PState:
    replicas: list[int]
    leader: int
    isr: list[int]
    leader_epoch: int
    partition_epoch: int


@dataclass
class Cluster:
    """Mutable partition state, plus counters of the controller's requests."""

    ctx: Context
    rng: random.Random
    parts: dict[TP, PState] = field(default_factory=dict)
    broker_epoch: dict[int, int] = field(default_factory=dict)
    correlation: dict[tuple[int, int], int] = field(default_factory=dict)

    @classmethod
    def initial(cls, ctx: Context) -> Cluster:
        rng = ctx.plan.rng("cluster")
        c = cls(ctx, rng)
        for tp, reps in ctx.partitions.replicas.items():
            le = 8 + rng.randrange(30)
            c.parts[tp] = PState(list(reps), reps[0], list(reps), le, le + 3 + rng.randrange(40))
        for b in sc.BROKER_IDS:
            c.broker_epoch[b] = 4_294_969_300 + 51 * b + rng.randrange(40)
        return c

    # --- formatting ----------------------------------------------------------------------

    @staticmethod
    def lai(p: PState) -> str:
        isr = ", ".join(f"BrokerState(brokerId={b}, brokerEpoch=-1)" for b in p.isr)
        return (
            f"LeaderAndIsr(leader={p.leader}, leaderEpoch={p.leader_epoch}, isrWithBrokerEpoch=List({isr}), "
            f"leaderRecoveryState=RECOVERED, partitionEpoch={p.partition_epoch})"
        )

    def next_correlation(self, controller: int, broker: int) -> int:
        key = (controller, broker)
        self.correlation[key] = self.correlation.get(key, 40 + self.rng.randrange(400)) + 1
        return self.correlation[key]

    def hw(self, tp: TP, t: int) -> tuple[int, int]:
        leo = self.ctx.partitions.offset(tp, t)
        return max(0, leo - self.rng.randrange(0, 40)), leo

    # --- controller side -----------------------------------------------------------------

    def elect(
        self,
        t: int,
        controller: int,
        epoch: int,
        tps: list[TP],
        live: set[int],
        previous: dict[TP, int] | None = None,
        preferred: bool = False,
    ) -> int:
        """Elect leaders for ``tps`` and push the changes; returns the time the last line was written."""
        ctx = self.ctx
        scl = ctx.state_change_log(controller)
        prefix = f"[Controller id={controller} epoch={epoch}] "
        leaders: dict[int, list[TP]] = {}
        followers: dict[int, list[TP]] = {}
        prev: dict[TP, tuple[int | None, int]] = {}
        for tp in sorted_tps(tps):
            p = self.parts[tp]
            old_state = "OnlinePartition" if preferred else "OfflinePartition"
            if preferred:
                candidates = [p.replicas[0]] if p.replicas[0] in live and p.replicas[0] in p.isr else []
            else:
                candidates = [b for b in p.replicas if b in live and b in p.isr]
            if not candidates:
                scl.add(
                    t,
                    ctx.line(
                        t,
                        "ERROR",
                        f"{prefix}Controller {controller} epoch {epoch} failed to change state "
                        f"for partition {tp_name(tp)} from OfflinePartition to OnlinePartition",
                        SC_LOGGER,
                        f"kafka.common.StateChangeFailedException: Failed to elect leader for partition {tp_name(tp)} "
                        "under strategy OfflinePartitionLeaderElectionStrategy(false)\n",
                    ),
                )
                p.leader = -1
                t += 1
                continue
            prev[tp] = ((previous or {}).get(tp, p.leader) if p.leader != -1 else None, p.leader_epoch)
            p.leader = candidates[0]
            if not preferred:
                p.isr = [b for b in p.isr if b in live] or [p.leader]
            p.leader_epoch += 1
            p.partition_epoch += 1
            scl.add(
                t,
                ctx.line(
                    t,
                    "INFO",
                    f"{prefix}Changed partition {tp_name(tp)} from {old_state} to OnlinePartition "
                    f"with state {self.lai(p)}",
                    SC_LOGGER,
                ),
            )
            leaders.setdefault(p.leader, []).append(tp)
            for b in p.replicas:
                if b != p.leader and b in live:
                    followers.setdefault(b, []).append(tp)
            t += self.rng.randrange(0, 3)
        for b in sorted(set(leaders) | set(followers)):
            nl, nf = len(leaders.get(b, [])), len(followers.get(b, []))
            scl.add(
                t,
                ctx.line(
                    t,
                    "INFO",
                    f"{prefix}Sending LeaderAndIsr request to broker {b} with {nl} become-leader "
                    f"and {nf} become-follower partitions",
                    SC_LOGGER,
                ),
            )
        changed = len(prev)
        scl.add(
            t,
            ctx.line(
                t,
                "INFO",
                f"{prefix}Sending UpdateMetadata request to brokers "
                f"HashSet({', '.join(str(b) for b in sorted(live))}) for {changed} partitions",
                SC_LOGGER,
            ),
        )
        for b in sorted(set(leaders) | set(followers)):
            self.broker_applies(
                t + 6 + self.rng.randrange(20), b, controller, epoch, leaders.get(b, []), followers.get(b, []), prev
            )
        for b in sorted(live):
            self.metadata_update(t + 9 + self.rng.randrange(25), b, controller, epoch, changed)
        return t

    # --- broker side ---------------------------------------------------------------------

    def broker_applies(
        self,
        t: int,
        b: int,
        controller: int,
        epoch: int,
        lead: list[TP],
        follow: list[TP],
        prev: dict[TP, tuple[int | None, int]],
    ) -> int:
        """Broker ``b`` handles a LeaderAndIsr request; returns when it finished."""
        ctx = self.ctx
        scl = ctx.state_change_log(b)
        cid = self.next_correlation(controller, b)
        n = len(lead) + len(follow)
        pre = f"[Broker id={b}] "
        scl.add(
            t,
            ctx.line(
                t,
                "INFO",
                f"{pre}Handling LeaderAndIsr request correlationId {cid} from controller "
                f"{controller} for {n} partitions",
                SC_LOGGER,
            ),
        )
        start = t
        for tp in lead:
            p = self.parts[tp]
            hw, _ = self.hw(tp, t)
            before, ple = prev.get(tp, (None, p.leader_epoch - 1))
            under = " (under-min-isr)" if len(p.isr) < 2 else ""
            prev_leader = f"Some({before})" if before is not None and before >= 0 else "None"
            scl.add(
                t,
                ctx.line(
                    t,
                    "INFO",
                    f"{pre}Leader {tp_name(tp)} with topic id Some({sc.TOPIC_BY_NAME[tp[0]].topic_id})"
                    f" starts at leader epoch {p.leader_epoch} from offset {hw} with partition epoch "
                    f"{p.partition_epoch}, high watermark {hw}, ISR [{','.join(map(str, p.isr))}], adding "
                    f"replicas [] and removing replicas []{under or ' '}. Previous leader {prev_leader} and "
                    f"previous leader epoch was {ple}.",
                    SC_LOGGER,
                ),
            )
            t += self.rng.randrange(0, 2)
        for tp in follow:
            p = self.parts[tp]
            hw, _ = self.hw(tp, t)
            before, ple = prev.get(tp, (None, p.leader_epoch - 1))
            prev_leader = f"Some({before})" if before is not None and before >= 0 else "None"
            scl.add(
                t,
                ctx.line(
                    t,
                    "INFO",
                    f"{pre}Follower {tp_name(tp)} starts at leader epoch {p.leader_epoch} from "
                    f"offset {hw} with partition epoch {p.partition_epoch} and high watermark {hw}. Current "
                    f"leader is {p.leader}. Previous leader {prev_leader} and previous leader epoch was "
                    f"{ple}.",
                    SC_LOGGER,
                ),
            )
            t += self.rng.randrange(0, 2)
        if lead:
            self.fetchers_removed(t, b, lead)
        if follow:
            self.fetchers_added(t + 1, b, follow)
        t += 2 + self.rng.randrange(8)
        scl.add(
            t,
            ctx.line(
                t,
                "INFO",
                f"{pre}Finished LeaderAndIsr request in {t - start}ms correlationId {cid} from "
                f"controller {controller} for {n} partitions",
                SC_LOGGER,
            ),
        )
        return t

    def metadata_update(self, t: int, b: int, controller: int, epoch: int, n: int) -> None:
        cid = self.next_correlation(controller, b)
        self.ctx.state_change_log(b).add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"[Broker id={b}] Add {n} partitions and deleted 0 partitions from metadata cache in response to "
                f"UpdateMetadata request sent by controller {controller} epoch {epoch} with correlation id {cid}",
                SC_LOGGER,
            ),
        )

    def fetchers_removed(self, t: int, b: int, tps: list[TP]) -> None:
        names = ", ".join(tp_name(tp) for tp in sorted_tps(tps))
        self.ctx.broker_log(b).add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"[ReplicaFetcherManager on broker {b}] Removed fetcher for partitions HashSet({names})",
                "kafka.server.ReplicaFetcherManager",
            ),
        )

    def fetchers_added(self, t: int, b: int, tps: list[TP]) -> None:
        by_leader: dict[int, list[TP]] = {}
        for tp in sorted_tps(tps):
            if self.parts[tp].leader > 0:
                by_leader.setdefault(self.parts[tp].leader, []).append(tp)
        self.fetchers_removed(t, b, tps)
        for leader, group in sorted(by_leader.items()):
            states = ", ".join(
                f"{tp_name(tp)} -> InitialFetchState(Some({sc.TOPIC_BY_NAME[tp[0]].topic_id}),"
                f"BrokerEndPoint(id={leader}, host=kafka-{leader}:9092),{self.parts[tp].leader_epoch},"
                f"{self.hw(tp, t)[0]})"
                for tp in group
            )
            self.ctx.broker_log(b).add(
                t + 1,
                self.ctx.line(
                    t + 1,
                    "INFO",
                    f"[ReplicaFetcherManager on broker {b}] Added fetcher to broker {leader} for partitions "
                    f"HashMap({states})",
                    "kafka.server.ReplicaFetcherManager",
                ),
            )
            for tp in group[:3]:
                hw = self.hw(tp, t)[0]
                fid = tp[1] % 2
                self.ctx.broker_log(b).add(
                    t + 3,
                    self.ctx.line(
                        t + 3,
                        "INFO",
                        f"[ReplicaFetcher replicaId={b}, leaderId={leader}, fetcherId={fid}] Truncating "
                        f"partition {tp_name(tp)} with TruncationState(offset={hw}, completed=true) due to "
                        f"leader epoch and "
                        f"offset EpochEndOffset(errorCode=0, partition={tp[1]}, "
                        f"leaderEpoch={self.parts[tp].leader_epoch}, "
                        f"endOffset={hw})",
                        "kafka.server.ReplicaFetcherThread",
                    ),
                )

    def shrink_isr(self, t: int, tp: TP, gone: int) -> None:
        """The leader drops a lagging follower from the ISR (AlterPartition accepted)."""
        p = self.parts[tp]
        if gone not in p.isr or p.leader in (-1, gone):
            return
        hw, leo = self.hw(tp, t)
        new = [b for b in p.isr if b != gone]
        lag = self.rng.randrange(200, 4000)
        caught_up = t - 30_000 - self.rng.randrange(1, 14_000)
        log = self.ctx.broker_log(p.leader)
        pre = f"[Partition {tp_name(tp)} broker={p.leader}] "
        log.add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"{pre}Shrinking ISR from {','.join(map(str, p.isr))} to "
                f"{','.join(map(str, new))}. Leader: (highWatermark: {hw}, endOffset: {leo}). Out of "
                f"sync replicas: (brokerId: {gone}, endOffset: {max(0, hw - lag)}, lastCaughtUpTimeMs: "
                f"{caught_up}).",
                "kafka.cluster.Partition",
            ),
        )
        p.isr = new
        p.partition_epoch += 1
        self.isr_updated(t + 4 + self.rng.randrange(30), tp)

    def expand_isr(self, t: int, tp: TP, back: int) -> None:
        p = self.parts[tp]
        if back in p.isr or p.leader == -1:
            return
        p.isr = p.isr + [back]
        p.partition_epoch += 1
        self.isr_updated(t, tp)

    def isr_updated(self, t: int, tp: TP) -> None:
        p = self.parts[tp]
        under = "(under-min-isr)" if len(p.isr) < 2 else ""
        self.ctx.broker_log(p.leader).add(
            t,
            self.ctx.line(
                t,
                "INFO",
                f"[Partition {tp_name(tp)} broker={p.leader}] ISR updated to {','.join(map(str, p.isr))} "
                f"{under} and version updated to {p.partition_epoch}",
                "kafka.cluster.Partition",
            ),
        )
