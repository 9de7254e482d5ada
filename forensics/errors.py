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


class QueryError(ForensicsError):
    """A query failed; the message is DuckDB's own."""

    exit_code = ExitCode.DATA_ERROR
