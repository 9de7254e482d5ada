"""HotSpot fatal-error reports (``hs_err_pid<N>.log``): what a JVM writes as it dies.

A broker that runs out of native memory, or is told ``-XX:+CrashOnOutOfMemoryError``, leaves one in
its working directory; it is often the only record of the crash. The whole file is one record: its
``#`` banner says why (``There is insufficient memory for the Java Runtime Environment to continue``,
``A fatal error has been detected by the Java Runtime Environment``, ``java.lang.OutOfMemoryError``), its
``Time:`` line when (JDK 9+: ``Time: Wed Nov  8 13:15:10 2023 UTC elapsed time: …``; JDK 8: ``time: …``
then ``timezone: UTC``). A time written in UTC or GMT is ``in-line``; another zone's abbreviation is
read in the file's zone (``--tz``), like any zone-less time. Which JVM it was comes from its command
line: a report whose ``Command Line:`` / ``java_command:`` runs ``kafka.Kafka`` is a broker's
(``jvm_crash``, family broker), any other a client application's (``jvm_crash_client``).
The typed events come from the family's rules (``oom`` and ``fatal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from parsers.base import RECORDS_SCHEMA, TS, ParseContext, ParsedBatch
from parsers.timestamps import localize, origin_for

BANNER = re.compile(r"^# (?:There is insufficient memory for the Java Runtime Environment to continue\."
                    r"|A fatal error has been detected by the Java Runtime Environment:)")
COMMAND = re.compile(r"^(?:Command Line:|java_command:) .*\bkafka\.Kafka\b")
TIME = re.compile(r"^[Tt]ime: \w{3} (?P<stamp>\w{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})(?: (?P<zone>[A-Za-z][\w+-]*))?")
ZONE_LINE = re.compile(r"^timezone: (?P<zone>\S+)")
UTC_NAMES = {"UTC", "GMT", "Z"}
#: How far into a report its banner may start (a blank line or two, the first ``#``).
BANNER_WITHIN = 5


@dataclass(frozen=True)
class CrashReport:
    """The format of one kind of JVM (broker or client), told apart by the command line."""

    name: str
    title: str
    family: str
    broker: bool
    sample: str = "# There is insufficient memory for the Java Runtime Environment to continue."

    def score(self, head_lines: list[str]) -> float:
        if not any(BANNER.match(line) for line in head_lines[:BANNER_WITHIN]):
            return 0.0
        return 1.0 if any(COMMAND.match(line) for line in head_lines) == self.broker else 0.0

    def parser(self, ctx: ParseContext) -> CrashParser:
        return CrashParser(ctx)


class CrashParser:
    """Gathers the whole report into one record; its time comes from its ``Time:`` line."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.lines: list[str] = []
        self.first = 0

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        if batch.height:
            self.first = self.first or int(batch["line_no"][0])
            self.lines.extend(batch["line"].to_list())
        return ParsedBatch()

    def finish(self) -> ParsedBatch:
        if not self.lines:
            return ParsedBatch()
        ts, origin = self._time()
        thread = next((m.group(1) for line in self.lines if (m := re.match(r'^Current thread \(0x[0-9a-f]+\):\s+\w+ "([^"]*)"', line))), None)
        record = pl.DataFrame(
            {
                "line_start": [self.first], "line_end": [self.first + len(self.lines) - 1], "ts": [ts],
                "ts_origin": [origin], "level": ["FATAL"], "logger": ["jvm"], "thread": [thread],
                "message": ["\n".join(self.lines).rstrip("\n")],
            },
            schema=RECORDS_SCHEMA,
        )
        return ParsedBatch(records=record)

    def _time(self) -> tuple[datetime | None, str]:
        stamp = zone = None
        for line in self.lines:
            if stamp is None and (m := TIME.match(line)):
                stamp, zone = m.group("stamp"), m.group("zone")
            elif zone is None and (m := ZONE_LINE.match(line)):
                zone = m.group("zone")
        if stamp is None:
            return None, "missing"
        local = datetime.strptime(" ".join(stamp.split()), "%b %d %H:%M:%S %Y")
        if zone in UTC_NAMES:
            return local.replace(tzinfo=UTC), "in-line"
        utc = localize(pl.Series([local], dtype=pl.Datetime("us")), self.ctx.tz).cast(TS)[0]
        return utc, origin_for(self.ctx.tz, self.ctx.tz_given)


HS_ERR_BROKER = CrashReport("jvm_crash", "HotSpot fatal-error report (hs_err_pid*.log) of a Kafka broker", "broker", True)
HS_ERR_CLIENT = CrashReport("jvm_crash_client", "HotSpot fatal-error report (hs_err_pid*.log) of another JVM", "client", False)
