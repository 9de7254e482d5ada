"""What every part of one run shares: the plan, the output bundle, the truth counters,
the partition model, and the broker files with their log4j layout.

A broker's server.log records at WARN and above are copied to its kafkaServer.out, as
the operators' log4j config sends the root logger to a stdout appender with
``Threshold=WARN`` and systemd appends the JVM's stdout to that file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import scenario as sc
from .writer import Bundle, HourlySink, Sink, log4j_clock

if TYPE_CHECKING:
    from .partitions import Partitions
    from .truth import Truth

GZIPPED_HOURS = {sc.WINDOW_START + h * sc.HOUR_MS for h in range(3)}
"""server.log hours the operators' cron had compressed when the files were collected."""


class ServerLog:
    """A broker's server.log (hourly files) that copies WARN and ERROR records to kafkaServer.out."""

    def __init__(self, main: Sink, console: Sink) -> None:
        self.main = main
        self.console = console

    def add(self, ts: int, text: str, records: int = 1) -> None:
        self.main.add(ts, text, records)
        if text.startswith("WARN", 26) or text.startswith("ERROR", 26):
            self.console.add(ts, text, records)


class Context:
    """Shared state of one generator run."""

    def __init__(self, plan: sc.Plan, bundle: Bundle, truth: Truth, partitions: Partitions) -> None:
        self.plan = plan
        self.bundle = bundle
        self.truth = truth
        self.partitions = partitions
        self.clock = log4j_clock()
        self._server: dict[int, ServerLog] = {}

    def line(self, ts: int, level: str, message: str, logger: str, stack: str = "") -> str:
        """One log4j ``[%d] %p %m (%c)%n`` record, with an optional stack trace after it."""
        return f"[{self.clock(ts)}] {level} {message} ({logger})\n{stack}"

    def path(self, broker_id: int, name: str) -> str:
        return f"incident/kafka-{broker_id}/{name}"

    def broker_log(self, broker_id: int) -> ServerLog:
        log = self._server.get(broker_id)
        if log is None:
            rel = self.path(broker_id, "server.log")
            main = self.bundle.sink(rel, lambda: HourlySink(self.bundle, rel, GZIPPED_HOURS))
            log = ServerLog(main, self.console(broker_id))
            self._server[broker_id] = log
        return log

    def console(self, broker_id: int) -> Sink:
        return self.bundle.sink(self.path(broker_id, "kafkaServer.out"))

    def controller_log(self, broker_id: int) -> Sink:
        return self.bundle.sink(self.path(broker_id, "controller.log"))

    def state_change_log(self, broker_id: int) -> Sink:
        return self.bundle.sink(self.path(broker_id, "state-change.log"))

    def cleaner_log(self, broker_id: int) -> Sink:
        return self.bundle.sink(self.path(broker_id, "log-cleaner.log"))
