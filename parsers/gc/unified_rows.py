"""Unified logging: from decorated lines to typed *candidate rows* (one per line that matters for an event).

A line matters when it starts, ends or details a GC event: ``GC(n) Pause …`` summaries and
``gc,start`` markers, concurrent phases, ZGC cycles and stalls, ``To-space exhausted``, the
G1 ``Other:`` phase, ``User= Sys= Real=`` cpu lines, metaspace and ZGC capacity lines, and
safepoint lines. Everything is vectorized: one non-capturing regex picks the rows, cheap
literal tests type them, and the few capturing regexes (end-anchored, deterministic) only run
on the rows of their type, each once (a regex's groups are materialized as one struct column
before its fields are read: reading ``extract_groups(...).struct.field(i)`` twice runs the
regex twice). Each row has one ``etype`` (see ``ETYPES``) and the values that type carries;
other columns are null.
"""

from __future__ import annotations

import polars as pl

from parsers.gc.model import number_expr, shifted_expr, size_kb_expr

#: Row types: event ends, event starts, and details attached to events.
ETYPES = (
    "pause",
    "pause_start",
    "cycle",
    "cycle_start",
    "conc",
    "conc_start",
    "stall",
    "tospace",
    "safepoint",
    "other",
    "cpu",
    "metaspace",
    "maxcap",
    "cap",
)

_EVENT_PREFIXES = (
    "Pause ",
    "Concurrent ",
    "Garbage Collection",
    "Major Collection",
    "Minor Collection",
    "Allocation Stall",
    "Relocation Stall",
    "To-space exhausted",
)
_STOPPED = "Total time for which application threads were stopped"
_NUM = r"(\d+(?:[.,]\d+)?)"
_SIZE = _NUM + r"([BKMG])"
_CPU = r" User=([\d.,]+)s Sys=([\d.,]+)s Real=([\d.,]+)s$"
#: G1 JDK 17 concurrent mark start/end carry their start/end uptimes: ``Concurrent Mark (16.017s, 16.050s)``.
_G1_TIMES = r" \([\d.,]+s(?:, [\d.,]+s)?\)$"

#: Columns of a candidate-row frame (the union over all row types).
ROW_SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "ts": pl.Datetime("us", "UTC"),
    "ts_origin": pl.String(),
    "uptime_s": pl.Float64(),
    "tags": pl.String(),
    "gc_id": pl.Int64(),
    "generation": pl.String(),
    "etype": pl.Enum(ETYPES),
    "name": pl.String(),
    "norm": pl.String(),
    "dur_ms": pl.Float64(),
    "heap_before_kb": pl.Int64(),
    "heap_after_kb": pl.Int64(),
    "heap_capacity_kb": pl.Int64(),
    "other_ms": pl.Float64(),
    "user_s": pl.Float64(),
    "sys_s": pl.Float64(),
    "real_s": pl.Float64(),
    "meta_before_kb": pl.Int64(),
    "meta_after_kb": pl.Int64(),
    "meta_capacity_kb": pl.Int64(),
    "capacity_kb": pl.Int64(),
    "safepoint_reach_ms": pl.Float64(),
}


def empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema=ROW_SCHEMA)


#: One non-capturing test for every line kind that matters (run on all messages, so it must be cheap).
_CANDIDATE = (
    r"^(?:GC\(\d+\) (?:[YO]: )?(?:Pause |Concurrent |Garbage Collection|Major Collection|Minor Collection"
    r"|Allocation Stall"
    r"|Relocation Stall|To-space exhausted|User=|Metaspace: | *Other: | *Max Capacity: | *Capacity: )"
    r"|Total time for which application threads were stopped|Safepoint \")"
)


def _split_gc_id(rows: pl.DataFrame) -> pl.DataFrame:
    """``GC(12) Y: rest`` → gc_id 12, generation ``Y``, rest; other messages keep their text as rest.

    The candidate test guarantees the ASCII ``GC(n) `` prefix, so byte and character offsets agree;
    the message is sliced once, after the GC id and the generation prefix if there is one.
    """
    message = pl.col("message")
    rows = rows.with_columns(
        message.str.find(") ", literal=True).alias("_close"), message.str.starts_with("GC(").alias("_is_gc")
    )
    close, is_gc = pl.col("_close"), pl.col("_is_gc")
    rows = rows.with_columns(message.str.slice(close + 2, 3).alias("_gen"))
    has_gen = is_gc & pl.col("_gen").is_in(["Y: ", "O: "])
    return rows.with_columns(
        pl.when(is_gc).then(message.str.slice(3, close - 3).cast(pl.Int64, strict=False)).alias("gc_id"),
        pl.when(has_gen).then(pl.col("_gen").str.head(1)).alias("generation"),
        pl.when(is_gc)
        .then(message.str.slice(close + 2 + pl.when(has_gen).then(3).otherwise(0)))
        .otherwise(message)
        .alias("rest"),
    ).drop("_close", "_is_gc", "_gen", "message")  # rest replaces the message


def _row_type() -> pl.Expr:
    rest = pl.col("rest")
    is_event = pl.any_horizontal([rest.str.starts_with(prefix) for prefix in _EVENT_PREFIXES])
    return (
        pl.when(pl.col("gc_id").is_null())
        .then(pl.lit("safepoint"))
        .when(is_event)
        .then(pl.lit("event"))
        .when(rest.str.starts_with("User="))
        .then(pl.lit("cpu"))
        .when(rest.str.starts_with("Metaspace: "))
        .then(pl.lit("metaspace"))
        .when(rest.str.contains(r"^ *Other: "))
        .then(pl.lit("other"))
        .when(rest.str.contains(r"^ *Max Capacity: "))
        .then(pl.lit("maxcap"))
        .when(rest.str.contains(r"^ *Capacity: "))
        .then(pl.lit("cap"))
    )


def _groups(rows: pl.DataFrame, column: str, pattern: str, name: str) -> pl.DataFrame:
    """Run one capturing regex once; its groups become the struct column ``name``."""
    return rows.with_columns(pl.col(column).str.extract_groups(pattern).alias(name))


def _field(struct: str, index: int) -> pl.Expr:
    return pl.col(struct).struct.field(str(index))


def _events(rows: pl.DataFrame) -> pl.DataFrame:
    """Pause / phase / cycle / stall lines: name, duration, heap, and whether they start or end.

    Only lines ending in a number (``…ms``, ``…s``, ``…(27%)``) go through the regexes; start lines
    keep their text as the name.
    """
    rest = pl.col("rest")
    numbered = rest.str.ends_with("s") | rest.str.ends_with("%)")
    plain = rows.filter(~numbered).with_columns(rest.alias("name"), rest.str.replace(_G1_TIMES, "").alias("norm"))
    merged = pl.concat([plain, _numbered_events(rows.filter(numbered))], how="diagonal_relaxed")
    has_number = pl.col("dur_ms").is_not_null() | pl.col("heap_before_kb").is_not_null()
    name = pl.col("name")
    etype = (
        pl.when(name.str.starts_with("Pause "))
        .then(
            pl.when(has_number)
            .then(pl.lit("pause"))
            .when(pl.col("tags").str.starts_with("gc,start"))
            .then(pl.lit("pause_start"))
        )
        .when(name.str.starts_with("Concurrent "))
        .then(
            pl.when(has_number | pl.col("norm").str.ends_with("Abort"))
            .then(pl.lit("conc"))
            .otherwise(pl.lit("conc_start"))
        )
        .when(name.str.ends_with(")") & name.str.contains(r"^(?:Garbage|Major|Minor) Collection \("))
        .then(pl.when(has_number).then(pl.lit("cycle")).otherwise(pl.lit("cycle_start")))
        .when(name.str.starts_with("To-space exhausted"))
        .then(pl.lit("tospace"))
        .when(pl.col("dur_ms").is_not_null() & name.str.contains(r"^(?:Allocation|Relocation) Stall \("))
        .then(pl.lit("stall"))
    )
    return merged.with_columns(etype.alias("etype")).filter(pl.col("etype").is_not_null())


def _numbered_events(rows: pl.DataFrame) -> pl.DataFrame:
    """Summaries and phase ends: ``<name> [<heap>] <duration>`` with optional inline cpu times (CMS)."""
    rest = pl.col("rest")
    if rows.height == 0:
        return rows.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("dur_ms"), pl.lit(None, dtype=pl.Int64).alias("heap_before_kb")
        )
    if rows.get_column("rest").str.contains(" User=", literal=True).any():
        rows = _groups(rows, "rest", _CPU, "_cpu").with_columns(
            *(
                number_expr(_field("_cpu", index + 1)).alias(name)
                for index, name in enumerate(("user_s", "sys_s", "real_s"))
            ),
            rest.str.replace(_CPU, "").alias("rest"),
        )
    rows = rows.with_columns(
        pl.coalesce(
            number_expr(rest.str.extract(r" " + _NUM + r"ms$")),
            number_expr(rest.str.extract(r" (\d+[.,]\d+)s$")) * 1000.0,
        ).alias("dur_ms"),
        rest.str.replace(r" \d+(?:[.,]\d+)?m?s$", "").alias("body"),
    )
    rows = _groups(rows, "body", " " + _SIZE + "->" + _SIZE + r"\(" + _SIZE + r"\)$", "_heap")
    if rows.get_column("body").str.ends_with("%)").any():
        rows = _groups(rows, "body", r" (\d+)([BKMG])\(\d+%\)->(\d+)([BKMG])\(\d+%\)$", "_zheap")
        before = pl.coalesce(
            size_kb_expr(_field("_heap", 1), _field("_heap", 2)), size_kb_expr(_field("_zheap", 1), _field("_zheap", 2))
        )
        after = pl.coalesce(
            size_kb_expr(_field("_heap", 3), _field("_heap", 4)), size_kb_expr(_field("_zheap", 3), _field("_zheap", 4))
        )
    else:
        before = size_kb_expr(_field("_heap", 1), _field("_heap", 2))
        after = size_kb_expr(_field("_heap", 3), _field("_heap", 4))
    rows = rows.with_columns(
        before.alias("heap_before_kb"),
        after.alias("heap_after_kb"),
        size_kb_expr(_field("_heap", 5), _field("_heap", 6)).alias("heap_capacity_kb"),
        pl.col("body").str.replace(r" \S+->\S+$", "").alias("name"),
    )
    return rows.with_columns(pl.col("name").str.replace(_G1_TIMES, "").alias("norm"))


def _safepoints(rows: pl.DataFrame) -> pl.DataFrame:
    rows = _groups(
        rows,
        "rest",
        r'^Safepoint "([^"]*)", Time since last: \d+ ns, Reaching safepoint: (\d+) ns, '
        r"(?:Cleanup: \d+ ns, )?At safepoint: \d+ ns, Total: (\d+) ns",
        "_modern",
    )
    rows = _groups(
        rows,
        "rest",
        r"^" + _STOPPED + r": ([\d.,]+) seconds(?:, Stopping threads took: ([\d.,]+) seconds)?",
        "_classic",
    )
    return rows.with_columns(
        pl.coalesce(_field("_modern", 1), pl.when(_field("_classic", 1).is_not_null()).then(pl.lit(_STOPPED))).alias(
            "name"
        ),
        pl.coalesce(shifted_expr(_field("_modern", 3), 6), number_expr(_field("_classic", 1)) * 1000.0).alias("dur_ms"),
        pl.coalesce(shifted_expr(_field("_modern", 2), 6), number_expr(_field("_classic", 2)) * 1000.0).alias(
            "safepoint_reach_ms"
        ),
    ).filter(pl.col("dur_ms").is_not_null())


def _details(rows: pl.DataFrame) -> list[pl.DataFrame]:
    """``Other:``, ``User= Sys= Real=``, metaspace and ZGC capacity lines: each type parsed on its own rows."""
    etype = pl.col("etype")
    parts = []
    other = rows.filter(etype == "other")
    if other.height:
        parts.append(
            other.with_columns(number_expr(pl.col("rest").str.extract(r"Other: " + _NUM + r" ?ms$")).alias("other_ms"))
        )
    cpu = rows.filter(etype == "cpu")
    if cpu.height:
        cpu = _groups(cpu, "rest", r"^User=([\d.,]+)s Sys=([\d.,]+)s Real=([\d.,]+)s", "_cpu")
        parts.append(
            cpu.with_columns(
                *(
                    number_expr(_field("_cpu", index + 1)).alias(name)
                    for index, name in enumerate(("user_s", "sys_s", "real_s"))
                )
            )
        )
    metaspace = rows.filter(etype == "metaspace")
    if metaspace.height:
        parts.append(_metaspace(metaspace))
    capacity = rows.filter(etype.is_in(["maxcap", "cap"]))
    if capacity.height:
        capacity = _groups(capacity, "rest", r"Capacity:\s+" + _SIZE, "_cap")
        parts.append(capacity.with_columns(size_kb_expr(_field("_cap", 1), _field("_cap", 2)).alias("capacity_kb")))
    return parts


def _metaspace(rows: pl.DataFrame) -> pl.DataFrame:
    """JDK 9–15 ``a->b(c)``, JDK 16+ ``a(x)->b(c) NonClass: …``, ZGC ``a used, c committed`` (forms present only)."""
    rest = pl.col("rest")
    non_class = rest.str.contains(" NonClass: ", literal=True)
    forms: list[tuple[str, tuple[int, int, int]]] = []
    candidates = (
        (non_class, r"^Metaspace: " + _SIZE + r"\(\d+[BKMG]\)->" + _SIZE + r"\(" + _SIZE + r"\)", (1, 3, 5)),
        (
            rest.str.contains(" used, ", literal=True),
            r"^Metaspace: " + _SIZE + " used, " + _SIZE + " committed",
            (1, 1, 3),
        ),
        (
            rest.str.contains("->", literal=True) & ~non_class,
            r"^Metaspace: " + _SIZE + "->" + _SIZE + r"\(" + _SIZE + r"\)",
            (1, 3, 5),
        ),
    )
    present = rows.select(*(marker.any().alias(str(index)) for index, (marker, _, _) in enumerate(candidates))).row(0)
    for index, (_, pattern, fields) in enumerate(candidates):
        if present[index]:
            rows = _groups(rows, "rest", pattern, f"_meta{index}")
            forms.append((f"_meta{index}", fields))

    def pick(position: int) -> pl.Expr:
        sizes = [
            size_kb_expr(_field(name, fields[position]), _field(name, fields[position] + 1)) for name, fields in forms
        ]
        return pl.coalesce(sizes) if sizes else pl.lit(None, dtype=pl.Int64)

    return rows.with_columns(
        pick(0).alias("meta_before_kb"), pick(1).alias("meta_after_kb"), pick(2).alias("meta_capacity_kb")
    )


def pick_candidates(split: pl.LazyFrame) -> pl.LazyFrame:
    """The lines of a split batch that may become candidate rows (``candidate_rows`` types them)."""
    return split.filter(pl.col("ok") & pl.col("message").str.contains(_CANDIDATE)).select(
        "line_no", "ts", "ts_origin", "uptime_s", "tags", "message"
    )


def candidate_rows(picked: pl.DataFrame) -> pl.DataFrame:
    """Candidate rows (``ROW_SCHEMA``) of lines from ``pick_candidates``, grouped by row type (not in line order)."""
    if picked.height == 0:
        return empty_rows()
    typed = _split_gc_id(picked).with_columns(_row_type().alias("etype"))
    parts = [
        _events(typed.filter(pl.col("etype") == "event")),
        _safepoints(typed.filter(pl.col("etype") == "safepoint")),
        *_details(typed),
    ]
    conformed = [
        part.select(
            [(pl.col(n) if n in part.columns else pl.lit(None)).cast(t).alias(n) for n, t in ROW_SCHEMA.items()]
        )
        for part in parts
        if part.height
    ]
    return pl.concat(conformed) if conformed else empty_rows()
