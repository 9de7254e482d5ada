"""Live heap of each broker JVM: producer state plus everything else, in MB.

``live_mb = base + k * (producer ids held) + load shifted from failed brokers``. Producer ids
held are the full-scale ids created and not yet expired (legitimate ones for the last 24 h,
then the audit storm), so the heap after GC climbs with them and drops when the lowered
``producer.id.expiration.ms`` starts expiring them. ``k`` (MB per id) is solved per broker
so that the failing brokers reach the wall at their OOM times and the others peak where the
scenario says; the GC simulation then shows what G1 does with that live set.
"""

from __future__ import annotations

from functools import cache

from . import scenario as sc

LEGIT_HELD_BEFORE = sc.BASELINE_NEW_PRODUCERS_PER_HOUR * 24.0
"""Legitimate producer ids held under the 24 h expiry (steady state before the window)."""


def restart_of(broker_id: int) -> int | None:
    f = sc.FAILURE_BY_ID.get(broker_id)
    return f.restart if f else None


def ids_held(broker_id: int, t: int) -> float:
    """Full-scale producer ids in the broker's producer state at ``t``."""
    restart = restart_of(broker_id)
    loaded = restart if restart is not None and t >= restart else None
    cutoff = sc.expiry_cutoff(broker_id, t, loaded)
    storm = sc.storm_cumulative_full(t)
    if cutoff is None:
        return LEGIT_HELD_BEFORE + storm
    legit = sc.BASELINE_NEW_PRODUCERS_PER_HOUR * max(0, t - max(cutoff, sc.WINDOW_START - 86_400_000)) / sc.HOUR_MS
    return min(legit, LEGIT_HELD_BEFORE) + storm - sc.storm_cumulative_full(cutoff)


def load_shift_mb(broker_id: int, t: int) -> float:
    """Live heap added by partitions and clients that moved here from failed brokers."""
    own = sc.FAILURE_BY_ID.get(broker_id)
    if t >= sc.REBALANCE_AT or (own is not None and t >= own.oom):
        return 0.0
    moved = sum(1 for f in sc.FAILURES if f.broker_id != broker_id and f.session_expired <= t)
    return sc.LOAD_SHIFT_MB.get(broker_id, 0) * moved


@cache
def mb_per_id(broker_id: int) -> float:
    """Solve k so the broker hits its target live heap at its target time."""
    f = sc.FAILURE_BY_ID.get(broker_id)
    if f is not None:
        t, target = f.oom - 1, sc.WALL_FRACTION * sc.HEAP_MB
    else:
        t, target = sc.ROLLOUT_STEPS[-1][0], sc.SURVIVOR_PEAK_FRACTION[broker_id] * sc.HEAP_MB
    base = sc.HEAP_NON_PRODUCER_MB[broker_id] + load_shift_mb(broker_id, t)
    return (target - base) / ids_held(broker_id, t)


def live_mb(broker_id: int, t: int) -> float:
    """Live old-generation data (MB) the broker's JVM holds at ``t``."""
    f = sc.FAILURE_BY_ID.get(broker_id)
    if f is not None and f.oom <= t < f.restart:
        return sc.WALL_FRACTION * sc.HEAP_MB
    return (
        sc.HEAP_NON_PRODUCER_MB[broker_id] + mb_per_id(broker_id) * ids_held(broker_id, t) + load_shift_mb(broker_id, t)
    )


def allocation_mb_per_s(broker_id: int, t: int) -> float:
    """Allocation rate of the broker's request handling (more requests, more garbage)."""
    storm = sc.rollout_percent(t) / 75
    moved = sum(1 for f in sc.FAILURES if f.broker_id != broker_id and f.session_expired <= t < sc.REBALANCE_AT)
    return 9.5 * (1 + 2.2 * storm) * (1 + 0.15 * moved)
