"""One file, several logs: dealing a file's lines to the logs it holds.

Two kinds of file hold more than one log:

* a capture of several writers behind one wrapper: ``docker compose logs`` of every service, ``kubectl logs
  --prefix`` of several pods, a syslog file of several hosts. Each writer is a part, and its name is the
  part's host.
* a JVM's stdout that also holds its GC log (``-Xlog:gc*:stdout``, ``-verbose:gc``, older Strimzi images):
  two parts of the same host, ``log`` and ``gc``.

Each part is parsed by its own format and becomes its own ``sources`` row (the same path; ``part`` names it);
its lines keep their numbers in the file. A line that does not say whose it is (a stack-trace line, a GC
detail line) goes with the line before it. The runs of consecutive lines dealt to each part are kept, so
that the accounting can count each part's own lines inside its records (another writer's lines may fall
between a record's first and last line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from parsers.base import Format
from parsers.gc.detect import GC_LINE, LEGACY_DETAIL
from parsers.registry import LayoutFormat, all_formats, detect

#: A stdout is split into its log and its GC lines when its first lines hold at least this many of each.
MIN_LINES = 2


@dataclass(frozen=True)
class Split:
    """How a file's lines are dealt to its parts.

    ``by`` is what a part is: ``container`` | ``pod`` | ``host`` (a writer named by the wrapper's prefix, whose
    name becomes the part's host) or ``stream`` (``log`` and ``gc`` of one JVM's stdout). ``key`` gives each
    line's part, null where the line does not say. ``formats`` fixes the format of known parts.
    """

    by: str
    key: pl.Expr
    formats: dict[str, Format] = field(default_factory=dict)

    @property
    def names_hosts(self) -> bool:
        return self.by != "stream"

    def label(self, key: str) -> str:
        return key if self.by == "stream" else f"{self.by} {key}"


def by_writer(wrapper_writer: str) -> Split:
    """A capture of several containers, pods or hosts: each one's lines are a part."""
    return Split(by=wrapper_writer, key=pl.col("writer"))


def stdout_split(head: list[str], fmt: Format | None) -> Split | None:
    """A JVM stdout holding an application log and GC lines: ``log`` and ``gc`` parts, or None.

    Whichever of the two the file's detection chose (a broker's stdout with a few GC lines reads as a broker
    log; a JDK 8 stdout, where GC records are long, can read as a GC log), the other must show at least
    ``MIN_LINES`` heads among the first lines.
    """
    gc_line = re.compile(GC_LINE)
    gc_lines = [line for line in head if gc_line.match(line)]
    other = [line for line in head if line.strip() and not gc_line.match(line) and not LEGACY_DETAIL.match(line)]
    if fmt is not None and fmt.family == "gc":
        layouts = tuple(f for f in all_formats() if isinstance(f, LayoutFormat) and f.family in ("broker", "client"))
        log_fmt, gc_fmt = detect(other, layouts), fmt
    else:
        log_fmt = fmt
        gc_fmt = detect(gc_lines, tuple(f for f in all_formats() if f.family == "gc")) if gc_lines else None
    if not isinstance(log_fmt, LayoutFormat) or log_fmt.family not in ("broker", "client") or gc_fmt is None:
        return None
    log_head = re.compile(log_fmt.spec.head)
    if len(gc_lines) < MIN_LINES or sum(1 for line in other if log_head.match(line)) < MIN_LINES:
        return None
    line = pl.col("line")
    key = pl.when(line.str.contains(GC_LINE)).then(pl.lit("gc")).when(line.str.contains(log_fmt.spec.head)).then(pl.lit("log"))
    return Split(by="stream", key=key, formats={"log": log_fmt, "gc": gc_fmt})


class Dealer:
    """Deals batches of lines to parts, in file order, and keeps the runs of lines each part was dealt."""

    def __init__(self, split: Split) -> None:
        self.split = split
        self.last: str | None = None  # the part of the last line dealt, for lines that do not say
        self.counts: dict[str, int] = {}
        self.bad_bytes: dict[str, int] = {}  # lines with U+FFFD (invalid UTF-8 or NUL bytes)
        self._runs: list[pl.DataFrame] = []

    def deal(self, batch: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
        """The batch's lines by part, parts in order of their first line here; columns ``line_no``, ``line``."""
        keyed = batch.with_columns(self.split.key.alias("_part"))
        part = pl.col("_part").forward_fill()
        if self.last is not None:
            part = part.fill_null(pl.lit(self.last))
        keyed = keyed.with_columns(part.backward_fill())  # lines before the first that says: the first part named
        if keyed.get_column("_part").null_count():  # no line of the file has said yet
            keyed = keyed.with_columns(pl.lit("", pl.String).alias("_part"))
        self.last = keyed.get_column("_part")[-1] if keyed.height else self.last
        runs = keyed.with_columns((pl.col("_part") != pl.col("_part").shift(1)).fill_null(True).cum_sum().alias("_run"))
        self._runs.append(
            runs.group_by("_run", maintain_order=True).agg(
                pl.col("_part").first().alias("part"),
                pl.col("line_no").min().alias("first"),
                pl.col("line_no").max().alias("last"),
            ).drop("_run")
        )
        dealt = []
        for (key,), lines in keyed.partition_by("_part", maintain_order=True, as_dict=True).items():
            self.counts[key] = self.counts.get(key, 0) + lines.height
            bad = int(lines.get_column("line").str.contains("\ufffd", literal=True).sum())
            self.bad_bytes[key] = self.bad_bytes.get(key, 0) + bad
            dealt.append((key, lines.select("line_no", "line")))
        return dealt

    def runs(self) -> pl.DataFrame:
        """Every run of consecutive lines dealt to one part: ``part``, ``first``, ``last`` (line numbers)."""
        return pl.concat(self._runs) if self._runs else pl.DataFrame(schema={"part": pl.String, "first": pl.Int64, "last": pl.Int64})
