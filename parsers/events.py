"""Typed events from record messages, by declarative rules (parsers/event_rules/*.toml).

A rule names the event ``kind``, a literal every matching message contains (a
cheap vectorized pre-filter), an optional logger, and a regex whose named groups
become typed columns. Rules carry real sample messages that are checked when
the rules load. Extraction is vectorized: one scan for any rule's literal picks
the candidate records, gathered over many batches; then each rule's literal and
regex run over the candidates alone.

Each rules file ``<family>.toml`` feeds the table ``<family>_events``. Its
``[fields]`` table declares that table's columns after ``line_start``,
``line_end``, ``ts``, ``kind`` (the broker file has none: ``EVENT_FIELDS``);
a field named like a record column (``level``, ``logger``, ``thread``) is
copied from the record. An optional ``[context]`` regex is applied to every
event's message (a log-context prefix such as ``[Producer clientId=…] ``) and
fills the fields its groups name where the rule's own groups did not.

Which family's rules a file gets is its format's family, unless the file's
records say otherwise (``EventRouter``): a client application that logs in
Kafka's own log4j layout is a client, not a broker.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from parsers.base import TS
from parsers.spec import SpecError

RULES_DIR = Path(__file__).parent / "event_rules"

#: The columns of a typed-event table after ``line_start``/``line_end``/``ts``/``kind``.
EVENT_FIELDS: dict[str, pl.DataType] = {
    "broker_id": pl.Int32(),
    "node_id": pl.Int32(),
    "topic": pl.String(),
    "partition": pl.Int32(),
    "count": pl.Int64(),
    "producer_id": pl.Int64(),
    "epoch": pl.Int64(),
    "offset": pl.Int64(),
    "duration_ms": pl.Float64(),
    "leader": pl.Int32(),
    "prev_leader": pl.Int32(),
    "isr": pl.String(),
    "prev_isr": pl.String(),
    "detail": pl.String(),
    #: where ``broker_id`` came from: ``line`` (the event's own line), ``config`` (the file's config dump), NULL
    "broker_id_origin": pl.String(),
}
EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "line_start": pl.Int64(),
    "line_end": pl.Int64(),
    "ts": TS,
    "kind": pl.String(),
    **EVENT_FIELDS,
}
#: Groups with these names are not columns but are turned into columns.
SPECIAL_GROUPS = {"tp", "brokers"}
DETAIL_MAX = 300
#: Column types a ``[fields]`` table may use (DuckDB names, as in forensics/schema/*.sql).
FIELD_TYPES: dict[str, pl.DataType] = {
    "INTEGER": pl.Int32(), "BIGINT": pl.Int64(), "DOUBLE": pl.Float64(), "VARCHAR": pl.String(), "BOOLEAN": pl.Boolean(),
}
#: Record columns an events table may carry as fields (copied from the record, not extracted).
RECORD_FIELDS = ("level", "logger", "thread")


@dataclass(frozen=True)
class EventTable:
    """The table a rules file feeds: its family, typed fields, and the context regex of its messages."""

    family: str
    fields: tuple[tuple[str, pl.DataType], ...] = field(compare=False)
    context: str | None = None
    context_derive: tuple[tuple[str, str], ...] = ()

    @property
    def field_types(self) -> dict[str, pl.DataType]:
        return dict(self.fields)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {"line_start": pl.Int64(), "line_end": pl.Int64(), "ts": TS, "kind": pl.String(), **self.field_types}


BROKER_TABLE = EventTable("broker", tuple(EVENT_FIELDS.items()))


@dataclass(frozen=True)
class EventRule:
    kind: str
    variant: str
    contains: str
    regex: str
    logger: str | None = None
    derive: tuple[tuple[str, str], ...] = ()
    samples: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    table: EventTable = field(default=BROKER_TABLE, compare=False)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(re.compile(self.regex).groupindex)


def _groups(regex: str, where: str, table: EventTable) -> list[str]:
    try:
        groups = list(re.compile(regex).groupindex)
    except re.error as exc:
        raise SpecError(f"{where}: invalid regex: {exc}") from exc
    fields = table.field_types
    unknown = [g for g in groups if not g.startswith("_") and g not in fields and g not in SPECIAL_GROUPS]
    if unknown:
        raise SpecError(f"{where}: groups {unknown} are not event columns ({', '.join(fields)})")
    copied = [g for g in groups if g in RECORD_FIELDS]
    if copied:
        raise SpecError(f"{where}: groups {copied} are taken from the record, not from the message")
    return groups


def _rule_from(data: dict[str, Any], where: str, table: EventTable) -> EventRule:
    for key in ("kind", "contains", "regex"):
        if key not in data:
            raise SpecError(f"{where}: missing key {key!r}")
    _groups(data["regex"], where, table)
    if not data.get("samples"):
        raise SpecError(f"{where}: a rule needs at least one sample")
    return EventRule(
        kind=data["kind"],
        variant=data.get("variant", ""),
        contains=data["contains"],
        regex=data["regex"],
        logger=data.get("logger"),
        derive=tuple(data.get("derive", {}).items()),
        samples=tuple(data["samples"]),
        table=table,
    )


def _table_from(data: dict[str, Any], family: str, where: str) -> EventTable:
    """The ``[fields]`` and ``[context]`` of a rules file (the broker columns when it has no ``[fields]``)."""
    declared = data.get("fields")
    if declared is None:
        fields = tuple(EVENT_FIELDS.items())
    else:
        bad = {name: kind for name, kind in declared.items() if kind not in FIELD_TYPES}
        if bad:
            raise SpecError(f"{where}: [fields] {bad}: types must be one of {', '.join(FIELD_TYPES)}")
        fields = tuple((name, FIELD_TYPES[kind]) for name, kind in declared.items())
    context = data.get("context", {})
    table = EventTable(family, fields, context.get("regex"), tuple(context.get("derive", {}).items()))
    if table.context:
        _groups(table.context, f"{where}: [context].regex", table)
    return table


def load_rules(path: Path) -> tuple[EventRule, ...]:
    """Load and self-check the rules of one file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from exc
    table = _table_from(data, path.stem, str(path))
    rules = tuple(_rule_from(item, f"{path}: rule #{i + 1}", table) for i, item in enumerate(data.get("rule", [])))
    for number, rule in enumerate(rules, start=1):
        _check_rule_samples(rule, f"{path}: rule #{number} ({rule.kind})")
    return rules


@lru_cache(maxsize=8)
def rules_for(family: str) -> tuple[EventRule, ...]:
    path = RULES_DIR / f"{family}.toml"
    return load_rules(path) if path.exists() else ()


def _check_rule_samples(rule: EventRule, where: str) -> None:
    for sample in rule.samples:
        records = pl.DataFrame(
            {
                "line_start": [1], "line_end": [1], "ts": [None], "level": [sample.get("level")],
                "logger": [sample.get("logger")], "thread": [sample.get("thread")], "message": [sample["message"]],
            },
            schema={
                "line_start": pl.Int64, "line_end": pl.Int64, "ts": TS, "level": pl.String,
                "logger": pl.String, "thread": pl.String, "message": pl.String,
            },
        )
        events = extract_events(records, (rule,))
        if events.height == 0:
            raise SpecError(f"{where}: sample {sample['message'][:70]!r} gives no event")
        got = events.row(0, named=True)
        for key, wanted in sample.get("expect", {}).items():
            if got.get(key) != wanted:
                raise SpecError(f"{where}: sample {sample['message'][:50]!r}: {key} is {got.get(key)!r}, expected {wanted!r}")


def _candidates(records: pl.DataFrame, rule: EventRule) -> pl.DataFrame:
    hit = pl.col("message").str.contains(rule.contains, literal=True)
    if rule.logger:
        hit = hit & (pl.col("logger") == rule.logger)
    found = records.filter(hit)
    return found.filter(pl.col("message").str.contains(rule.regex)) if found.height else found


def _typed(found: pl.DataFrame, rule: EventRule) -> pl.DataFrame:
    """Captured groups → typed columns, specials expanded, derived columns computed (one lazy query)."""
    table = rule.table
    fields = table.field_types
    carried = [name for name in RECORD_FIELDS if name in fields and name in found.columns]
    frame = found.lazy().select(
        "line_start", "line_end", "ts", "message", *carried,
        pl.col("message").str.extract_groups(rule.regex).alias("_g"),
    ).unnest("_g")
    if table.context:
        frame = _with_context(frame, table.context)
    if "brokers" in rule.groups:
        frame = frame.with_columns(pl.col("brokers").str.split(",").alias("broker_id")).explode("broker_id").drop("brokers")
    columns = frame.collect_schema().names()
    if "tp" in columns:
        parts = pl.col("tp").str.extract_groups(r"^(?P<topic>.+)-(?P<partition>\d+)$")
        tp_fields = [pl.coalesce(pl.col("_tp").struct.field(name), pl.col(name)).alias(name) if name in columns
                     else pl.col("_tp").struct.field(name) for name in ("topic", "partition")]
        frame = frame.with_columns(parts.alias("_tp")).with_columns(tp_fields).drop("tp", "_tp")
        columns = frame.collect_schema().names()
    temps = [c for c in columns if c.startswith("_")]
    frame = frame.with_columns(
        *[_typed_column(name, dtype) for name, dtype in fields.items() if name in columns],
        *[pl.col(name).cast(pl.Int64, strict=False) for name in temps],
    )
    for name, expr in (*table.context_derive, *rule.derive):
        frame = frame.with_columns(pl.sql_expr(expr).alias(name))
        columns = [*columns, name]
    if "broker_id_origin" in fields and "broker_id" in columns:  # the line's own id; ingest's finalize adds others
        frame = frame.with_columns(pl.when(pl.col("broker_id").is_not_null()).then(pl.lit("line")).alias("broker_id_origin"))
        columns = [*columns, "broker_id_origin"]
    frame = frame.with_columns(*[pl.lit(None, dtype).alias(name) for name, dtype in fields.items() if name not in columns])
    first_line = pl.col("message").str.slice(0, DETAIL_MAX).str.split_exact("\n", 1).struct.field("field_0")
    frame = frame.with_columns(pl.lit(rule.kind).alias("kind"))
    if "detail" in fields:
        frame = frame.with_columns(pl.coalesce(pl.col("detail").cast(pl.String), first_line).alias("detail"))
    return frame.select([pl.col(name).cast(dtype, strict=False) for name, dtype in table.schema.items()]).collect()


def _typed_column(name: str, dtype: pl.DataType) -> pl.Expr:
    """A captured group as its column's type (``true``/``false`` for BOOLEAN)."""
    if dtype == pl.Boolean():
        text = pl.col(name).cast(pl.String).str.to_lowercase()
        return pl.when(text.is_null()).then(None).otherwise(text.is_in(["true", "1", "yes"])).alias(name)
    return pl.col(name).cast(dtype, strict=False)


def _with_context(frame: pl.LazyFrame, context: str) -> pl.LazyFrame:
    """Fill fields from the table's context regex (a log-context prefix) where the rule left them empty."""
    names = list(re.compile(context).groupindex)
    columns = frame.collect_schema().names()
    frame = frame.with_columns(pl.col("message").str.extract_groups(context).alias("_ctx"))
    field = pl.col("_ctx").struct.field
    return frame.with_columns(
        [pl.coalesce(pl.col(n), field(n)).alias(n) if n in columns else field(n).alias(n) for n in names]
    ).drop("_ctx")


def extract_events(records: pl.DataFrame, rules: tuple[EventRule, ...]) -> pl.DataFrame:
    """Every typed event in a frame of records (``line_start``, ``line_end``, ``ts``, ``logger``, ``message``).

    A record gives at most one event per kind: the first rule of a kind that matches wins.
    """
    schema = rules[0].table.schema if rules else EVENTS_SCHEMA
    parts: list[pl.DataFrame] = []
    taken: dict[str, pl.Series] = {}
    for rule in rules:  # each rule's literal filters first (on big frames the router has picked candidates)
        found = _candidates(records, rule)
        if rule.kind in taken and found.height:
            found = found.filter(~pl.col("line_start").is_in(taken[rule.kind].implode()))
        if found.height == 0:
            continue
        taken[rule.kind] = pl.concat([taken[rule.kind], found["line_start"]]) if rule.kind in taken else found["line_start"]
        parts.append(_typed(found, rule))
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).sort("line_start", maintain_order=True)


#: Loggers only a broker (or controller) JVM has.
BROKER_LOGGERS = (
    r"^(?:kafka\.|state\.change\.logger$|"
    r"org\.apache\.kafka\.(?:controller|raft|storage|server|metadata|image|coordinator|security)\.)"
)
#: Messages only a client JVM logs: a client's log-context prefix, or its config dump.
CLIENT_MESSAGES = (
    r"^(?:\[(?:Producer|Consumer|AdminClient|Share Consumer) (?:instanceId=[^,\]]*, )?clientId=|"
    r"(?:Producer|Consumer|AdminClient)Config values:)"
)
#: The families whose files may turn out to be the other one.
ROLES = ("broker", "client")


def guess_role(records: pl.DataFrame) -> str | None:
    """What the records show: ``broker`` or ``client`` (one and not the other), ``both``, or None (neither)."""
    seen = records.select(
        pl.col("logger").str.contains(BROKER_LOGGERS).any().alias("broker"),
        pl.col("message").str.contains(CLIENT_MESSAGES).any().alias("client"),
    ).row(0)
    broker, client = bool(seen[0]), bool(seen[1])
    if broker == client:
        return None if not broker else "both"
    return "broker" if broker else "client"


#: Candidate records (those holding a rule's literal) are gathered across batches up to this many,
#: or this much message text, before the rules run: every rule has a fixed cost per run, so fewer,
#: larger runs halve the time; the text bound keeps records with long stack traces from piling up.
PENDING_ROWS = 50_000
PENDING_BYTES = 32 << 20


@lru_cache(maxsize=8)
def _any_literal(rules: tuple[EventRule, ...]) -> str:
    """One regex that matches any rule's literal (the regex engine's literal search is 2× polars' contains_any)."""
    return "|".join(pl.escape_regex(literal) for literal in sorted({rule.contains for rule in rules}))


def candidates(records: pl.DataFrame, rules: tuple[EventRule, ...]) -> pl.DataFrame:
    """The records that may give an event: those holding one of the rules' literals (one pass)."""
    return records.filter(pl.col("message").str.contains(_any_literal(rules)))


class EventRouter:
    """The typed events of one file's records, for the table of the file's role.

    The role starts as the format's family. For broker and client formats it is settled by the
    first batch of records that shows broker loggers (``kafka.*``, ``state.change.logger`` …) or
    client messages (``[Producer clientId=…]``, ``ProducerConfig values:``) but not both; a file
    that shows both keeps its format's family.

    ``add`` takes the records batch by batch and keeps the candidates; the rules run when enough
    have gathered and at ``flush``. Both return the events ready, as (table, frame) pairs.
    """

    def __init__(self, family: str) -> None:
        self.family = family
        self.settled = family not in ROLES
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.pending_bytes = 0

    @property
    def table(self) -> str:
        return f"{self.family}_events"

    def add(self, records: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
        ready: list[tuple[str, pl.DataFrame]] = []
        if not self.settled and records.height:
            role = guess_role(records)
            if role is not None:
                family = role if role in ROLES else self.family
                if family != self.family:
                    ready += self.flush()  # what came before was extracted by the first guess's rules
                self.family, self.settled = family, True
        rules = rules_for(self.family)
        found = candidates(records, rules) if rules and records.height else None
        if found is not None and found.height:
            # an own copy of the text: a filtered frame keeps its whole batch's text alive
            self.pending.append(found.with_columns(pl.concat_str([pl.col("message"), pl.lit("")]).alias("message")))
            self.pending_rows += found.height
            self.pending_bytes += int(found.get_column("message").str.len_bytes().sum())
        if self.pending_rows >= PENDING_ROWS or self.pending_bytes >= PENDING_BYTES:
            ready += self.flush()
        return ready

    def flush(self) -> list[tuple[str, pl.DataFrame]]:
        if not self.pending:
            return []
        frames, self.pending, self.pending_rows, self.pending_bytes = self.pending, [], 0, 0
        events = extract_events(pl.concat(frames), rules_for(self.family))
        return [(self.table, events)] if events.height else []

    def extract(self, records: pl.DataFrame) -> pl.DataFrame:
        """All the events of a frame of records at once (tests and small inputs)."""
        ready = [*self.add(records), *self.flush()]
        return pl.concat([frame for _, frame in ready]) if ready else pl.DataFrame()
