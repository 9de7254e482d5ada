"""Ingest throughput and peak memory, side by side with `wc -l` and lnav, in the same run.

Three inputs: a broker server.log (Kafka's log4j layout, `server_log.py`), a client application log
(logback's default layout without a date, a producer per request, `client_log.py`) and a JDK 17 G1 GC
log in Kafka's `time,tags` decorations (`gc_log.py`; lnav does not recognise it). Every case is its
own process; wall time and peak RSS come from os.wait4. Cases run round-robin for several rounds
(the machine is noisy) and each table shows medians with min–max.

    python bench/ingest_bench.py [--logs broker,client,gc] [--size-mb 1000] [--client-size-mb 200]
                                 [--gc-size-mb 300] [--rounds 3]
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


def measure(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024


def cases(log: Path, work: Path) -> dict[str, list[str] | None]:
    forensics = [sys.executable, "-m", "forensics", "ingest", "-q", "--db", str(work / "bench.duckdb"), str(log)]
    lnav = shutil.which("lnav")
    return {
        "wc -l": ["wc", "-l", str(log)],
        "lnav count(*)": [lnav, "-n", "-c", ";SELECT count(*) FROM all_logs", str(log)] if lnav else None,
        "forensics ingest": forensics,
    }


def run(log: Path, rounds: int) -> None:
    """Measure every case on one input and print its table."""
    size_mb = log.stat().st_size / 1e6
    subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    lines = int(subprocess.run(["wc", "-l", str(log)], capture_output=True, text=True, check=True).stdout.split()[0])
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(rounds):
            for name, argv in cases(log, work).items():
                if argv is None:
                    continue
                (work / "bench.duckdb").unlink(missing_ok=True)
                results.setdefault(name, []).append(measure(argv))
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
            f"| {name} | {med:.2f} ({min(walls):.2f}–{max(walls):.2f}) | {size_mb / med:,.0f} | {lines / 1e6 / med:.2f} "
            f"| {rss:,.0f} | {ratio} |"
        )
    if lnav is None:
        print("\nlnav is not installed (apt-get install lnav) — its column is empty.")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", default="broker,client,gc", help="which inputs: broker, client, gc (default: all)")
    parser.add_argument("--size-mb", type=float, default=1000, help="size of the broker server.log")
    parser.add_argument("--client-size-mb", type=float, default=200, help="size of the client log")
    parser.add_argument("--gc-size-mb", type=float, default=300, help="size of the GC log")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in args.logs.split(","):
        stem, write = LOGS[kind]
        size = {"client": args.client_size_mb, "gc": args.gc_size_mb}.get(kind, args.size_mb)
        log = args.out / f"{stem}-{int(size)}MB.log"
        if not log.exists():
            print(f"generating {log} …", file=sys.stderr)
            write(log, int(size * 1e6))
        run(log, args.rounds)


if __name__ == "__main__":
    main()
