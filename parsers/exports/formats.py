"""Rollout and deploy exports as CSV (a header row) or JSON Lines: detection, parsing, table rows.

Each data row is one record (``logger`` = the table it feeds, ``message`` = the row as written)
and one row of ``rollouts`` or ``deploys`` (``ParsedBatch.tables``); the CSV header belongs to
the first row's record, so every line is accounted for. A quoted CSV field may span lines: rows
are cut where the count of double quotes is even, vectorized, and carried over a batch boundary.
Columns the mapping does not use are kept in ``extra`` (a JSON object). Times are ISO 8601 (with
an offset, or local to the file's zone) or epoch seconds / milliseconds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from parsers.base import RECORDS_SCHEMA, REJECTS_SCHEMA, TS, FormatRefused, ParseContext, ParsedBatch, make_rejects
from parsers.client.json_lines import is_log_object, objects, parse_times
from parsers.exports.columns import Mapping, map_columns, refusal
from parsers.timestamps import origin_for

#: Columns of each table after ``source_id``, ``host`` (forensics/schema/30_client.sql).
TABLES: dict[str, dict[str, pl.DataType]] = {
    "rollouts": {
        "line_start": pl.Int64(), "line_end": pl.Int64(), "ts": TS, "feature": pl.String(), "percentage": pl.Float64(),
        "previous_percentage": pl.Float64(), "actor": pl.String(), "note": pl.String(), "extra": pl.String(),
    },
    "deploys": {
        "line_start": pl.Int64(), "line_end": pl.Int64(), "ts": TS, "ts_end": TS, "service": pl.String(),
        "version": pl.String(), "status": pl.String(), "actor": pl.String(), "note": pl.String(), "extra": pl.String(),
    },
}
#: What a CSV column name looks like (a header line is made of these only).
_COLUMN_NAME = re.compile(r"^[A-Za-z_@#][\w@.\-/ ()%#]{0,63}$")
#: Role → the column it becomes in its table (when not the same name).
TARGET = {"time": "ts", "time_end": "ts_end"}
#: The role that names a row; a row without it is rejected.
KEY_ROLE = {"rollouts": "feature", "deploys": "service"}


def _csv_header(line: str) -> list[str] | None:
    """The column names of a CSV header line, or None when the line is not one."""
    try:
        names = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    if len(names) < 2 or not all(_COLUMN_NAME.match(n.strip()) for n in names):
        return None
    return [n.strip() for n in names]


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@dataclass(frozen=True)
class CsvExportFormat:
    """A CSV export of flag changes or deploys, with a header row."""

    name: str = "events_csv"
    title: str = "Rollout / deploy export, CSV with a header row"
    family: str = "events"
    sample: str = "started_at,service,version,deployed_by,description"

    def score(self, head_lines: list[str]) -> float:
        lines = [line for line in head_lines if line.strip()]
        header = _csv_header(lines[0]) if lines else None
        if header is None or len(lines) < 2:
            return 0.0
        rows = lines[1:21]
        if sum(line.count(",") >= len(header) - 1 for line in rows) * 5 < len(rows) * 4 or len(header) < 3:
            return 0.0
        if map_columns(header) is None:
            raise refusal(header, "a CSV table")
        return 1.0

    def parser(self, ctx: ParseContext) -> CsvExportParser:
        return CsvExportParser(ctx)


@dataclass(frozen=True)
class JsonlExportFormat:
    """A JSON Lines export of flag changes or deploys (audit logs of flag services, CI/CD exports)."""

    name: str = "events_jsonl"
    title: str = "Rollout / deploy export, JSON Lines"
    family: str = "events"
    sample: str = '{"date":1756343052000,"key":"api-key-usage-audit","member":{"email":"dev.patel@example.com"},"rollout":{"before":0,"after":1}}'

    def score(self, head_lines: list[str]) -> float:
        lines = [line for line in head_lines if line.strip()]
        found = objects(lines)
        if not lines or len(found) * 2 < len(lines) or any(is_log_object(obj) for obj in found):
            return 0.0
        keys = list(dict.fromkeys(k for obj in found for k in _flatten(obj)))
        if map_columns(keys) is None:
            raise refusal(keys, "a JSON Lines file")
        return len(found) / len(lines)

    def parser(self, ctx: ParseContext) -> JsonlExportParser:
        return JsonlExportParser(ctx)


class _ExportParser:
    """What both exports share: from a frame of rows (all columns text) to records and table rows."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.mapping: Mapping | None = None
        self.origin = origin_for(ctx.tz, ctx.tz_given)
        self.local_max: datetime | None = None

    def finish(self) -> ParsedBatch:
        return ParsedBatch()

    def _rows(self, rows: pl.DataFrame, values: pl.DataFrame, rejects: list[pl.DataFrame]) -> ParsedBatch:
        """``rows``: line_start, line_end, text; ``values``: the same rows, one text column per export column."""
        assert self.mapping is not None
        mapping = self.mapping
        column = lambda role: values[mapping.columns[role]] if mapping.columns.get(role) in values.columns else None  # noqa: E731
        ts, origin, self.local_max = parse_times(
            _or_nulls(column("time"), rows.height), self.ctx, self.origin, self.local_max
        )
        frame = rows.with_columns(ts.alias("ts"), origin.alias("ts_origin"))
        for role in mapping.columns:
            if role == "time":
                continue
            target = TARGET.get(role, role)
            series = _or_nulls(column(role), rows.height)
            if target == "ts_end":
                series = parse_times(series, self.ctx, self.origin)[0]
            elif "percentage" in target:
                series = series.str.strip_chars().str.strip_chars_end("%").cast(pl.Float64, strict=False)
            frame = frame.with_columns(series.alias(target))
        extra = [c for c in values.columns if c not in mapping.used]
        frame = frame.with_columns(
            (values.select(pl.struct(extra).struct.json_encode()).to_series() if extra
             else pl.Series([None] * rows.height, dtype=pl.String)).alias("extra")
        )
        key = KEY_ROLE[mapping.table]
        reason = (
            pl.when(pl.col("ts").is_null()).then(pl.format("no valid time in column {}", pl.lit(mapping.columns["time"])))
            .when(pl.col(key).is_null() | (pl.col(key).str.strip_chars() == "")).then(pl.lit(f"no {key}"))
        )
        frame = frame.with_columns(reason.alias("_reason"))
        bad = frame.filter(pl.col("_reason").is_not_null())
        good = frame.filter(pl.col("_reason").is_null())
        rejects += [_reject_rows(bad)]
        records = good.select(
            "line_start", "line_end", "ts", "ts_origin", pl.lit(None, pl.String).alias("level"),
            pl.lit(mapping.table).alias("logger"), pl.lit(None, pl.String).alias("thread"), pl.col("text").alias("message"),
        ).cast(RECORDS_SCHEMA)  # type: ignore[arg-type]
        table = good.select([pl.col(c).cast(t) for c, t in TABLES[mapping.table].items()])
        rejected = [r for r in rejects if r.height]
        return ParsedBatch(
            records=records,
            rejects=pl.concat(rejected).sort("line_no") if rejected else pl.DataFrame(schema=REJECTS_SCHEMA),
            tables={mapping.table: table},
        )


def _or_nulls(series: pl.Series | None, n: int) -> pl.Series:
    return series.cast(pl.String) if series is not None else pl.Series([None] * n, dtype=pl.String)


def _reject_rows(bad: pl.DataFrame) -> pl.DataFrame:
    """Every line of each rejected row (the CSV header with the first row), with the row's reason."""
    if bad.height == 0:
        return pl.DataFrame(schema=REJECTS_SCHEMA)
    lines = bad.select(
        pl.int_ranges("line_start", pl.col("line_end") + 1).alias("line_no"),
        pl.col("_lines").alias("raw"),
        "_reason",
    ).explode("line_no", "raw")
    return make_rejects(lines["line_no"], lines["_reason"], lines["raw"])


class CsvExportParser(_ExportParser):
    """CSV: the header on line 1, then rows (a quoted field may span lines)."""

    def __init__(self, ctx: ParseContext) -> None:
        super().__init__(ctx)
        self.header: list[str] | None = None
        self.header_line: str | None = None
        self.carry: pl.DataFrame | None = None

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        lines = batch if self.carry is None else pl.concat([self.carry, batch])
        self.carry = None
        rejects: list[pl.DataFrame] = []
        if self.header is None:
            first = lines.row(0, named=True)
            self.header = _csv_header(first["line"])
            if self.header is None:
                raise FormatRefused(f"line 1 is not a CSV header: {first['line'][:200]!r}")
            self.mapping = map_columns(self.header)
            if self.mapping is None:
                raise refusal(self.header, "a CSV table")
            self.header_line = first["line"]
        rows, blanks, self.carry = self._cut(lines)
        rejects.append(make_rejects(blanks["line_start"], "empty line", blanks["text"]))
        if rows.height == 0:
            return ParsedBatch(rejects=pl.concat(rejects))
        return self._rows(rows, self._values(rows), rejects)

    def finish(self) -> ParsedBatch:
        if self.carry is None:
            return ParsedBatch()
        carry, self.carry = self.carry, None
        reason = pl.when(pl.col("line_no") == 1).then(pl.lit("CSV header with no rows after it")).otherwise(
            pl.lit("unterminated quoted field at end of file"))
        return ParsedBatch(rejects=make_rejects(carry["line_no"], carry.select(reason).to_series(), carry["line"]))

    def _cut(self, lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
        """Physical lines → (rows, blank lines, lines carried to the next batch).

        A row is ``line_start``, ``line_end``, ``text`` and its ``_lines``; a quoted field still open at
        the end is carried, and so is the header while no row follows it. The header joins the first
        row's record.
        """
        frame = lines.with_columns(
            (pl.col("line").str.count_matches('"', literal=True).cum_sum() % 2 == 1).alias("_open")
        ).with_columns((~pl.col("_open").shift(1, fill_value=False)).cum_sum().alias("_row"))
        carry = None
        if frame.height and frame["_open"][-1]:
            keep = frame.filter(pl.col("_row") != frame["_row"][-1])
            carry = lines.slice(keep.height)
            frame = keep
        has_header = frame.height > 0 and frame["line_no"][0] == 1
        rows = frame.slice(int(has_header)).group_by("_row", maintain_order=True).agg(
            pl.col("line_no").min().alias("line_start"),
            pl.col("line_no").max().alias("line_end"),
            pl.col("line").str.join("\n").alias("text"),
            pl.col("line").alias("_lines"),
        ).drop("_row")
        is_blank = pl.col("text").str.strip_chars() == ""
        blanks, rows = rows.filter(is_blank), rows.filter(~is_blank)
        if has_header:
            if rows.height == 0:
                return rows, blanks, lines.slice(0, 1) if carry is None else pl.concat([lines.slice(0, 1), carry])
            before = blanks.filter(pl.col("line_start") < rows["line_start"][0])  # blank lines after the header
            blanks = blanks.filter(pl.col("line_start") > rows["line_start"][0])
            lead = pl.lit(pl.Series([[self.header_line, *before["text"].to_list()]], dtype=pl.List(pl.String)))
            first = pl.int_range(pl.len()) == 0
            rows = rows.with_columns(
                pl.when(first).then(1).otherwise(pl.col("line_start")).alias("line_start"),
                pl.when(first).then(pl.concat_list(lead, "_lines")).otherwise("_lines").alias("_lines"),
            )
        return rows, blanks, carry

    def _values(self, rows: pl.DataFrame) -> pl.DataFrame:
        """The rows' fields, one text column per header name."""
        assert self.header is not None
        names = _unique(self.header)
        text = "\n".join(rows["text"].to_list())
        try:
            values = pl.read_csv(io.StringIO(text), has_header=False, new_columns=names, infer_schema=False,
                                 truncate_ragged_lines=True)
            if values.height == rows.height and values.width == len(names):
                return values
        except pl.exceptions.PolarsError:
            pass
        parsed = [next(csv.reader([row]), []) for row in rows["text"].to_list()]
        return pl.DataFrame([(r + [None] * len(names))[: len(names)] for r in parsed], schema=names, orient="row")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


class JsonlExportParser(_ExportParser):
    """JSON Lines: one object per line, nested objects flattened to ``key.sub`` columns."""

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        looks = pl.col("line").str.strip_chars().str.starts_with("{") & pl.col("line").str.strip_chars().str.ends_with("}")
        lines = batch.with_columns(looks.alias("_obj"))
        others = lines.filter(~pl.col("_obj"))
        reason = pl.when(pl.col("line").str.strip_chars() == "").then(pl.lit("empty line")).otherwise(pl.lit("not a JSON object"))
        rejects = [make_rejects(others["line_no"], others.select(reason).to_series(), others["line"])]
        candidates = lines.filter("_obj")
        values, valid = self._decode(candidates["line"])
        invalid = candidates.filter(~valid)
        rejects.append(make_rejects(invalid["line_no"], "not valid JSON", invalid["line"]))
        candidates, values = candidates.filter(valid), values.filter(valid)
        if self.mapping is None:
            self.mapping = map_columns(values.columns)
            if self.mapping is None:
                raise refusal(values.columns, "a JSON Lines file")
        rows = candidates.select(
            pl.col("line_no").alias("line_start"), pl.col("line_no").alias("line_end"), pl.col("line").alias("text"),
            pl.concat_list("line").alias("_lines"),
        )
        if rows.height == 0:
            return ParsedBatch(rejects=pl.concat(rejects))
        return self._rows(rows, values, rejects)

    @staticmethod
    def _decode(lines: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
        """Flattened columns, as text (nested objects → ``a.b``), and which lines were valid JSON."""
        try:
            struct = lines.str.json_decode(infer_schema_length=None)
            frame = pl.DataFrame({"_j": struct})
            while any(isinstance(dtype, pl.Struct) for dtype in frame.schema.values()):
                frame = frame.select(
                    [pl.col(c).struct.rename_fields([f"{c}.{f.name}" for f in dtype.fields]).struct.unnest()
                     if isinstance(dtype, pl.Struct) else pl.col(c) for c, dtype in frame.schema.items()]
                )
            frame = frame.rename(lambda c: c.removeprefix("_j."))
            return frame.select([_as_text(c, t) for c, t in frame.schema.items()]), pl.Series([True] * len(lines))
        except pl.exceptions.PolarsError:
            decoded = []
            for line in lines.to_list():
                try:
                    value = json.loads(line)
                except ValueError:
                    value = None
                decoded.append(_flatten(value) if isinstance(value, dict) else None)
            valid = pl.Series([d is not None for d in decoded])
            rows = [{k: v if v is None or isinstance(v, str) else json.dumps(v) for k, v in (d or {}).items()} for d in decoded]
            return pl.DataFrame(rows, infer_schema_length=None).cast(pl.String), valid


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String():
        return pl.col(column)
    if isinstance(dtype, pl.List | pl.Array):
        return pl.col(column).list.eval(pl.element().cast(pl.String)).list.join(",").alias(column)
    return pl.col(column).cast(pl.String)


CSV_EXPORT = CsvExportFormat()
JSONL_EXPORT = JsonlExportFormat()
