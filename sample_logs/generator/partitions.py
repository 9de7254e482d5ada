"""Topic partitions: replica assignment, log-end offsets, segment rolls and producer state.

Replicas are placed with Kafka's rack-unaware assignment. Offsets and segment sizes are
those of the full-size cluster; producer-state counts (the ``with N producer ids`` of
``Wrote producer snapshot``) are at the run's traffic share, so they add up to the ids the
controller handed out. A replica holds every producer id that wrote to its partition and
has not expired on that broker.
"""

from __future__ import annotations

import random

from . import scenario as sc

TP = tuple[str, int]

LONG_LIVED_PRODUCERS = {
    "events-ingest": sc.API_FLEET_PODS,
    "notification-requests": 36,
    "incident-updates": 58,
    "billing-usage": 3,
    "user-profiles": 4,
}
"""Long-lived producers writing to every partition of a topic (they never expire: they keep writing)."""


def assign_replicas(brokers: list[int], partitions: int, rf: int, start: int, shift: int) -> list[list[int]]:
    """Kafka's ``AdminUtils.assignReplicasToBrokers`` without racks."""
    n = len(brokers)
    out = []
    for p in range(partitions):
        if p > 0 and p % n == 0:
            shift += 1
        first = (p + start) % n
        replicas = [brokers[first]]
        for j in range(rf - 1):
            replicas.append(brokers[(first + 1 + (shift + j) % (n - 1)) % n])
        out.append(replicas)
    return out


class Partitions:
    """Static layout plus the producer-id counters the traffic model feeds."""

    def __init__(self, plan: sc.Plan) -> None:
        rng = plan.rng("partitions")
        self.rng = rng
        self.replicas: dict[TP, list[int]] = {}
        self.base_offset: dict[TP, int] = {}
        self.rate: dict[TP, float] = {}
        self.skew: dict[TP, float] = {}
        for topic in sc.TOPICS:
            start = 2 if topic.name == sc.AUDIT_TOPIC else rng.randrange(5)
            for p, reps in enumerate(assign_replicas(sc.BROKER_IDS, topic.partitions, 3, start, rng.randrange(5))):
                tp = (topic.name, p)
                self.replicas[tp] = reps
                self.base_offset[tp] = rng.randrange(2_000_000, 90_000_000) if topic.records_per_s else 0
                self.rate[tp] = topic.records_per_s / topic.partitions * (0.85 + 0.3 * rng.random())
                self.skew[tp] = 0.94 + 0.12 * rng.random()
        self.base_offset.update({(sc.AUDIT_TOPIC, p): 3_000 + rng.randrange(400) for p in range(24)})
        share = plan.traffic_share
        legit_held = share * sc.BASELINE_NEW_PRODUCERS_PER_HOUR * 24
        self.pre_held: dict[TP, float] = {}
        for name, mix in sc.LEGIT_TOPIC_MIX:
            parts = sc.TOPIC_BY_NAME[name].partitions
            for p in range(parts):
                self.pre_held[(name, p)] = legit_held * mix / parts
        self.legit_tps = [tp for tp in self.pre_held]
        self.legit_weights = [self.pre_held[tp] for tp in self.legit_tps]
        self.cum: dict[TP, int] = {tp: 0 for tp in self.replicas}
        self.minute_cum: dict[TP, list[int]] = {tp: [] for tp in self.replicas}
        self.minute_next = sc.WINDOW_START

    # --- counters fed by the traffic model ---------------------------------------------

    def _tick_minute(self, sec: int) -> None:
        while self.minute_next <= sec:
            for tp, c in self.cum.items():
                self.minute_cum[tp].append(c)
            self.minute_next += sc.MINUTE_MS

    def add_storm(self, sec: int, n: int, fixed: list[int]) -> None:
        """``n`` audit producers created in second ``sec``; ``fixed`` are visible ones' partitions."""
        self._tick_minute(sec)
        for p in fixed:
            self.cum[(sc.AUDIT_TOPIC, p)] += 1
        rest = n - len(fixed)
        if rest <= 0:
            return
        each, extra = divmod(rest, 24)
        for p in range(24):
            self.cum[(sc.AUDIT_TOPIC, p)] += each
        for p in self.rng.sample(range(24), extra):
            self.cum[(sc.AUDIT_TOPIC, p)] += 1

    def add_legit(self, sec: int, n: int) -> None:
        self._tick_minute(sec)
        for tp in self.rng.choices(self.legit_tps, self.legit_weights, k=n) if n < 200 else []:
            self.cum[tp] += 1
        if n >= 200:
            total = sum(self.legit_weights)
            for tp, w in zip(self.legit_tps, self.legit_weights, strict=False):
                self.cum[tp] += int(round(n * w / total))

    # --- queries -----------------------------------------------------------------------

    def _cum_at(self, tp: TP, t: int) -> int:
        if t < sc.WINDOW_START:
            return 0
        m = (t - sc.WINDOW_START) // sc.MINUTE_MS
        mins = self.minute_cum[tp]
        return mins[m] if m < len(mins) else self.cum[tp]

    def producer_ids(self, tp: TP, broker_id: int, t: int) -> int:
        """Producer ids held by ``broker_id``'s replica of ``tp`` at ``t`` (traffic-share scale)."""
        f = sc.FAILURE_BY_ID.get(broker_id)
        loaded = f.restart if f is not None and t >= f.restart else None
        cutoff = sc.expiry_cutoff(broker_id, t, loaded)
        held = LONG_LIVED_PRODUCERS.get(tp[0], 0) + self.cum[tp]
        if cutoff is None:
            return int(held + self.pre_held.get(tp, 0.0))
        return int(held - self._cum_at(tp, cutoff))

    def offset(self, tp: TP, t: int) -> int:
        """Log-end offset at ``t`` (full-size cluster)."""
        if tp[0] == sc.AUDIT_TOPIC:
            return self.base_offset[tp] + int(sc.storm_cumulative_full(t) / 24 * self.skew[tp])
        return self.base_offset[tp] + int(self.rate[tp] * (t - sc.WINDOW_START) / 1000)

    def _first_append(self, tp: TP, t: int) -> int | None:
        """First write to ``tp`` at or after ``t`` (the audit topic is idle while the flag is 0 %)."""
        if tp[0] != sc.AUDIT_TOPIC or sc.rollout_percent(t) > 0:
            return t
        later = [when for when, _, to in sc.ROLLOUT_STEPS if when > t and to > 0]
        return later[0] if later else None

    def _time_to_reach(self, tp: TP, target: int) -> int | None:
        if self.offset(tp, sc.WINDOW_END) < target:
            return None
        lo, hi = sc.WINDOW_START, sc.WINDOW_END
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.offset(tp, mid) >= target:
                hi = mid
            else:
                lo = mid
        return hi

    def rolls(self, tp: TP) -> list[tuple[int, int]]:
        """(time, new segment base offset) of the segment rolls in the window (size or age)."""
        topic = sc.TOPIC_BY_NAME[tp[0]]
        per_segment = topic.segment_bytes // topic.record_bytes
        rng = random.Random(f"rolls/{tp}")
        seg_base = max(0, self.offset(tp, sc.WINDOW_START) - int(per_segment * rng.random()))
        seg_born = sc.WINDOW_START - int((topic.segment_ms or sc.HOUR_MS) * rng.random())
        out = []
        while True:
            by_size = self._time_to_reach(tp, seg_base + per_segment)
            by_age = self._first_append(tp, seg_born + topic.segment_ms) if topic.segment_ms else None
            candidates = [t for t in (by_size, by_age) if t is not None and t < sc.WINDOW_END]
            if not candidates:
                return out
            t = min(candidates)
            t += rng.randrange(1, 400) if t == by_size or seg_born + topic.segment_ms == t else rng.randrange(30_000)
            seg_base, seg_born = self.offset(tp, t), t
            out.append((t, seg_base))

    def led_by(self, broker_id: int) -> list[TP]:
        return [tp for tp, reps in self.replicas.items() if reps[0] == broker_id]

    def hosted_by(self, broker_id: int) -> list[TP]:
        return [tp for tp, reps in self.replicas.items() if broker_id in reps]


def sorted_tps(tps: list[TP]) -> list[TP]:
    return sorted(tps, key=lambda tp: (tp[0], tp[1]))


def tp_name(tp: TP) -> str:
    return f"{tp[0]}-{tp[1]}"
