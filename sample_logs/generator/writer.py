"""Output files: time-ordered, streamed, counted.

Sources add timestamped records to a ``Sink`` in any order within a time slice; the
bundle flushes every sink up to the slice end, so each file is written in timestamp
order while memory holds one slice at most. Every sink counts the physical lines and
the records it wrote, which is what ``truth.json`` reports per file. Records outside
the collection window are dropped: the investigators' collection script cut every
file to the window.
"""

from __future__ import annotations

import gzip
import heapq
import io
import itertools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .scenario import HOUR_MS, WINDOW_END, WINDOW_START


class Clock:
    """Formats epoch milliseconds with a strftime pattern plus milliseconds, cached per second."""

    def __init__(self, pattern: str, ms_sep: str, suffix: str = "", offset_ms: int = 0) -> None:
        self._pattern = pattern
        self._ms_sep = ms_sep
        self._suffix = suffix
        self._offset = offset_ms
        self._sec = -1
        self._prefix = ""

    def __call__(self, ts: int) -> str:
        sec, ms = divmod(ts + self._offset, 1000)
        if sec != self._sec:
            self._sec = sec
            self._prefix = time.strftime(self._pattern, time.gmtime(sec))
        return f"{self._prefix}{self._ms_sep}{ms:03d}{self._suffix}"


def log4j_clock(offset_ms: int = 0) -> Clock:
    """``2025-08-28 03:53:07,412`` (log4j ISO8601, zone-less)."""
    return Clock("%Y-%m-%d %H:%M:%S", ",", offset_ms=offset_ms)


def gc_clock() -> Clock:
    """``2025-08-28T03:53:07.412+0000`` (JDK unified logging ``time`` decoration on a UTC host)."""
    return Clock("%Y-%m-%dT%H:%M:%S", ".", "+0000")


def iso_seconds(ts: int) -> str:
    """``2025-08-28T03:53:07Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts // 1000))


def iso_millis(ts: int) -> str:
    """``2025-08-28T03:53:07.412Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts // 1000)) + f".{ts % 1000:03d}Z"


def hour_key(ts: int) -> str:
    """``2025-08-28T03`` for the UTC hour that contains ``ts``."""
    return time.strftime("%Y-%m-%dT%H", time.gmtime(ts // 1000))


Record = tuple[int, int, Any, int]
"""(timestamp, sequence, payload, record count); the payload is text unless a sink renders it."""


class Sink:
    """One output file. ``add`` buffers; ``flush`` writes everything older than a time, in order."""

    def __init__(self, bundle: Bundle, relpath: str, gz: bool = False) -> None:
        self.bundle = bundle
        self.relpath = relpath
        self.gz = gz
        self._pending: list[Record] = []
        self._fh: TextIO | None = None
        self.last_ts = WINDOW_START

    def add(self, ts: int, payload: Any, records: int = 1) -> None:
        """Queue a record (text ending in a newline) written at ``ts``."""
        if WINDOW_START <= ts < WINDOW_END:
            heapq.heappush(self._pending, (ts, next(self.bundle.seq), payload, records))

    def flush(self, until: int) -> None:
        """Write every queued record older than ``until``."""
        pending = self._pending
        if not pending or pending[0][0] >= until:
            return
        ready = []
        while pending and pending[0][0] < until:
            ready.append(heapq.heappop(pending))
        if ready[0][0] < self.last_ts:
            raise AssertionError(f"{self.relpath}: record at {ready[0][0]} after {self.last_ts} was flushed")
        self._write(ready)
        self.last_ts = ready[-1][0]

    def render(self, record: Record) -> str:
        return record[2]

    def _write(self, ready: list[Record]) -> None:
        fh = self._handle(self.relpath, self.gz)
        text = "".join(self.render(r) for r in ready)
        fh.write(text)
        self.bundle.count(self.relpath, text, sum(r[3] for r in ready))

    def _handle(self, relpath: str, gz: bool) -> TextIO:
        if self._fh is None:
            self._fh = self.bundle.open(relpath, gz)
        return self._fh

    def close(self) -> None:
        self.flush(WINDOW_END + 1)
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class HourlySink(Sink):
    """log4j ``DailyRollingFileAppender`` with ``'.'yyyy-MM-dd-HH``: one file per hour.

    The file of the last hour keeps the base name; past hours get the suffix, and the
    hours listed in ``gzip_hours`` were compressed by the operators' cron job.
    """

    def __init__(self, bundle: Bundle, relpath: str, gzip_hours: set[int]) -> None:
        super().__init__(bundle, relpath)
        self._gzip_hours = gzip_hours
        self._hour = -1
        self._hour_path = ""

    def _path_for(self, hour_start: int) -> tuple[str, bool]:
        if hour_start + HOUR_MS >= WINDOW_END:
            return self.relpath, False
        suffix = time.strftime(".%Y-%m-%d-%H", time.gmtime(hour_start // 1000))
        gz = hour_start in self._gzip_hours
        return self.relpath + suffix + (".gz" if gz else ""), gz

    def _write(self, ready: list[Record]) -> None:
        start = 0
        while start < len(ready):
            hour = ready[start][0] // HOUR_MS * HOUR_MS
            end = start
            while end < len(ready) and ready[end][0] < hour + HOUR_MS:
                end += 1
            if hour != self._hour:
                if self._fh is not None:
                    self._fh.close()
                    self._fh = None
                self._hour = hour
                self._hour_path, gz = self._path_for(hour)
                self._fh = self.bundle.open(self._hour_path, gz)
            text = "".join(self.render(r) for r in ready[start:end])
            assert self._fh is not None
            self._fh.write(text)
            self.bundle.count(self._hour_path, text, sum(r[3] for r in ready[start:end]))
            start = end


class Bundle:
    """The output directory: sinks by path, the shared ordering sequence and per-file counts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seq = itertools.count()
        self.sinks: dict[str, Sink] = {}
        self.files: dict[str, dict[str, int]] = {}
        self.oom_lines: dict[str, int] = {}
        """Lines mentioning java.lang.OutOfMemoryError, per file."""

    def sink(self, relpath: str, factory: Callable[[], Sink] | None = None) -> Sink:
        """The sink writing ``relpath`` (created on first use)."""
        sink = self.sinks.get(relpath)
        if sink is None:
            sink = factory() if factory else Sink(self, relpath)
            self.sinks[relpath] = sink
        return sink

    def open(self, relpath: str, gz: bool) -> TextIO:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.setdefault(relpath, {"lines": 0, "records": 0})
        if gz:
            raw = gzip.GzipFile(filename=str(path), mode="wb", compresslevel=6, mtime=0)
            return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")  # type: ignore[arg-type]
        return open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def count(self, relpath: str, text: str, records: int) -> None:
        stats = self.files[relpath]
        stats["lines"] += text.count("\n")
        stats["records"] += records
        ooms = text.count("java.lang.OutOfMemoryError")
        if ooms:
            self.oom_lines[relpath] = self.oom_lines.get(relpath, 0) + ooms

    def flush(self, until: int) -> None:
        for sink in self.sinks.values():
            sink.flush(until)

    def close(self) -> dict[str, dict[str, int]]:
        """Close every file; return per-file line, record and byte counts, by path."""
        for sink in self.sinks.values():
            sink.close()
        for relpath, stats in self.files.items():
            stats["bytes"] = os.path.getsize(self.root / relpath)
        return dict(sorted(self.files.items()))
