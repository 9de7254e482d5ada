"""JDK 8 ``-XX:+PrintGCDetails``: a line-by-line state machine that turns records into event rows.

Per line, in order: concurrent records (``[GC concurrent-…]``, ``[CMS-concurrent-…]``) are
cut out wherever they sit, even spliced into the middle of a pause record, and become
concurrent events (their ``-start`` lines wait in ``OpenStarts``); ``Total time for which
application threads were stopped`` lines only end a record's detail lines (the parser turns them
into safepoint events itself, vectorized); the rest feeds the record
being read. A record is *open* until its outermost bracket closes (it may span lines),
*closed* while its detail lines follow (G1 phase lines, ``[Eden: … Heap: …]``, ``[Times: …]``),
and *held* once complete, until the next record starts, so a late ``, [Metaspace: …]`` line
(JDK 8 Shenandoah) can still be attached. A record open for more than ``MAX_RECORD_LINES``
lines is given up as incomplete, so memory stays bounded.

Rows carry their stamps as text (``_s_ds``/``_s_up`` at the start, ``_e_ds``/``_e_up`` at the
end); the parser turns them into timestamps for a whole batch at once.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.gc.legacy_record import DATESTAMP, UPTIME, RecordTree, interpret, is_start_marker
from parsers.gc.model import size_kb, to_float
from parsers.gc.pairing import OpenStarts, Start

LEAD = re.compile(r"^(?:(" + DATESTAMP + r"): )?(?:(" + UPTIME + r"): )?(?:#(\d+): )?")
_CONCURRENT = re.compile(
    r"(?:(?P<ds>" + DATESTAMP + r"): )?(?:(?P<up>" + UPTIME + r"): )?(?:#(?P<id>\d+): )?"
    r"\[(?P<name>GC concurrent-[a-z-]+|CMS-concurrent-[a-z-]+)"
    r"(?:, (?P<secs>[\d.,]+) secs|: [\d.,]+/(?P<wall>[\d.,]+) secs)?\]"
    r"(?: ?\[Times: user=(?P<user>[\d.,]+) sys=(?P<sys>[\d.,]+), real=(?P<real>[\d.,]+) secs\])?"
)
_OPENER = re.compile(r"^\[(?:GC|Full GC|Pause |Concurrent )")
_TIMES = re.compile(r"\[Times: user=([\d.,]+) sys=([\d.,]+), real=([\d.,]+) secs\]")
_G1_HEAP = re.compile(r"Heap: (\S+?)\((\S+?)\)->(\S+?)\((\S+?)\)\]")
_G1_OTHER = re.compile(r"^   \[Other: ([\d.,]+) ms\]")
_METASPACE = re.compile(r"\[(?:Metaspace|PSPermGen|CMS Perm ?|Perm): (\d+)K->(\d+)K\((\d+)K\)\]")
_TENURING = ("Desired survivor", "- age")
_STOPPED_NAME = "Total time for which application threads were stopped"

#: Lines a record may stay open before it is given up as incomplete.
MAX_RECORD_LINES = 2_000


class LegacyEventBuilder:
    """Feeds on JDK 8 lines in order; ``take()`` returns the rows completed so far."""

    def __init__(self) -> None:
        self._tree: RecordTree | None = None
        self._opener: tuple[int, str | None, str | None, str | None] = (0, None, None, None)
        self._open_lines = 0
        self._closed: list[dict[str, Any]] | None = None
        self._held: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._starts = OpenStarts()
        #: The collector the records read so far point to (generation names, G1/Shenandoah record names).
        self.collector_hint: str | None = None

    def take(self) -> list[dict[str, Any]]:
        """Rows completed since the last call."""
        rows, self._rows = self._rows, []
        return rows

    def feed(self, line_no: int, line: str) -> None:
        """Consume one line (CRLF already stripped)."""
        if "concurrent-" in line:
            line = self._cut_concurrent(line_no, line)
        lead = LEAD.match(line)
        ds, up, gc_id = lead.groups() if lead else (None, None, None)
        body = line[lead.end() :] if lead else line
        if body.startswith(_STOPPED_NAME) or body.startswith("Application time:"):
            self._end_closed()  # safepoint lines end a record's detail lines; the parser reads them itself
            return
        if self._tree is not None:
            if not (_OPENER.match(body) and (ds or up)):
                self._continue(line_no, line)
                return
            self._give_up(line_no)
        if self._closed is not None:
            if _is_detail(line):
                self._detail(line, line_no)
                return
            self._end_closed()
        if _OPENER.match(body):
            self._tree, self._opener, self._open_lines = RecordTree(line_no), (line_no, ds, up, gc_id), 0
            self._continue(line_no, body)
        elif body.lstrip().startswith(", [Metaspace:") and self._held:
            self._metaspace(self._held[-1], body)

    def finish(self) -> None:
        """End of file: whatever is open, closed or held is emitted; open concurrent starts are incomplete."""
        if self._tree is not None:
            self._give_up(self._opener[0])
        self._end_closed()
        self._rows.extend(self._held)
        self._held = []
        self._rows.extend(_incomplete_concurrent(start) for start in self._starts.drain())

    def _continue(self, line_no: int, text: str) -> None:
        assert self._tree is not None
        if text.startswith(_TENURING):
            return
        rest = self._tree.feed(text, line_no)
        if rest is not None:
            self._close_record(rest)
            return
        self._open_lines += 1
        if self._open_lines > MAX_RECORD_LINES:
            self._give_up(line_no)

    def _give_up(self, line_no: int) -> None:
        """An open record that will not close (cut file, garbage): emit what it says, as incomplete."""
        rows = self._record_rows()
        for row in rows:
            row["complete"] = False
            row["line_end"] = max(row["line_end"], line_no)
        self._tree = None
        self._complete(rows)

    def _record_rows(self) -> list[dict[str, Any]]:
        assert self._tree is not None and self._tree.root is not None
        line_no, ds, up, gc_id = self._opener
        rows = interpret(self._tree.root)
        self.collector_hint = self.collector_hint or next(
            (row["collector"] for row in rows if row.get("collector")), None
        )
        for row in rows:
            row["gc_id"] = int(gc_id) if gc_id else None
            row["_s_ds"], row["_s_up"] = row.pop("_stamp")
        if rows:
            rows[-1]["_s_ds"], rows[-1]["_s_up"] = ds, up
            start = self._starts.close(("start", rows[-1]["name"]))
            if start is not None:
                rows[-1]["line_start"] = start.line_no
        return rows

    def _close_record(self, rest: str) -> None:
        assert self._tree is not None and self._tree.root is not None
        root = self._tree.root
        if is_start_marker(root):
            _, ds, up, _ = self._opener
            name = root.own().rsplit(",", 1)[0].strip()
            self._starts.open(("start", name), Start(root.start_line, None, None, None, {"ds": ds, "up": up}))
            self._tree = None
            return
        rows = self._record_rows()
        self._tree = None
        if not rows:
            return
        self._closed = rows
        if _TIMES.search(rest):
            self._detail(rest, self._closed[-1]["line_end"])

    def _detail(self, line: str, line_no: int) -> None:
        assert self._closed is not None
        main = self._closed[-1]
        main["line_end"] = max(main["line_end"], line_no)
        if other := _G1_OTHER.match(line):
            main["other_ms"] = to_float(other.group(1))
        if "Heap: " in line and (heap := _G1_HEAP.search(line)):
            main["heap_before_kb"], main["heap_after_kb"] = size_kb(heap.group(1)), size_kb(heap.group(3))
            main["heap_capacity_kb"] = size_kb(heap.group(4))
        if "Metaspace: " in line or "Perm" in line:
            self._metaspace(main, line)
        if times := _TIMES.search(line):
            main["user_s"], main["sys_s"], main["real_s"] = (to_float(value) for value in times.groups())
            self._end_closed()

    def _end_closed(self) -> None:
        if self._closed is not None:
            rows, self._closed = self._closed, None
            self._complete(rows)

    def _complete(self, rows: list[dict[str, Any]]) -> None:
        self._rows.extend(self._held)
        self._held = rows

    @staticmethod
    def _metaspace(row: dict[str, Any], text: str) -> None:
        if match := _METASPACE.search(text):
            row["metaspace_before_kb"], row["metaspace_after_kb"], row["metaspace_capacity_kb"] = (
                int(v) for v in match.groups()
            )

    def _cut_concurrent(self, line_no: int, line: str) -> str:
        """Emit the concurrent records of a line and return the line without them."""
        if not _CONCURRENT.search(line):
            return line
        for match in _CONCURRENT.finditer(line):
            self._concurrent(line_no, match)
        return _CONCURRENT.sub("", line)

    def _concurrent(self, line_no: int, match: re.Match[str]) -> None:
        name = match.group("name")
        payload = {
            "ds": match.group("ds"),
            "up": match.group("up"),
            "gc_id": match.group("id"),
            "name": name.removesuffix("-start"),
        }
        if name.endswith("-start"):
            for evicted in self._starts.open(("conc", payload["name"]), Start(line_no, None, None, None, payload)):
                self._rows.append(_incomplete_concurrent(evicted))
            return
        key = name.removesuffix("-end").removesuffix("-abort")
        self.collector_hint = self.collector_hint or ("CMS" if key.startswith("CMS") else "G1")
        start = self._starts.close(("conc", key))
        seconds = to_float(match.group("secs") or match.group("wall"))
        self._rows.append(
            {
                "line_start": start.line_no if start else line_no,
                "line_end": line_no,
                "gc_id": int(match.group("id")) if match.group("id") else None,
                "kind": "concurrent",
                "name": key,
                "stw": False,
                "nested": False,
                "complete": True,
                "duration_ms": seconds * 1000.0 if seconds is not None else None,
                "user_s": to_float(match.group("user")),
                "sys_s": to_float(match.group("sys")),
                "real_s": to_float(match.group("real")),
                "_s_ds": start.payload["ds"] if start else None,
                "_s_up": start.payload["up"] if start else None,
                "_e_ds": match.group("ds"),
                "_e_up": match.group("up"),
            }
        )


def _is_detail(line: str) -> bool:
    """A line that continues the record before it (indented detail, ``[Times:``, tenuring)."""
    return not line or line[0] in " \t" or line.startswith(("[Times", ", [", *_TENURING))


def _incomplete_concurrent(start: Start) -> dict[str, Any]:
    payload = start.payload
    gc_id = payload.get("gc_id")
    return {
        "line_start": start.line_no,
        "line_end": start.line_no,
        "gc_id": int(str(gc_id)) if gc_id else None,
        "kind": "concurrent",
        "name": payload.get("name"),
        "stw": False,
        "nested": False,
        "complete": False,
        "_s_ds": payload.get("ds"),
        "_s_up": payload.get("up"),
    }
