"""Typed events from record messages, by declarative rules (parsers/event_rules/*.toml).

A rule names the event ``kind``, a literal every matching message contains (a
cheap vectorized pre-filter), an optional logger, and a regex whose named groups
become typed columns. Rules carry real sample messages that are checked when
the rules load. Extraction is vectorized: one literal scan per rule over a
batch of records, then the regex over the few records that passed.
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


@dataclass(frozen=True)
class EventRule:
    kind: str
    variant: str
    contains: str
    regex: str
    logger: str | None = None
    derive: tuple[tuple[str, str], ...] = ()
    samples: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(re.compile(self.regex).groupindex)


def _rule_from(data: dict[str, Any], where: str) -> EventRule:
    for key in ("kind", "contains", "regex"):
        if key not in data:
            raise SpecError(f"{where}: missing key {key!r}")
    try:
        groups = re.compile(data["regex"]).groupindex
    except re.error as exc:
        raise SpecError(f"{where}: invalid regex: {exc}") from exc
    unknown = [g for g in groups if not g.startswith("_") and g not in EVENT_FIELDS and g not in SPECIAL_GROUPS]
    if unknown:
        raise SpecError(f"{where}: groups {unknown} are not event columns ({', '.join(EVENT_FIELDS)})")
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
    )


def load_rules(path: Path) -> tuple[EventRule, ...]:
    """Load and self-check the rules of one file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from exc
    rules = tuple(_rule_from(item, f"{path}: rule #{i + 1}") for i, item in enumerate(data.get("rule", [])))
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
                "line_start": [1], "line_end": [1], "ts": [None],
                "logger": [sample.get("logger")], "message": [sample["message"]],
            },
            schema={"line_start": pl.Int64, "line_end": pl.Int64, "ts": TS, "logger": pl.String, "message": pl.String},
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
    """Captured groups → typed columns, specials expanded, derived columns computed."""
    frame = found.select(
        "line_start", "line_end", "ts", "message",
        pl.col("message").str.extract_groups(rule.regex).alias("_g"),
    ).unnest("_g")
    groups = rule.groups
    if "brokers" in groups:
        frame = frame.with_columns(pl.col("brokers").str.split(",").alias("broker_id")).explode("broker_id").drop("brokers")
    if "tp" in groups:
        parts = pl.col("tp").str.extract_groups(r"^(?P<topic>.+)-(?P<partition>\d+)$")
        frame = frame.with_columns(parts.alias("_tp")).unnest("_tp").drop("tp")
    casts = {name: dtype for name, dtype in EVENT_FIELDS.items() if name in frame.columns}
    temps = [c for c in frame.columns if c.startswith("_")]
    frame = frame.with_columns(
        *[pl.col(name).cast(dtype, strict=False) for name, dtype in casts.items()],
        *[pl.col(name).cast(pl.Int64, strict=False) for name in temps],
    )
    for name, expr in rule.derive:
        frame = frame.with_columns(pl.sql_expr(expr).alias(name))
    missing = {name: dtype for name, dtype in EVENT_FIELDS.items() if name not in frame.columns}
    frame = frame.with_columns(*[pl.lit(None, dtype).alias(name) for name, dtype in missing.items()])
    first_line = pl.col("message").str.extract(r"^([^\n]*)").str.slice(0, DETAIL_MAX)
    return frame.with_columns(
        pl.lit(rule.kind).alias("kind"),
        pl.coalesce(pl.col("detail").cast(pl.String), first_line).alias("detail"),
    ).select([pl.col(name).cast(dtype, strict=False) for name, dtype in EVENTS_SCHEMA.items()])


def extract_events(records: pl.DataFrame, rules: tuple[EventRule, ...]) -> pl.DataFrame:
    """Every typed event in a frame of records (``line_start``, ``line_end``, ``ts``, ``logger``, ``message``).

    A record gives at most one event per kind: the first rule of a kind that matches wins.
    """
    parts: list[pl.DataFrame] = []
    taken: dict[str, pl.Series] = {}
    literals = sorted({rule.contains for rule in rules})
    records = records.filter(pl.col("message").str.contains_any(literals))  # one Aho-Corasick pass
    for rule in rules:
        found = _candidates(records, rule)
        if rule.kind in taken and found.height:
            found = found.filter(~pl.col("line_start").is_in(taken[rule.kind].implode()))
        if found.height == 0:
            continue
        taken[rule.kind] = pl.concat([taken[rule.kind], found["line_start"]]) if rule.kind in taken else found["line_start"]
        parts.append(_typed(found, rule))
    if not parts:
        return pl.DataFrame(schema=EVENTS_SCHEMA)
    return pl.concat(parts).sort("line_start", maintain_order=True)
