"""Named queries: the ``queries/`` folder is the registry, one ``.sql`` file per query.

A query file is plain DuckDB SQL after a header of ``--`` comments::

    -- name: gc_pressure                      (must equal the file stem)
    -- title: GC pressure per host and time bucket
    -- description: prose, continued on following `--` lines
    -- param: bucket INTERVAL = '5 minutes'   -- width of a time bucket

A line ``-- include: NAME`` in the body is replaced by ``queries/fragments/NAME.sql``
(CTEs that several queries share); fragments are not queries themselves.

Parameters are DuckDB's named ``$name`` parameters, found in the SQL after
comments and string literals are stripped, and always bound, never formatted in.
Values given as text (``-p bucket=15m``) are converted by the declared type.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from dateutil import parser as date_parser

from forensics.errors import UsageError

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
FRAGMENTS_DIR = QUERIES_DIR / "fragments"
_INCLUDE = re.compile(r"^-- include: ([a-z_][a-z0-9_]*)[ \t]*$", re.M)

_HEADER = re.compile(r"^--\s*(?P<key>name|title|description|param):\s?(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+)\s*=\s*(?P<default>.*?)\s*(?:--\s*(?P<help>.*))?$")
_STRIP = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.S)
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hours?|d|days?)\s*$", re.I)
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
TYPES = ("INTEGER", "BIGINT", "DOUBLE", "VARCHAR", "INTERVAL", "TIMESTAMPTZ", "BOOLEAN")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        """Defaults overridden by ``-p`` values, converted; unknown names are a usage error."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise UsageError(
                f"query {self.name} has no parameter {', '.join(unknown)}",
                hint=f"its parameters: {', '.join(known) or 'none'}",
            )
        values = {p.name: p.default for p in self.params}
        for name, text in given.items():
            values[name] = convert(text, known[name].type, f"-p {name}")
        return values


def parse_interval(text: str) -> timedelta:
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (examples: 30s, 5m, 1h, 2d, '5 minutes')")
    amount, unit = float(match.group(1)), match.group(2).lower()
    key = "ms" if unit == "ms" else unit[0]
    return timedelta(**{_UNITS[key]: amount})


def convert(text: str, type_name: str, where: str) -> Any:
    """Text → the Python value DuckDB binds as ``type_name``."""
    try:
        if type_name in ("INTEGER", "BIGINT"):
            if not text.strip().lstrip("+-").isdigit():
                raise ValueError(f"{text!r} is not a whole number")
            return int(text)
        if type_name == "DOUBLE":
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a number (for example 90 or 97.5)") from None
        if type_name == "INTERVAL":
            return parse_interval(text)
        if type_name == "TIMESTAMPTZ":
            value: datetime = date_parser.isoparse(text)
            return value
        if type_name == "BOOLEAN":
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{text!r} is not true or false")
            return text.lower() in ("true", "1", "yes")
        return text
    except ValueError as exc:
        raise UsageError(f"{where}: {exc}") from exc


def used_params(sql: str) -> set[str]:
    return set(_USED.findall(_STRIP.sub(" ", sql)))


def _expand_includes(text: str, path: Path) -> str:
    def fragment(match: re.Match[str]) -> str:
        included = FRAGMENTS_DIR / f"{match.group(1)}.sql"
        if not included.is_file():
            raise UsageError(f"{path}: includes {match.group(1)!r}, but there is no {included}")
        return included.read_text(encoding="utf-8").rstrip("\n")

    return _INCLUDE.sub(fragment, text)


def _parse(path: Path) -> Query:
    text = _expand_includes(path.read_text(encoding="utf-8"), path)
    meta: dict[str, str] = {}
    params: list[Param] = []
    last = None
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            key, value = match.group("key"), match.group("value").strip()
            if key == "param":
                params.append(_parse_param(value, path))
            else:
                meta[key] = value
            last = key
        elif last == "description":
            meta["description"] += " " + line.lstrip("-").strip()
    where = str(path)
    for key in ("name", "title", "description"):
        if not meta.get(key):
            raise UsageError(f"{where}: the header has no '-- {key}:' line")
    if meta["name"] != path.stem:
        raise UsageError(f"{where}: name {meta['name']!r} must equal the file name {path.stem!r}")
    declared = {p.name for p in params}
    used = used_params(text)
    if declared != used:
        raise UsageError(f"{where}: declared parameters {sorted(declared)} differ from those used {sorted(used)}")
    return Query(meta["name"], meta["title"], meta["description"].strip(), tuple(params), text, path)


def _parse_param(value: str, path: Path) -> Param:
    match = _PARAM.match(value)
    if not match or match.group("type") not in TYPES:
        raise UsageError(f"{path}: bad param line {value!r}", hint=f"-- param: name TYPE = default  -- help; TYPE one of {TYPES}")
    default_text = match.group("default")
    if default_text.startswith("'") and default_text.endswith("'"):
        default_text = default_text[1:-1].replace("''", "'")
    default = None if default_text.upper() == "NULL" else convert(default_text, match.group("type"), f"{path}: default")
    return Param(match.group("name"), match.group("type"), default, (match.group("help") or "").strip())


@lru_cache(maxsize=1)
def all_queries() -> dict[str, Query]:
    queries: dict[str, Query] = {}
    for path in sorted(QUERIES_DIR.rglob("*.sql")):
        if FRAGMENTS_DIR in path.parents:
            continue
        query = _parse(path)
        if query.name in queries:
            raise UsageError(f"query {query.name} is defined twice: {queries[query.name].path} and {path}")
        queries[query.name] = query
    return queries


def get_query(name: str) -> Query:
    queries = all_queries()
    if name not in queries:
        close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? (`forensics queries` lists them)" if close else "`forensics queries` lists them"
        raise UsageError(f"no query named {name!r}", hint=hint)
    return queries[name]
