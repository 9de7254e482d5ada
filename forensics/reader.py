"""Reading log files as numbered lines, in bounded batches.

The one reader every format goes through. It owns the byte-level traps: gzip
(detected by magic bytes, not the name), UTF-16 with a byte-order mark (what
PowerShell's ``>`` writes: decoded to UTF-8), invalid UTF-8 (replaced by U+FFFD
and counted), NUL bytes (a run of them opening a line is the padding a crash
leaves before the next write and is dropped; others are replaced; both counted),
CRLF (stripped), a last line with no newline (kept), lines longer than a batch
(carried until they end). The bytes are hashed while they are read, so the
content hash costs no second pass.

It also takes off the prefix a wrapper puts in front of every line (``docker
compose logs``, ``kubectl logs --prefix``, journald / syslog): ``detect_wrapper``
finds it in the first lines, and every line is read without it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

#: Bytes read per batch (decompressed). Bounds memory: a batch and its parse
#: results are the largest things held at once.
BATCH_BYTES = 24 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
#: Decompressed bytes made per step: memory stays bounded whatever the ratio.
INFLATE_STEP = 4 * 1024 * 1024
#: A .gz that inflates to more than this many times its size (and past BOMB_MIN_BYTES) is not a log: text logs
#: compress 5-30 times; zeros, 1000 times.
BOMB_RATIO = 200
BOMB_MIN_BYTES = 1 << 30
#: A line longer than this (bytes) is cut to it: the rest is not kept, and the file's note says how many were cut.
MAX_LINE_BYTES = 1024 * 1024
REPLACEMENT = "\ufffd".encode()


@dataclass
class ReadStats:
    """What the reader saw: totals over the whole file, final after iteration."""

    lines: int = 0
    bytes_read: int = 0
    lines_with_bad_bytes: int = 0
    #: lines longer than MAX_LINE_BYTES, cut to it
    lines_cut: int = 0
    sha256: str = ""
    #: Why reading stopped before the end (a truncated gzip stream …), if it did.
    error: str | None = None
    _hash: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)


class _Converted(io.RawIOBase):
    """The bytes another stream's bytes are turned into, made as they are read (``_fill`` makes the next part)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._buffer = b""
        self._done = False
        #: raised by the read after the last byte that could be made, when the stream ended badly
        self._error: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = size if size and size > 0 else 1 << 62
        while len(self._buffer) < size and not self._done:
            self._fill()
        if not self._buffer and self._error is not None:
            raise self._error
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def _fill(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._raw.close()
        super().close()


class GzipStream(_Converted):
    """Decompresses a gzip file (any number of members) as it is read.

    Unlike ``gzip.open``, a stream cut short (a log copied while being written)
    gives every byte up to the cut, then raises EOFError on the next read.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(raw)
        self._inflate = zlib.decompressobj(wbits=31)
        self._input = b""  # compressed bytes read but not yet inflated
        self._packed = 0  # compressed bytes read so far
        self._unpacked = 0  # bytes made so far

    def _fill(self) -> None:
        if not self._input:
            self._input = self._raw.read(1 << 20)
            self._packed += len(self._input)
            if not self._input:
                self._buffer += self._inflate.flush()
                self._done = True
                if not self._inflate.eof:
                    self._error = EOFError("the gzip stream ends before its end marker (file truncated?)")
                return
        if self._inflate.eof:  # another member follows (a multi-member .gz, as logrotate's can be)
            self._inflate = zlib.decompressobj(wbits=31)
        made = self._inflate.decompress(self._input, INFLATE_STEP)  # at most a step at a time: a bomb stays small
        self._input = self._inflate.unconsumed_tail or self._inflate.unused_data
        self._unpacked += len(made)
        self._buffer += made
        if self._unpacked > BOMB_MIN_BYTES and self._unpacked > BOMB_RATIO * self._packed:
            self._done = True
            self._error = OSError(
                f"decompressed {self._unpacked >> 20} MiB from {self._packed >> 20} MiB: over {BOMB_RATIO} times its "
                "size, which no log compresses to; reading stopped (a decompression bomb?)"
            )


class Utf16Stream(_Converted):
    """A UTF-16 stream (with its byte-order mark) read as UTF-8 bytes."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(raw)
        self._decode = codecs.getincrementaldecoder("utf-16")(errors="replace")

    def _fill(self) -> None:
        data = self._raw.read(1 << 20)
        self._done = not data
        self._buffer += self._decode.decode(data, final=self._done).encode("utf-8", errors="replace")


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def open_bytes(path: Path) -> BinaryIO:
    """Open a file for reading its bytes: decompressed (gzip), as UTF-8 (UTF-16 with a byte-order mark)."""
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == GZIP_MAGIC:
        return GzipStream(raw)  # type: ignore[return-value]
    if magic in UTF16_BOMS:
        return Utf16Stream(raw)  # type: ignore[return-value]
    return raw


@dataclass(frozen=True)
class Wrapper:
    """A prefix that a log shipper or container runtime writes in front of every line of the application's log."""

    name: str
    regex: str  # matches the prefix at the start of a line; named groups are the wrapper's own fields
    #: the group that names who wrote the line (a container, a pod, a host): a file holding several is split by it
    writer: str | None = None

    def strip(self, line: str) -> str:
        return re.sub(self.regex, "", line, count=1)

    def writer_expr(self) -> pl.Expr:
        """The ``writer`` column: who wrote each line, by the prefix (null where a line has none)."""
        assert self.writer is not None
        return pl.col("line").str.extract_groups(self.regex).struct.field(self.writer).alias("writer")



#: The wrappers known, tried in order on the first lines of a file.
WRAPPERS = (
    # docker compose logs: `kafka-1  | ` (v2), `kafka_1  | ` (v1); the name is padded to the longest service's
    Wrapper("docker compose", r"^(?P<container>[A-Za-z0-9][\w.-]*) +\| ?", "container"),
    # kubectl logs --prefix: `[pod/kafka-0/kafka] `
    Wrapper("kubectl --prefix", r"^\[pod/(?P<pod>[^/\]]+)/(?P<container>[^\]]+)\] ", "pod"),
    # journald (`journalctl -o short`) and syslog: `Sep 16 13:52:15 host kafka[812]: `
    Wrapper("journald", r"^(?P<syslog_ts>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) (?P<ident>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ", "host"),
    # ISO-stamped syslog (rsyslog's default on newer systems): `2025-09-16T13:52:15.123456+00:00 host kafka[812]: `
    Wrapper("syslog", r"^(?P<syslog_ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) (?P<host>\S+) (?P<ident>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ", "host"),
)
#: The share of a file's first non-blank lines a wrapper's prefix must start for the file to be read without it.
WRAPPER_SHARE = 0.9


def detect_wrapper(head: list[str]) -> Wrapper | None:
    """The wrapper whose prefix starts (nearly) every one of the first non-blank lines, if any."""
    lines = [line for line in head if line.strip()]
    if len(lines) < 2:
        return None
    for wrapper in WRAPPERS:
        pattern = re.compile(wrapper.regex)
        if sum(1 for line in lines if pattern.match(line)) >= WRAPPER_SHARE * len(lines):
            return wrapper
    return None


def indentation(head: list[str]) -> Wrapper | None:
    """A paste indented as a whole (a log quoted in a ticket or a Markdown file), as the wrapper ``indented``.

    The first non-blank line and nearly every other one stand behind at least two spaces; up to the
    fewest of them are taken off each line. Only a candidate: some logs indent most of their lines
    (a JDK 8 G1 log's details), so ingest takes it only when no format fits the lines as they are and
    one fits them without it.
    """
    lines = [line for line in head if line.strip()]
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    indented = [n for n in indents if n >= 2]
    if len(lines) < 2 or indents[0] < 2 or len(indented) < WRAPPER_SHARE * len(lines):
        return None
    return Wrapper("indented", rf"^ {{0,{min(indented)}}}")


def quick_fingerprint(path: Path) -> str:
    """A cheap identity for a file: size plus a hash of its first and last MiB.

    Used to skip files already ingested without reading them whole; the full
    content hash confirms it.
    """
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))
        if size > 2 << 20:
            fh.seek(-(1 << 20), io.SEEK_END)
            digest.update(fh.read())
    return digest.hexdigest()


def full_hash(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def content_hash(path: Path) -> str:
    """sha256 of the content as ingest reads it (decompressed, UTF-8): what ``sources.sha256`` holds."""
    digest = hashlib.sha256()
    with open_bytes(path) as fh:
        try:
            while data := fh.read(1 << 20):
                digest.update(data)
        except (EOFError, OSError, zlib.error):
            pass  # a truncated .gz: ingest hashed what could be read, and so does this
    return digest.hexdigest()


def head_lines(path: Path, limit: int = 200, max_bytes: int = 1 << 20) -> list[str]:
    """The first lines of a file (decompressed, lossy), for format detection."""
    try:
        with open_bytes(path) as fh:
            data = fh.read(max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise OSError(f"cannot read: {exc}") from exc
    text = _LEADING_NULS.sub(rb"\1", data).decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    lines = text.split("\n")
    if len(data) == max_bytes and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    return [line.removesuffix("\r") for line in lines[:limit]]


#: A run of NUL bytes that opens a line: the padding a crash or a truncation leaves before the next write.
_LEADING_NULS = re.compile(rb"(^|\n)\x00+")


def _frame(chunk: bytes, first_line_no: int) -> pl.DataFrame:
    """Numbered lines of a chunk that ends with a newline."""
    lines = pl.read_csv(
        chunk,
        has_header=False,
        separator="\x00",
        quote_char=None,
        encoding="utf8-lossy",
        schema={"line": pl.String},
    )
    return lines.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_line_no).alias("line_no"),
        pl.col("line").fill_null(""),
    )


def read_batches(
    path: Path, stats: ReadStats, batch_bytes: int | None = None, wrapper: Wrapper | None = None,
    with_writer: bool = False,
) -> Iterator[pl.DataFrame]:
    """Yield the file's lines as frames (``line_no``, ``line``), each a whole number of lines.

    ``stats`` is filled as the file is read; it is complete once the iterator is exhausted.
    With a ``wrapper``, each line is given without the wrapper's prefix (where the line has it), and
    ``with_writer`` adds the column ``writer``: the container, pod or host the prefix names (null without one).
    """
    batch_bytes = batch_bytes or BATCH_BYTES
    next_line_no = 1
    pending = b""
    skipping = False  # dropping the rest of a line cut at MAX_LINE_BYTES, up to its end
    # hashing runs on its own thread (hashlib lets go of the GIL), one chunk at a time, in order
    with open_bytes(path) as fh, ThreadPoolExecutor(max_workers=1, thread_name_prefix="forensics-hash") as hasher:
        hashed: Future[None] | None = None
        while True:
            try:
                data = fh.read(batch_bytes)
            except (EOFError, OSError, zlib.error) as exc:
                stats.error = f"stopped reading after {stats.bytes_read} bytes: {exc}"
                data = b""
            if data:
                if hashed is not None:
                    hashed.result()
                hashed = hasher.submit(stats._hash.update, data)
                stats.bytes_read += len(data)
                if skipping:
                    end = data.find(b"\n")
                    if end < 0:
                        continue
                    data, skipping = data[end:], False  # its newline ends the kept head of the cut line
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # no line ends in this read: keep reading
                    pending += data
                    if len(pending) > MAX_LINE_BYTES:  # one line without end: keep its head, memory stays bounded
                        pending, skipping = pending[:MAX_LINE_BYTES], True
                        stats.lines_cut += 1
                    continue
                # the whole lines, copied once (a 24 MB copy costs about 10 ms)
                chunk = b"".join((pending, memoryview(data)[:cut])) if pending or cut < len(data) else data
                pending = data[cut:]
            elif pending:
                chunk, pending = (pending if pending.endswith(b"\n") else pending + b"\n"), b""
            else:
                break
            padded = 0
            if b"\x00" in chunk:
                chunk, padded = _LEADING_NULS.subn(rb"\1", chunk)
                chunk = chunk.replace(b"\x00", REPLACEMENT)
            frame = _frame(chunk, next_line_no)
            if len(chunk) > MAX_LINE_BYTES:  # a line this long may be in it
                long = frame.get_column("line").str.len_bytes() > MAX_LINE_BYTES
                if long.any():
                    stats.lines_cut += int(long.sum())
                    frame = frame.with_columns(
                        pl.when(long).then(pl.col("line").str.slice(0, MAX_LINE_BYTES // 4)).otherwise(pl.col("line")))
            if wrapper is not None:
                if with_writer and wrapper.writer:
                    frame = frame.with_columns(wrapper.writer_expr())
                frame = frame.with_columns(pl.col("line").str.replace(wrapper.regex, ""))
            next_line_no += frame.height
            stats.lines += frame.height
            if not chunk.isascii():
                stats.lines_with_bad_bytes += int(frame["line"].str.contains("\ufffd", literal=True).sum())
            stats.lines_with_bad_bytes += padded
            yield frame
            if not data:
                break
    stats.sha256 = stats._hash.hexdigest()  # the executor has finished every update when its block exits


def writers(path: Path, wrapper: Wrapper) -> list[str]:
    """Every container, pod or host the wrapper's prefixes name in the file, in order of first appearance.

    A whole read of the file (wrapped files are container or journal captures, seldom large): a file is
    split by writer only when it holds more than one, and a writer may first appear anywhere in it.
    """
    seen: dict[str, None] = {}
    for batch in read_batches(path, ReadStats(), wrapper=wrapper, with_writer=True):
        seen.update(dict.fromkeys(batch.get_column("writer").drop_nulls().unique(maintain_order=True).to_list()))
    return list(seen)
