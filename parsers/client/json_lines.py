"""JSON-lines application logs: logstash-logback-encoder, log4j2 JsonLayout, ECS, and the like.

One JSON object per line is one record (``line_start = line_end``); a stack trace in a field of
its own (``stack_trace``, ``error.stack_trace`` …) is appended to the message on lines of its own,
as the text layouts have it. Which keys hold the time, message, level, logger and thread is
decided once per file from its first objects, from the usual names (``KEYS``); a stack trace is
rare, so every stack-trace key is looked at on every line.

Vectorized: the lines that look like objects are decoded in one ``str.json_decode`` with a struct
of the chosen keys; a batch that polars cannot decode (a line that is not valid JSON, a message
that is an object) is decoded line by line instead, and its bad lines become rejects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from parsers.base import RECORDS_SCHEMA, REJECTS_SCHEMA, TS, ParseContext, ParsedBatch, make_rejects
from parsers.timestamps import localize, origin_for, parse_local, parse_with_offset

#: Candidate keys per role, most usual first (logstash, log4j2 JsonLayout, ECS, GELF, Serilog).
KEYS: dict[str, tuple[str, ...]] = {
    "time": ("@timestamp", "timestamp", "time", "ts", "datetime", "date", "timeMillis", "instant", "@t", "asctime"),
    "message": ("message", "msg", "@message", "short_message", "@m"),
    "level": ("level", "log.level", "severity", "levelname", "loglevel", "@l", "lvl"),
    "logger": ("logger_name", "logger", "loggerName", "log.logger", "SourceContext"),
    "thread": ("thread_name", "thread", "threadName", "process.thread.name"),
    "stack": ("stack_trace", "stackTrace", "error.stack_trace", "exception", "exc_info", "@x", "thrown"),
}
#: Roles rare enough to be missing from a file's first lines: every candidate key is decoded, first wins.
SPARSE_ROLES = ("stack",)
#: Keys whose value is an object, with the struct polars decodes it into.
OBJECT_KEYS: dict[str, pl.DataType] = {
    "instant": pl.Struct({"epochSecond": pl.Int64, "nanoOfSecond": pl.Int64}),
    "thrown": pl.Struct({"name": pl.String, "message": pl.String}),
}
#: Level names of other logging systems → the Java names the records use.
LEVEL_NAMES = {
    "WARNING": "WARN", "SEVERE": "ERROR", "CRITICAL": "ERROR", "ERR": "ERROR", "FINE": "DEBUG", "FINER": "TRACE",
    "FINEST": "TRACE", "CONFIG": "INFO", "INFORMATION": "INFO", "VERBOSE": "TRACE", "NOTICE": "INFO",
}
#: ISO 8601 shapes with an offset (``%#z`` takes ``Z``, ``+02``, ``+0200``, ``+02:00``), then without one.
OFFSET_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%#z")
LOCAL_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S,%3f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)
#: Objects looked at to choose the keys of a file.
SAMPLE_OBJECTS = 200


def objects(lines: list[str]) -> list[dict[str, Any]]:
    """The lines that are JSON objects, decoded (for detection and key choice)."""
    found = []
    for line in lines:
        text = line.strip()
        if text.startswith("{") and text.endswith("}"):
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
    return found


def nested_keys(obj: dict[str, Any]) -> list[str]:
    """The paths of the values one object down (``extra.timestamp``, ECS's nested ``log.level``)."""
    return [f"{key}.{inner}" for key, value in obj.items() if isinstance(value, dict) for inner in value]


def _candidates(role: str, sample: list[dict[str, Any]]) -> list[str]:
    """A role's usual keys, then the nested paths that end in one of them (a layout that nests its fields)."""
    nested = sorted({path for obj in sample for path in nested_keys(obj) if path.rsplit(".", 1)[1] in KEYS[role]})
    return [*KEYS[role], *(path for path in nested if path not in KEYS[role])]


def _has(obj: dict[str, Any], key: str) -> bool:
    if key in obj:
        return True
    outer, _, inner = key.partition(".")
    return bool(inner) and isinstance(obj.get(outer), dict) and inner in obj[outer]


def choose_keys(sample: list[dict[str, Any]]) -> dict[str, str | None]:
    """Per role, the first candidate key that half the objects have (else that any has)."""
    chosen: dict[str, str | None] = {}
    for role in KEYS:
        if role in SPARSE_ROLES:
            continue
        candidates = _candidates(role, sample)
        counts = {key: sum(_has(obj, key) for obj in sample) for key in candidates}
        common = [k for k in candidates if counts[k] * 2 >= len(sample) and counts[k]]
        present = [k for k in candidates if counts[k]]
        chosen[role] = (common or present or [None])[0]
    return chosen


def is_log_object(obj: dict[str, Any]) -> bool:
    """A time, a message, and a level or a logger: a log event, not some other JSON record."""
    has = lambda role: any(_has(obj, k) for k in _candidates(role, [obj]))  # noqa: E731
    return has("time") and has("message") and (has("level") or has("logger"))


@dataclass(frozen=True)
class JsonLinesFormat:
    """JSON lines with the usual key names (``@timestamp``, ``message``, ``level``, ``logger_name`` …)."""

    name: str = "json_lines"
    title: str = "JSON lines  {\"@timestamp\": …, \"level\": …, \"logger_name\": …, \"message\": …}"
    family: str = "client"
    sample: str = (  # catalogue §1.5, as found
        '{"@timestamp":"2022-10-21T15:52:34.695Z","@version":"1","message":"[Consumer clientId=..., groupId=...] ...",'
        '"logger_name":"org.apache.kafka.clients.consumer.internals.ConsumerCoordinator","thread_name":"...",'
        '"level":"INFO","level_value":20000}'
    )

    def score(self, head_lines: list[str]) -> float:
        nonempty = [line for line in head_lines if line.strip()]
        if not nonempty:
            return 0.0
        logs = sum(is_log_object(obj) for obj in objects(nonempty))
        return logs / len(nonempty) if logs * 2 >= len(nonempty) else 0.0

    def parser(self, ctx: ParseContext) -> JsonLinesParser:
        return JsonLinesParser(ctx)


class JsonLinesParser:
    """A ``LineParser`` for one JSON-lines file; every line is a record or a reject on its own."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.keys: dict[str, str | None] | None = None
        self.nested: set[str] = set()
        self.origin = origin_for(ctx.tz, ctx.tz_given)
        self.local_max: datetime | None = None

    def finish(self) -> ParsedBatch:
        return ParsedBatch()

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        looks = pl.col("line").str.starts_with("{") & pl.col("line").str.ends_with("}")
        lines = batch.with_columns(looks.alias("_obj"))
        candidates = lines.filter("_obj")
        if candidates.height == 0:  # (--format json_lines on a text log): every line says why it is not kept
            return ParsedBatch(rejects=make_rejects(batch["line_no"], "not a JSON object", batch["line"]))
        if self.keys is None:
            sample = objects(candidates["line"].head(SAMPLE_OBJECTS).to_list())
            self.keys = choose_keys(sample)
            #: chosen keys that are paths into an object (``extra.timestamp``), not keys with a dot (``log.level``)
            self.nested = {k for k in self.keys.values() if k and "." in k and not any(k in obj for obj in sample)}
        decoded = self._decode(candidates)
        fields = self._fields(decoded)
        bad = fields.filter(pl.col("_reason").is_not_null())
        good = fields.filter(pl.col("_reason").is_null())
        rejects = [
            make_rejects(lines.filter(~pl.col("_obj"))["line_no"], "not a JSON object", lines.filter(~pl.col("_obj"))["line"]),
            make_rejects(bad["line_no"], bad["_reason"], bad["line"]),
        ]
        return ParsedBatch(
            records=self._records(good),
            rejects=pl.concat(rejects).sort("line_no") if any(r.height for r in rejects) else pl.DataFrame(schema=REJECTS_SCHEMA),
        )

    # -- decoding -------------------------------------------------------------------------------

    def _dtype(self) -> pl.Struct:
        assert self.keys is not None
        wanted = sorted({key for key in self.keys.values() if key and key not in self.nested}
                        | {k for r in SPARSE_ROLES for k in KEYS[r]})
        fields: dict[str, pl.DataType] = {key: OBJECT_KEYS.get(key, pl.String()) for key in wanted}
        inner: dict[str, dict[str, pl.DataType]] = {}
        for path in sorted(self.nested):
            outer, _, key = path.partition(".")
            inner.setdefault(outer, {})[key] = pl.String()
        return pl.Struct({**fields, **{outer: pl.Struct(keys) for outer, keys in inner.items()}})

    def _key(self, key: str) -> pl.Expr:
        """The column of a chosen key (a field of an object column for a nested path)."""
        if key in self.nested:
            outer, _, inner = key.partition(".")
            return pl.col(outer).struct.field(inner)
        return pl.col(key)

    def _decode(self, candidates: pl.DataFrame) -> pl.DataFrame:
        """``line_no``, ``line``, ``_valid`` and one column per chosen key."""
        dtype = self._dtype()
        try:
            struct = candidates["line"].str.json_decode(dtype)
            valid = pl.Series("_valid", [True] * candidates.height)
        except pl.exceptions.PolarsError:
            struct, valid = self._decode_each(candidates["line"], dtype)
        frame = candidates.select("line_no", "line").with_columns(valid, struct.alias("_j"))
        return frame.unnest("_j") if dtype.fields else frame.drop("_j")

    @staticmethod
    def _decode_each(lines: pl.Series, dtype: pl.Struct) -> tuple[pl.Series, pl.Series]:
        """Line by line, for a batch with a line polars cannot decode: bad lines get ``_valid = False``."""
        rows: list[dict[str, Any] | None] = []
        valid = []
        for line in lines.to_list():
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            ok = isinstance(obj, dict)
            valid.append(ok)
            rows.append({f.name: _as_field(obj.get(f.name), f.dtype) for f in dtype.fields} if ok else None)
        return pl.Series("_j", rows, dtype=dtype), pl.Series("_valid", valid)

    # -- fields ---------------------------------------------------------------------------------

    def _fields(self, decoded: pl.DataFrame) -> pl.DataFrame:
        """Time, level, logger, thread, message per line, and why a line is rejected (null when it is not)."""
        assert self.keys is not None
        keys = self.keys
        col = lambda role: self._key(keys[role]) if keys[role] else pl.lit(None, pl.String)  # noqa: E731
        frame = decoded.with_columns(
            col("message").alias("_message"),
            _level(col("level")).alias("_level"),
            col("logger").alias("_logger"),
            col("thread").alias("_thread"),
            pl.coalesce([_stack(key) for key in KEYS["stack"]]).alias("_stack"),
            _time_text(keys["time"], self._key).alias("_time_text"),
        )
        frame = frame.with_columns(*self._time(frame))
        reason = (
            pl.when(~pl.col("_valid")).then(pl.lit("not valid JSON"))
            .when(pl.col("_time_text").is_null()).then(pl.lit(f"no time (key {keys['time'] or 'none found'})"))
            .when(pl.col("_message").is_null()).then(pl.lit(f"no message (key {keys['message'] or 'none found'})"))
            .when(pl.col("_ts").is_null()).then(pl.format("invalid time '{}'", pl.col("_time_text")))
        )
        return frame.with_columns(reason.alias("_reason"))

    def _time(self, frame: pl.DataFrame) -> list[pl.Expr]:
        ts, origin, self.local_max = parse_times(frame["_time_text"], self.ctx, self.origin, self.local_max)
        return [pl.lit(ts).alias("_ts"), pl.lit(origin).alias("_origin")]

    @staticmethod
    def _records(good: pl.DataFrame) -> pl.DataFrame:
        if good.height == 0:
            return pl.DataFrame(schema=RECORDS_SCHEMA)
        stack = pl.col("_stack")
        message = (
            pl.when(stack.is_not_null() & (stack != ""))
            .then(pl.col("_message") + pl.lit("\n") + stack.str.strip_chars_end("\n"))
            .otherwise(pl.col("_message"))
        )
        return good.select(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            pl.col("_ts").alias("ts"),
            pl.col("_origin").alias("ts_origin"),
            pl.col("_level").alias("level"),
            pl.col("_logger").alias("logger"),
            pl.col("_thread").alias("thread"),
            message.alias("message"),
        ).cast(RECORDS_SCHEMA)  # type: ignore[arg-type]


def parse_times(
    text: pl.Series, ctx: ParseContext, zone_origin: str, running_max: datetime | None = None
) -> tuple[pl.Series, pl.Series, datetime | None]:
    """Times written as ISO 8601 or epoch seconds / milliseconds → UTC, their ``ts_origin``, the new running max.

    Epoch numbers and ISO times with an offset are ``in-line``; zone-less ISO times are local
    times of the file's zone (``zone_origin``); ``running_max`` keeps the DST fall-back rule
    across batches.
    """
    frame = pl.DataFrame({"t": text.cast(pl.String)})
    t = pl.col("t")
    epoch = t.str.contains(r"^\d{9,13}(?:\.\d+)?$")
    epoch_us = (
        pl.when(t.str.contains(r"^\d{12,13}$"))
        .then(t.cast(pl.Int64, strict=False) * 1000)
        .otherwise((t.cast(pl.Float64, strict=False) * 1e6).round(0).cast(pl.Int64))
    )
    with_offset = pl.coalesce([parse_with_offset(t, f) for f in OFFSET_FORMATS])
    parsed = frame.select(
        pl.when(epoch).then(pl.from_epoch(epoch_us, "us").dt.replace_time_zone("UTC")).otherwise(with_offset)
        .cast(TS).alias("inline"),
        pl.when(~epoch).then(pl.coalesce([parse_local(t, f) for f in LOCAL_FORMATS])).alias("local"),
    )
    naive = parsed["local"]
    if naive.null_count() < naive.len():
        local = localize(naive, ctx.tz, running_max)
        latest = naive.max()
        if isinstance(latest, datetime):
            running_max = max(latest, running_max) if running_max else latest
    else:
        local = naive.cast(TS)
    inline = parsed["inline"]
    ts = inline.fill_null(local).alias("ts")
    origin = pl.Series("ts_origin", ["in-line"] * len(inline), pl.String).zip_with(
        inline.is_not_null(), pl.Series([zone_origin] * len(inline), dtype=pl.String)
    )
    return ts, origin, running_max


def _as_field(value: Any, dtype: pl.DataType) -> Any:
    """A decoded JSON value as ``json_decode`` would give it for ``dtype`` (objects and lists as JSON text)."""
    if value is None or isinstance(dtype, pl.Struct):
        return value if isinstance(value, dict) or value is None else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _time_text(key: str | None, column: Callable[[str], pl.Expr] = pl.col) -> pl.Expr:
    """The time as text: log4j2's ``instant`` object becomes epoch seconds with its fraction."""
    if key is None:
        return pl.lit(None, pl.String)
    if key == "instant":
        field = pl.col(key).struct.field
        return pl.format("{}.{}", field("epochSecond"), field("nanoOfSecond").cast(pl.String).str.pad_start(9, "0"))
    return column(key)


def _stack(key: str) -> pl.Expr:
    if key == "thrown":  # log4j2 JsonLayout: the exception's class and message (either may be missing)
        field = pl.col(key).struct.field
        name, message = field("name"), field("message")
        return (
            pl.when(name.is_null()).then(message)
            .when(message.is_null()).then(name)
            .otherwise(pl.concat_str([name, pl.lit(": "), message]))
        )
    return pl.col(key)


def _level(text: pl.Expr) -> pl.Expr:
    """Level names as the Java loggers write them; logback ``level_value``-style and syslog numbers too."""
    upper = text.str.to_uppercase()
    number = text.cast(pl.Int64, strict=False)
    by_number = (
        pl.when(number >= 40000).then(pl.lit("ERROR")).when(number >= 30000).then(pl.lit("WARN"))
        .when(number >= 20000).then(pl.lit("INFO")).when(number >= 10000).then(pl.lit("DEBUG"))
        .when(number >= 1000).then(pl.lit("TRACE")).when(number <= 3).then(pl.lit("ERROR"))
        .when(number == 4).then(pl.lit("WARN")).when(number <= 6).then(pl.lit("INFO")).otherwise(pl.lit("DEBUG"))
    )
    return pl.when(number.is_not_null()).then(by_number).otherwise(upper.replace(LEVEL_NAMES))


JSON_LINES = JsonLinesFormat()
