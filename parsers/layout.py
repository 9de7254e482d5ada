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

from parsers.base import RECORDS_SCHEMA, TS, ParseContext, ParsedBatch, make_rejects
from parsers.daycount import DayCounter
from parsers.spec import REST_SUFFIX, LayoutSpec
from parsers.timestamps import localize, origin_for, parse_local, parse_with_offset

#: A record longer than this is closed; the rest of its lines are rejected.
MAX_RECORD_LINES = 50_000

HEAD, UNTIMED, BAD, CONT = 1, 2, 3, 0

#: A line that only ever continues a record: a stack frame, a cause, a count of elided frames, an exception's
#: first line (``java.lang.OutOfMemoryError: Java heap space``).
CONTINUES = (
    r"^(?:\s+at |Caused by: |\s*Suppressed: |\s*\.\.\. \d+ (?:more|common frames omitted)"
    r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:Exception|Error|Throwable)(?::|$))"
)
#: The reason given to the lines before a file's first record that continue a record the file does not hold.
MID_RECORD = "the file starts in the middle of a record: this line continues one whose first line is not in the file"


@dataclass(frozen=True)
class _Plan:
    """Regexes of a spec, prepared once."""

    head: str
    hint: str | None
    untimed: str | None
    untimed_by_name: tuple[tuple[str, str, str, str], ...]  # (name, regex, level, logger)
    tail: str | None
    tail_groups: tuple[str, ...]


def _fast_head(head: str) -> str:
    r"""The head regex as polars runs it: the spec's regex without its ``(?P<rest>.*)$``.

    Capturing the rest of the line copies and scans every line to its end, five
    times the cost of matching the head itself; so the head matches only its
    prefix (as ``_head``) and the message is sliced off the line after it, by
    length. ``\d`` becomes ``[0-9]`` (the Unicode class is slower, and log times are ASCII).
    """
    head = head.replace("\\d", "[0-9]")
    return "^(?P<_head>" + head.removeprefix("^")[: -len(REST_SUFFIX)] + ")"


def plan_for(spec: LayoutSpec) -> _Plan:
    untimed = "|".join(f"(?:{u.regex})" for u in spec.untimed) or None
    tail = f"(?P<_tail>{spec.tail})" if spec.tail else None
    return _Plan(
        head=_fast_head(spec.head),
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
        if self.spec.clock == "time-of-day" and self.dates.base is None:  # until the file's date is known
            heads = kinds.filter(pl.col("kind") == HEAD)
            self.dates.prime(heads.with_columns(pl.col("line").str.slice(pl.col("_hlen")).alias("rest")))
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
                pl.lit(f"record longer than {MAX_RECORD_LINES} lines: the rest of it is not kept")
                if self.overflow
                else self._orphan_reason()
            )
            return ParsedBatch(rejects=make_rejects(lines["line_no"], lines.select(reason).to_series(), lines["line"]))
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

    def _orphan_reason(self) -> pl.Expr:
        """Why a line before the file's first record is rejected: it continues a record the file does not
        start with (a rotated or cut file begins mid-record), or it is not this format's at all."""
        return (
            pl.when(pl.col("line").str.contains(CONTINUES))
            .then(pl.lit(MID_RECORD))
            .otherwise(pl.lit(f"not a {self.spec.name} record and no record before it to continue"))
        )

    # -- classification ------------------------------------------------------------------------

    def _kinds(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Lines with their kind, the head's captured fields, the head's length, and the local or UTC time of heads."""
        plan = self.plan
        frame = (
            lines.with_columns(pl.col("line").str.extract_groups(plan.head).alias("_h"))
            .unnest("_h")
            .with_columns(pl.col("_head").str.len_chars().cast(pl.Int64).alias("_hlen"))
            .drop("_head")
        )
        is_head = pl.col("level" if self.spec.clock == "none" else self.spec.ts_field).is_not_null()
        kind = pl.when(is_head).then(pl.lit(HEAD, pl.Int8)).otherwise(pl.lit(CONT, pl.Int8))
        frame = frame.with_columns(kind.alias("kind"))
        if plan.untimed or plan.hint:
            frame = frame.with_columns(self._other_kinds(frame))
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

    def _other_kinds(self, frame: pl.DataFrame) -> pl.Series:
        """Untimed heads and bad lines among the lines that are not heads (only those are scanned)."""
        plan = self.plan
        kind = frame.get_column("kind")
        rows = (kind == CONT).arg_true()
        if rows.len() == 0:
            return kind
        line = frame.get_column("line").gather(rows)
        other = pl.lit(CONT, pl.Int8)
        if plan.hint:
            other = pl.when(line.str.contains(plan.hint)).then(pl.lit(BAD, pl.Int8)).otherwise(other)
        if plan.untimed:
            other = pl.when(line.str.contains(plan.untimed)).then(pl.lit(UNTIMED, pl.Int8)).otherwise(other)
        return kind.clone().scatter(rows, pl.select(other).to_series())

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
        starts = pl.col("kind") != CONT
        # the kind of the record each line belongs to (null before the first record of the file)
        record_kind = pl.when(starts).then(pl.col("kind")).forward_fill()
        kinds = kinds.with_columns(starts.cum_sum().alias("_rec"), record_kind.alias("_rec_kind"))
        rejected = pl.col("_rec_kind").is_null() | (pl.col("_rec_kind") == BAD)
        rejects = self._rejects(kinds.filter(rejected)) if kinds.select(rejected.any()).item() else None
        good = kinds.filter(~rejected) if rejects is not None else kinds
        if good.height == 0:
            return ParsedBatch(rejects=rejects) if rejects is not None else ParsedBatch()
        self.seen_record = True
        heads = self._heads(good.filter(pl.col("kind") != CONT))
        conts = self._continuations(good.filter(pl.col("kind") == CONT), heads)
        # the continuations' columns, row for row with the heads (joining on the key alone copies no head text)
        extra = heads.select("_rec").join(conts, on="_rec", how="left", maintain_order="left").drop("_rec")
        heads = heads.hstack(extra)
        records = heads.select(
            pl.col("line_no").alias("line_start"),
            pl.coalesce("_end", "line_no").alias("line_end"),
            pl.col("ts"),
            pl.col("ts_origin"),
            pl.col("level"),
            pl.coalesce("logger", "_c_logger").alias("logger"),
            pl.coalesce("thread", "_c_thread").alias("thread"),
            pl.col("message"),
        ).cast(RECORDS_SCHEMA)  # type: ignore[arg-type]
        # multi-line records (a few per cent): their continuation text joins the message, in place
        rows = heads.get_column("_text").is_not_null().arg_true()
        if rows.len():
            message = records.get_column("message")
            joined = message.gather(rows) + "\n" + heads.get_column("_text").gather(rows)
            records = records.with_columns(message.clone().scatter(rows, joined))
        return ParsedBatch(records=records, rejects=rejects) if rejects is not None else ParsedBatch(records=records)

    def _rejects(self, bad: pl.DataFrame) -> pl.DataFrame:
        """Rejected lines (``_rec_kind`` null: before any record; BAD: a bad line and its continuations)."""
        orphan = self._orphan_reason() if not self.seen_record else pl.lit("continuation line with no record to continue")
        reason = (
            pl.when(pl.col("_rec_kind").is_null())
            .then(orphan)
            .when(pl.col("kind") == BAD)
            .then(pl.col("_bad_reason"))
            .otherwise(pl.lit("continues a rejected line"))
        )
        return make_rejects(bad["line_no"], bad.select(reason).to_series(), bad["line"])

    def _heads(self, heads: pl.DataFrame) -> pl.DataFrame:
        """Heads and untimed heads → time, level, logger, thread, message (the line after the head, before the tail)."""
        plan = self.plan
        columns = set(heads.columns)
        level = pl.col("level")
        logger = pl.col("logger") if "logger" in columns else pl.lit(None, pl.String)
        thread = pl.col("thread") if "thread" in columns else pl.lit(None, pl.String)
        untimed = pl.col("kind") == UNTIMED
        for name, regex, lvl, lgr in plan.untimed_by_name:
            hit = untimed & pl.col("line").str.contains(regex)
            level = pl.when(hit).then(pl.lit(lvl)).otherwise(level)
            logger = pl.when(hit).then(pl.lit(lgr or name)).otherwise(logger)
        start = pl.when(untimed).then(0).otherwise(pl.col("_hlen"))  # an untimed head is all message
        heads = heads.with_columns(
            level.alias("level"), logger.alias("logger"), thread.alias("thread"), start.alias("_hlen")
        )
        heads = self._message(heads)
        return heads.with_columns(self._times(heads))

    def _message(self, heads: pl.DataFrame) -> pl.DataFrame:
        """The message: one slice of the line between the head and a trailing ``(logger)`` (and thread), if any.

        The tail is matched on the whole line (end-anchored, cheaper than on a slice) and counts only
        where it lies wholly after the head.
        """
        line, start = pl.col("line"), pl.col("_hlen")
        if not self.plan.tail:
            return heads.with_columns(line.str.slice(start).alias("message"))
        heads = heads.with_columns(
            line.str.extract_groups(self.plan.tail).alias("_t"), line.str.len_chars().alias("_n")
        )
        field = pl.col("_t").struct.field
        tail_len = field("_tail").str.len_chars().cast(pl.Int64)
        has_tail = tail_len.is_not_null() & (pl.col("_n") - tail_len >= start)
        end = pl.col("_n") - pl.when(has_tail).then(tail_len).otherwise(0)
        updates = [
            line.str.slice(start, end - start).alias("message"),
            pl.coalesce("logger", pl.when(has_tail).then(field("logger"))).alias("logger"),
        ]
        if "thread" in self.plan.tail_groups:
            updates.append(pl.coalesce("thread", pl.when(has_tail).then(field("thread"))).alias("thread"))
        return heads.with_columns(updates).drop("_t", "_n")

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
        schema = {
            "_rec": pl.UInt32, "_text": pl.String, "_end": pl.Int64, "_c_logger": pl.String, "_c_thread": pl.String
        }
        if conts.height == 0:
            return pl.DataFrame(schema=schema)
        conts = conts.select("_rec", "line_no", pl.col("line").alias("message"))
        missing = heads.filter(pl.col("logger").is_null()).get_column("_rec") if self.plan.tail else None
        if missing is not None and missing.len():
            conts = self._continuation_tail(conts.with_columns(pl.col("_rec").is_in(missing.implode()).alias("_needs")))
        else:
            conts = conts.with_columns(
                pl.lit(None, pl.String).alias("_c_logger"), pl.lit(None, pl.String).alias("_c_thread"),
                pl.lit(True).alias("_keep"),
            )
        text = pl.col("message").filter(pl.col("_keep")).str.join("\n")
        return (
            conts.group_by("_rec", maintain_order=True)
            .agg(
                pl.when(text != "").then(text).alias("_text"),  # null: nothing to add to the message
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
