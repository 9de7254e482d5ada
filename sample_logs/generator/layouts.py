"""Client log layouts: logstash-logback-encoder JSON, Spring Boot 2.x console, Kafka's log4j.

Each takes UTC epoch milliseconds and renders the timestamp the way its host would: ``Z``
instants with a trimmed fraction (``ISO_OFFSET_DATE_TIME``), zone-less local wall time, or
zone-less UTC.
"""

from __future__ import annotations

import json
import time

from .context import Context
from .writer import Clock, log4j_clock

LEVEL_VALUE = {"TRACE": 5000, "DEBUG": 10000, "INFO": 20000, "WARN": 30000, "ERROR": 40000}


def abbreviate(name: str, target: int) -> str:
    """logback's ``%logger{N}``: shorten leading segments to their first letter until it fits."""
    if len(name) <= target:
        return name
    parts = name.split(".")
    total = len(name)
    out = []
    for part in parts[:-1]:
        if total > target and len(part) > 1:
            total -= len(part) - 1
            out.append(part[0])
        else:
            out.append(part)
    out.append(parts[-1])
    return ".".join(out)


class AppLog:
    """One client log file in its layout; ``write`` takes UTC epoch ms."""

    def __init__(self, ctx: Context, host: str) -> None:
        self.ctx = ctx
        self.host = host
        self.sink = ctx.bundle.sink(f"incident/{host}/app.log")

    def write(self, t: int, level: str, logger: str, thread: str, msg: str, stack: str = "") -> None:
        raise NotImplementedError


class LogstashLog(AppLog):
    """logstash-logback-encoder ``LogstashEncoder`` with two custom fields."""

    def __init__(self, ctx: Context, host: str, app: str, pod: str) -> None:
        super().__init__(ctx, host)
        self.custom = f',"app":"{app}"}}\n'

    @staticmethod
    def stamp(t: int) -> str:
        base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000))
        frac = f"{t % 1000:03d}".rstrip("0")
        return f"{base}.{frac}Z" if frac else f"{base}Z"

    def write(self, t: int, level: str, logger: str, thread: str, msg: str, stack: str = "") -> None:
        d = json.dumps
        text = (
            f'{{"@timestamp":"{self.stamp(t)}","@version":"1","message":{d(msg, ensure_ascii=False)},'
            f'"logger_name":"{logger}","thread_name":{d(thread)},"level":"{level}",'
            f'"level_value":{LEVEL_VALUE[level]}'
        )
        if stack:
            text += f',"stack_trace":{d(stack)}'
        self.sink.add(t, text + self.custom)


class SpringLog(AppLog):
    """Spring Boot 2.x console pattern, local time, no zone."""

    def __init__(self, ctx: Context, host: str, offset_ms: int) -> None:
        super().__init__(ctx, host)
        self.clock = Clock("%Y-%m-%d %H:%M:%S", ".", offset_ms=offset_ms)
        self._loggers: dict[str, str] = {}

    def write(self, t: int, level: str, logger: str, thread: str, msg: str, stack: str = "") -> None:
        short = self._loggers.get(logger)
        if short is None:
            short = self._loggers[logger] = abbreviate(logger, 39).ljust(40)[-40:]
        self.sink.add(t, f"{self.clock(t)} {level:>5} 1 --- [{thread[-15:]:>15}] {short} : {msg}\n{stack}", 1)


class Log4jLog(AppLog):
    """Kafka's own ``[%d] %p %m (%c)%n`` layout (the service ships Kafka's log4j.properties)."""

    def __init__(self, ctx: Context, host: str) -> None:
        super().__init__(ctx, host)
        self.clock = log4j_clock()

    def write(self, t: int, level: str, logger: str, thread: str, msg: str, stack: str = "") -> None:
        self.sink.add(t, f"[{self.clock(t)}] {level} {msg} ({logger})\n{stack}")
