"""Unified-logging (JDK 9+) decorations: learn a file's layout once, then split every line in one pass.

``-Xlog`` writes the same decorations, in the same order, on every line of one output
(``[time][tags]`` for Kafka, ``[uptime][level][tags]`` by default, any subset of time,
utctime, uptime, timemillis, uptimemillis, timenanos, uptimenanos, hostname, pid, tid, level,
tags). ``detect_layout`` classifies the bracket values of the first lines; ``split_lines``
then applies one anchored, deterministic regex (``\\[([^\\]]*)\\]`` × n, then the message) to
a whole batch and types each decoration. Invariant: a line either matches the layout and
every decoration value parses (``ok``), or it is reported with the reason it does not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

from parsers.base import TS
from parsers.gc.anchoring import IN_LINE, MISSING, Anchor, anchored_ts, uptime_origin
from parsers.gc.model import number_expr, shifted_expr

TIME_ROLES = ("time", "utctime", "timemillis", "timenanos")
UPTIME_ROLES = ("uptime", "uptimemillis", "uptimenanos")

_BRACKETS = re.compile(r"^((?:\[[^\]\n]*\])+)")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_ROLE_TESTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("time", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{4}$")),
    ("uptime", re.compile(r"^\d+[.,]\d+s$")),
    ("millis", re.compile(r"^\d+ms$")),
    ("nanos", re.compile(r"^\d+ns$")),
    ("level", re.compile(r"^(?:trace|debug|info|warning|error|off) *$")),
    ("int", re.compile(r"^\d+$")),
    ("tags", re.compile(r"^[a-z][a-z0-9_]*(?:,[a-z0-9_]+)* *$")),
)
#: Lines looked at to learn the layout.
LAYOUT_SAMPLE_LINES = 200
#: Millisecond / nanosecond values at or above these are epoch times, below them uptimes.
EPOCH_MILLIS_MIN = 10**11
EPOCH_NANOS_MIN = 10**17


@dataclass(frozen=True)
class Layout:
    """The decorations of one unified-logging file, in order (``("time", "tags")`` …)."""

    roles: tuple[str, ...]

    @property
    def pattern(self) -> str:
        """One anchored regex: a capture per decoration, then the rest of the line."""
        groups = "".join(rf"\[(?P<d{index}>[^\]]*)\]" for index in range(len(self.roles)))
        return rf"^{groups}(?P<rest>.*)$"

    def describe(self) -> str:
        """The layout as a user would write it: ``[time][tags]``."""
        return "".join(f"[{role}]" for role in self.roles)

    @property
    def time_role(self) -> str | None:
        return next((role for role in self.roles if role in TIME_ROLES), None)

    @property
    def uptime_role(self) -> str | None:
        return next((role for role in self.roles if role in UPTIME_ROLES), None)


def _classify(value: str) -> str:
    for role, test in _ROLE_TESTS:
        if test.match(value):
            if role == "millis":
                return "timemillis" if int(value[:-2]) >= EPOCH_MILLIS_MIN else "uptimemillis"
            if role == "nanos":
                return "timenanos" if int(value[:-2]) >= EPOCH_NANOS_MIN else "uptimenanos"
            return role
    return "hostname"


def _roles_of(line: str) -> tuple[str, ...] | None:
    match = _BRACKETS.match(line)
    if match is None:
        return None
    roles = [_classify(value) for value in _BRACKET.findall(match.group(1))]
    tag_positions = [index for index, role in enumerate(roles) if role == "tags"]
    for index in tag_positions[:-1]:
        roles[index] = "hostname"
    ints = [index for index, role in enumerate(roles) if role == "int"]
    for rank, index in enumerate(ints):
        roles[index] = "pid" if rank == 0 and len(ints) > 1 else "tid" if len(ints) > 1 else "pid"
    if "time" in roles and roles.count("time") == 2:
        roles[roles.index("time", roles.index("time") + 1)] = "utctime"
    return tuple(roles)


def detect_layout(lines: list[str]) -> Layout | None:
    """The most common decoration layout among the first lines, or None if no line is decorated."""
    counts = Counter(roles for roles in map(_roles_of, lines[:LAYOUT_SAMPLE_LINES]) if roles)
    if not counts:
        return None
    roles, _ = max(counts.items(), key=lambda item: (item[1], len(item[0])))
    return Layout(roles)


def _time_value(raw: pl.Expr, decimal_comma: bool) -> pl.Expr:
    text = raw.str.replace(",", ".", literal=True) if decimal_comma else raw
    return text.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.3f%z", strict=False).dt.convert_time_zone("UTC")


def _typed(role: str, raw: pl.Expr, decimal_comma: bool = False) -> pl.Expr:
    """A decoration value typed for its role (null when it does not parse)."""
    if role in ("time", "utctime"):
        return _time_value(raw, decimal_comma)
    if role == "timemillis":
        return (
            pl.from_epoch(raw.str.strip_suffix("ms").cast(pl.Int64, strict=False), time_unit="ms")
            .dt.replace_time_zone("UTC")
            .cast(TS)
        )
    if role == "timenanos":
        return (
            pl.from_epoch(raw.str.strip_suffix("ns").cast(pl.Int64, strict=False), time_unit="ns")
            .dt.replace_time_zone("UTC")
            .cast(TS)
        )
    if role == "uptime":
        return number_expr(raw.str.strip_suffix("s"))
    if role == "uptimemillis":
        return shifted_expr(raw.str.strip_suffix("ms"), 3)
    if role == "uptimenanos":
        return shifted_expr(raw.str.strip_suffix("ns"), 9)
    return raw.str.strip_chars_end(" ")


def _decoration_parts(frame: pl.LazyFrame, count: int, ascii_only: bool) -> pl.LazyFrame:
    """Columns ``d0``…``d{count-1}`` (decoration values) and ``message``; ``shape_ok`` tells whether the line fits.

    The decorations end at the first ``"] "``; between them ``"]["`` separates values. On ASCII
    lines byte offsets (``str.find``) and character offsets (``str.slice``) agree, which allows
    a few cheap literal passes instead of a capturing regex over every line; independent
    expressions share one context so polars can run them side by side.
    """
    line = pl.col("line")
    if not ascii_only:
        return _decoration_parts_any_text(frame, count)
    frame = frame.with_columns(
        line.str.find("] ", literal=True).alias("_end"), line.str.find("][", literal=True).alias("_cut")
    )
    end, cut = pl.col("_end").fill_null(line.str.len_bytes() - 1), pl.col("_cut")
    if count == 1:
        frame = frame.with_columns(line.str.slice(1, end - 1).alias("d0"))
        shape = ~pl.col("d0").str.contains("][", literal=True)
    else:
        frame = frame.with_columns(
            line.str.slice(1, cut - 1).alias("d0"), line.str.slice(cut + 2, end - cut - 2).alias("_deco")
        )
        rest = pl.col("_deco")
        for index in range(1, count - 1):
            frame = frame.with_columns(rest.str.find("][", literal=True).alias("_cut"))
            frame = frame.with_columns(
                rest.str.head(pl.col("_cut")).alias(f"d{index}"), rest.str.slice(pl.col("_cut") + 2).alias("_deco")
            )
        frame = frame.rename({"_deco": f"d{count - 1}"})
        shape = (cut < end) & ~pl.col(f"d{count - 1}").str.contains("][", literal=True)
        for index in range(count):
            shape = shape & pl.col(f"d{index}").is_not_null()
    closed = pl.col("_end").is_not_null() | line.str.ends_with("]")
    frame = frame.with_columns(
        pl.when(pl.col("_end").is_not_null())
        .then(line.str.slice(pl.col("_end") + 2))
        .otherwise(pl.lit(""))
        .alias("message"),
        (line.str.starts_with("[") & closed & shape).fill_null(False).alias("shape_ok"),
    )
    return frame.drop("_end", "_cut", strict=False)


def _decoration_parts_any_text(frame: pl.LazyFrame, count: int) -> pl.LazyFrame:
    """The same split for batches with non-ASCII text (character offsets throughout)."""
    line = pl.col("line")
    parts = line.str.splitn("] ", 2)
    closed = parts.struct.field("field_1").is_null() & line.str.ends_with("]")
    deco = pl.when(closed).then(line.str.head(-1)).otherwise(parts.struct.field("field_0"))
    frame = frame.with_columns(
        pl.when(line.str.starts_with("[")).then(deco.str.slice(1)).alias("_deco"),
        pl.coalesce(parts.struct.field("field_1"), pl.when(closed).then(pl.lit(""))).alias("message"),
    )
    shape_ok = (
        line.str.starts_with("[")
        & pl.col("_deco").is_not_null()
        & (pl.col("_deco").str.count_matches("][", literal=True) == count - 1)
    )
    frame = frame.with_columns(shape_ok.fill_null(False).alias("shape_ok"))
    rest = pl.col("_deco")
    for index in range(count - 1):
        frame = frame.with_columns(rest.str.find("][", literal=True).alias("_cut"))
        frame = frame.with_columns(
            rest.str.head(pl.col("_cut")).alias(f"d{index}"), rest.str.slice(pl.col("_cut") + 2).alias("_deco")
        )
    return frame.rename({"_deco": f"d{count - 1}"}).drop("_cut", strict=False)


def split_lines(batch: pl.DataFrame, layout: Layout, anchor: Anchor | None) -> pl.LazyFrame:
    """A plan splitting a batch (``line_no``, ``line``) into typed decoration columns.

    Its columns: ``line_no, line, ok, reason, ts, ts_origin, uptime_s, level, tags, thread, message``;
    ``reason`` says why a line is not ``ok``.
    """
    lines = batch.get_column("line")
    ascii_only = bool((lines.str.len_bytes() == lines.str.len_chars()).all())
    parts = _decoration_parts(batch.lazy(), len(layout.roles), ascii_only).collect()
    time_role = layout.time_role
    decimal_comma = time_role is not None and bool(
        parts.get_column(f"d{layout.roles.index(time_role)}").str.contains(",", literal=True).any()
    )
    raw = {role: pl.col(f"d{index}") for index, role in enumerate(layout.roles)}
    wanted = TIME_ROLES + UPTIME_ROLES + ("level", "tags", "tid")
    typed = [_typed(role, value, decimal_comma).alias(role) for role, value in raw.items() if role in wanted]
    frame = parts.lazy().with_columns(typed)
    bad_value = pl.lit(None, dtype=pl.String)
    for role in layout.roles:
        if role in TIME_ROLES or role in UPTIME_ROLES:
            bad_value = (
                pl.when(bad_value.is_null() & pl.col(role).is_null())
                .then(pl.lit(f"malformed {role} decoration"))
                .otherwise(bad_value)
            )
    reason = (
        pl.when(pl.col("line") == "")
        .then(pl.lit("blank line in a unified-logging file"))
        .when(~pl.col("shape_ok"))
        .then(pl.lit(f"truncated or malformed decorations (the file's layout is {layout.describe()})"))
        .otherwise(bad_value)
    )
    time_role, uptime_role = layout.time_role, layout.uptime_role
    uptime = pl.col(uptime_role) if uptime_role else pl.lit(None, dtype=pl.Float64)
    if time_role:
        ts, origin = pl.col(time_role), pl.lit(IN_LINE)
    elif uptime_role:
        ts, origin = anchored_ts(uptime, anchor), pl.lit(uptime_origin(anchor))
    else:
        ts, origin = pl.lit(None, dtype=TS), pl.lit(MISSING)
    optional = {
        "level": pl.col("level") if "level" in layout.roles else pl.lit(None, dtype=pl.String),
        "tags": pl.col("tags") if "tags" in layout.roles else pl.lit(None, dtype=pl.String),
        "thread": pl.col("tid") if "tid" in layout.roles else pl.lit(None, dtype=pl.String),
    }
    return frame.select(
        "line_no",
        "line",
        reason.is_null().alias("ok"),
        reason.alias("reason"),
        ts.cast(TS).alias("ts"),
        origin.alias("ts_origin"),
        uptime.cast(pl.Float64).alias("uptime_s"),
        *(expr.alias(name) for name, expr in optional.items()),
        pl.when(pl.col("shape_ok")).then(pl.col("message")).alias("message"),
    )
