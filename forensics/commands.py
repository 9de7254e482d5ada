"""What each CLI command does, on top of the core modules; no click in here."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from forensics import db, diagnostics
from forensics.discovery import InputFile
from forensics.errors import ExitCode, UsageError
from forensics.ingest import FileResult, IngestOptions, ingest, summary
from forensics.output import write_result


def _when(ts: datetime | None) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _summary_line(result: FileResult) -> str:
    name = result.file.shown + (f" ({result.part})" if result.part else "")
    if result.status == "duplicate":
        return f"  {name}: skipped, {result.note}"
    parts = [
        f"  {name}",
        f"[{result.format or ('empty file' if result.status == 'ok' else 'no format')}]",
        f"host={result.file.host}",
        f"{result.records:,} records",
        f"{result.lines_rejected:,} rejected",
    ]
    if result.events:
        parts.append(f"{result.events:,} events")
    if result.secrets_masked:
        parts.append(f"{result.secrets_masked:,} secrets masked")
    if result.first_ts:
        parts.append(f"{_when(result.first_ts)} → {_when(result.last_ts)} UTC")
    line = "  ".join(parts)
    if result.status != "ok":
        line += f"\n    {result.status}: {result.note}"
    elif result.note and result.note != "empty file":  # wholly ingested, with something to know (lines cut …)
        line += f"\n    note: {result.note}"
    return line


def _tz_notes(results: list[FileResult]) -> None:
    assumed = sorted({r.file.host for r in results if r.ts_origin and "assumed:" in r.ts_origin})
    if assumed:
        diagnostics.note(
            f"times without an offset were taken as UTC for: {', '.join(assumed)} "
            "(say otherwise with --tz ZONE or --tz HOST=ZONE)"
        )
    given = sorted({f"{r.file.host}={r.zone}" for r in results if r.ts_origin and "tz:" in r.ts_origin})
    if given:
        diagnostics.note(f"times without an offset were read in the zone given: {', '.join(given)}")


def prepare_ingest(paths: tuple[str, ...], tz: tuple[str, ...], hosts: tuple[str, ...], fmt: str | None,
                   jvm_start: str | None, layout: str | None) -> tuple[list[InputFile], IngestOptions]:
    """Check the ingest flags and find the files; every usage error is raised before the database is touched."""
    from forensics.discovery import TzPolicy, discover, parse_rules
    from forensics.queries import convert
    from parsers.registry import all_formats, get_format

    if layout:
        from parsers.client.pattern import LayoutPatternError, use_layout

        try:
            use_layout(layout)
        except LayoutPatternError as exc:
            raise UsageError(str(exc), hint="--layout takes the pattern of a logback.xml or log4j2 config") from exc
    if fmt:
        try:
            get_format(fmt)
        except KeyError as exc:
            raise UsageError(str(exc.args[0]), hint="`forensics formats` lists them") from exc
    options = IngestOptions(
        tz=TzPolicy.from_flags(tz),
        format=fmt,
        anchor=convert(jvm_start, "TIMESTAMPTZ", "--jvm-start") if jvm_start else None,
    )
    files = discover(paths, parse_rules(hosts, "--host"))
    all_formats()  # load and self-check the specs before touching the database
    return files, options


def run_ingest(db_path: str, paths: tuple[str, ...], tz: tuple[str, ...], hosts: tuple[str, ...], fmt: str | None,
               jvm_start: str | None, strict: bool, quiet: bool, layout: str | None = None,
               keep_secrets: bool = False, replace: bool = False) -> int:
    files, options = prepare_ingest(paths, tz, hosts, fmt, jvm_start, layout)
    options.keep_secrets, options.replace = keep_secrets, replace
    con = db.open_for_write(db_path)
    if not quiet:
        diagnostics.note(f"ingesting {len(files)} file(s) into {db_path}")
    on_file = (lambda r: None) if quiet else (lambda r: diagnostics.line(_summary_line(r)))
    try:
        results = ingest(con, files, options, on_file, on_note=diagnostics.note)
    finally:
        con.close()
    _tz_notes(results)
    failed = [r for r in results if r.status not in ("ok", "duplicate")]
    rejected = sum(r.lines_rejected for r in results)
    diagnostics.note(summary(results))
    if any(r.status == "error" for r in results) or (strict and (failed or rejected)):
        return ExitCode.DATA_ERROR
    return ExitCode.OK


def _output(output: str | None) -> Any:
    if not output:
        return nullcontext(sys.stdout)
    try:
        return open(output, "w", encoding="utf-8")
    except OSError as exc:
        raise _unwritable(output, exc) from exc


def _unwritable(output: str, exc: OSError) -> UsageError:
    return UsageError(f"-o {output}: cannot write it: {exc.strerror or exc}", hint="give a path in a directory that exists")


def _emit(con: Any, sql: str, params: dict[str, Any] | None, out_format: str, output: str | None,
          columns: str | None = None) -> None:
    if columns:
        sql = _only(con, sql, params, columns)
    result = db.run(con, sql, params)
    if out_format == "parquet":
        if not output:
            raise UsageError("--format parquet needs -o FILE")
        try:
            write_result(result, out_format, path=output)  # type: ignore[arg-type]
        except OSError as exc:
            raise _unwritable(output, exc) from exc
        return
    with _output(output) as out:
        write_result(result, out_format, out)  # type: ignore[arg-type]


def run_sql(db_path: str, sql: str, out_format: str, output: str | None, columns: str | None = None) -> None:
    con = db.open_read_only(db_path)
    try:
        _emit(con, sql, None, out_format, output, columns)
    finally:
        con.close()


def _only(con: Any, sql: str, params: dict[str, Any] | None, columns: str) -> str:
    """The query narrowed to ``columns`` (``a,b,c``); a name the result lacks is a usage error naming the ones it has."""
    inner = sql.strip().rstrip(";")
    have = [d[0] for d in (db.run(con, f"SELECT * FROM ({inner}) LIMIT 0", params).description or [])]  # type: ignore[union-attr]
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in have]
    if unknown or not wanted:
        raise UsageError(f"--columns: no column {', '.join(map(repr, unknown)) or '(none given)'} in the result",
                         hint=f"it has: {', '.join(have)}")
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in wanted)
    return f"SELECT {quoted} FROM ({inner})"


def run_query(db_path: str, name: str, given: dict[str, str], out_format: str, output: str | None,
              columns: str | None = None) -> None:
    from forensics.queries import get_query, used_params

    query = get_query(name)
    values = query.bind(given)
    used = used_params(query.sql)
    con = db.open_read_only(db_path)
    try:
        _emit(con, query.sql, {k: v for k, v in values.items() if k in used} or None, out_format, output, columns)
    finally:
        con.close()


def list_queries(verbose: bool, out: IO[str] | None = None) -> None:
    from forensics.queries import all_queries

    out = out or sys.stdout
    queries = all_queries()
    width = max((len(n) for n in queries), default=0)
    for query in queries.values():
        out.write(f"{query.name.ljust(width)}  {query.title}\n")
        if verbose:
            out.write(f"{'':{width}}  {query.description}\n")
            for p in query.params:
                out.write(f"{'':{width}}    -p {p.name}=…  {p.type}, default {p.default!s}  {p.help}\n")


def list_formats(out: IO[str] | None = None) -> None:
    from parsers.registry import all_formats

    out = out or sys.stdout
    for fmt in all_formats():
        out.write(f"{fmt.name}  ({fmt.family})  {fmt.title}\n    {fmt.sample}\n")


def check_formats(files: list[Path]) -> int:
    from parsers.registry import all_formats, load_layout_formats
    from parsers.spec import SpecError

    try:
        checked = load_layout_formats(files or None) if files else list(all_formats())
    except SpecError as exc:
        diagnostics.error(str(exc))
        return ExitCode.USAGE
    diagnostics.note(f"{len(checked)} format(s) OK: {', '.join(f.name for f in checked)}")
    return ExitCode.OK


def run_report(db_path: str, out_format: str, output: str | None, bucket: str) -> None:
    from forensics.queries import convert
    from forensics.report import render_html, render_json, render_md
    from forensics.story.build import build_report

    width = convert(bucket, "INTERVAL", "--bucket")
    if width.total_seconds() <= 0:
        raise UsageError("--bucket must be longer than 0")
    built = build_report(db_path, width)
    renderer = {"md": render_md, "html": render_html, "json": render_json}[out_format]
    with _output(output) as out:
        out.write(renderer.render(built))


def run_tui(db_path: str, paths: tuple[str, ...], tz: tuple[str, ...], hosts: tuple[str, ...], fmt: str | None,
            jvm_start: str | None, layout: str | None, light: bool) -> int:
    """Check the inputs as ``ingest`` does (errors exit before the screen opens), then run the TUI."""
    plan = None
    if paths:
        files, options = prepare_ingest(paths, tz, hosts, fmt, jvm_start, layout)
        db.open_for_write(db_path).close()  # a database that cannot be written fails here, not in the screen
    else:
        db.open_read_only(db_path).close()  # no database: the usual error and exit code

    from forensics.tui.app import IngestPlan, run

    if paths:
        plan = IngestPlan(files, options, _summary_line)
    return run(db_path, plan, light=light)
