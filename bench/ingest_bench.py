"""Ingest throughput and peak memory, side by side with `wc -l` and lnav, in the same run.

Three inputs: a broker server.log (Kafka's log4j layout, `server_log.py`), a client application log
(logback's default layout without a date, a producer per request, `client_log.py`) and a JDK 17 G1 GC
log in Kafka's `time,tags` decorations (`gc_log.py`; lnav does not recognise it). Every case is its
own process; wall time and peak RSS come from os.wait4. Cases run round-robin for several rounds
(the machine is noisy) and each table shows medians with min–max.

    python bench/ingest_bench.py [--logs broker,client,gc] [--size-mb 1000] [--client-size-mb 200]
                                 [--gc-size-mb 300] [--rounds 3] [--baseline ../other-checkout]

Inputs and cases take turns within each round. ``--baseline`` adds the same ingest run from another
checkout (``git worktree add ../base <commit>``), so a change is measured against what it replaces
under the same load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from client_log import write_client_log  # noqa: E402
from gc_log import write_gc_log  # noqa: E402
from server_log import write_server_log  # noqa: E402

#: Input kinds: (file name stem, generator).
LOGS = {
    "broker": ("server", write_server_log),
    "client": ("client", write_client_log),
    "gc": ("kafkaServer-gc", write_gc_log),
}


def measure(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024


def cases(log: Path, work: Path, baseline: Path | None) -> dict[str, tuple[list[str], Path | None] | None]:
    """Each case's command and working directory (the baseline runs the checkout it is given)."""
    ingest = [sys.executable, "-m", "forensics", "ingest", "-q", "--db", str(work / "bench.duckdb"), str(log.resolve())]
    lnav = shutil.which("lnav")
    found: dict[str, tuple[list[str], Path | None] | None] = {
        "wc -l": (["wc", "-l", str(log)], None),
        "lnav count(*)": ([lnav, "-n", "-c", ";SELECT count(*) FROM all_logs", str(log)], None) if lnav else None,
        "forensics ingest": (ingest, HERE.parent),
    }
    if baseline is not None:
        found[f"forensics ingest @ {baseline.name}"] = (ingest, baseline)
    return found


Results = dict[Path, dict[str, list[tuple[float, float]]]]


def run(logs: list[Path], rounds: int, baseline: Path | None) -> None:
    """Measure every case on every input, round-robin over inputs and cases, and print a table per input."""
    results: Results = {log: {} for log in logs}
    lines = {}
    for log in logs:
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        counted = subprocess.run(["wc", "-l", str(log)], capture_output=True, text=True, check=True)
        lines[log] = int(counted.stdout.split()[0])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(rounds):
            for log in logs:
                for name, case in cases(log, work, baseline).items():
                    if case is None:
                        continue
                    (work / "bench.duckdb").unlink(missing_ok=True)
                    results[log].setdefault(name, []).append(measure(*case))
    for log in logs:
        _table(log, lines[log], rounds, results[log])
    if len(logs) > 1:
        _per_input(logs, lines, results)


def _table(log: Path, lines: int, rounds: int, results: dict[str, list[tuple[float, float]]]) -> None:
    size_mb = log.stat().st_size / 1e6
    lnav = statistics.median(w for w, _ in results["lnav count(*)"]) if "lnav count(*)" in results else None
    print(f"input: {log.name}, {size_mb:,.0f} MB, {lines / 1e6:.2f} M lines, {rounds} rounds, medians (min–max)\n")
    print("| case | wall s | MB/s | M lines/s | peak RSS MiB | × lnav |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        med = statistics.median(walls)
        rss = max(r for _, r in runs)
        ratio = f"{med / lnav:.2f}" if lnav else "–"
        print(
            f"| {name} | {med:.2f} ({min(walls):.2f}–{max(walls):.2f}) | {size_mb / med:,.0f} "
            f"| {lines / 1e6 / med:.2f} | {rss:,.0f} | {ratio} |"
        )
    if lnav is None:
        print("\nlnav is not installed (apt-get install lnav) — its column is empty.")
    print()


def _per_input(logs: list[Path], lines: dict[Path, int], results: Results) -> None:
    """forensics' throughput on each input side by side (the inputs took turns, so the machine's mood is shared)."""
    print("forensics ingest, input by input (same rounds):\n")
    print("| input | MB | wall s | MB/s | M lines/s |")
    print("|---|---|---|---|---|")
    for log in logs:
        med = statistics.median(w for w, _ in results[log]["forensics ingest"])
        size_mb = log.stat().st_size / 1e6
        print(f"| {log.name} | {size_mb:,.0f} | {med:.2f} | {size_mb / med:,.0f} | {lines[log] / 1e6 / med:.2f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", default="broker,client,gc", help="which inputs: broker, client, gc (default: all)")
    parser.add_argument("--size-mb", type=float, default=1000, help="size of the broker server.log")
    parser.add_argument("--client-size-mb", type=float, default=200, help="size of the client log")
    parser.add_argument("--gc-size-mb", type=float, default=300, help="size of the GC log")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout (git worktree) to run beside this one")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    logs = []
    for kind in args.logs.split(","):
        stem, write = LOGS[kind]
        size = {"client": args.client_size_mb, "gc": args.gc_size_mb}.get(kind, args.size_mb)
        log = args.out / f"{stem}-{int(size)}MB.log"
        if not log.exists():
            print(f"generating {log} …", file=sys.stderr)
            write(log, int(size * 1e6))
        logs.append(log)
    run(logs, args.rounds, args.baseline.resolve() if args.baseline else None)


if __name__ == "__main__":
    main()
