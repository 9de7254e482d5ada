"""The contract between the ingest engine and every log format.

Ingest reads a file as numbered lines, in batches, and hands each batch to one
``LineParser`` instance per file. The parser keeps whatever state it needs
between batches (a record still open at the end of a batch, a GC event whose
lines are not all in yet) and returns what is complete. ``finish`` flushes the
rest at end of file.

The invariant every parser owns: each input line ends up in exactly one record
(``line_start``..``line_end``, records never overlap) or in exactly one reject.
Ingest checks it per file: lines read == lines inside records + lines rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import polars as pl

#: Columns of one batch of input lines. ``line_no`` is 1-based within the file.
LINES_SCHEMA: dict[str, pl.DataType] = {"line_no": pl.Int64(), "line": pl.String()}

#: Timestamps are UTC, microsecond precision.
TS = pl.Datetime("us", "UTC")

#: Every record of every text format has these columns (ingest adds source_id and host).
RECORDS_SCHEMA: dict[str, pl.DataType] = {
    "line_start": pl.Int64(),
    "line_end": pl.Int64(),
    "ts": TS,
    "ts_origin": pl.String(),
    "level": pl.String(),
    "logger": pl.String(),
    "thread": pl.String(),
    "message": pl.String(),
}

#: Lines that belong to no record: the line number, why, and the raw text (truncated).
REJECTS_SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "reason": pl.String(),
    "raw": pl.String(),
}

#: Raw text kept in a reject row is cut to this many characters.
REJECT_RAW_MAX = 1000


@dataclass(frozen=True)
class ParseContext:
    """What a parser knows about the file it parses.

    ``tz`` is the IANA zone for zone-less timestamps (``UTC`` unless the user
    said otherwise); ``tz_given`` tells whether the user said it. ``anchor`` is a
    wall-clock time for uptime-only logs (JVM start), when one is known, and
    ``anchor_origin`` where it came from (``flag``, ``jvm-start`` from the host's
    other logs).
    """

    path: str
    host: str
    tz: str = "UTC"
    tz_given: bool = False
    anchor: datetime | None = None
    anchor_origin: str = "jvm-start"


@dataclass
class ParsedBatch:
    """What a parser returns for a batch: records, rejects, and typed tables.

    ``tables`` maps a table name (``gc_events``, ``client_events`` …) to rows
    for it; every such frame carries ``line_start`` and ``line_end`` so that
    each derived fact traces back to its lines.
    """

    records: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RECORDS_SCHEMA))
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTS_SCHEMA))
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)


class LineParser(Protocol):
    """One instance per file; fed batches of ``LINES_SCHEMA`` frames in file order."""

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        """Parse a batch; may hold back an unfinished record until the next call."""
        ...

    def finish(self) -> ParsedBatch:
        """Flush everything held back at end of file."""
        ...


class FormatRefused(Exception):
    """Raised by detection or parsing when a file is of a kind we refuse (IBM J9 XML …).

    The message is shown to the user as is, with the file name in front.
    """


def make_rejects(line_no: pl.Series | list[int], reason: str | pl.Series, raw: pl.Series | list[str]) -> pl.DataFrame:
    """Build a rejects frame, truncating the raw text."""
    frame = pl.DataFrame({"line_no": line_no, "raw": raw}, schema_overrides={"line_no": pl.Int64(), "raw": pl.String()})
    reason_expr = pl.lit(reason) if isinstance(reason, str) else pl.Series("reason", reason)
    return frame.select(
        pl.col("line_no"),
        reason_expr.cast(pl.String).alias("reason"),
        pl.col("raw").str.slice(0, REJECT_RAW_MAX),
    )


class Format(Protocol):
    """A log format the ingest engine can detect and parse.

    ``score`` looks at the first lines of a file (at most a few hundred) and says
    how well they fit, from 0.0 (not this format) to 1.0; detection picks the
    highest score, deterministically, and ties between different formats are an
    error that names both. ``score`` may raise ``FormatRefused`` for a file that
    must be refused with a message (IBM J9 XML is not a HotSpot GC log …).
    """

    name: str
    title: str
    family: str  # "broker" | "gc" | "client" | "events"
    sample: str  # one real line, shown by `forensics formats`

    def score(self, head_lines: list[str]) -> float: ...

    def parser(self, ctx: ParseContext) -> LineParser: ...
