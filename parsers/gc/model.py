"""The ``gc_events`` table: its columns, the ``kind`` vocabulary, and value helpers.

Every GC parser (unified logging, JDK 8) produces frames with exactly ``GC_EVENTS_SCHEMA``,
in this column order; ``forensics/schema/20_gc.sql`` declares the same columns after
``source_id, host``. One row is one GC *event*, not one line:

* ``kind`` is one of ``KINDS``. Stop-the-world GC pauses are ``young``, ``mixed``,
  ``initial_mark``, ``remark``, ``cleanup``, ``full``, ``degenerated`` and ``pause_other``;
  ``concurrent`` is a concurrent phase, ``cycle`` a ZGC collection cycle summary,
  ``safepoint`` a safepoint / "application threads were stopped" line, ``stall`` a ZGC
  allocation or relocation stall (one thread blocked, not the VM), and
  ``to_space_exhausted`` the G1 marker line printed inside a pause.
* ``stw`` tells whether the event stopped every application thread; ``pause_ms`` is set only
  for such events (the figure the JVM logged: the number on the unified summary line or the
  outermost ``secs]`` of a JDK 8 record). ``duration_ms`` is the wall duration of any event.
* ``nested`` marks a pause contained in another logged pause (Serial/Parallel promotion
  failure printing a Full GC inside the Young pause, CMS scavenge-before-remark): it is a real
  collection but its time is already inside the enclosing pause, so it is not a pause of its own.
* ``complete`` is false for an event whose end line never came (file cut mid-event).
* ``ts``/``uptime_s`` is the start of the event, ``ts_end``/``uptime_end_s`` its end; unified
  logging decorates the *end* of a pause, JDK 8 stamps its *start*.
* Sizes are KiB (1K = 1024 bytes). ``metaspace_*`` holds PermGen for JDK 7 and older.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import polars as pl

from parsers.base import TS

#: Columns of a ``gc_events`` frame, in table order (the engine prepends ``source_id, host``).
GC_EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "line_start": pl.Int64(),
    "line_end": pl.Int64(),
    "ts": TS,
    "ts_end": TS,
    "ts_origin": pl.String(),
    "uptime_s": pl.Float64(),
    "uptime_end_s": pl.Float64(),
    "jvm_version": pl.String(),
    "collector": pl.String(),
    "gc_id": pl.Int64(),
    "generation": pl.String(),
    "kind": pl.String(),
    "name": pl.String(),
    "cause": pl.String(),
    "stw": pl.Boolean(),
    "nested": pl.Boolean(),
    "complete": pl.Boolean(),
    "pause_ms": pl.Float64(),
    "duration_ms": pl.Float64(),
    "heap_before_kb": pl.Int64(),
    "heap_after_kb": pl.Int64(),
    "heap_capacity_kb": pl.Int64(),
    "young_before_kb": pl.Int64(),
    "young_after_kb": pl.Int64(),
    "young_capacity_kb": pl.Int64(),
    "old_before_kb": pl.Int64(),
    "old_after_kb": pl.Int64(),
    "old_capacity_kb": pl.Int64(),
    "metaspace_before_kb": pl.Int64(),
    "metaspace_after_kb": pl.Int64(),
    "metaspace_capacity_kb": pl.Int64(),
    "to_space_exhausted": pl.Boolean(),
    "evacuation_failure": pl.Boolean(),
    "humongous": pl.Boolean(),
    "allocation_stall": pl.Boolean(),
    "other_ms": pl.Float64(),
    "user_s": pl.Float64(),
    "sys_s": pl.Float64(),
    "real_s": pl.Float64(),
    "safepoint_reach_ms": pl.Float64(),
    "generations": pl.String(),
}

#: The ``kind`` vocabulary (see the module docstring).
KINDS: tuple[str, ...] = (
    "young",
    "mixed",
    "initial_mark",
    "remark",
    "cleanup",
    "full",
    "degenerated",
    "pause_other",
    "concurrent",
    "cycle",
    "safepoint",
    "stall",
    "to_space_exhausted",
)

#: Kinds that are stop-the-world GC pauses (``stw`` true, ``pause_ms`` set when known).
PAUSE_KINDS: frozenset[str] = frozenset(
    {"young", "mixed", "initial_mark", "remark", "cleanup", "full", "degenerated", "pause_other"}
)

#: Collector names used in the ``collector`` column.
COLLECTORS: tuple[str, ...] = ("G1", "Parallel", "Serial", "CMS", "ZGC", "ZGC-generational", "Shenandoah")

_UNIT_KB: dict[str, Decimal] = {
    "B": Decimal(1) / Decimal(1024),
    "K": Decimal(1),
    "M": Decimal(1024),
    "G": Decimal(1024 * 1024),
    "T": Decimal(1024 * 1024 * 1024),
}

_SIZE_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([BKMGT]?)\s*$")


def empty_events() -> pl.DataFrame:
    """A ``gc_events`` frame without rows."""
    return pl.DataFrame(schema=GC_EVENTS_SCHEMA)


def events_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Build a ``gc_events`` frame from row dicts (missing keys become null)."""
    if not rows:
        return empty_events()
    columns = {name: [row.get(name) for row in rows] for name in GC_EVENTS_SCHEMA}
    return pl.DataFrame(columns, schema=GC_EVENTS_SCHEMA)


#: Boolean columns that are false, never null, when nothing sets them.
FLAG_COLUMNS = ("nested", "to_space_exhausted", "evacuation_failure", "humongous", "allocation_stall")


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing ``gc_events`` columns as nulls (flags as false), cast, and order them as the schema."""
    exprs = []
    for name, dtype in GC_EVENTS_SCHEMA.items():
        expr = (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype)
        exprs.append((expr.fill_null(False) if name in FLAG_COLUMNS else expr).alias(name))
    return frame.select(exprs)


def decimal_number(text: str) -> Decimal | None:
    """Parse a logged number that may use a decimal comma (``7,870`` → 7.870); None if it is not one."""
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None


def to_float(text: str | None) -> float | None:
    """A logged decimal number (decimal point or comma) as a float."""
    if text is None:
        return None
    number = decimal_number(text)
    return None if number is None else float(number)


def size_kb(text: str | None, default_unit: str = "K") -> int | None:
    """A logged size such as ``615M``, ``7168.0K``, ``0.0B``, ``2486,0M`` or ``8678K`` in whole KiB.

    Fractions are rounded half-up to whole KiB; a size without unit is taken in ``default_unit``.
    """
    if text is None:
        return None
    match = _SIZE_RE.match(text)
    if match is None:
        return None
    number = decimal_number(match.group(1))
    if number is None:
        return None
    kb = number * _UNIT_KB[match.group(2) or default_unit]
    return int(kb.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def size_kb_expr(number: pl.Expr, unit: pl.Expr) -> pl.Expr:
    """Vectorized ``size_kb`` for a number column (decimal point or comma) and a unit column."""
    value = number.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    factor = (
        pl.when(unit == "B")
        .then(1.0 / 1024.0)
        .when(unit == "M")
        .then(1024.0)
        .when(unit == "G")
        .then(1024.0 * 1024.0)
        .when(unit == "T")
        .then(1024.0**3)
        .otherwise(1.0)
    )
    return (value * factor + 0.5).floor().cast(pl.Int64)


def number_expr(text: pl.Expr) -> pl.Expr:
    """Vectorized ``to_float`` (decimal point or comma)."""
    return text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)


def shifted_expr(digits: pl.Expr, places: int) -> pl.Expr:
    """An integer logged as text (``1591930`` ns) divided by ``10**places``, parsed as the decimal it is.

    Polars divides a column by a scalar through its reciprocal, except for one-row columns, so
    ``ns / 1e6`` could differ in the last bit with the batch size; shifting the decimal point does not.
    """
    padded = digits.str.pad_start(places + 1, "0")
    return pl.concat_str(padded.str.head(-places), pl.lit("."), padded.str.tail(places)).cast(pl.Float64, strict=False)


#: Event rows held back at most while the collector is still unknown.
COLLECTOR_WAIT_ROWS = 50_000


class CollectorGate:
    """Holds ``gc_events`` frames until the file reveals its collector, then stamps it on all of them.

    A log without header may show safepoints or concurrent phases before the first event that
    names the collector; holding them (at most ``COLLECTOR_WAIT_ROWS`` rows) gives every row of
    the file the same ``collector`` whatever the batch size.
    """

    def __init__(self) -> None:
        self._held: list[pl.DataFrame] = []
        self._rows = 0

    def release(self, frame: pl.DataFrame, collector: str | None, final: bool = False) -> pl.DataFrame:
        """The frames that can go out now (``frame`` included), or an empty frame while waiting."""
        if collector is None and not final and self._rows + frame.height <= COLLECTOR_WAIT_ROWS:
            if frame.height:
                self._held.append(frame)
                self._rows += frame.height
            return empty_events()
        frames = [*self._held, frame]
        self._held, self._rows = [], 0
        released = pl.concat([f for f in frames if f.height] or [empty_events()])
        return released.with_columns(pl.lit(collector, dtype=pl.String).alias("collector")) if collector else released
