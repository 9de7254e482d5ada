"""truth.json: what the bundle contains, counted while it was written.

Every figure here is incremented by the code that writes the corresponding line (or, for
per-file counts, by the sink that writes the file), so the truth cannot drift from the
data. ``sample_logs/README.md`` documents each field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from . import scenario as sc
from .writer import hour_key, iso_millis

OOM_MARKER = "java.lang.OutOfMemoryError"


class Truth:
    """Counters filled during generation; ``build`` turns them into the JSON document."""

    def __init__(self, plan: sc.Plan) -> None:
        self.plan = plan
        self.producers_per_hour: Counter[str] = Counter()
        self.blocks_per_hour: Counter[str] = Counter()
        self.blocks_per_controller: Counter[str] = Counter()
        self.blocks_per_broker: Counter[str] = Counter()
        self.first_block: int | None = None
        self.last_block: int | None = None
        self.client_created: dict[str, Counter[str]] = defaultdict(Counter)
        self.client_closed: Counter[str] = Counter()
        self.client_ids: dict[str, list[int]] = defaultdict(lambda: [1 << 62, -1])
        self.gc: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = defaultdict(dict)
        self.controller_changes: list[dict[str, Any]] = []
        self.rollout: list[dict[str, Any]] = []
        self.deploys = 0

    # --- producers -----------------------------------------------------------------------

    def producers_allocated(self, t: int, n: int) -> None:
        self.producers_per_hour[hour_key(t)] += n

    def block_logged(self, t: int, controller: int, broker: int, first: int) -> None:
        if not sc.WINDOW_START <= t < sc.WINDOW_END:
            return
        self.blocks_per_hour[hour_key(t)] += 1
        self.blocks_per_controller[f"kafka-{controller}"] += 1
        self.blocks_per_broker[f"kafka-{broker}"] += 1
        self.first_block = first if self.first_block is None else min(self.first_block, first)
        self.last_block = first if self.last_block is None else max(self.last_block, first)

    def client_producer(self, host: str, t: int) -> None:
        if sc.WINDOW_START <= t < sc.WINDOW_END:
            self.client_created[host][hour_key(t)] += 1

    def client_producer_id(self, host: str, t: int, producer_id: int) -> None:
        if sc.WINDOW_START <= t < sc.WINDOW_END:
            lo_hi = self.client_ids[host]
            lo_hi[0] = min(lo_hi[0], producer_id)
            lo_hi[1] = max(lo_hi[1], producer_id)

    def client_close(self, host: str, t: int) -> None:
        if sc.WINDOW_START <= t < sc.WINDOW_END:
            self.client_closed[host] += 1

    # --- GC --------------------------------------------------------------------------------

    def _gc(self, host: str) -> dict[str, Any]:
        return self.gc.setdefault(
            host,
            {
                "pauses": 0,
                "total_pause_ms": 0.0,
                "young_pauses": 0,
                "mixed_pauses": 0,
                "remark_pauses": 0,
                "cleanup_pauses": 0,
                "full_gcs": 0,
                "to_space_exhausted": 0,
                "peak_heap_after_gc_mb": 0,
                "first_full_gc": None,
                "max_pause_ms": 0.0,
                "files": Counter(),
            },
        )

    def gc_pause(self, host: str, relpath: str, t: int, what: str, ms: float, after_mb: int) -> None:
        g = self._gc(host)
        g["pauses"] += 1
        g["total_pause_ms"] += round(ms, 3)
        g["max_pause_ms"] = max(g["max_pause_ms"], round(ms, 3))
        g["files"][relpath.rsplit("/", 1)[1]] += 1
        g["peak_heap_after_gc_mb"] = max(g["peak_heap_after_gc_mb"], after_mb)
        if what.startswith("Pause Full"):
            g["full_gcs"] += 1
            if g["first_full_gc"] is None:
                g["first_full_gc"] = iso_millis(t)
        elif what.startswith("Pause Young (Mixed)"):
            g["mixed_pauses"] += 1
        elif what.startswith("Pause Young"):
            g["young_pauses"] += 1
        elif what == "Pause Remark":
            g["remark_pauses"] += 1
        elif what == "Pause Cleanup":
            g["cleanup_pauses"] += 1

    def gc_to_space(self, host: str, relpath: str, t: int) -> None:
        if t >= sc.WINDOW_START:
            self._gc(host)["to_space_exhausted"] += 1

    # --- broker events ---------------------------------------------------------------------

    def event(self, host: str, name: str, t: int, **extra: Any) -> None:
        """Record the first time ``name`` happened on ``host`` (later ones are ignored)."""
        ev = self.events[host]
        if name not in ev:
            ev[name] = iso_millis(t)
            for k, v in extra.items():
                ev[k] = v

    def controller_change(self, t: int, controller: int, epoch: int) -> None:
        self.controller_changes.append({"at": iso_millis(t), "controller": f"kafka-{controller}", "epoch": epoch})

    # --- document --------------------------------------------------------------------------

    def build(self, files: dict[str, dict[str, int]], oom_lines: dict[str, int]) -> dict[str, Any]:
        hours = [hour_key(sc.WINDOW_START + h * sc.HOUR_MS) for h in range(6)]
        per_hour = {h: self.producers_per_hour.get(h, 0) for h in hours}
        baseline_hour = hours[0]
        peak_hour = max(hours, key=lambda h: per_hour[h])
        return {
            "generator": {"seed": self.plan.seed, "scale": self.plan.scale, "traffic_share": self.plan.traffic_share},
            "scenario": scenario_facts(),
            "rollout": {"flag": sc.FLAG_KEY, "steps": self.rollout},
            "new_producers_per_hour": {
                "hours": per_hour,
                "baseline_hour": baseline_hour,
                "baseline": per_hour[baseline_hour],
                "peak_hour": peak_hour,
                "peak": per_hour[peak_hour],
                "ratio": round(per_hour[peak_hour] / max(1, per_hour[baseline_hour]), 2),
            },
            "producer_id_blocks": {
                "per_hour": {h: self.blocks_per_hour.get(h, 0) for h in hours},
                "per_controller": dict(sorted(self.blocks_per_controller.items())),
                "per_requesting_broker": dict(sorted(self.blocks_per_broker.items())),
                "total": sum(self.blocks_per_hour.values()),
                "first_producer_id": self.first_block,
                "last_block_first_producer_id": self.last_block,
            },
            "gc": {
                host: {
                    **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in g.items() if k != "files"},
                    "pauses_per_file": dict(sorted(g["files"].items())),
                }
                for host, g in sorted(self.gc.items())
            },
            "brokers": self._brokers(oom_lines),
            "cascade_order": [f"kafka-{b}" for b in sc.CASCADE_ORDER],
            "controller": {
                "initial": f"kafka-{sc.INITIAL_CONTROLLER}",
                "initial_epoch": sc.INITIAL_CONTROLLER_EPOCH,
                "changes": self.controller_changes,
            },
            "clients": {
                host: {
                    "producers_created_per_hour": {h: c.get(h, 0) for h in hours},
                    "producers_created": sum(c.values()),
                    "producers_closed": self.client_closed[host],
                    "producer_id_range": self.client_ids[host] if host in self.client_ids else None,
                }
                for host, c in sorted(self.client_created.items())
            },
            "hosts": host_clocks(),
            "files": files,
        }

    def _brokers(self, oom_lines: dict[str, int]) -> dict[str, Any]:
        out = {}
        for b in sc.BROKER_IDS:
            host = f"kafka-{b}"
            f = sc.FAILURE_BY_ID.get(b)
            ev = dict(self.events.get(host, {}))
            out[host] = {
                "broker_id": b,
                "failed": f is not None,
                "oom_lines": {
                    k.rsplit("/", 1)[1]: v for k, v in sorted(oom_lines.items()) if k.startswith(f"incident/{host}/")
                },
                **ev,
            }
            if f is not None:
                out[host]["killed"] = iso_millis(f.sigkill)
        return out


def scenario_facts() -> dict[str, Any]:
    return {
        "kafka_version": sc.KAFKA_VERSION,
        "mode": "zookeeper",
        "inter_broker_protocol_version": sc.INTER_BROKER_PROTOCOL,
        "brokers": [f"kafka-{b}" for b in sc.BROKER_IDS],
        "jdk": sc.JDK_VERSION,
        "gc": "G1",
        "heap_max_mb": sc.HEAP_MB,
        "gc_log_decorations": "time,tags",
        "window": {"start": iso_millis(sc.WINDOW_START), "end": iso_millis(sc.WINDOW_END)},
        "api_fleet_pods": sc.API_FLEET_PODS,
        "baseline_new_producers_per_hour_full_scale": sc.BASELINE_NEW_PRODUCERS_PER_HOUR,
        "audit_requests_per_hour_full_scale": round(sc.AUDIT_REQUESTS_PER_HOUR),
        "producer_id_expiration_ms": {
            "initial": sc.EXPIRATION_INITIAL_MS,
            "lowered_to": sc.EXPIRATION_LOWERED_MS,
            "lowered_at": iso_millis(sc.EXPIRATION_CHANGED_AT),
        },
        "services_normal_at": iso_millis(sc.SERVICES_NORMAL_AT),
        "topics": {t.name: t.partitions for t in sc.TOPICS},
    }


def host_clocks() -> dict[str, Any]:
    """How each host writes time: the true UTC offset of every zone-less host."""
    zone_less_utc = {"zone_less": True, "utc_offset": "+00:00", "tz": "UTC"}
    out: dict[str, Any] = {
        f"kafka-{b}": {
            **zone_less_utc,
            "note": "server/controller/state-change/log-cleaner/"
            "kafkaServer.out are zone-less; kafkaServer-gc.log carries +0000",
        }
        for b in sc.BROKER_IDS
    }
    out["api-pod-a"] = {"zone_less": False, "utc_offset": "+00:00", "tz": "UTC", "note": "@timestamp ends in Z"}
    out["api-pod-b"] = {
        "zone_less": True,
        "utc_offset": "-07:00",
        "tz": "America/Los_Angeles",
        "note": "Spring Boot local time, PDT during the whole window",
    }
    out["billing-service"] = {**zone_less_utc}
    out["rollouts"] = {
        "zone_less": False,
        "utc_offset": "+00:00",
        "tz": "UTC",
        "note": "JSONL date is epoch ms; CSV times end in Z",
    }
    return out
