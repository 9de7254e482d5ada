"""Declarative layout specs: TOML files in parsers/formats/, checked when loaded.

A layout spec says how a record starts (``head`` regex with named groups), how
its time is written (a date and time, a time of day only, or no time at all), where the logger sits (``tail``), which time-less lines
start a record of their own (``untimed``), and carries real sample lines. Every
sample is parsed with the very engine that parses files, when the spec loads;
a spec whose samples do not come out as expected does not load (lnav's rule).

Regexes are written in the common subset of Python ``re`` and Rust ``regex``
(polars): named groups ``(?P<name>…)``, no look-around, no backreferences.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS_DIR = Path(__file__).parent / "formats"

_FORBIDDEN = re.compile(r"\(\?<?[=!]|\\[1-9]")
#: How every head regex ends: the rest of the line is the message (sliced off, not captured: parsers/layout.py).
REST_SUFFIX = "(?P<rest>.*)$"
ZONES = ("none", "in-line")
#: What the time of a record says: a date and a time (the usual), only the time of day (logback's and
#: log4j2's default layouts: the date comes from the file name, --jvm-start or a record that carries an
#: epoch time), or nothing at all (slf4j-simple's default).
CLOCKS = ("date-time", "time-of-day", "none")
FAMILIES = ("broker", "client", "gc", "events")


class SpecError(ValueError):
    """A spec that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Untimed:
    name: str
    regex: str
    level: str
    logger: str


@dataclass(frozen=True)
class Sample:
    lines: tuple[str, ...]
    expect: dict[str, Any]
    pattern: str = "head"


@dataclass(frozen=True)
class LayoutSpec:
    """One log layout. ``head`` must capture ``ts`` and ``level``, and end with ``(?P<rest>.*)$``."""

    name: str
    title: str
    family: str
    description: str
    head: str
    hint: str | None
    ts_field: str
    ts_format: str
    zone: str
    tail: str | None = None
    #: All time formats tried, in order (the first that parses wins); ``ts_format`` is the first.
    ts_formats: tuple[str, ...] = ()
    clock: str = "date-time"
    untimed: tuple[Untimed, ...] = ()
    samples: tuple[Sample, ...] = ()
    path: Path | None = field(default=None, compare=False)

    @property
    def sample(self) -> str:
        return self.samples[0].lines[0]


def _check_regex(where: str, regex: str, required: tuple[str, ...] = ()) -> None:
    if _FORBIDDEN.search(regex):
        raise SpecError(f"{where}: look-around and backreferences are not allowed (polars cannot run them)")
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise SpecError(f"{where}: invalid regex: {exc}") from exc
    missing = [name for name in required if name not in compiled.groupindex]
    if missing:
        raise SpecError(f"{where}: the regex must capture {', '.join(missing)}")


def _get(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise SpecError(f"{where}: missing key {key!r}")
    return data[key]


def _time_formats(stamp: dict[str, Any], clock: str, where: str) -> tuple[str, ...]:
    """``[timestamp].format``: one chrono format or a list of them (tried in order); none for clock "none"."""
    if clock == "none":
        return ("",)
    value = _get(stamp, "format", f"{where}: [timestamp]")
    formats = (value,) if isinstance(value, str) else tuple(value)
    if not formats or not all(isinstance(f, str) and f for f in formats):
        raise SpecError(f"{where}: [timestamp].format must be a chrono format or a non-empty list of them")
    return formats


def parse_spec(data: dict[str, Any], where: str, path: Path | None = None) -> LayoutSpec:
    """Build a LayoutSpec from parsed TOML, checking its structure (not yet its samples)."""
    head = _get(data, "head", where)
    stamp = _get(data, "timestamp", where)
    head_regex = _get(head, "regex", f"{where}: [head]")
    ts_field = stamp.get("field", "ts")
    clock = stamp.get("clock", "date-time")
    if clock not in CLOCKS:
        raise SpecError(f"{where}: [timestamp].clock must be one of {CLOCKS}, not {clock!r}")
    _check_regex(f"{where}: [head].regex", head_regex, ("level",) if clock == "none" else (ts_field, "level"))
    formats = _time_formats(stamp, clock, where)
    if not (head_regex.startswith("^") and head_regex.endswith(REST_SUFFIX)):
        raise SpecError(f"{where}: [head].regex must start with ^ and end with {REST_SUFFIX} (the message)")
    zone = stamp.get("zone", "none")
    if zone not in ZONES:
        raise SpecError(f"{where}: [timestamp].zone must be one of {ZONES}, not {zone!r}")
    if clock != "date-time" and zone != "none":
        raise SpecError(f"{where}: [timestamp].zone must be 'none' for clock {clock!r}")
    family = _get(data, "family", where)
    if family not in FAMILIES:
        raise SpecError(f"{where}: family must be one of {FAMILIES}, not {family!r}")
    tail = data.get("tail", {}).get("regex")
    if tail is not None:
        _check_regex(f"{where}: [tail].regex", tail, ("logger",))
    untimed = []
    for i, item in enumerate(data.get("untimed", [])):
        spot = f"{where}: [[untimed]] #{i + 1}"
        _check_regex(f"{spot}.regex", _get(item, "regex", spot))
        untimed.append(Untimed(_get(item, "name", spot), item["regex"], item.get("level", "INFO"), item.get("logger", "")))
    samples = tuple(
        Sample(tuple(s["lines"]), dict(s.get("expect", {})), s.get("pattern", "head")) for s in data.get("samples", [])
    )
    if not samples:
        raise SpecError(f"{where}: a spec needs at least one [[samples]] entry")
    return LayoutSpec(
        name=_get(data, "name", where),
        title=_get(data, "title", where),
        family=family,
        description=" ".join(str(data.get("description", "")).split()),
        head=head_regex,
        hint=head.get("hint"),
        ts_field=ts_field,
        ts_format=formats[0],
        ts_formats=formats,
        clock=clock,
        zone=zone,
        tail=tail,
        untimed=tuple(untimed),
        samples=samples,
        path=path,
    )


def load_spec_file(path: Path) -> LayoutSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from exc
    spec = parse_spec(data, str(path), path)
    if spec.name != path.stem:
        raise SpecError(f"{path}: name {spec.name!r} must equal the file name {path.stem!r}")
    return spec


def spec_files(directory: Path = FORMATS_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))
