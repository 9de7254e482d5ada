"""One host, one clock: the UTC offset a host's GC log writes is the zone of its zone-less logs.

Kafka's log4j layout writes no offset, so without ``--tz`` its times are taken as UTC. A GC log written
with ``-Xlog:gc*:file=…:time`` (or ``-XX:+PrintGCDateStamps``) writes the JVM's offset on every line. When
every GC log of a host shows one offset, other than UTC, and a JVM start is seen in both logs (the GC
log's first line, ``Using G1`` / ``CommandLine flags:``, and Kafka's first line,
``Registered kafka:type=kafka.Log4jController MBean``, or a client's ``Starting … with PID``) within a
minute of each other once the offset is applied, the host's zone-less times are moved by it: their
``ts_origin`` becomes ``gc-offset:+0200`` instead of ``assumed:UTC``. Without such a start the times are
left as they were and ingest says why. A host whose GC logs show several offsets (a DST change) is left
alone too: one fixed offset would be wrong for part of its logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from forensics import reader

#: The offset in a GC log's time stamp: unified logging ``[2025-08-28T03:53:07.412+0200]``, or JDK 8's
#: ``2025-08-28T03:53:07.412+0200: 1.234: [GC …``.
GC_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[.,]\d{3}([+-]\d{4})")
#: How far apart the two logs' records of one JVM start may be, once the offset is applied.
START_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class HostClock:
    host: str
    offset: str  # '+0200'
    applied: bool
    why: str

    @property
    def note(self) -> str:
        if self.applied:
            return f"{self.host}: times without an offset were taken as {self.offset}, the offset its GC log writes ({self.why})"
        return f"{self.host}: its GC log writes {self.offset}, but its other logs stay UTC: {self.why}"


def _minutes(offset: str) -> int:
    sign = -1 if offset[0] == "-" else 1
    return sign * (int(offset[1:3]) * 60 + int(offset[3:5]))


def _gc_offsets(paths: list[str]) -> set[str]:
    seen: set[str] = set()
    for path in paths:
        try:
            head = reader.head_lines(Path(path))
        except OSError:
            continue
        seen.update(match.group(1) for line in head if (match := GC_OFFSET.search(line)))
    return seen


def settle(con: duckdb.DuckDBPyConnection) -> list[HostClock]:
    """Move the zone-less times of every host whose GC log says its offset; what was decided, per host."""
    hosts = con.execute(
        """SELECT a.host, list(DISTINCT a.source_id), list(DISTINCT g.abs_path), list(DISTINCT g.source_id)
           FROM sources a JOIN sources g ON g.host = a.host AND g.family = 'gc' AND g.status = 'ok'
           WHERE a.ts_origin LIKE 'assumed:UTC%' AND a.family IN ('broker', 'client')
           GROUP BY a.host ORDER BY a.host"""
    ).fetchall()
    decided = []
    for host, assumed, gc_paths, gc_ids in hosts:
        offsets = _gc_offsets(gc_paths)
        if len(offsets) != 1 or _minutes(next(iter(offsets))) == 0:
            if len(offsets) > 1:
                decided.append(HostClock(host, ", ".join(sorted(offsets)), False,
                                         "its GC logs show several offsets (a DST change?); say the zone with --tz"))
            continue
        offset = offsets.pop()
        shift = timedelta(minutes=_minutes(offset))
        pair = _common_start(con, assumed, gc_ids, shift)
        if pair is None:
            decided.append(HostClock(host, offset, False, "no JVM start is seen in both its GC log and its other "
                                                          "logs to check it against; say the zone with --tz"))
            continue
        _move(con, assumed, shift, offset)
        decided.append(HostClock(host, offset, True, f"the JVM start at {pair} UTC is in both"))
    return decided


def _common_start(con: duckdb.DuckDBPyConnection, assumed: list[int], gc_ids: list[int], shift: timedelta) -> str | None:
    """A JVM start both logs show once the zone-less times are moved by ``shift``: its time, or None."""
    rows = con.execute(
        """WITH log_starts AS (
               SELECT ts - $shift AS ts FROM records
               WHERE source_id IN (SELECT unnest($assumed)) AND ts IS NOT NULL
                 AND message LIKE 'Registered kafka:type=kafka.Log4jController MBean%'
               UNION ALL
               SELECT ts - $shift FROM client_events WHERE source_id IN (SELECT unnest($assumed)) AND kind = 'jvm_start'
           ), gc_starts AS (
               SELECT ts FROM records
               WHERE source_id IN (SELECT unnest($gc)) AND ts IS NOT NULL
                 AND (message LIKE 'Using %' OR message LIKE 'CommandLine flags:%')
           )
           SELECT min(g.ts) FROM log_starts l JOIN gc_starts g ON abs(epoch(l.ts) - epoch(g.ts)) <= $tolerance""",
        {"shift": shift, "assumed": assumed, "gc": gc_ids, "tolerance": START_TOLERANCE.total_seconds()},
    ).fetchall()
    first = rows[0][0] if rows else None
    return first.strftime("%Y-%m-%d %H:%M:%S") if first is not None else None


def _move(con: duckdb.DuckDBPyConnection, assumed: list[int], shift: timedelta, offset: str) -> None:
    """The zone-less times of these files, read again as local times of ``offset``."""
    params = {"shift": shift, "ids": assumed, "origin": f"gc-offset:{offset}"}
    where = "source_id IN (SELECT unnest($ids))"
    con.execute(f"UPDATE records SET ts = ts - $shift, ts_origin = replace(ts_origin, 'assumed:UTC', $origin) "
                f"WHERE {where}", params)
    for table in ("broker_events", "client_events"):
        con.execute(f"UPDATE {table} SET ts = ts - $shift WHERE {where}", {"shift": shift, "ids": assumed})
    con.execute(f"""UPDATE sources SET first_ts = first_ts - $shift, last_ts = last_ts - $shift, timezone = $zone,
                        ts_origin = replace(ts_origin, 'assumed:UTC', $origin) WHERE {where}""",
                {**params, "zone": offset})
