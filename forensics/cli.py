"""The ``forensics`` command line: wiring only, every command a thin call into the core.

stdout carries data (rows, reports); diagnostics go to stderr through
``forensics.diagnostics``; errors become one message and a documented exit code.
Heavy modules are imported inside commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from forensics import __version__, diagnostics
from forensics.errors import ExitCode, ForensicsError, UsageError, is_interrupt, on_sigint

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    "db_path",
    metavar="PATH",
    envvar="FORENSICS_DB",
    default="forensics.duckdb",
    show_default=True,
    help="The DuckDB file (env FORENSICS_DB).",
)
format_option = click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "csv", "json", "parquet"]),
    default="table",
    show_default=True,
    help="Output format (parquet needs -o FILE).",
)
output_option = click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
columns_option = click.option("-c", "--columns", metavar="A,B,…",
                              help="Only these columns, in this order (names as the result has them).")


def _quiet_interrupts_in_cleanup(unraisable: Any) -> None:
    """Ctrl-C reaches Python twice when it lands inside a DuckDB call (DuckDB's own interrupt, then Python's
    pending one, often while a generator is being closed): the second is no news and prints no traceback."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


sys.unraisablehook = _quiet_interrupts_in_cleanup
signal.signal(signal.SIGINT, on_sigint)  # as early as the command line can: a Ctrl-C in the imports below counts too


_said_interrupted = False


def _interrupted() -> NoReturn:
    """Exit 130 with one line, at once. The same Ctrl-C may reach Python again while it unwinds (DuckDB's
    interrupt, then Python's own), which would end the process by SIGINT: so no unwinding. What was being
    written is already rolled back; what was committed is in DuckDB's log, as after a kill (tested)."""
    global _said_interrupted
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for _ in range(5):
        try:
            if not _said_interrupted:
                _said_interrupted = True
                diagnostics.error("interrupted")
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            break
        except KeyboardInterrupt:
            continue
        except OSError:  # a closed pipe
            break
    os._exit(ExitCode.INTERRUPTED)


class _Commands(click.Group):
    """The command group, where every Ctrl-C ends: as a ``KeyboardInterrupt``, as DuckDB's or polars' own
    exception, or where click itself would answer "Aborted!" (exit 1). All exit 130 with one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BaseException as exc:
            if not is_interrupt(exc):
                raise
            _interrupted()
        finally:  # the command is done: a Ctrl-C now would only turn its exit into a death by SIGINT
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def reports_errors(command: F) -> F:
    """Turn ForensicsError into one stderr line and its exit code (Ctrl-C: ``_Commands.invoke``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ForensicsError as exc:
            diagnostics.error(exc.message, exc.hint)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="forensics")
def main() -> None:
    """Incident-log forensics for Kafka outages.

    Ingest broker, GC and client logs into one DuckDB file, then ask it
    questions: named queries, ad-hoc SQL, reports, and a terminal UI.

    \b
    Exit codes: 0 ok · 1 query or data error (with --strict: any rejected
    line or unreadable file) · 2 usage error · 3 no input · 4 database busy
    (another ingest holds it) · 130 interrupted.
    """


@main.command()
@db_option
@click.option("--tz", "tz", multiple=True, metavar="[PATTERN=]ZONE",
              help="Zone of zone-less times: ZONE for all, or HOST_OR_PATH_GLOB=ZONE (repeatable). Default: UTC, assumed.")
@click.option("--host", "hosts", multiple=True, metavar="PATH_GLOB=NAME",
              help="Host name for files whose path matches the glob (default: the directory name).")
@click.option("--format", "fmt", metavar="NAME", help="Parse every file with this format instead of detecting it.")
@click.option("--layout", metavar="PATTERN",
              help="Your applications' logback/log4j2 pattern, e.g. '%d{ISO8601} [%t] %-5p %c{1} - %m%n': "
                   "adds the format 'layout' (it wins detection ties; --format layout forces it).")
@click.option("--jvm-start", metavar="TIME",
              help="Wall-clock JVM start (ISO 8601) for GC logs with uptime stamps only, and the date of "
                   "time-of-day-only client logs.")
@click.option("--strict", is_flag=True, help="Exit 1 if any line is rejected or any file is not fully ingested.")
@click.option("--keep-secrets", is_flag=True,
              help="Store passwords, JAAS configs, tokens and keys as they are (default: their values are "
                   "replaced by [masked] before anything is stored).")
@click.option("--replace", is_flag=True,
              help="Read files already in the database again with the options given now (a forgotten --tz, "
                   "another --host, --format or --layout), replacing what they gave before.")
@click.option("-q", "--quiet", is_flag=True, help="No per-file summary.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@reports_errors
def ingest(db_path: str, tz: tuple[str, ...], hosts: tuple[str, ...], fmt: str | None, layout: str | None,
           jvm_start: str | None, strict: bool, keep_secrets: bool, replace: bool, quiet: bool,
           paths: tuple[str, ...]) -> None:
    """Parse log files and directories into the database.

    Directories are read recursively; rotated (server.log.2025-08-28-03) and
    gzipped files are welcome. The format of each file is detected from its
    content. Files already ingested (same content) are skipped.

    \b
    Examples:
      forensics ingest sample_logs/incident
      forensics ingest --db incident.duckdb --tz Europe/Berlin logs/
      forensics ingest --tz 'api-pod-b=America/Los_Angeles' --host 'node7/*=kafka-7' logs/
      forensics ingest --layout '%d{ISO8601} [%t] %-5p %c{1} - %m%n' app-logs/
    """
    from forensics import commands

    sys.exit(commands.run_ingest(db_path, paths, tz, hosts, fmt, jvm_start, strict, quiet, layout=layout,
                                 keep_secrets=keep_secrets, replace=replace))


@main.command()
@db_option
@format_option
@output_option
@columns_option
@click.option("-f", "--file", "sql_file", type=click.File("r"), help="Read the SQL from a file ('-' for stdin).")
@click.argument("sql", required=False)
@reports_errors
def sql(db_path: str, out_format: str, output: str | None, columns: str | None, sql_file: Any, sql: str | None) -> None:
    """Run ad-hoc SQL on the database, opened read-only.

    \b
    Examples:
      forensics sql "SELECT kind, count(*) FROM broker_events GROUP BY kind"
      forensics sql --format csv -f investigation.sql > out.csv
      echo "SELECT * FROM sources" | forensics sql -
    """
    from forensics import commands

    if sql_file is not None:
        text = sql_file.read()
    elif sql == "-" or (sql is None and not sys.stdin.isatty()):
        text = sys.stdin.read()
    elif sql:
        text = sql
    else:
        raise UsageError("no SQL given", hint='forensics sql "SELECT …", -f FILE, or SQL on stdin')
    if not _strip_sql_comments(text).strip(" \t\r\n;"):
        raise UsageError("the SQL given is empty", hint='forensics sql "SELECT …", -f FILE, or SQL on stdin')
    commands.run_sql(db_path, text, out_format, output, columns)


def _strip_sql_comments(text: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S)


@main.command()
@db_option
@format_option
@output_option
@columns_option
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Set a query parameter (repeatable).")
@click.argument("name")
@reports_errors
def query(db_path: str, out_format: str, output: str | None, columns: str | None, params: tuple[str, ...],
          name: str) -> None:
    """Run a named query from queries/ (see `forensics queries`).

    \b
    Examples:
      forensics query producer_id_blocks -p bucket=1h
      forensics query broker_timeline --format json
      forensics query broker_timeline -c ts,host,kind,detail
    """
    from forensics import commands

    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"-p {item!r}: expected NAME=VALUE")
        given[key] = value
    commands.run_query(db_path, name, given, out_format, output, columns)


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="Show descriptions and parameters.")
@reports_errors
def queries(verbose: bool) -> None:
    """List the named queries."""
    from forensics import commands

    commands.list_queries(verbose)


@main.command()
@db_option
@click.option("--format", "out_format", type=click.Choice(["md", "html", "json"]), default="md", show_default=True,
              help="Markdown for a post-mortem, one self-contained HTML file with charts, or JSON (report.schema.json).")
@output_option
@click.option("--bucket", default="5m", show_default=True, metavar="DURATION",
              help="Time bucket of the charts, correlations and anomalies (30s, 5m, 1h …).")
@reports_errors
def report(db_path: str, out_format: str, output: str | None, bucket: str) -> None:
    """Write the incident report: findings first, then the evidence.

    \b
    Examples:
      forensics report --db incident.duckdb > report.md
      forensics report --format html -o report.html
      forensics report --format json --bucket 1m
    """
    from forensics import commands

    commands.run_report(db_path, out_format, output, bucket)


@main.group(invoke_without_command=True)
@click.pass_context
@reports_errors
def formats(ctx: click.Context) -> None:
    """List the log formats, each with a sample line."""
    if ctx.invoked_subcommand is None:
        from forensics import commands

        commands.list_formats()


@formats.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def formats_check(files: tuple[Path, ...]) -> None:
    """Check format spec files (default: the built-in ones): samples must parse as they say."""
    from forensics import commands

    sys.exit(commands.check_formats(list(files)))


@main.command()
@db_option
@click.option("--tz", "tz", multiple=True, metavar="[PATTERN=]ZONE",
              help="As for ingest: zone of zone-less times in the PATHs ingested first.")
@click.option("--host", "hosts", multiple=True, metavar="PATH_GLOB=NAME", help="As for ingest: host names by path.")
@click.option("--format", "fmt", metavar="NAME", help="As for ingest: parse every PATH with this format.")
@click.option("--layout", metavar="PATTERN", help="As for ingest: your applications' logback/log4j2 pattern.")
@click.option("--jvm-start", metavar="TIME", help="As for ingest: wall-clock JVM start for uptime-only GC logs.")
@click.option("--light", is_flag=True, help="Light theme (default: dark).")
@click.argument("paths", nargs=-1, type=click.Path())
@reports_errors
def tui(db_path: str, tz: tuple[str, ...], hosts: tuple[str, ...], fmt: str | None, layout: str | None,
        jvm_start: str | None, light: bool, paths: tuple[str, ...]) -> None:
    """Investigate in the terminal: timeline, events, raw lines and SQL.

    With PATHs, ingests them into the database first (with progress), then
    opens the timeline; without, opens the database as it is. Keys: 1/2/3
    (or F2/F3/F4) switch timeline, events and SQL; ? shows the keys of the
    screen; q quits.

    \b
    Examples:
      forensics tui --db incident.duckdb
      forensics tui --db incident.duckdb --tz 'api-pod-b=America/Los_Angeles' sample_logs/incident
    """
    from forensics import commands

    sys.exit(commands.run_tui(db_path, paths, tz, hosts, fmt, jvm_start, layout, light))
