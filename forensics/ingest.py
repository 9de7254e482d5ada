"""Ingest: files → format → batches of lines → records, rejects, typed events → DuckDB.

One file is one transaction: an interrupted ingest leaves every file either
wholly in the database or not at all. The same content (sha256) is never
ingested twice. For every file, lines read = lines inside records + lines
rejected, or the file is marked ``error``; a file that cannot be read or
parsed is reported with its reason and the ingest goes on with the next one.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from forensics import clocks, parts, reader
from forensics.discovery import InputFile, TzPolicy
from forensics.errors import StorageError, is_interrupt, is_storage_failure
from forensics.secrets import mask_secrets
from parsers.base import LINES_SCHEMA, Format, FormatRefused, ParseContext, ParsedBatch, make_rejects
from parsers.events import EventRouter
from parsers.registry import DETECT_LINES, AmbiguousFormat, detect, get_format


@dataclass
class FileResult:
    """What happened to one file; becomes its ``sources`` row and its summary line."""

    file: InputFile
    status: str = "ok"  # ok | duplicate | unrecognised | refused | error
    note: str | None = None
    format: str | None = None
    family: str | None = None
    source_id: int | None = None
    lines_read: int = 0
    records: int = 0
    lines_in_records: int = 0
    lines_rejected: int = 0
    lines_bad_bytes: int = 0
    events: int = 0
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    zone: str | None = None
    ts_origin: str | None = None
    #: the prefix taken off every line (``docker compose``, ``kubectl --prefix``, ``journald`` …), if any
    wrapper: reader.Wrapper | None = None
    #: which log of a file that holds several (``container kafka-1``, ``gc``: see ``forensics.parts``); None: all of it
    part: str | None = None
    #: lines in which a secret value was masked before anything was stored (``forensics.secrets``)
    secrets_masked: int = 0


@dataclass
class IngestOptions:
    tz: TzPolicy = field(default_factory=lambda: TzPolicy(None))
    format: str | None = None
    anchor: datetime | None = None
    #: store secret values as they are (``--keep-secrets``); by default they are masked before anything is stored
    keep_secrets: bool = False
    #: read files already in the database again, with these options, replacing what they gave (``--replace``)
    replace: bool = False


#: Said with every file skipped as already ingested.
REPLACE_HINT = " (--replace reads it again with the options given now: --tz, --host, --format, --layout)"


class _Sink:
    """Writes one log's parse output into the open transaction, through the file's loader, keeping the counts."""

    def __init__(self, loader: _Loader, result: FileResult, source_id: int, host: str) -> None:
        self.loader = loader
        self.result = result
        self.events = EventRouter(result.family or "")  # typed events go to <role>_events
        #: The values every row gets in front of the parser's columns: which file, which host (constants in
        #: the INSERT, not columns of the frame: DuckDB then stores constant vectors instead of converting rows).
        self.source_id, self.host = source_id, host

    def write(self, out: ParsedBatch) -> None:
        result = self.result
        records = out.records
        if records.height:
            stats = records.select(
                pl.len().alias("n"),
                (pl.col("line_end") - pl.col("line_start") + 1).sum().alias("lines"),
                pl.col("ts").min().alias("first"),
                pl.col("ts").max().alias("last"),
            ).row(0)
            result.records += stats[0]
            result.lines_in_records += stats[1]
            result.first_ts = _earliest(result.first_ts, stats[2])
            result.last_ts = _latest(result.last_ts, stats[3])
            self._insert("records", records)
            self._write_events(self.events.add(records))
            result.family = self.events.family  # a client app in Kafka's log4j layout is a client
        if out.rejects.height:
            result.lines_rejected += out.rejects.height
            self._insert("rejects", out.rejects, with_host=False)
        for table, frame in out.tables.items():
            if frame.height:
                result.events += frame.height
                self._insert(table, frame)

    def _write_events(self, ready: list[tuple[str, pl.DataFrame]]) -> None:
        for table, events in ready:
            self.result.events += events.height
            self._insert(table, events)

    def finish(self) -> None:
        """The typed events still gathered (the router runs its rules on many batches at once)."""
        self._write_events(self.events.flush())

    def _insert(self, table: str, frame: pl.DataFrame, with_host: bool = True) -> None:
        """Append a frame to a table, on the loader thread (DuckDB's append overlaps the next batch's parse)."""
        self.loader.put(table, frame, [self.source_id, self.host] if with_host else [self.source_id])


class _Loader:
    """Appends frames to tables, in order, on one background thread: the only one that writes while a file loads
    (a DuckDB connection takes one call at a time), whatever the number of logs the file holds.

    DuckDB scans each polars frame (through Arrow) into the open transaction while the next batch
    is parsed. The queue holds at most two frames, so memory stays bounded whatever the file size.
    (``con.register`` instead of the scan by name kept every frame alive until the commit: 1.8 GB
    for a 1 GB log; a parquet part per frame bounded it too but cost 2 s of CPU per GB.)
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.queue: queue.Queue[tuple[str, pl.DataFrame, list[object]] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        """Wait until every frame is loaded; a loading error is raised here, in the ingest thread."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.error is not None and exc[0] is None:
            raise self.error

    def put(self, table: str, frame: pl.DataFrame, leading: list[object]) -> None:
        """Queue ``frame`` for ``table``, behind ``leading``: the values of its first columns, alike on every row."""
        if self.error is not None:
            raise self.error
        if self.thread is None:  # started at the first frame: a file with nothing to load needs no thread
            self.thread = threading.Thread(target=self._run, name="forensics-loader", daemon=True)
            self.thread.start()
        self.queue.put((table, frame, leading))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            table, frame, leading = item
            del item
            try:
                if self.error is None:
                    constants = "".join("?, " for _ in leading)  # DuckDB finds `frame` by its name here
                    self.con.execute(f"INSERT INTO {table} SELECT {constants}* FROM frame", leading)
                del frame
            except BaseException as exc:  # handed to the ingest thread by put() / finish()
                self.error = exc



def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


class _RejectAll:
    """The parser for a file no format fits: every line is a reject with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        return ParsedBatch(rejects=make_rejects(batch["line_no"], self.reason, batch["line"]))

    def finish(self) -> ParsedBatch:
        return ParsedBatch()


def _read_head(file: InputFile, result: FileResult) -> list[str] | None:
    """The file's first lines, without the wrapper's prefix (``result.wrapper``); None when it cannot be read or is empty."""
    try:
        head = reader.head_lines(file.path)
    except OSError as exc:
        result.status, result.note = "error", str(exc)
        return None
    if head == [""]:  # nothing to read: wholly ingested as it is
        result.note = "empty file"
        return None
    result.wrapper = reader.detect_wrapper(head)
    if result.wrapper is not None:
        head = [result.wrapper.strip(line) for line in head]
    return head


def _choose_format(head: list[str], options: IngestOptions, result: FileResult, whole_file: bool = True) -> Format | None:
    """The format of these first lines (``--format`` if given); on failure ``result`` says why.

    Only for a whole file may an indented paste be read without its indentation (``result.wrapper``).
    """
    if options.format:
        return get_format(options.format)
    try:
        fmt = detect(head)
        indented = reader.indentation(head) if fmt is None and whole_file else None
        if indented is not None and (fmt := detect([indented.strip(line) for line in head])) is not None:
            result.wrapper = indented
    except FormatRefused as exc:
        result.status, result.note = "refused", str(exc)
        return None
    except AmbiguousFormat as exc:
        result.status, result.note = "unrecognised", str(exc)
        return None
    if fmt is None:
        result.status = "unrecognised"
        result.note = "no known format fits the first lines (see `forensics formats`; --format forces one)"
    return fmt


def _choose_split(file: InputFile, head: list[str], fmt: Format | None, options: IngestOptions,
                  result: FileResult) -> parts.Split | None:
    """How the file is dealt to the logs it holds, when it holds more than one (``forensics.parts``)."""
    wrapper = result.wrapper
    if wrapper is not None and wrapper.writer:
        return parts.by_writer(wrapper.writer) if len(reader.writers(file.path, wrapper)) > 1 else None
    return parts.stdout_split(head, fmt)


#: The content is in the database only when every log of the file was ingested whole: a file that failed, was
#: refused or fit no format is read again on the next run (with another --format, say), its old rows replaced.
_INGESTED = "SELECT path FROM sources WHERE sha256 = ? GROUP BY path HAVING bool_and(status = 'ok') LIMIT 1"


def _already_ingested(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    fingerprint = reader.quick_fingerprint(path)
    if not con.execute("SELECT 1 FROM sources WHERE fingerprint = ? LIMIT 1", [fingerprint]).fetchall():
        return None
    digest = reader.content_hash(path)  # a fingerprint match is only a hint: two .gz can share size, head and tail
    rows = con.execute(_INGESTED, [digest]).fetchall()
    return str(rows[0][0]) if rows else None


#: Every table whose rows belong to one source (``source_id``), and the column that says so.
_BY_SOURCE = {"records": "source_id", "rejects": "source_id", "broker_events": "source_id",
              "client_events": "source_id", "gc_events": "source_id", "rollouts": "source_id", "deploys": "source_id",
              "event_copies": "source_id", "time_outliers": "source_id", "sources": "source_id"}


def _forget_failed(con: duckdb.DuckDBPyConnection, sha256: str, keep: list[int], everything: bool = False) -> None:
    """Take out what an earlier, failed ingest of the same content left (its rows of every table), in the
    transaction of the new one: a file is retried, never held twice. ``everything``: a whole earlier ingest too
    (``--replace``: read again with new options)."""
    old = [sid for (sid,) in con.execute(
        "SELECT source_id FROM sources WHERE sha256 = ? AND (status <> 'ok' OR ?)", [sha256, everything]).fetchall()
        if sid not in keep]
    if not old:
        return
    for table, column in _BY_SOURCE.items():
        con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest($ids))", {"ids": old})
    con.execute("DELETE FROM event_copies WHERE kept_source_id IN (SELECT unnest($ids))", {"ids": old})


def _jvm_start(con: duckdb.DuckDBPyConnection, host: str) -> datetime | None:
    """When the host's latest JVM started, from its own logs: the first line Kafka writes at every start.

    Only uptime-only GC logs use it (GC files are ingested after the host's other logs); it is the
    start of the *latest* JVM, which is the one the current GC file belongs to.
    """
    rows = con.execute(
        """SELECT max(ts) FROM records
           WHERE host = ? AND message LIKE 'Registered kafka:type=kafka.Log4jController MBean%'""",
        [host],
    ).fetchall()
    return rows[0][0] if rows else None


def _next_source_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchall()[0][0])


def ingest_file(con: duckdb.DuckDBPyConnection, file: InputFile, options: IngestOptions) -> list[FileResult]:
    """Ingest one file in one transaction: one result, or one per log when the file holds several."""
    result = FileResult(file)
    try:
        known = _already_ingested(con, file.path)
    except OSError as exc:
        result.status, result.note = "error", f"cannot read: {exc.strerror or exc}"
        _record_failure(con, file, result)
        return [result]
    if known and not options.replace:
        result.status, result.note = "duplicate", f"same content as {known}, already ingested{REPLACE_HINT}"
        return [result]
    head = _read_head(file, result)
    fmt = _choose_format(head, options, result) if head is not None else None
    if result.status == "error":
        _record_failure(con, file, result)
        return [result]
    try:
        split = _choose_split(file, head, fmt, options, result) if head is not None else None
    except OSError as exc:
        result.status, result.note = "error", f"cannot read: {exc}"
        _record_failure(con, file, result)
        return [result]
    with _one_thread(con):
        con.begin()
        try:
            results = _load(con, file, result, fmt, split, options)
        except Exception as exc:  # a parser bug must not stop the ingest: report it, keep the file out
            _rollback(con)
            if is_interrupt(exc):  # Ctrl-C that arrived inside a DuckDB call
                raise KeyboardInterrupt from exc
            _stop_if_storage_failed(exc, file)
            if os.environ.get("FORENSICS_DEBUG"):
                raise
            result.status, result.note = "error", f"could not be parsed ({type(exc).__name__}: {exc})"
            _record_failure(con, file, result)
            return [result]
        except BaseException:
            _rollback(con)
            raise
        try:
            con.rollback() if results[0].status == "duplicate" else con.commit()
        except Exception as exc:
            if is_interrupt(exc):  # the commit did not finish: DuckDB leaves the file out
                raise KeyboardInterrupt from exc
            _stop_if_storage_failed(exc, file)
            raise
    return results


def _stop_if_storage_failed(exc: Exception, file: InputFile) -> None:
    """The database cannot be written: stop the ingest with one message (the files before this one are in)."""
    if is_storage_failure(exc):
        raise StorageError(
            f"cannot write the database while ingesting {file.shown}: {str(exc).split(': ', 1)[-1]}",
            hint="free some space (or write --db elsewhere) and run the same ingest again: the files already in are "
                 "skipped, this one is retried",
        ) from exc


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll the file's transaction back; a second Ctrl-C during it must not hide the first."""
    try:
        con.rollback()
    except Exception as exc:  # an interrupted or already aborted transaction
        if not is_interrupt(exc) and "no transaction" not in str(exc).lower():
            raise


@contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread while a file is appended, then back to its default.

    One thread fills row groups in order, and each is compressed and written once, as it fills. With
    more, every INSERT leaves partly filled row groups that the checkpoint merges and writes again
    (300 MB GC log: 0.6-0.8 s more at close, 2.4 s more CPU; the broker log does not care either way).
    """
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute("RESET threads")


class _Part:
    """One log of a file (the whole file, mostly): its result row, parser and sink."""

    def __init__(self, loader: _Loader, result: FileResult, fmt: Format | None,
                 options: IngestOptions, jvm_start: datetime | None) -> None:
        file = result.file
        zone, given = options.tz.zone_for(file.host, str(file.path))
        anchor, anchor_origin = options.anchor, "flag"
        if anchor is None and fmt is not None and fmt.family == "gc":
            anchor, anchor_origin = jvm_start, "jvm-start"
        self.ctx = ParseContext(path=str(file.path), host=file.host, tz=zone, tz_given=given, anchor=anchor,
                                anchor_origin=anchor_origin)
        self.parser = fmt.parser(self.ctx) if fmt else _RejectAll(f"file not parsed: {result.note}")
        if fmt:
            result.format, result.family = fmt.name, fmt.family
        self.result = result
        self.sink = _Sink(loader, result, result.source_id, file.host)  # type: ignore[arg-type]

    def parse(self, lines: pl.DataFrame) -> None:
        self.sink.write(self.parser.parse(lines))  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.sink.write(self.parser.finish())  # type: ignore[attr-defined]
        self.sink.finish()


def _load(con: duckdb.DuckDBPyConnection, file: InputFile, result: FileResult, fmt: Format | None,
          split: parts.Split | None, options: IngestOptions) -> list[FileResult]:
    """Parse the file into the open transaction; the results, one per log it holds, have their counts."""
    next_id = _next_source_id(con)
    # an uptime-only GC log takes its wall clock from the start of its host's JVM, as its other files show; asked
    # before any part loads (the connection is busy then). A writer of a capture has no other files.
    gc_here = (split is None and fmt is not None and fmt.family == "gc") or (split is not None and split.by == "stream")
    jvm_start = _jvm_start(con, file.host) if gc_here and options.anchor is None else None
    stats = reader.ReadStats()
    logs: dict[str | None, _Part] = {}
    dealer = parts.Dealer(split) if split else None
    secrets = 0  # lines in which a secret was masked

    def part_for(key: str | None, lines: pl.DataFrame) -> _Part:
        nonlocal next_id
        if key not in logs:
            if split is None:
                part_result, part_fmt = result, fmt
            else:
                part_result, part_fmt = _part_result(file, result, split, key, lines, options)
            part_result.source_id, next_id = next_id, next_id + 1
            logs[key] = _Part(loader, part_result, part_fmt, options, jvm_start)
        return logs[key]

    with _Loader(con) as loader:
        for batch in reader.read_batches(file.path, stats, wrapper=result.wrapper, with_writer=split is not None):
            if not options.keep_secrets:  # before anything is parsed: no table ever holds the value
                masked, count = mask_secrets(batch.get_column("line"))
                if count:
                    batch, secrets = batch.with_columns(masked), secrets + count
            for key, lines in dealer.deal(batch) if dealer else [(None, batch)]:
                part_for(key, lines).parse(lines)
        if not logs:
            part_for(None if dealer is None else "", pl.DataFrame(schema=LINES_SCHEMA))
        for part in logs.values():
            part.finish()
    results = [part.result for part in logs.values()]
    dup = con.execute(_INGESTED, [stats.sha256]).fetchall() if not options.replace else []
    if dup:
        result.status, result.note = "duplicate", f"same content as {dup[0][0]}, already ingested{REPLACE_HINT}"
        return [result]
    _forget_failed(con, stats.sha256, keep=[r.source_id for r in results], everything=options.replace)  # type: ignore[misc]
    if dealer is None:
        result.lines_read = stats.lines
        result.lines_bad_bytes = stats.lines_with_bad_bytes
    else:
        _count_parts(con, dealer, logs)
    for part in logs.values():
        _close_part(con, part, stats)
    results[0].secrets_masked = secrets  # (of the whole file, where it holds several logs)
    if stats.lines_cut:
        cut = f"{stats.lines_cut} line(s) longer than {reader.MAX_LINE_BYTES >> 20} MiB cut to it (the rest not kept)"
        results[0].note = f"{results[0].note}; {cut}" if results[0].note else cut
    if dealer is not None and sum(r.lines_read for r in results) != stats.lines:
        for r in results:
            r.status = "error"
            r.note = f"internal accounting error: {stats.lines} lines read, {sum(x.lines_read for x in results)} dealt to its logs"
    for r in results:
        _insert_source(con, r.file, r, stats)
    return results


def _part_result(file: InputFile, whole: FileResult, split: parts.Split, key: str, lines: pl.DataFrame,
                 options: IngestOptions) -> tuple[FileResult, Format | None]:
    """The result row and the format of one log of a file that holds several."""
    host = key if split.names_hosts and key else file.host
    part_file = replace(file, host=host, host_origin=split.by if split.names_hosts and key else file.host_origin)
    result = FileResult(part_file, part=split.label(key) if key else None, wrapper=whole.wrapper)
    fmt = split.formats.get(key)
    if fmt is None:
        fmt = _choose_format(lines.get_column("line").head(DETECT_LINES).to_list(), options, result, whole_file=False)
    return result, fmt


def _count_parts(con: duckdb.DuckDBPyConnection, dealer: parts.Dealer, logs: dict[str | None, _Part]) -> None:
    """Each log's lines: those dealt to it; in its records, only its own (another writer's lines may fall between
    a record's first and last line).

    A log's own lines up to line x are counted from the runs of lines dealt to it (an as-of join finds the run
    at x); a record [s, e] holds own(e) - own(s - 1) of them.
    """
    ids = pl.DataFrame({"part": list(logs), "source_id": [p.result.source_id for p in logs.values()]},
                       schema={"part": pl.String, "source_id": pl.Int32})
    runs = (  # noqa: F841  (DuckDB finds it by name)
        dealer.runs().join(ids, on="part")
        .with_columns((pl.col("last") - pl.col("first") + 1).cum_sum().over("source_id").alias("upto"))
    )
    own = dict(
        con.execute(
            """WITH r AS (SELECT source_id, line_start - 1 AS before_start, line_end FROM records
                          WHERE source_id IN (SELECT source_id FROM runs)),
               owned AS (  -- own lines up to x: all runs before the one at x, and that run up to x
                   SELECT r.source_id,
                          u.upto - u.last + least(r.line_end, u.last)
                          - coalesce(b.upto - b.last + least(r.before_start, b.last), 0) AS n
                   FROM r ASOF JOIN runs u ON r.source_id = u.source_id AND r.line_end >= u.first
                          ASOF LEFT JOIN runs b ON r.source_id = b.source_id AND r.before_start >= b.first)
               SELECT source_id, sum(n)::BIGINT FROM owned GROUP BY source_id"""
        ).fetchall()
    )
    for key, part in logs.items():
        part.result.lines_read = dealer.counts.get(key, 0)  # type: ignore[arg-type]
        part.result.lines_bad_bytes = dealer.bad_bytes.get(key, 0)  # type: ignore[arg-type]
        part.result.lines_in_records = own.get(part.result.source_id, 0)


def _close_part(con: duckdb.DuckDBPyConnection, part: _Part, stats: reader.ReadStats) -> None:
    """A log's status, zone and time origin, once it is loaded."""
    result = part.result
    if stats.error:
        result.status, result.note = "error", stats.error
    if result.status == "ok" and result.format and result.lines_read and not result.records and not result.events:
        result.status = "unrecognised"  # (a forced --format that fits nothing): not ingested, so retried next time
        result.note = f"no line of it is a {result.format} record (see the rejects for why)"
    if result.lines_in_records + result.lines_rejected != result.lines_read:
        result.status = "error"
        result.note = (
            f"internal accounting error: {result.lines_read} lines read, {result.lines_in_records} in records, "
            f"{result.lines_rejected} rejected"
        )
    if result.format and result.records:
        result.zone = part.ctx.tz if result.family != "gc" else None
        origins = con.execute(
            "SELECT string_agg(DISTINCT ts_origin, ', ' ORDER BY ts_origin) FROM records WHERE source_id = ?",
            [result.source_id],
        ).fetchall()
        result.ts_origin = origins[0][0]


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _fingerprint(path: Path) -> str | None:
    try:
        return reader.quick_fingerprint(path)
    except OSError:
        return None


def _record_failure(con: duckdb.DuckDBPyConnection, file: InputFile, result: FileResult) -> None:
    """A sources row for a file that could not be read or parsed at all, so that it shows; the next run retries it
    (and replaces this row)."""
    stats = reader.ReadStats()
    try:
        stats.sha256 = reader.content_hash(file.path)
    except OSError:
        stats.sha256 = ""
    if stats.sha256:
        _forget_failed(con, stats.sha256, keep=[])
    result.source_id = _next_source_id(con)
    _insert_source(con, file, result, stats)


def _insert_source(con: duckdb.DuckDBPyConnection, file: InputFile, result: FileResult, stats: reader.ReadStats) -> None:
    con.execute(
        """INSERT INTO sources VALUES ($id, $path, $abs, $host, $host_origin, $format, $family, $kind, $size, $sha,
           $fp, $lines, $records, $in_records, $rejected, $bad, $first, $last, $zone, $origin, $status, $note, $now,
           $wrapper, $masked, $part)""",
        {
            "id": result.source_id, "path": str(file.path), "abs": str(file.path.resolve()), "host": file.host,
            "host_origin": file.host_origin, "format": result.format, "family": result.family, "kind": file.log_kind,
            "size": _size(file.path), "sha": stats.sha256, "fp": _fingerprint(file.path),
            "lines": result.lines_read, "records": result.records, "in_records": result.lines_in_records,
            "rejected": result.lines_rejected, "bad": result.lines_bad_bytes, "first": result.first_ts,
            "last": result.last_ts, "zone": result.zone, "origin": result.ts_origin, "status": result.status,
            "note": result.note, "now": datetime.now(UTC), "wrapper": result.wrapper.name if result.wrapper else None,
            "masked": result.secrets_masked,
            "part": result.part,
        },
    )


#: Lines a broker logs about itself, naming its own id.
SELF_KINDS = ("broker_started", "broker_shutdown", "controlled_shutdown", "heartbeat_failed", "pid_rpc_timeout",
              "isr_shrink", "isr_expand", "isr_updated", "broker_config")
#: Events about the broker that logged them whose line does not name it (an OOM, a fatal error, a recovery).
UNNAMED_KINDS = ("oom", "fatal", "producer_snapshot", "unclean_recovery", "unclean_shutdown", "broker_starting",
                 "broker_shutdown", "zk_session_expired", "zk_session_timeout", "process_signal")
#: The ids brokers give of themselves, file by file: their own lines and config dumps.
OWN_IDS = f"""
    SELECT host, source_id, broker_id, kind = 'broker_config' AS from_config FROM broker_events
    WHERE kind IN {SELF_KINDS} AND broker_id_origin = 'line' AND broker_id IS NOT NULL"""


def finalize(con: duckdb.DuckDBPyConnection) -> list[clocks.HostClock]:
    """Facts that need every file: each host's clock (``forensics.clocks``), the broker id of each host and of
    each file, never guessed. Returns what was decided about the hosts' clocks.

    A file's events whose line does not name a broker take the broker id of the file's own config dump
    (``KafkaConfig values: … broker.id = N``, or ``node.id``) when every dump in the file and every line the
    broker logs about itself agree on one id (one JVM writes it); ``broker_id_origin = 'config'``. Otherwise
    they keep NULL: two brokers writing the same files (a shared ``logs/`` folder) leave their fatal errors unknown.
    ``hosts.broker_id`` is the one id that a host's dumps and own lines show, NULL when they show several.
    """
    decided = clocks.settle(con)
    drop_copies(con)
    settle_window(con)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE hosts AS
        WITH own AS (SELECT host, broker_id, bool_or(from_config) AS from_config FROM ({OWN_IDS}) GROUP BY ALL)
        SELECT s.host,
               CASE WHEN count(DISTINCT own.broker_id) = 1 THEN min(own.broker_id) END AS broker_id,
               CASE WHEN count(DISTINCT own.broker_id) = 1 THEN
                    CASE WHEN bool_or(own.from_config) THEN 'config' ELSE 'own lines' END END AS broker_id_origin,
               nullif(array_to_string(list_sort(list_distinct(list(own.broker_id))), ','), '') AS broker_ids_seen,
               string_agg(DISTINCT s.family, ',' ORDER BY s.family) AS families,
               count(DISTINCT s.source_id) AS files
        FROM sources s LEFT JOIN own USING (host)
        GROUP BY s.host
        """
    )
    con.execute(
        f"""
        WITH own AS ({OWN_IDS}), files AS (
            SELECT source_id, min(broker_id) AS broker_id FROM own GROUP BY source_id
            HAVING count(DISTINCT broker_id) = 1 AND bool_or(from_config)
        )
        UPDATE broker_events e SET broker_id = f.broker_id, broker_id_origin = 'config'
        FROM files f
        WHERE e.source_id = f.source_id AND e.broker_id IS NULL AND e.kind IN {UNNAMED_KINDS}
        """
    )
    return decided


#: Hours with records further apart than this split the data into separate spans (see ``settle_window``).
WINDOW_GAP_HOURS = 24


def settle_window(con: duckdb.DuckDBPyConnection) -> None:
    """``time_window``: the span of the records' densest stretch, and ``time_outliers``: per file, the records
    outside it.

    The hours holding records are split wherever two are more than ``WINDOW_GAP_HOURS`` apart; the stretch
    with the most records is the window (the later one on a tie). One line stamped 1970, or a host whose clock
    is a year off, is a stretch of its own: named, never the span of a query. The histogram has a row per
    hour that holds records, so its size follows the data, not the span of its times.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TABLE time_window AS
        WITH hours AS (  -- the one scan of records: per hour, how many and the first and last time
            SELECT time_bucket(INTERVAL 1 hour, ts) AS h, count(*) AS n, min(ts) AS first, max(ts) AS last
            FROM records WHERE ts IS NOT NULL GROUP BY 1
        ), breaks AS (
            SELECT *, CASE WHEN h - lag(h) OVER (ORDER BY h) > INTERVAL {WINDOW_GAP_HOURS} hours THEN 1 ELSE 0 END AS gap
            FROM hours
        ), stretches AS (
            SELECT *, sum(gap) OVER (ORDER BY h ROWS UNBOUNDED PRECEDING) AS stretch FROM breaks
        ), best AS (
            SELECT min(first) AS window_start, max(last) AS window_end, sum(n) AS records_inside,
                   count(*) OVER () AS stretches
            FROM stretches GROUP BY stretch ORDER BY sum(n) DESC, min(h) DESC LIMIT 1
        )
        SELECT window_start, window_end, records_inside,
               (SELECT sum(n) FROM hours) - records_inside AS records_outside,
               'the densest of ' || stretches || ' stretch(es) of records (a gap of over {WINDOW_GAP_HOURS} hours splits them)' AS rule
        FROM best
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE time_outliers AS
        SELECT r.source_id, any_value(r.host) AS host, count(*) AS records, min(r.ts) AS first_ts, max(r.ts) AS last_ts
        FROM records r, time_window w
        WHERE r.ts < w.window_start OR r.ts > w.window_end
        GROUP BY r.source_id
        """
    )


#: Columns that tell where an event was logged, not what it says: two events alike in all others are one.
_PLACE = ("source_id", "host", "line_start", "line_end", "broker_id_origin")


def drop_copies(con: duckdb.DuckDBPyConnection) -> None:
    """Each event once, in ``broker_events`` and ``client_events`` (see ``_drop_copies``)."""
    for table in ("broker_events", "client_events"):
        _drop_copies(con, table)


def _drop_copies(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Of events alike in everything but their place, from records alike in logger and text, logged by one host in
    different files, the one in a file other than a stdout (else the first file ingested) stays; the others move
    to ``event_copies``, which keeps their place. (A JVM's own ``Exception in thread …`` line in its stdout is
    an event of its own, not a copy.)"""
    columns = [c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall() if c not in _PLACE]
    what = ", ".join(f'e."{c}"' for c in columns)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _copies AS
        WITH maybe AS (  -- only events whose host logged the same kind at the same time in another file can be copies
            SELECT rowid AS rid, * FROM {table} WHERE ts IS NOT NULL
            QUALIFY min(source_id) OVER (PARTITION BY host, kind, ts) <> max(source_id) OVER (PARTITION BY host, kind, ts)
        ), e AS (  -- with the text of the record each comes from: a copy is the same line
            SELECT e.*, coalesce(s.log_kind, '') = 'stdout' AS in_stdout, hash(r.logger, r.message) AS said
            FROM maybe e JOIN sources s USING (source_id)
            LEFT JOIN records r ON r.source_id = e.source_id AND r.line_start = e.line_start
        ), alike AS (
            SELECT rid, host, kind, ts, source_id, line_start, line_end,
                   first_value(source_id) OVER w AS kept_source_id, first_value(line_start) OVER w AS kept_line_start
            FROM e
            WINDOW w AS (PARTITION BY e.host, e.said, {what} ORDER BY in_stdout, source_id, line_start)
        )
        SELECT * FROM alike WHERE source_id <> kept_source_id
        """
    )
    if con.execute("SELECT count(*) FROM _copies").fetchall()[0][0]:
        con.execute(f"""INSERT INTO event_copies SELECT '{table}', host, kind, ts, source_id, line_start, line_end,
                        kept_source_id, kept_line_start FROM _copies""")
        con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rid FROM _copies)")
    con.execute("DROP TABLE _copies")


def _finalize_at_once(con: duckdb.DuckDBPyConnection) -> list[clocks.HostClock]:
    """``finalize`` in one transaction: interrupted, it leaves the facts of the last run, and the next run redoes it."""
    con.begin()
    try:
        decided = finalize(con)
    except BaseException as exc:
        _rollback(con)
        if isinstance(exc, Exception) and is_interrupt(exc):
            raise KeyboardInterrupt from exc
        raise
    try:
        con.commit()
    except Exception as exc:
        if is_interrupt(exc):
            raise KeyboardInterrupt from exc
        raise
    return decided


def ingest(
    con: duckdb.DuckDBPyConnection,
    files: list[InputFile],
    options: IngestOptions,
    on_file: Callable[[FileResult], None] = lambda _: None,
    on_note: Callable[[str], None] = lambda _: None,
) -> list[FileResult]:
    """Ingest files in order; each result is reported through ``on_file`` as soon as it is known, and what
    was decided about the hosts' clocks through ``on_note`` at the end (the results say it too)."""
    results = []
    for file in files:
        for result in ingest_file(con, file, options):
            on_file(result)
            results.append(result)
    for clock in _finalize_at_once(con):
        on_note(clock.note)
        for result in results:
            if clock.applied and result.file.host == clock.host and (result.ts_origin or "").startswith("assumed:UTC"):
                result.ts_origin = result.ts_origin.replace("assumed:UTC", f"gc-offset:{clock.offset}")
                result.zone = clock.offset
    return results


def summary(results: list[FileResult]) -> str:
    """The closing line of an ingest: files (and logs, where a file holds several), records, events, rejects."""
    new = [r for r in results if r.status != "duplicate"]
    failed = [r for r in new if r.status != "ok"]
    files = {r.file.path for r in new}
    logs = f" ({len(new)} logs)" if len(new) != len(files) else ""
    return (
        f"{len(files)} file(s) ingested{logs}, {len(results) - len(new)} already there; "
        f"{sum(r.records for r in new):,} records, {sum(r.events for r in new):,} events, "
        f"{sum(r.lines_rejected for r in results):,} lines rejected"
        + (f"; {len(failed)} {'log' if logs else 'file'}(s) not fully ingested" if failed else "")
    )
