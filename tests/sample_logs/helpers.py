"""Plain-Python readers of the sample bundle, shared by its tests.

The tests read the files with the standard library on purpose: they check the data and its
truth against each other, independently of the project's parsers.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs"
BUNDLE = SAMPLE / "incident"
BROKERS = [f"kafka-{i}" for i in range(1, 6)]

LOG4J_HEAD = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})\] (TRACE|DEBUG|INFO|WARN|ERROR) ")
SPRING_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) +(TRACE|DEBUG|INFO|WARN|ERROR) \d+ --- ")
BLOCK = re.compile(
    r"\[Controller id=(\d)\] Acquired new producerId block ProducerIdsBlock\(assignedBrokerId=(\d), "
    r"firstProducerId=(\d+), size=1000\) by writing to Zk with path version (\d+) "
    r"\(kafka\.controller\.KafkaController\)$"
)
"""A producer-id block line of the ZooKeeper controller (3.7 wording)."""
GC_LINE = re.compile(r"^\[(?P<ts>[^\]]+)\]\[(?P<tags>[^\]]+)\] (?P<msg>.*)$")
GC_PAUSE = re.compile(
    r"GC\((?P<id>\d+)\) (?P<what>Pause .*?) (?P<before>\d+)M->(?P<after>\d+)M\((?P<cap>\d+)M\) "
    r"(?P<ms>\d+\.\d{3})ms$"
)


def read_lines(path: Path) -> list[str]:
    """Lines of a text file (gzip transparently), without line terminators."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return fh.read().split("\n")[:-1]


def bundle_files(root: Path = BUNDLE) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def log4j_time(text: str, offset_hours: int = 0) -> datetime:
    local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")
    return (local - timedelta(hours=offset_hours)).replace(tzinfo=UTC)


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def server_logs(host: str) -> list[Path]:
    """A broker's server.log files, oldest hour first (the current file is the last hour)."""
    files = sorted((BUNDLE / host).glob("server.log.*"))
    return files + [BUNDLE / host / "server.log"]


def log4j_records(path: Path) -> Iterator[tuple[datetime, str, str]]:
    """(time, level, full record text) of a log4j-layout file; continuation lines join their record."""
    current: list[str] = []
    head: re.Match[str] | None = None
    for line in read_lines(path):
        m = LOG4J_HEAD.match(line)
        if m and head is not None:
            yield log4j_time(head.group(1)), head.group(2), "\n".join(current)
        if m:
            head, current = m, [line]
        else:
            current.append(line)
    if head is not None:
        yield log4j_time(head.group(1)), head.group(2), "\n".join(current)


def count_records(path: Path, lines: list[str]) -> int:
    """Records in a bundle file, by the rules of sample_logs/README.md ("files" in truth.json)."""
    name = path.name
    if name.startswith("kafkaServer-gc.log") or name.endswith(".jsonl"):
        return len(lines)
    if name == "deploys.csv":
        return len(lines) - 1
    if path.parent.name == "api-pod-a":
        return len(lines)
    if path.parent.name == "api-pod-b":
        return sum(1 for line in lines if SPRING_HEAD.match(line))
    heads = sum(1 for line in lines if LOG4J_HEAD.match(line))
    if name == "kafkaServer.out":
        heads += sum(1 for line in lines if line.startswith('Exception in thread "'))
    return heads


def gc_files(host: str) -> list[Path]:
    """kafkaServer-gc.log.0 (the JVM before the restart, if any) then kafkaServer-gc.log."""
    return sorted((BUNDLE / host).glob("kafkaServer-gc.log*"), key=lambda p: p.name, reverse=True)


def hour_of(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H")
