"""The one exception hierarchy and the exit codes.

Errors carry what failed, where (file:line, a flag), and a hint for the fix.
The CLI turns them into one ``forensics: error: …`` line on stderr and an exit
code; nothing else prints tracebacks to users.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of every ``forensics`` command (documented in README.md)."""

    OK = 0
    #: a query failed, or data did not fully load (rejected or unreadable files, with --strict)
    DATA_ERROR = 1
    #: bad usage: unknown flag value, unknown query or format, bad spec
    USAGE = 2
    #: no input could be read at all (missing paths, no database)
    NO_INPUT = 3
    #: the database is in use by another forensics (an ingest holds its lock): try again when it is done
    BUSY = 4
    INTERRUPTED = 130


class ForensicsError(Exception):
    """An error meant for the user."""

    exit_code = ExitCode.DATA_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(ForensicsError):
    exit_code = ExitCode.USAGE


class InputError(ForensicsError):
    exit_code = ExitCode.NO_INPUT


class BusyError(ForensicsError):
    """The database file is locked by another process."""

    exit_code = ExitCode.BUSY


class StorageError(ForensicsError):
    """The database file cannot be written (disk full, a file-size limit, a read-only file system)."""


def is_storage_failure(exc: BaseException) -> bool:
    """DuckDB failing to write its file: no later file could be stored either."""
    text = str(exc)
    return type(exc).__name__ in ("IOException", "TransactionException") and (
        "Could not write" in text or "No space left" in text or "File too large" in text or "Read-only" in text)


_sigint_seen = False


def on_sigint(signum: int, frame: object) -> None:
    """The SIGINT handler of the command line: Python's own (``KeyboardInterrupt``), remembering that it came.
    Inside a library the interrupt may come back as any exception (polars has turned one into a ``TypeError``
    about a data type): after a Ctrl-C, ``is_interrupt`` takes every exception for one."""
    global _sigint_seen
    _sigint_seen = True
    raise KeyboardInterrupt


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C, however it surfaces: after ``on_sigint`` ran, any exception; else as the libraries report it when it
    arrives inside them: DuckDB's ``InterruptException`` or a ``RuntimeError`` saying the query was interrupted
    (at commit), polars' ``PanicException`` around a ``KeyboardInterrupt``."""
    if isinstance(exc, SystemExit):  # an exit on purpose, whatever it was handling
        return False
    if _sigint_seen:
        return True
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:  # also wrapped: raised from, or while handling, a Ctrl-C
        seen.add(id(exc))
        name = type(exc).__name__
        if (isinstance(exc, KeyboardInterrupt) or name == "InterruptException"
                or (isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())
                or ("KeyboardInterrupt" in str(exc) and name in ("PanicException", "ComputeError"))):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


class QueryError(ForensicsError):
    """A query failed; the message is DuckDB's own."""

    exit_code = ExitCode.DATA_ERROR
