"""The raw lines behind an event: read again from its file, or rebuilt from the database.

The file (``sources.abs_path``, else ``path``) is read through ``forensics.reader.open_bytes``, so
gzipped files work, and decoded as the ingest decoded it (lossy UTF-8, CR stripped). When the file
is gone, unreadable or no longer the size it was at ingest, the lines come from the records and
rejected lines stored for it (``source_excerpt``), with what was lost said in ``note``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from forensics.tui.data import run_named

#: Lines of context before and after an event, unless asked otherwise.
CONTEXT = 5
#: The most lines an excerpt holds (a config dump can be thousands of lines long).
MAX_LINES = 2000


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    inside: bool  # one of the event's own lines


@dataclass
class Excerpt:
    """Lines ``first``..``last`` of one file, the event's own lines marked."""

    source_id: int
    path: str
    host: str | None
    format: str | None
    line_start: int
    line_end: int
    origin: str  # file | database
    lines: list[Line] = field(default_factory=list)
    note: str | None = None

    @property
    def where(self) -> str:
        span = f"{self.line_start}" if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
        return f"{self.path}:{span}"


def read_lines(path: Path, first: int, last: int) -> list[tuple[int, str]]:
    """Lines ``first``..``last`` (1-based) of a file, plain or gzipped, read in chunks up to ``last``."""
    from forensics.reader import open_bytes  # polars comes with it: not needed before the first excerpt

    found: list[tuple[int, str]] = []
    number = 0
    pending = b""
    with open_bytes(path) as fh:
        while number < last:
            chunk = fh.read(1 << 20)
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop() if chunk else b""
            if not chunk and lines == [b""]:
                break
            for raw in lines:
                number += 1
                if number > last:
                    break
                if number >= first:
                    text = raw.rstrip(b"\r").decode("utf-8", errors="replace")
                    found.append((number, text.replace("\x00", "\ufffd")))
            if not chunk:
                break
    return found


def load(con: duckdb.DuckDBPyConnection, source_id: int, line_start: int, line_end: int | None,
         context: int = CONTEXT) -> Excerpt:
    """The excerpt for an event; from the file when it is still as ingested, else from the database."""
    context = max(0, context)
    stored = _stored(con, source_id, line_start, line_end or line_start, context)
    if line_end is None:  # the whole record that starts there
        line_end = next((int(r["line_end"]) for r in stored if r["line_start"] == line_start), line_start)
        if line_end > line_start:
            stored = _stored(con, source_id, line_start, line_end, context)
    line_end = min(max(line_end, line_start), line_start + MAX_LINES - 1)
    head = stored[0]
    excerpt = Excerpt(source_id, head["path"], head["host"], head["format"], line_start, line_end, "file")
    first, last = max(1, line_start - context), line_end + context
    file_lines, excerpt.note = _from_file(head, first, last)
    if file_lines is None:
        excerpt.origin = "database"
        file_lines = _from_database(stored, first, last)
    excerpt.lines = [Line(n, text, line_start <= n <= line_end) for n, text in file_lines]
    return excerpt


def _stored(con: duckdb.DuckDBPyConnection, source_id: int, line_start: int, line_end: int,
            context: int) -> list[dict[str, object]]:
    stored = run_named(con, "source_excerpt", {
        "source_id": source_id, "line_start": line_start, "line_end": min(line_end, line_start + MAX_LINES - 1),
        "context": context,
    }).dicts()
    if not stored:
        raise LookupError(f"no file with source_id {source_id} in the database")
    return stored


def _from_file(head: dict[str, object], first: int, last: int) -> tuple[list[tuple[int, str]] | None, str | None]:
    candidates = [Path(str(p)) for p in (head["abs_path"], head["path"]) if p]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return None, "the file is gone: lines as stored in the database"
    size = head["size_bytes"]
    if size is not None and path.stat().st_size != size:
        return None, f"{path} changed since it was ingested ({size:,} → {path.stat().st_size:,} bytes): lines as stored"
    try:
        return read_lines(path, first, last), None
    except (OSError, EOFError, zlib.error) as exc:
        return None, f"cannot read {path} ({exc}): lines as stored in the database"


def _from_database(stored: list[dict[str, object]], first: int, last: int) -> list[tuple[int, str]]:
    """Every stored line in range: a record's text split into its lines, a rejected line as it was."""
    lines: dict[int, str] = {}
    for row in stored:
        if row["line_start"] is None or row["text"] is None:
            continue
        start = int(str(row["line_start"]))
        for offset, text in enumerate(str(row["text"]).split("\n")):
            number = start + offset
            if first <= number <= last:
                lines.setdefault(number, text)
    return sorted(lines.items())
