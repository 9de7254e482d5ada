"""Small incidents written line by line, with the story each one must tell (ground truth by construction)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from forensics.story.build import build_from
from forensics.story.model import Report
from tests.conftest import run_cli

DAY = "2025-09-16"


def line(clock: str, level: str, message: str, logger: str, day: str = DAY) -> str:
    """A record in Kafka's log4j layout at ``clock`` (``HH:MM:SS``) on ``day``."""
    return f"[{day} {clock},000] {level} {message} ({logger})"


def started(clock: str, broker: int) -> str:
    return line(clock, "INFO", f"[KafkaServer id={broker}] started", "kafka.server.KafkaServer")


def starting(clock: str) -> str:
    """ZooKeeper mode's first line of a start: the broker id is not known yet."""
    return line(clock, "INFO", "starting", "kafka.server.KafkaServer")


def oom(clock: str, broker: int) -> str:
    return (line(clock, "ERROR", f"[ReplicaManager broker={broker}] Error processing append operation on partition t-0",
                 "kafka.server.ReplicaManager")
            + "\njava.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)")


def planned_stop(clock_signal: str, clock_done: str, broker: int) -> list[str]:
    return [
        line(clock_signal, "INFO", "Terminating process due to signal SIGTERM", "org.apache.kafka.common.utils.LoggingSignalHandler"),
        line(clock_signal, "INFO", f"[KafkaServer id={broker}] Starting controlled shutdown", "kafka.server.KafkaServer"),
        line(clock_done, "INFO", f"[KafkaServer id={broker}] shut down completed", "kafka.server.KafkaServer"),
    ]


def failure_callback(clock: str, controller: int, broker: int) -> str:
    return line(clock, "INFO", f"[Controller id={controller}] Broker failure callback for {broker}",
                "kafka.controller.KafkaController")


def write(root: Path, files: dict[str, list[str]]) -> Path:
    """``{"kafka-1/server.log": [lines…]}`` under ``root``."""
    for name, lines in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def story(root: Path, db: Path) -> tuple[duckdb.DuckDBPyConnection, Report]:
    """Ingest ``root`` as a user would and build the story."""
    done = run_cli("ingest", "--db", str(db), str(root))
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(db), read_only=True)
    return con, build_from(con, str(db), __import__("datetime").timedelta(minutes=5))
