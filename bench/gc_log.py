"""Benchmark: parse a few hundred MB of Kafka-style JDK 17 G1 GC log; MB/s and peak RSS next to ``wc -l``.

``write_gc_log(path, target_bytes, seed=1)`` writes a deterministic unified log with Kafka's
decorations (``-Xlog:gc*:file=…:time,tags``): start lines, phases, heap regions, metaspace,
summaries and cpu lines of young pauses, concurrent-start pauses and mark cycles with remark and
cleanup, mixed pauses, humongous allocations and the odd Full GC with its phases.

``python bench/gc_log.py [--mb 300] [--path /tmp/gc-bench.log]`` writes the file (in a child
process, so the parser's peak RSS is its own), times ``wc -l`` on it, then reads it in byte
batches as the ingest engine does and runs the ``jvm_gc_unified`` parser over every batch.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from forensics import reader
from parsers.base import ParseContext
from parsers.gc.unified import UnifiedGcParser

_TAG_WIDTH = 12


class _Clock:
    """Wall clock of the simulated JVM, formatted as the ``time`` decoration."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, ms: float) -> None:
        self.now += timedelta(milliseconds=ms)

    def line(self, tags: str, message: str) -> str:
        stamp = self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}+0000"
        return f"[{stamp}][{tags.ljust(_TAG_WIDTH)}] {message}\n"


def _header(clock: _Clock) -> list[str]:
    return [
        clock.line("gc,init", "Version: 17.0.10+7 (release)"),
        clock.line("gc,init", "CPUs: 8 total, 8 available"),
        clock.line("gc,init", "Memory: 31G"),
        clock.line("gc,init", "Heap Region Size: 4M"),
        clock.line("gc,init", "Heap Min Capacity: 4G"),
        clock.line("gc,init", "Heap Max Capacity: 4G"),
        clock.line("gc", "Using G1"),
    ]


def _young(clock: _Clock, rng: random.Random, gc_id: int, heap: dict[str, int], kind: str, cause: str) -> list[str]:
    name = f"Pause Young ({kind}) ({cause})"
    lines = [
        clock.line("gc,start", f"GC({gc_id}) {name}"),
        clock.line("gc,task", f"GC({gc_id}) Using 8 workers of 8 for evacuation"),
    ]
    pause = rng.uniform(2.0, 25.0) if rng.random() > 0.002 else rng.uniform(200.0, 900.0)
    clock.advance(pause * 0.8)
    for phase, share in (
        ("Pre Evacuate Collection Set", 0.05),
        ("Merge Heap Roots", 0.05),
        ("Evacuate Collection Set", 0.7),
        ("Post Evacuate Collection Set", 0.1),
        ("Other", 0.1),
    ):
        lines.append(clock.line("gc,phases", f"GC({gc_id})   {phase}: {pause * share:.1f}ms"))
    eden = rng.randint(300, 420)
    before, after = heap["used"], heap["used"] - eden * 4 + rng.randint(0, 40)
    lines += [
        clock.line("gc,heap", f"GC({gc_id}) Eden regions: {eden}->0({rng.randint(300, 420)})"),
        clock.line("gc,heap", f"GC({gc_id}) Survivor regions: {rng.randint(5, 20)}->{rng.randint(5, 20)}(53)"),
        clock.line("gc,heap", f"GC({gc_id}) Old regions: {heap['old']}->{heap['old'] + rng.randint(0, 3)}"),
        clock.line("gc,heap", f"GC({gc_id}) Archive regions: 2->2"),
        clock.line("gc,heap", f"GC({gc_id}) Humongous regions: {rng.randint(0, 9)}->{rng.randint(0, 3)}"),
        clock.line(
            "gc,metaspace",
            f"GC({gc_id}) Metaspace: 84563K(85504K)->84563K(85504K) NonClass: 74311K(74880K)->74311K(74880K) "
            "Class: 10252K(10624K)->10252K(10624K)",
        ),
    ]
    clock.advance(pause * 0.2)
    lines.append(clock.line("gc", f"GC({gc_id}) {name} {before}M->{max(after, 600)}M(4096M) {pause:.3f}ms"))
    lines.append(clock.line("gc,cpu", f"GC({gc_id}) User={pause * 6 / 1000:.2f}s Sys=0.00s Real={pause / 1000:.2f}s"))
    heap["used"] = max(after, 600)
    return lines


def _mark_cycle(clock: _Clock, rng: random.Random, gc_id: int, heap: dict[str, int]) -> list[str]:
    lines = [clock.line("gc", f"GC({gc_id}) Concurrent Mark Cycle")]
    for phase in (
        "Concurrent Clear Claimed Marks",
        "Concurrent Scan Root Regions",
        "Concurrent Mark",
        "Concurrent Mark From Roots",
        "Concurrent Preclean",
    ):
        lines.append(clock.line("gc,marking", f"GC({gc_id}) {phase}"))
        clock.advance(rng.uniform(0.5, 40.0))
        lines.append(clock.line("gc,marking", f"GC({gc_id}) {phase} {rng.uniform(0.5, 40.0):.3f}ms"))
    for pause_name in ("Pause Remark", "Pause Cleanup"):
        pause = rng.uniform(0.5, 15.0)
        lines.append(clock.line("gc,start", f"GC({gc_id}) {pause_name}"))
        clock.advance(pause)
        lines.append(
            clock.line("gc", f"GC({gc_id}) {pause_name} {heap['used']}M->{heap['used']}M(4096M) {pause:.3f}ms")
        )
        lines.append(clock.line("gc,cpu", f"GC({gc_id}) User=0.01s Sys=0.00s Real=0.00s"))
    lines.append(clock.line("gc", f"GC({gc_id}) Concurrent Mark Cycle {rng.uniform(50, 400):.3f}ms"))
    return lines


def _full(clock: _Clock, rng: random.Random, gc_id: int, heap: dict[str, int]) -> list[str]:
    name = "Pause Full (G1 Compaction Pause)"
    lines = [clock.line("gc,start", f"GC({gc_id}) {name}")]
    total = 0.0
    for phase in (
        "Phase 1: Mark live objects",
        "Phase 2: Prepare for compaction",
        "Phase 3: Adjust pointers",
        "Phase 4: Compact heap",
    ):
        took = rng.uniform(50, 900)
        total += took
        lines.append(clock.line("gc,phases,start", f"GC({gc_id}) {phase}"))
        clock.advance(took)
        lines.append(clock.line("gc,phases", f"GC({gc_id}) {phase} {took:.3f}ms"))
    after = rng.randint(900, 2000)
    lines.append(clock.line("gc", f"GC({gc_id}) {name} {heap['used']}M->{after}M(4096M) {total:.3f}ms"))
    lines.append(clock.line("gc,cpu", f"GC({gc_id}) User={total * 6 / 1000:.2f}s Sys=0.01s Real={total / 1000:.2f}s"))
    heap["used"] = after
    return lines


def _events(rng: random.Random, clock: _Clock) -> Iterator[list[str]]:
    heap = {"used": 1500, "old": 250}
    gc_id = 0
    yield _header(clock)
    while True:
        clock.advance(rng.uniform(200, 4000))
        heap["used"] += rng.randint(800, 1600)
        roll = rng.random()
        if roll < 0.01:
            yield _full(clock, rng, gc_id, heap)
        elif roll < 0.06:
            yield _young(
                clock,
                rng,
                gc_id,
                heap,
                "Concurrent Start",
                rng.choice(["G1 Humongous Allocation", "G1 Evacuation Pause"]),
            )
            gc_id += 1
            yield _mark_cycle(clock, rng, gc_id, heap)
        elif roll < 0.12:
            yield _young(clock, rng, gc_id, heap, "Mixed", "G1 Evacuation Pause")
        else:
            yield _young(clock, rng, gc_id, heap, "Normal", "G1 Evacuation Pause")
        gc_id += 1


def write_gc_log(path: Path | str, target_bytes: int, seed: int = 1) -> int:
    """Write a deterministic Kafka-style JDK 17 G1 log of at least ``target_bytes``; returns its size."""
    rng = random.Random(seed)
    clock = _Clock(datetime(2024, 3, 1, 0, 0, 0, tzinfo=UTC))
    written = 0
    with Path(path).open("w", encoding="ascii", newline="\n") as out:
        buffer: list[str] = []
        for lines in _events(rng, clock):
            buffer.extend(lines)
            if len(buffer) >= 20_000:
                text = "".join(buffer)
                out.write(text)
                written += len(text)
                buffer.clear()
                if written >= target_bytes:
                    break
    return written


def parse_file(path: Path) -> dict[str, int]:
    """Run the unified GC parser over the whole file; counts of what it produced."""
    parser = UnifiedGcParser(ParseContext(path=str(path), host="bench"))
    counts = {"lines": 0, "records": 0, "rejects": 0, "events": 0, "pauses": 0}
    for batch in reader.read_batches(path, reader.ReadStats()):
        counts["lines"] += batch.height
        result = parser.parse(batch)
        _count(counts, result.records.height, result.rejects.height, result.tables["gc_events"])
    final = parser.finish()
    _count(counts, final.records.height, final.rejects.height, final.tables["gc_events"])
    return counts


def _count(counts: dict[str, int], records: int, rejects: int, events: pl.DataFrame) -> None:
    counts["records"] += records
    counts["rejects"] += rejects
    counts["events"] += events.height
    counts["pauses"] += events.filter(pl.col("stw") & (pl.col("kind") != "safepoint")).height


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--mb", type=int, default=300, help="size of the generated log in MB (10^6 bytes)")
    options.add_argument("--path", type=Path, default=Path("/tmp/forensics-gc-bench.log"))
    args = options.parse_args(argv)
    target = args.mb * 1_000_000
    if not args.path.exists() or args.path.stat().st_size < target:
        code = f"from bench.gc_log import write_gc_log; write_gc_log({str(args.path)!r}, {target})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
    size = args.path.stat().st_size
    started = time.perf_counter()
    wc = subprocess.run(["wc", "-l", str(args.path)], check=True, capture_output=True, text=True)
    wc_seconds = time.perf_counter() - started
    started = time.perf_counter()
    counts = parse_file(args.path)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    megabytes = size / 1e6
    lines = [
        f"file      {args.path}  {megabytes:.1f} MB, {int(wc.stdout.split()[0]):,} lines (wc -l)",
        f"wc -l     {wc_seconds:6.2f} s  {megabytes / wc_seconds:8.0f} MB/s",
        f"parser    {seconds:6.2f} s  {megabytes / seconds:8.0f} MB/s  {counts['lines'] / seconds / 1e6:.2f} M lines/s"
        f"  peak RSS {peak_mib:.0f} MiB",
        f"          x wc -l {seconds / wc_seconds:.1f}; {counts['records']:,} records, {counts['rejects']:,} rejects, "
        f"{counts['events']:,} events, {counts['pauses']:,} pauses",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
