"""New producers, second by second: who creates them, which broker hands out their ids.

Counts follow the rates of the model at the run's traffic share (error diffusion, so the
hourly totals are exact); the few producers whose client logs exist ("visible" producers
of api-pod-a, api-pod-b and billing-service) are drawn at random among them. Producer ids
come from 1000-id blocks that each broker asks the active controller for when 90 % of its
current block is used; every block is one ``Acquired new producerId block`` line in that
controller's controller.log. While no controller can serve, brokers log
``Timed out when requesting AllocateProducerIds`` and new producers wait for their id.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from . import scenario as sc
from .context import Context


@dataclass
class VisibleProducer:
    """A producer whose client log we have."""

    client: str
    created: int
    partition: int
    broker: int = 0
    producer_id: int = -1
    assigned: int = -1
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class _BrokerIds:
    cur_first: int = -1
    cur_used: int = 1000
    cur_logged: bool = False
    next_first: int = -1
    requested_at: int = -1
    """Prefetch requested but not served yet (-1: none outstanding)."""
    waiting: list[tuple[int, list[VisibleProducer]]] = field(default_factory=list)
    """Producers that found the block exhausted: (count, visible ones among them)."""
    last_timeout_warn: int = 0
    cur_granted: int = 0
    next_granted: int = 0


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth below 30, normal approximation above)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Traffic:
    """Runs the producer model and feeds block lines, client lifecycles and partition counts."""

    VISIBLE_PODS = ("api-pod-a", "api-pod-b")

    def __init__(
        self,
        ctx: Context,
        on_created: Callable[[VisibleProducer], None],
        on_assigned: Callable[[VisibleProducer], None],
    ) -> None:
        self.ctx = ctx
        self.rng = ctx.plan.rng("traffic")
        self.on_created = on_created
        self.on_assigned = on_assigned
        share = ctx.plan.traffic_share
        self.legit_per_s = share * sc.BASELINE_NEW_PRODUCERS_PER_HOUR / 3600
        self.storm_per_s_at_100 = share * sc.AUDIT_REQUESTS_PER_HOUR / 3600
        self.acc_legit = self.rng.random()
        self.acc_storm = self.rng.random()
        self.minute_factor: dict[int, tuple[float, float]] = {}
        self.next_block = sc.FIRST_BLOCK_START
        self.ids = {b: _BrokerIds() for b in sc.BROKER_IDS}
        for k, b in enumerate(sorted(sc.BROKER_IDS, key=lambda _: self.rng.random())):
            st = self.ids[b]
            st.cur_first = sc.FIRST_BLOCK_START - (5 - k) * 1000
            st.cur_used = 895 + self.rng.randrange(5)
        self.last_grant = 0
        self.weight_minute = -1
        self.now = sc.WINDOW_START
        self.weights: dict[int, float] = {}
        self.share_acc = {b: self.rng.random() for b in sc.BROKER_IDS}
        self.scheduled: list[VisibleProducer] = []
        self.restarted: set[int] = set()
        self.cursor = sc.WINDOW_START

    # --- scheduling ----------------------------------------------------------------------

    def schedule(self, vp: VisibleProducer) -> None:
        """A visible producer created at a fixed time (billing-service start-up)."""
        self.scheduled.append(vp)
        self.scheduled.sort(key=lambda v: v.created)

    def run(self, t0: int, t1: int) -> None:
        """Simulate every second in [t0 + 1 s, t1 + 1 s): one second ahead of the flush."""
        start = max(self.cursor, t0 + 1000)
        for sec in range(start, t1 + 1000, 1000):
            self._second(sec)
        self.cursor = max(self.cursor, t1 + 1000)

    # --- one second ----------------------------------------------------------------------

    def _factors(self, sec: int) -> tuple[float, float]:
        minute = sec // sc.MINUTE_MS
        f = self.minute_factor.get(minute)
        if f is None:
            f = (self.rng.gauss(1.0, 0.05), self.rng.gauss(1.0, 0.03))
            self.minute_factor = {minute: f}
        return f

    def _second(self, sec: int) -> None:
        ctx = self.ctx
        self._restart_blocks(sec)
        self._serve_outstanding(sec)
        legit_f, storm_f = self._factors(sec)
        pct = sc.rollout_percent(sec)
        self.acc_legit += self.legit_per_s * legit_f
        n_legit = int(self.acc_legit)
        self.acc_legit -= n_legit
        storm_rate = self.storm_per_s_at_100 * pct / 100 * storm_f
        self.acc_storm += storm_rate
        n_storm = int(self.acc_storm)
        self.acc_storm -= n_storm

        visible: list[VisibleProducer] = []
        for pod in self.VISIBLE_PODS:
            for _ in range(poisson(self.rng, storm_rate / sc.API_FLEET_PODS)):
                created = sec + self.rng.randrange(1000) - 40
                visible.append(VisibleProducer(pod, created, self.rng.randrange(24)))
        while self.scheduled and self.scheduled[0].created < sec + 1000:
            visible.append(self.scheduled.pop(0))
        visible.sort(key=lambda v: v.created)
        n_storm = max(n_storm, sum(1 for v in visible if v.client in self.VISIBLE_PODS))
        n_legit = max(n_legit, sum(1 for v in visible if v.client not in self.VISIBLE_PODS))
        ctx.partitions.add_storm(sec, n_storm, [v.partition for v in visible if v.client in self.VISIBLE_PODS])
        ctx.partitions.add_legit(sec, n_legit)

        live = [b for b in sc.BROKER_IDS if sc.broker_serving(b, sec)]
        self.now = sec
        counts = self._split(n_legit + n_storm, live)
        by_broker: dict[int, list[VisibleProducer]] = {b: [] for b in live}
        for vp in visible:
            preferred = [b for b in live if self.ids[b].cur_logged] or live
            vp.broker = self.rng.choice(preferred)
            by_broker[vp.broker].append(vp)
            self.on_created(vp)
        for b in live:
            counts[b] = max(counts[b], len(by_broker[b]))
            if counts[b]:
                self._allocate(b, sec, counts[b], by_broker[b])

    def _split(self, n: int, live: list[int]) -> dict[int, int]:
        """Share new producers among live brokers; clients pick the least-loaded node, unevenly."""
        minute = self.now // sc.MINUTE_MS
        if minute != self.weight_minute:
            self.weight_minute = minute
            self.weights = {b: 0.6 + 0.8 * self.rng.random() for b in sc.BROKER_IDS}
        total = sum(self.weights[b] for b in live)
        counts = {}
        for b in live:
            self.share_acc[b] += n * self.weights[b] / total
            counts[b] = int(self.share_acc[b])
            self.share_acc[b] -= counts[b]
        return counts

    # --- ids and blocks ------------------------------------------------------------------

    def _allocate(self, b: int, sec: int, n: int, visible: list[VisibleProducer]) -> None:
        """Hand out ``n`` ids on broker ``b`` during second ``sec``; visible ones get exact ids."""
        positions = sorted(self.rng.sample(range(n), len(visible)))
        visible.sort(key=lambda v: v.created)
        at_pos = dict(zip(positions, visible, strict=False))
        st = self.ids[b]
        if st.waiting:
            st.waiting.append((n, visible))
            return
        pos = 0
        while pos < n:
            t = sec + (pos * 1000 + 500) // n
            if st.cur_used >= 1000:
                if st.next_first < 0 and not self._request_block(b, t):
                    rest = [at_pos[p] for p in range(pos, n) if p in at_pos]
                    st.waiting.append((n - pos, rest))
                    self.ctx.truth.producers_allocated(sec, pos)
                    return
                if st.next_first < 0:
                    continue
                st.cur_first, st.cur_used, st.cur_logged, st.next_first = st.next_first, 0, True, -1
                st.cur_granted = st.next_granted
            take = min(1000 - st.cur_used, n - pos)
            for p in range(pos, pos + take):
                vp = at_pos.get(p)
                if vp is not None:
                    t_id = max(sec + (p * 1000 + 500) // n, st.cur_granted + 1)
                    self._assign(vp, st.cur_first + st.cur_used + (p - pos), t_id)
            before = st.cur_used
            st.cur_used += take
            if before < 900 <= st.cur_used and st.next_first < 0 and st.requested_at < 0:
                self._request_block(b, sec + ((pos + 900 - before) * 1000 + 500) // n)
            pos += take
        self.ctx.truth.producers_allocated(sec, n)

    def _assign(self, vp: VisibleProducer, pid: int, t: int) -> None:
        vp.producer_id = pid
        vp.assigned = max(t, vp.created + 9)
        self.on_assigned(vp)

    def _request_block(self, b: int, t: int) -> bool:
        """Ask the controller for a block at ``t``; True if it was granted (and logged)."""
        st = self.ids[b]
        ctrl = sc.controller_at(t)
        if ctrl is None:
            if st.requested_at < 0:
                st.requested_at = st.last_timeout_warn = t
            return False
        self._grant(b, t + 3 + self.rng.randrange(9), ctrl[0])
        return True

    def _grant(self, b: int, t: int, controller: int) -> None:
        """The controller writes the next block to ZooKeeper; grants are serialized in time."""
        st = self.ids[b]
        t = max(t, self.last_grant + 1)
        self.last_grant = t
        first = self.next_block
        self.next_block += 1000
        version = first // 1000 + 1
        text = (
            f"[Controller id={controller}] Acquired new producerId block ProducerIdsBlock(assignedBrokerId={b}, "
            f"firstProducerId={first}, size=1000) by writing to Zk with path version {version}"
        )
        self.ctx.controller_log(controller).add(t, self.ctx.line(t, "INFO", text, "kafka.controller.KafkaController"))
        self.ctx.truth.block_logged(t, controller, b, first)
        st.next_first = first
        st.next_granted = t
        st.requested_at = -1

    def _serve_outstanding(self, sec: int) -> None:
        """Serve requests that waited for a controller, then the producers that waited for ids."""
        ctrl = sc.controller_at(sec)
        if ctrl is None:
            self._warn_timeouts(sec)
            return
        for b in sc.BROKER_IDS:
            st = self.ids[b]
            if st.requested_at < 0 and not st.waiting:
                continue
            t = sec + 5 + self.rng.randrange(40)
            if st.next_first < 0:
                self._grant(b, t, ctrl[0])
            waiting, st.waiting = st.waiting, []
            for n, vis in waiting:
                self._allocate(b, t // 1000 * 1000, n, vis)

    def _warn_timeouts(self, sec: int) -> None:
        """Each unanswered AllocateProducerIds request times out after controller.socket.timeout.ms."""
        for b in sc.BROKER_IDS:
            st = self.ids[b]
            if st.requested_at >= 0 and sec - st.last_timeout_warn >= 30_000 and sc.broker_serving(b, sec):
                st.last_timeout_warn = sec
                t = sec + self.rng.randrange(1000)
                self.ctx.broker_log(b).add(
                    t,
                    self.ctx.line(
                        t,
                        "WARN",
                        f"[RPC ProducerId Manager {b}]: Timed out when requesting AllocateProducerIds "
                        "from the controller.",
                        "kafka.coordinator.transaction.RPCProducerIdManager",
                    ),
                )

    def _restart_blocks(self, sec: int) -> None:
        """A restarted broker starts without a block: its first producer makes it ask for one."""
        for f in sc.FAILURES:
            if f.broker_id not in self.restarted and sec >= f.started:
                self.restarted.add(f.broker_id)
                self.ids[f.broker_id] = _BrokerIds()
