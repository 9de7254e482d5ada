"""The formats the tool knows, their self-test, and content-based detection.

Layout formats come from the TOML specs in parsers/formats/; formats that need
more than a layout (GC logs, JSON lines, CSV exports) are Python modules that
implement the same ``Format`` protocol. Every layout spec's samples are parsed
when the registry loads; detection only ever uses formats that passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from parsers.base import Format, FormatRefused, ParseContext
from parsers.layout import CONTINUES, LayoutParser
from parsers.spec import LayoutSpec, SpecError, load_spec_file, spec_files

#: Lines looked at for detection.
DETECT_LINES = 200


@dataclass(frozen=True)
class LayoutFormat:
    """A ``Format`` backed by a layout spec."""

    spec: LayoutSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def sample(self) -> str:
        return self.spec.sample

    def score(self, head_lines: list[str]) -> float:
        """Share of non-empty lines that start a record; 0 when too many lines fit nowhere.

        A layout that puts the logger at the end (``tail``) earns the second half of
        its score only for heads that end that way, so two layouts with the same start
        (Quarkus and Strimzi's ``%d{ISO8601} %p``) are told apart by their ends.
        """
        head = re.compile(self.spec.head)
        starts = [re.compile(u.regex) for u in self.spec.untimed]
        hint = re.compile(self.spec.hint) if self.spec.hint else None
        tail = re.compile(self.spec.tail) if self.spec.tail else None
        continues = re.compile(CONTINUES)
        heads = misfits = nonempty = tails = 0
        for line in head_lines:
            if not line.strip():
                continue
            nonempty += 1
            if head.match(line) or any(s.match(line) for s in starts):
                heads += 1
                tails += bool(tail and tail.search(line))
            elif (heads == 0 and not continues.match(line)) or (hint and hint.match(line)):
                misfits += 1  # (a file may start in the middle of a record: its stack frames are no misfit)
        if heads == 0 or misfits * 2 > nonempty:
            return 0.0
        share = heads / nonempty
        return share if tail is None else share * (1 + tails / heads) / 2

    def parser(self, ctx: ParseContext) -> LayoutParser:
        return LayoutParser(self.spec, ctx)


def parse_lines(fmt: Format, lines: list[str], ctx: ParseContext | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse a small list of lines in one go: (records, rejects). Used by sample checks and tests."""
    ctx = ctx or ParseContext(path="<sample>", host="sample")
    parser = fmt.parser(ctx)
    batch = pl.DataFrame({"line_no": range(1, len(lines) + 1), "line": lines}, schema={"line_no": pl.Int64, "line": pl.String})
    parts = [parser.parse(batch), parser.finish()]
    return pl.concat([p.records for p in parts]), pl.concat([p.rejects for p in parts])


def _as_comparable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def check_samples(fmt: LayoutFormat) -> None:
    """Parse every sample of a layout spec; raise SpecError on the first one that fails."""
    for number, sample in enumerate(fmt.spec.samples, start=1):
        where = f"{fmt.spec.path or fmt.name}: sample #{number}"
        records, rejects = parse_lines(fmt, list(sample.lines))
        if rejects.height or records.height != 1:
            raise SpecError(
                f"{where}: expected one record and no rejects, got {records.height} record(s) and "
                f"{rejects.height} reject(s) {rejects['reason'].to_list()[:3]}"
            )
        record = records.row(0, named=True)
        is_untimed = record["ts_origin"] == "inherited"
        if (sample.pattern == "head") == is_untimed:
            raise SpecError(f"{where}: matched {'an untimed pattern' if is_untimed else 'head'}, not {sample.pattern!r}")
        expect = {"line_start": 1, "line_end": len(sample.lines), **sample.expect}
        for key, wanted in expect.items():
            if key not in record:
                raise SpecError(f"{where}: expect has unknown field {key!r}")
            got = _as_comparable(record[key])
            if got != wanted:
                raise SpecError(f"{where}: {key} is {got!r}, expected {wanted!r}")


def _check_no_overlap(formats: list[LayoutFormat]) -> None:
    """A sample line of one layout must not be a record head in another (detection would be ambiguous)."""
    for fmt in formats:
        for other in formats:
            if other is fmt:
                continue
            head = re.compile(other.spec.head)
            for sample in fmt.spec.samples:
                if head.match(sample.lines[0]):
                    raise SpecError(f"{fmt.spec.path}: sample {sample.lines[0][:60]!r} is also a record head in {other.name}")


def load_layout_formats(paths: list[Path] | None = None) -> list[LayoutFormat]:
    formats = [LayoutFormat(load_spec_file(path)) for path in (paths or spec_files())]
    for fmt in formats:
        check_samples(fmt)
    _check_no_overlap(formats)
    return formats


def _plugin_formats() -> list[Format]:
    """Formats written in Python (GC logs, JSON lines, exports), each package exporting FORMATS."""
    found: list[Format] = []
    for module in ("parsers.gc", "parsers.client", "parsers.exports", "parsers.jvm"):
        try:
            package = __import__(module, fromlist=["FORMATS"])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        found.extend(package.FORMATS)
    return found


@lru_cache(maxsize=1)
def all_formats() -> tuple[Format, ...]:
    """Every format, layouts first, in a fixed order."""
    formats: list[Format] = [*load_layout_formats(), *_plugin_formats()]
    names = [f.name for f in formats]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SpecError(f"format names defined twice: {', '.join(duplicates)}")
    return tuple(formats)


def get_format(name: str) -> Format:
    for fmt in all_formats():
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in all_formats())
    raise KeyError(f"unknown format {name!r}; known formats: {known}")


class AmbiguousFormat(ValueError):
    """Two formats fit a file equally well."""


def detect(head_lines: list[str], formats: tuple[Format, ...] | None = None) -> Format | None:
    """The format that fits these first lines best; None when none fits.

    Raises FormatRefused for files we recognise and refuse, AmbiguousFormat on a tie.
    """
    scored: list[tuple[float, Format]] = []
    for fmt in formats or all_formats():
        try:
            score = fmt.score(head_lines)
        except FormatRefused:
            raise
        if score > 0:
            scored.append((score, fmt))
    if not scored:
        return None
    scored.sort(key=lambda pair: -pair[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        raise AmbiguousFormat(
            f"fits {scored[0][1].name} and {scored[1][1].name} equally well; choose one with --format"
        )
    return scored[0][1]
