"""kafkaServer-gc.log: JDK 17 unified logging, ``-Xlog:gc*:…:time,tags``, G1.

One ``G1Jvm`` per broker JVM simulates G1 over the live heap of ``heap.live_mb``: young
pauses whose eden shrinks as the old generation fills, concurrent mark cycles and mixed
pauses above the occupancy threshold, to-space exhaustion and Full GCs when no free region
is left, and the back-to-back Full GCs of a heap that is all live data. Lines carry only
the ``time`` and ``tags`` decorations; the tags column is padded to the widest tag set the
JVM has written so far, as HotSpot does, so the padding widens at the first Full GC.
"""

from __future__ import annotations

from . import heap
from . import scenario as sc
from .context import Context
from .writer import Bundle, Record, Sink, gc_clock

WORKERS = 8
RESERVE_MB = sc.HEAP_MB // 10
MIN_EDEN_MB = sc.HEAP_MB * 5 // 100
MAX_EDEN_MB = 3_000
IHOP_MB = sc.HEAP_MB * 45 // 100


class GcSink(Sink):
    """Renders ``(tags, message)`` payloads with HotSpot's growing tag padding."""

    def __init__(self, bundle: Bundle, relpath: str, initial_width: int) -> None:
        super().__init__(bundle, relpath)
        self.width = initial_width
        self.clock = gc_clock()

    def render(self, record: Record) -> str:
        tags, msg = record[2]
        if len(tags) > self.width:
            self.width = len(tags)
        return f"[{self.clock(record[0])}][{tags.ljust(self.width)}] {msg}\n"


def init_lines(jdk: str) -> list[tuple[str, str]]:
    """What G1 logs at JVM start with gc* (JDK 17)."""
    return [
        ("gc", "Using G1"),
        ("gc,init", f"Version: {jdk} (release)"),
        ("gc,init", "CPUs: 8 total, 8 available"),
        ("gc,init", "Memory: 31G"),
        ("gc,init", "Large Page Support: Disabled"),
        ("gc,init", "NUMA Support: Disabled"),
        ("gc,init", "Compressed Oops: Enabled (Zero based)"),
        ("gc,init", f"Heap Region Size: {sc.REGION_MB}M"),
        ("gc,init", "Heap Min Capacity: 6G"),
        ("gc,init", "Heap Initial Capacity: 6G"),
        ("gc,init", "Heap Max Capacity: 6G"),
        ("gc,init", "Pre-touch: Disabled"),
        ("gc,init", "Parallel Workers: 8"),
        ("gc,init", "Concurrent Workers: 2"),
        ("gc,init", "Concurrent Refinement Workers: 8"),
        ("gc,init", "Periodic GC: Disabled"),
        (
            "gc,metaspace",
            "CDS archive(s) mapped at: [0x0000000800000000-0x0000000800bd5000-0x0000000800bd5000), "
            "size 12406784, SharedBaseAddress: 0x0000000800000000, ArchiveRelocationMode: 0.",
        ),
        (
            "gc,metaspace",
            "Compressed class space mapped at: 0x0000000800c00000-0x0000000840c00000, reserved size: 1073741824",
        ),
        (
            "gc,metaspace",
            "Narrow klass base: 0x0000000800000000, Narrow klass shift: 0, Narrow klass range: 0x100000000",
        ),
    ]


class G1Jvm:
    """One JVM's G1 collector between ``start`` and ``end`` (its kill, or the window end)."""

    def __init__(
        self, ctx: Context, broker_id: int, sink: GcSink, start: int, end: int, first_gc_id: int, fresh: bool
    ) -> None:
        self.ctx = ctx
        self.b = broker_id
        self.sink = sink
        self.host = f"kafka-{broker_id}"
        self.rng = ctx.plan.rng(f"gc/{broker_id}/{start}")
        self.end = end
        self.gc_id = first_gc_id
        self.failure = sc.FAILURE_BY_ID.get(broker_id)
        self.oom = self.failure.oom if self.failure and start <= self.failure.oom < end else None
        self.garbage = 40.0 if fresh else 180.0 + self.rng.random() * 200
        self.survivor = 24 if fresh else 30 + self.rng.randrange(40)
        self.humongous = 6 + self.rng.randrange(14)
        self.meta = 21_400 if fresh else 74_300 + self.rng.randrange(900)
        self.mode = "Normal"
        self.last_after, self.last_end = 0, start
        self.last_cycle = 0
        self.mixed_left = 0
        self.since_cycle = 0
        self.cycle_end = 0
        self.eden = 400.0 if fresh else MAX_EDEN_MB * (0.8 + 0.2 * self.rng.random())
        if fresh:
            for k, (tags, msg) in enumerate(init_lines(sc.JDK_VERSION)):
                self.emit(start + k // 6, tags, msg)
            self.next_t = start + 2_500 + self.rng.randrange(800)
        else:
            self.next_t = start + self.rng.randrange(int(self.eden / heap.allocation_mb_per_s(broker_id, start) * 1000))
        self.oom_done = False

    # --- output --------------------------------------------------------------------------

    def emit(self, t: int, tags: str, msg: str) -> None:
        if t < self.end:
            self.sink.add(t, (tags, msg))

    def summary(self, t: int, gid: int, what: str, before: int, after: int, ms: float) -> None:
        self.emit(t, "gc", f"GC({gid}) {what} {before}M->{after}M({sc.HEAP_MB}M) {ms:.3f}ms")
        self.last_after, self.last_end = after, t
        if sc.WINDOW_START <= t < min(self.end, sc.WINDOW_END):
            self.ctx.truth.gc_pause(self.host, self.sink.relpath, t, what, ms, after)

    def cpu(self, t: int, gid: int, ms: float, workers: int) -> None:
        user = ms / 1000 * workers * (0.78 + 0.15 * self.rng.random())
        sys_ = ms / 1000 * (0.05 + 0.1 * self.rng.random())
        real = ms / 1000
        self.emit(t, "gc,cpu", f"GC({gid}) User={user:.2f}s Sys={sys_:.2f}s Real={real + 0.004:.2f}s")

    def metaspace(self, t: int, gid: int) -> None:
        m, cap = self.meta, self.meta + 700
        nc, ncc = int(m * 0.876), int(m * 0.876) + 480
        c, cc = m - nc, cap - ncc
        self.emit(
            t,
            "gc,metaspace",
            f"GC({gid}) Metaspace: {m}K({cap}K)->{m}K({cap}K) NonClass: {nc}K({ncc}K)->"
            f"{nc}K({ncc}K) Class: {c}K({cc}K)->{c}K({cc}K)",
        )

    # --- simulation ----------------------------------------------------------------------

    def run(self, t0: int, t1: int) -> None:
        """Emit every collection that starts before ``t1``."""
        while self.next_t < t1 and self.next_t < self.end:
            t = self.next_t
            if self.oom is not None and t >= self.oom - 9_000 and not self.oom_done:
                self.next_t = self.oom_stall(t)
                self.oom_done = True
            elif self.oom is not None and t >= self.oom:
                self.next_t = self.zombie_step(t)
            else:
                self.next_t = self.step(t)

    def used_now(self, t: int) -> int:
        """Heap in use between pauses: the last pause's after plus what was allocated since."""
        grown = heap.allocation_mb_per_s(self.b, t) * (t - self.last_end) / 1000
        return int(min(sc.HEAP_MB - 2, self.last_after + grown))

    def occupied(self, t: int) -> float:
        return heap.live_mb(self.b, t) + self.garbage + (self.humongous + 2) * sc.REGION_MB

    def step(self, t: int) -> int:
        """One young pause (or a Full GC when no region is left); returns the next GC time."""
        live = heap.live_mb(self.b, t)
        free = sc.HEAP_MB - self.occupied(t) - self.survivor * sc.REGION_MB
        self.meta = min(self.meta + self.rng.randrange(0, 40), 79_800)
        if free < 170:
            end = self.young(t, live, "Normal", to_space=True)
            if self.rng.random() < 0.3:
                self.emit(end + 1, "gc,ergo", "Attempting maximally compacting collection")
            end = self.full(end + 2, live) + 4_000 + self.rng.randrange(8_000)
        else:
            kind = self.mode
            end = self.young(t, live, kind, to_space=False)
            if kind == "Concurrent Start":
                self.cycle_end = self.concurrent_cycle(end + 1, live)
        alloc = heap.allocation_mb_per_s(self.b, end) * (0.85 + 0.3 * self.rng.random())
        return end + max(300, int(self.eden / alloc * 1000))

    def next_mode(self, kind: str, t: int) -> None:
        if kind == "Concurrent Start":
            self.mode, self.since_cycle, self.last_cycle = "Normal", 0, t
        elif self.mode == "Normal" and self.cycle_end and t > self.cycle_end:
            self.cycle_end = 0
            self.mode = "Prepare Mixed" if self.garbage > 60 else "Normal"
        elif kind == "Prepare Mixed":
            self.mode, self.mixed_left = "Mixed", 1 + self.rng.randrange(3)
        elif kind == "Mixed":
            self.mixed_left -= 1
            if self.mixed_left <= 0 or self.garbage < 30:
                self.mode = "Normal"
        elif kind == "Normal" and not self.cycle_end:
            self.since_cycle += 1
            if self.occupied(t) > IHOP_MB and self.since_cycle >= 4 and t - self.last_cycle > 120_000:
                self.mode = "Concurrent Start"

    def young(self, t: int, live: float, kind: str, to_space: bool) -> int:
        gid = self.gc_id
        self.gc_id += 1
        rng = self.rng
        what = f"Pause Young ({kind}) (G1 Evacuation Pause)"
        old_before = int((live + self.garbage) / sc.REGION_MB)
        room = sc.HEAP_MB // sc.REGION_MB - (self.survivor + old_before + self.humongous + 2)
        eden_r = max(1, min(int(self.eden / sc.REGION_MB), room))
        pressure = max(0.0, self.occupied(t) / sc.HEAP_MB - 0.7)
        surv_after = max(2, min(eden_r // 8, int(self.survivor * (0.8 + 0.4 * rng.random()) + 2)))
        promoted = eden_r * (0.006 + 0.01 * rng.random()) * (1 + 4 * pressure)
        if kind == "Mixed":
            self.garbage *= 0.45 + 0.25 * rng.random()
        self.garbage += promoted * sc.REGION_MB
        ms = 6 + surv_after * 0.35 + rng.random() * 6 + pressure * 180 * rng.random()
        if kind == "Mixed":
            ms += 8 + rng.random() * 14
        if to_space:
            ms = 180 + rng.random() * 700
            surv_after = self.survivor
        workers = WORKERS if pressure > 0.05 or eden_r > 300 else 3 + rng.randrange(6)
        end = t + max(1, int(ms))
        self.emit(t, "gc,start", f"GC({gid}) {what}")
        self.emit(t, "gc,task", f"GC({gid}) Using {workers} workers of {WORKERS} for evacuation")
        if to_space:
            self.emit(end - 1, "gc", f"GC({gid}) To-space exhausted")
            if sc.WINDOW_START <= end - 1 < min(self.end, sc.WINDOW_END):
                self.ctx.truth.gc_to_space(self.host, self.sink.relpath, end)
        pre, merge, post, other = (
            0.1 + rng.random() * 0.3,
            0.1 + rng.random() * 0.6,
            0.6 + rng.random() * 1.5,
            0.2 + rng.random() * 0.5,
        )
        evac = max(0.1, ms - pre - merge - post - other)
        for name, val in (
            ("Pre Evacuate Collection Set", pre),
            ("Merge Heap Roots", merge),
            ("Evacuate Collection Set", evac),
            ("Post Evacuate Collection Set", post),
            ("Other", other),
        ):
            self.emit(end, "gc,phases", f"GC({gid})   {name}: {val:.1f}ms")
        old_after = int((live + self.garbage) / sc.REGION_MB)
        free_after = sc.HEAP_MB - (old_after + surv_after + self.humongous + 2) * sc.REGION_MB
        self.eden = max(MIN_EDEN_MB, min(MAX_EDEN_MB, (free_after - RESERVE_MB) * (0.85 + 0.15 * rng.random())))
        self.eden = min(self.eden, max(60.0, free_after - 120))
        next_r = max(1, int(self.eden / sc.REGION_MB))
        surv_cap = max(surv_after, next_r // 8)
        self.emit(end, "gc,heap", f"GC({gid}) Eden regions: {eden_r}->0({next_r})")
        self.emit(end, "gc,heap", f"GC({gid}) Survivor regions: {self.survivor}->{surv_after}({surv_cap})")
        self.emit(end, "gc,heap", f"GC({gid}) Old regions: {old_before}->{old_after}")
        self.emit(end, "gc,heap", f"GC({gid}) Archive regions: 2->2")
        self.emit(end, "gc,heap", f"GC({gid}) Humongous regions: {self.humongous}->{self.humongous}")
        self.metaspace(end, gid)
        slack = rng.randrange(3)
        before = min(sc.HEAP_MB, (eden_r + self.survivor + old_before + self.humongous + 2) * sc.REGION_MB) - slack
        after = min(before, (surv_after + old_after + self.humongous + 2) * sc.REGION_MB - slack)
        self.summary(end, gid, what, before, after, ms)
        self.cpu(end, gid, ms, workers)
        self.survivor = surv_after
        self.humongous = max(4, min(60, self.humongous + rng.choice((-2, -1, 0, 0, 1, 2))))
        self.next_mode(kind, end)
        return end

    def concurrent_cycle(self, t: int, live: float) -> int:
        """Concurrent Mark Cycle with its Remark and Cleanup pauses; returns its end time."""
        gid = self.gc_id
        self.gc_id += 1
        rng = self.rng
        gb = live / 1024
        clear = 0.02 + rng.random() * 0.08
        scan = 2 + rng.random() * 12
        mark = 220 * gb * (0.8 + 0.5 * rng.random())
        rebuild = 90 * gb * (0.8 + 0.5 * rng.random())
        cleanup_next = 2 + rng.random() * 9
        c = t
        self.emit(c, "gc", f"GC({gid}) Concurrent Mark Cycle")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Clear Claimed Marks")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Clear Claimed Marks {clear:.3f}ms")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Scan Root Regions")
        c += int(scan)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Scan Root Regions {scan:.3f}ms")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Mark")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Mark From Roots")
        self.emit(c, "gc,task", f"GC({gid}) Using 2 workers of 2 for marking")
        c += int(mark)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Mark From Roots {mark:.3f}ms")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Preclean")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Preclean {0.1 + rng.random() * 0.6:.3f}ms")
        remark = 4 + rng.random() * 18
        occ = self.used_now(c)
        self.emit(c, "gc,start", f"GC({gid}) Pause Remark")
        c += max(1, int(remark))
        self.summary(c, gid, "Pause Remark", occ, occ - rng.randrange(6), remark)
        self.cpu(c, gid, remark, WORKERS)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Mark {mark + scan + remark + 1:.3f}ms")
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Rebuild Remembered Sets")
        c += int(rebuild)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Rebuild Remembered Sets {rebuild:.3f}ms")
        cleanup = 0.3 + rng.random() * 1.4
        occ = self.used_now(c)
        self.emit(c, "gc,start", f"GC({gid}) Pause Cleanup")
        c += 1
        self.summary(c, gid, "Pause Cleanup", occ, occ, cleanup)
        self.cpu(c, gid, cleanup, WORKERS)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Cleanup for Next Mark")
        c += int(cleanup_next)
        self.emit(c, "gc,marking", f"GC({gid}) Concurrent Cleanup for Next Mark {cleanup_next:.3f}ms")
        self.emit(c, "gc", f"GC({gid}) Concurrent Mark Cycle {c - t + rng.random():.3f}ms")
        return c

    def full(self, t: int, live: float, maximal: bool = False) -> int:
        """A Full GC: compacts everything, frees only the garbage; returns its end time."""
        gid = self.gc_id
        self.gc_id += 1
        rng = self.rng
        old_before = int((live + self.garbage) / sc.REGION_MB)
        surv_before = self.survivor
        base = live * (0.52 + 0.2 * rng.random()) * (1.35 if maximal else 1.0)
        p1, p2, p3, p4 = base * 0.46, base * 0.11, base * 0.24, base * 0.19
        ms = p1 + p2 + p3 + p4 + 3 + rng.random() * 4
        self.emit(t, "gc,start", f"GC({gid}) Pause Full (G1 Compaction Pause)")
        self.emit(t, "gc,task", f"GC({gid}) Using {WORKERS} workers of {WORKERS} for full compaction")
        c = t
        for n, (name, val) in enumerate(
            (("Mark live objects", p1), ("Prepare for compaction", p2), ("Adjust pointers", p3), ("Compact heap", p4)),
            start=1,
        ):
            self.emit(c, "gc,phases,start", f"GC({gid}) Phase {n}: {name}")
            c += int(val)
            self.emit(c, "gc,phases", f"GC({gid}) Phase {n}: {name} {val:.3f}ms")
        end = t + int(ms)
        self.garbage = 4.0 + rng.random() * 10
        self.survivor = 0
        old_after = int((live + self.garbage) / sc.REGION_MB)
        free_after = sc.HEAP_MB - (old_after + self.humongous + 2) * sc.REGION_MB
        self.eden = max(30.0, min(MAX_EDEN_MB, free_after - RESERVE_MB, free_after * 0.6))
        next_r = max(1, int(self.eden / sc.REGION_MB))
        self.emit(end, "gc,heap", f"GC({gid}) Eden regions: 0->0({next_r})")
        self.emit(end, "gc,heap", f"GC({gid}) Survivor regions: {surv_before}->0({max(1, next_r // 8)})")
        self.emit(end, "gc,heap", f"GC({gid}) Old regions: {old_before}->{old_after}")
        self.emit(end, "gc,heap", f"GC({gid}) Archive regions: 2->2")
        self.emit(end, "gc,heap", f"GC({gid}) Humongous regions: {self.humongous}->{self.humongous}")
        self.metaspace(end, gid)
        before = (old_before + surv_before + self.humongous + 2) * sc.REGION_MB + rng.randrange(40, 200)
        before = min(before, sc.HEAP_MB)
        after = (old_after + self.humongous + 2) * sc.REGION_MB - rng.randrange(3)
        self.summary(end, gid, "Pause Full (G1 Compaction Pause)", before, after, ms)
        self.cpu(end, gid, ms, WORKERS)
        self.mode, self.cycle_end, self.mixed_left = "Normal", 0, 0
        return end

    def oom_stall(self, t: int) -> int:
        """Full GCs back to back around the OOM: the JVM does nothing else for ~30 s."""
        wall = sc.WALL_FRACTION * sc.HEAP_MB
        c = self.young(t, wall - 25, "Normal", to_space=True)
        while c < self.oom:
            c = self.full(c + 3 + self.rng.randrange(40), wall - 12, maximal=c + 6_000 > self.oom)
        stall_end = self.failure.session_expired + 6_000 if self.failure else c
        while c < stall_end:
            c = self.full(c + 2 + self.rng.randrange(30), wall)
        return c + 4_000 + self.rng.randrange(9_000)

    def zombie_step(self, t: int) -> int:
        """A JVM whose heap is all live data: Full GCs that free nothing, until it is killed."""
        wall = sc.HEAP_MB * sc.WALL_FRACTION
        if self.rng.random() < 0.3:
            t = self.young(t, wall, "Normal", to_space=True) + 2
        c = self.full(t, wall, maximal=self.rng.random() < 0.2)
        if self.rng.random() < 0.2:
            c = self.full(c + 5, wall)
        return c + 40_000 + self.rng.randrange(120_000)


def gc_jvms(ctx: Context, broker_id: int) -> list[G1Jvm]:
    """The one or two JVMs of a broker in the window, each with its file."""
    host = f"kafka-{broker_id}"
    f = sc.FAILURE_BY_ID.get(broker_id)
    rng = ctx.plan.rng(f"gc-ids/{broker_id}")
    first_id = 38_000 + rng.randrange(9_000)
    current = f"incident/{host}/kafkaServer-gc.log"
    if f is None:
        sink = ctx.bundle.sink(current, lambda: GcSink(ctx.bundle, current, 12))
        return [G1Jvm(ctx, broker_id, sink, sc.WINDOW_START - 120_000, sc.WINDOW_END, first_id, fresh=False)]
    archived = current + ".0"
    old = ctx.bundle.sink(archived, lambda: GcSink(ctx.bundle, archived, 12))
    new = ctx.bundle.sink(current, lambda: GcSink(ctx.bundle, current, 0))
    return [
        G1Jvm(ctx, broker_id, old, sc.WINDOW_START - 120_000, f.sigkill, first_id, fresh=False),
        G1Jvm(ctx, broker_id, new, f.restart + 180 + rng.randrange(60), sc.WINDOW_END, 0, fresh=True),
    ]
