"""The engine that runs a layout spec over batches of lines, vectorized with polars.

Each line is classified once: a record head (matches ``head``), an untimed head
(matches an ``untimed`` pattern), a bad line (looks like a head by ``hint`` but
does not parse, or its time is invalid), or a continuation. A record is a head
plus the continuations after it; a bad line plus its continuations are
rejected, as are continuations before the first record. The last record of a
batch may continue in the next one, so its lines are carried over.

The logger is taken from the end of the head line (``tail``); when the head
has none (config dumps), from the first continuation line that ends with one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from parsers.base import RECORDS_SCHEMA, REJECTS_SCHEMA, TS, ParseContext, ParsedBatch, make_rejects
from parsers.daycount import DayCounter
from parsers.spec import LayoutSpec
from parsers.timestamps import localize, origin_for, parse_local, parse_with_offset

#: A record longer than this is closed; the rest of its lines are rejected.
MAX_RECORD_LINES = 50_000

HEAD, UNTIMED, BAD, CONT = 1, 2, 3, 0


@dataclass(frozen=True)
class _Plan:
    """Regexes of a spec, prepared once."""

    head: str
    head_groups: tuple[str, ...]
    hint: str | None
    untimed: str | None
    untimed_by_name: tuple[tuple[str, str, str, str], ...]  # (name, regex, level, logger)
    tail: str | None
    tail_groups: tuple[str, ...]


REST_SUFFIX = "(?P<rest>.*)$"


def _fast_head(head: str) -> str:
    r"""The head regex as polars runs it.

    Capturing ``(?P<rest>.*)$`` copies and scans every line to its end, five times
    the cost of matching the head itself; so a head ending that way matches only
    its prefix (as ``_head``), and ``rest`` is sliced off after it. ``\d`` becomes
    ``[0-9]`` (the Unicode class is slower, and log times are ASCII).
    """
    head = head.replace("\\d", "[0-9]")
    if head.startswith("^") and head.endswith(REST_SUFFIX):
        return "^(?P<_head>" + head[1 : -len(REST_SUFFIX)] + ")"
    return head


def plan_for(spec: LayoutSpec) -> _Plan:
    untimed = "|".join(f"(?:{u.regex})" for u in spec.untimed) or None
    tail = f"(?P<_tail>{spec.tail})" if spec.tail else None
    return _Plan(
        head=_fast_head(spec.head),
        head_groups=tuple(re.compile(spec.head).groupindex),  # of the spec's regex, incl. rest
        hint=spec.hint,
        untimed=untimed,
        untimed_by_name=tuple((u.name, u.regex, u.level, u.logger) for u in spec.untimed),
        tail=tail,
        tail_groups=tuple(re.compile(tail).groupindex) if tail else (),
    )


class LayoutParser:
    """A ``LineParser`` for one file in one layout."""

    def __init__(self, spec: LayoutSpec, ctx: ParseContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.plan = plan_for(spec)
        self.carry: pl.DataFrame | None = None
        self.seen_record = False
        self.overflow = False
        self.last_ts: datetime | None = None
        self.local_max: datetime | None = None
        self.origin = "in-line" if spec.zone == "in-line" else origin_for(ctx.tz, ctx.tz_given)
        if spec.clock == "none":
            self.origin = "missing"
        self.dates = DayCounter(ctx)

    # -- batch handling -------------------------------------------------------------------------

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        lines = batch if self.carry is None else pl.concat([self.carry, batch])
        kinds = self._kinds(lines)
        start_rows = (kinds["kind"] != CONT).arg_true()
        if start_rows.len() == 0:
            return self._no_start(lines, kinds)
        cut = int(start_rows[-1])
        self.carry = lines.slice(cut)
        self.overflow = False
        if self.spec.clock == "time-of-day":
            self.dates.prime(kinds.filter(pl.col("kind") == HEAD))
        return self._build(kinds.slice(0, cut))

    def finish(self) -> ParsedBatch:
        if self.carry is None:
            return ParsedBatch()
        lines, self.carry = self.carry, None
        return self._build(self._kinds(lines))

    def _no_start(self, lines: pl.DataFrame, kinds: pl.DataFrame) -> ParsedBatch:
        """A batch with no record start: it continues the open record, or it is orphaned."""
        if self.carry is None or self.overflow:
            self.carry = None
            reason = (
                f"record longer than {MAX_RECORD_LINES} lines: the rest of it is not kept"
                if self.overflow
                else self._orphan_reason()
            )
            return ParsedBatch(rejects=make_rejects(lines["line_no"], reason, lines["line"]))
        if lines.height <= MAX_RECORD_LINES:
            self.carry = lines
            return ParsedBatch()
        self.carry = None
        done = self._build(kinds.slice(0, MAX_RECORD_LINES))
        rest = lines.slice(MAX_RECORD_LINES)
        self.overflow = True
        reason = f"record longer than {MAX_RECORD_LINES} lines: the rest of it is not kept"
        done.rejects = pl.concat([done.rejects, make_rejects(rest["line_no"], reason, rest["line"])])
        return done

    def _orphan_reason(self) -> str:
        return f"not a {self.spec.name} record and no record before it to continue"

    # -- classification ------------------------------------------------------------------------

    def _kinds(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Lines with their kind, the head's captured fields, and the local or UTC time of heads."""
        plan = self.plan
        frame = lines.with_columns(pl.col("line").str.extract_groups(plan.head).alias("_h")).unnest("_h")
        if "_head" in frame.columns:
            frame = frame.with_columns(
                pl.col("line").str.slice(pl.col("_head").str.len_chars()).alias("rest")
            ).drop("_head")
        is_head = pl.col("level" if self.spec.clock == "none" else self.spec.ts_field).is_not_null()
        kind = pl.when(is_head).then(pl.lit(HEAD))
        if plan.untimed:
            kind = kind.when(pl.col("line").str.contains(plan.untimed)).then(pl.lit(UNTIMED))
        if plan.hint:
            kind = kind.when(pl.col("line").str.contains(plan.hint)).then(pl.lit(BAD))
        frame = frame.with_columns(kind.otherwise(pl.lit(CONT)).cast(pl.Int8).alias("kind"))
        if self.spec.clock == "none":
            return frame.with_columns(
                pl.lit(None, pl.Null).alias("_time"),
                pl.when(pl.col("kind") == BAD)
                .then(pl.lit(f"starts like a {self.spec.name} record but does not match its layout"))
                .alias("_bad_reason"),
            )
        ts_text = pl.col(self.spec.ts_field)
        frame = frame.with_columns(self._parse_time(ts_text).alias("_time"))
        bad_time = (pl.col("kind") == HEAD) & pl.col("_time").is_null()
        return frame.with_columns(
            pl.when(bad_time).then(pl.lit(BAD, pl.Int8)).otherwise(pl.col("kind")).alias("kind"),
            pl.when(bad_time)
            .then(pl.format("invalid time '{}' in a {} record", ts_text, pl.lit(self.spec.name)))
            .when(pl.col("kind") == BAD)
            .then(pl.lit(f"starts like a {self.spec.name} record but does not match its layout"))
            .alias("_bad_reason"),
        )

    def _parse_time(self, text: pl.Expr) -> pl.Expr:
        """The head's time: UTC (offset in the line), naive local date-time, or a time of day."""
        spec = self.spec
        if spec.clock == "time-of-day":
            parsed = [text.str.strptime(pl.Time, f, strict=False) for f in spec.ts_formats]
        elif spec.zone == "in-line":
            parsed = [parse_with_offset(text, f) for f in spec.ts_formats]
        else:
            parsed = [parse_local(text, f) for f in spec.ts_formats]
        return parsed[0] if len(parsed) == 1 else pl.coalesce(parsed)

    # -- building records ----------------------------------------------------------------------

    def _build(self, kinds: pl.DataFrame) -> ParsedBatch:
        if kinds.height == 0:
            return ParsedBatch()
        kinds = kinds.with_columns((pl.col("kind") != CONT).cum_sum().alias("_rec"))
        rejects = self._rejects(kinds)
        good = kinds.filter(
            (pl.col("_rec") > 0) & (pl.col("kind").first().over("_rec") != BAD)
        )
        if good.height == 0:
            return ParsedBatch(rejects=rejects)
        self.seen_record = True
        heads = self._heads(good.filter(pl.col("kind") != CONT))
        conts = self._continuations(good.filter(pl.col("kind") == CONT), heads)
        records = (
            heads.join(conts, on="_rec", how="left", maintain_order="left")
            .select(
                pl.col("line_no").alias("line_start"),
                pl.coalesce("_end", "line_no").alias("line_end"),
                pl.col("ts"),
                pl.col("ts_origin"),
                pl.col("level"),
                pl.coalesce("logger", "_c_logger").alias("logger"),
                pl.coalesce("thread", "_c_thread").alias("thread"),
                pl.when(pl.col("_text").is_not_null() & (pl.col("_text") != ""))
                .then(pl.col("message") + pl.lit("\n") + pl.col("_text"))
                .otherwise(pl.col("message"))
                .alias("message"),
            )
            .cast(RECORDS_SCHEMA)  # type: ignore[arg-type]
        )
        return ParsedBatch(records=records, rejects=rejects)

    def _rejects(self, kinds: pl.DataFrame) -> pl.DataFrame:
        first_kind = pl.col("kind").first().over("_rec")
        bad = kinds.filter((pl.col("_rec") == 0) | (first_kind == BAD))
        if bad.height == 0:
            return pl.DataFrame(schema=REJECTS_SCHEMA)
        orphan = self._orphan_reason() if not self.seen_record else "continuation line with no record to continue"
        reason = (
            pl.when(pl.col("_rec") == 0)
            .then(pl.lit(orphan))
            .when(pl.col("kind") == BAD)
            .then(pl.col("_bad_reason"))
            .otherwise(pl.lit("continues a rejected line"))
        )
        return make_rejects(bad["line_no"], bad.select(reason).to_series(), bad["line"])

    def _heads(self, heads: pl.DataFrame) -> pl.DataFrame:
        """Heads and untimed heads → time, level, logger, thread, first message line."""
        plan = self.plan
        columns = set(heads.columns)
        level = pl.col("level")
        logger = pl.col("logger") if "logger" in columns else pl.lit(None, pl.String)
        thread = pl.col("thread") if "thread" in columns else pl.lit(None, pl.String)
        text = pl.col("rest") if "rest" in columns else pl.col("message")
        untimed = pl.col("kind") == UNTIMED
        for name, regex, lvl, lgr in plan.untimed_by_name:
            hit = untimed & pl.col("line").str.contains(regex)
            level = pl.when(hit).then(pl.lit(lvl)).otherwise(level)
            logger = pl.when(hit).then(pl.lit(lgr or name)).otherwise(logger)
        text = pl.when(untimed).then(pl.col("line")).otherwise(text)
        heads = heads.with_columns(level.alias("level"), logger.alias("logger"), thread.alias("thread"), text.alias("message"))
        if plan.tail:
            heads = self._strip_tail(heads)
        return heads.with_columns(self._times(heads))

    def _strip_tail(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Move a trailing ``(logger)`` (and thread) from ``message`` into their columns."""
        assert self.plan.tail
        tail = pl.col("message").str.extract_groups(self.plan.tail)
        frame = frame.with_columns(tail.alias("_t"))
        field = pl.col("_t").struct.field
        updates = [
            pl.when(field("_tail").is_not_null())
            .then(pl.col("message").str.head(-field("_tail").str.len_chars().cast(pl.Int64)))
            .otherwise(pl.col("message"))
            .alias("message"),
            pl.coalesce("logger", field("logger")).alias("logger"),
        ]
        if "thread" in self.plan.tail_groups:
            updates.append(pl.coalesce("thread", field("thread")).alias("thread"))
        return frame.with_columns(updates).drop("_t")

    def _times(self, heads: pl.DataFrame) -> list[pl.Expr]:
        """UTC times of heads; untimed heads inherit the previous record's time."""
        timed = pl.col("kind") == HEAD
        origin = self.origin
        if self.spec.clock == "none":
            utc = pl.Series("ts", [None] * heads.height, TS)
        elif self.spec.zone == "in-line":
            utc = heads["_time"]
        else:
            if self.spec.clock == "time-of-day":
                local = self.dates.local_times(heads)
                origin = self.dates.origin(self.origin)
            else:
                local = heads["_time"]
            utc = localize(local, self.ctx.tz, self.local_max)
            local_max = local.max()
            if isinstance(local_max, datetime):
                self.local_max = max(local_max, self.local_max) if self.local_max else local_max
        utc = utc.alias("ts")
        filled = pl.when(timed).then(utc).otherwise(None).forward_fill()
        if self.last_ts is not None:
            filled = filled.fill_null(pl.lit(self.last_ts, TS))
        last = heads.select(filled.last()).item()
        if isinstance(last, datetime):
            self.last_ts = last
        return [
            filled.alias("ts"),
            pl.when(timed).then(pl.lit(origin)).otherwise(pl.lit("inherited")).alias("ts_origin"),
        ]

    def _continuations(self, conts: pl.DataFrame, heads: pl.DataFrame) -> pl.DataFrame:
        """Per record: continuation text, last line, and a logger found on a continuation line."""
        schema = {"_rec": pl.UInt32, "_text": pl.String, "_end": pl.Int64, "_c_logger": pl.String, "_c_thread": pl.String}
        if conts.height == 0:
            return pl.DataFrame(schema=schema)
        conts = conts.select("_rec", "line_no", pl.col("line").alias("message"))
        if self.plan.tail:
            missing = heads.filter(pl.col("logger").is_null()).select("_rec")
            conts = conts.with_columns(pl.col("_rec").is_in(missing["_rec"].implode()).alias("_needs"))
            conts = self._continuation_tail(conts)
        else:
            conts = conts.with_columns(
                pl.lit(None, pl.String).alias("_c_logger"), pl.lit(None, pl.String).alias("_c_thread"),
                pl.lit(True).alias("_keep"),
            )
        return (
            conts.group_by("_rec", maintain_order=True)
            .agg(
                pl.col("message").filter(pl.col("_keep")).str.join("\n").alias("_text"),
                pl.col("line_no").max().alias("_end"),
                pl.col("_c_logger").drop_nulls().first().alias("_c_logger"),
                pl.col("_c_thread").drop_nulls().first().alias("_c_thread"),
            )
            .cast(schema)  # type: ignore[arg-type]
        )

    def _continuation_tail(self, conts: pl.DataFrame) -> pl.DataFrame:
        """For records whose head had no logger, take it from the first continuation that ends with one."""
        assert self.plan.tail
        tail = pl.col("message").str.extract_groups(self.plan.tail)
        conts = conts.with_columns(pl.when(pl.col("_needs")).then(tail).alias("_t"))
        field = pl.col("_t").struct.field
        hit = field("_tail").is_not_null()
        first_hit = hit & (hit.cum_sum().over("_rec") == 1)
        stripped = pl.col("message").str.head(-field("_tail").str.len_chars().cast(pl.Int64))
        thread = field("thread") if "thread" in self.plan.tail_groups else pl.lit(None, pl.String)
        conts = conts.with_columns(first_hit.alias("_first"))
        return conts.with_columns(
            pl.when("_first").then(stripped).otherwise(pl.col("message")).alias("message"),
            pl.when("_first").then(field("logger")).alias("_c_logger"),
            pl.when("_first").then(thread).alias("_c_thread"),
        ).with_columns(
            (~(pl.col("_first") & (pl.col("message").str.strip_chars() == ""))).alias("_keep"),
        )
