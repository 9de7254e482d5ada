"""Content-based detection of HotSpot GC logs, and refusal of GC logs that are not HotSpot's.

Owns one rule: a score is computed from the lines themselves (never the file name), is 0.0
for anything that is not a HotSpot GC log of the family asked for, and the two families
never score on the same lines (unified logging lines start with a ``[decoration]``; JDK 8
lines with a stamp, a VM header or a G1 detail line). IBM J9 / OpenJ9 XML, JRockit and Go
runtime GC logs raise ``FormatRefused`` with a message saying what the file is and what is
supported instead.
"""

from __future__ import annotations

import re

from parsers.base import FormatRefused

#: A unified-logging decoration value, as the first bracket of a line.
_FIRST_DECORATION = re.compile(
    r"^\[(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{2}:?\d{2}"  # time / utctime
    r"|\d+[.,]\d+s"  # uptime
    r"|\d+(?:ms|ns)"  # (up)timemillis / (up)timenanos
    r"|(?:trace|debug|info|warning|error) *"  # level
    r"|[a-z][a-z0-9_]*(?:,[a-z0-9_]+)* *)\]"  # tags
)
#: Tag or message evidence that a decorated line comes from GC or safepoint logging.
_UNIFIED_GC_EVIDENCE = re.compile(
    r"\[(?:gc|safepoint)[a-z0-9_,]* *\]|\] (?:GC\(\d+\) |Using (?:G1|Parallel|Serial|Concurrent Mark Sweep"
    r"|Shenandoah|The Z Garbage Collector)|Total time for which application threads were stopped|Safepoint \")"
)

_STAMPS = r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{4}: )?(?:\d+[.,]\d+: )?(?:#\d+: )?"
#: A JDK 8 line that starts a GC record, a safepoint line or a concurrent phase.
_LEGACY_EVENT = re.compile(
    r"^" + _STAMPS + r"(?:\[(?:GC|Full GC|Pause |Concurrent |CMS-concurrent-)"
    r"|Total time for which application threads were stopped: |Application time: )"
)
#: JDK 8 lines that are not events but only occur in HotSpot GC logs.
LEGACY_DETAIL = re.compile(
    r"^(?:(?:Java HotSpot\(TM\)|OpenJDK) \d+-Bit (?:Server|Client) VM \(\d+\.|Memory: \d+k page, "
    r"|CommandLine flags: |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file created |\s+\[(?:Parallel Time|GC Worker"
    r"|Ext Root|Update RS|Scan RS|Object Copy|Termination|Code Root|Clear CT|Other|Choose CSet|Ref Proc"
    r"|Ref Enq|Free CSet|Eden|Times|Processed Buffers|Redirty|Humongous)|\s*\[Times: |, [\d.,]+ secs\]"
    r"|Desired survivor size |- age +\d+: |\{Heap (?:before|after) GC |Heap$| (?:par new generation|PSYoungGen"
    r"|garbage-first heap|def new generation|concurrent mark-sweep generation|ParOldGen|PSOldGen) )"
)

_J9_XML = re.compile(r"<verbosegc\b|xmlns=\"http://www\.ibm\.com/j9/verbosegc\"|<af type=\"|<gc-op |<cycle-start ")
_JROCKIT = re.compile(r"^\[(?:INFO|DEBUG|WARN|ERROR|TRACE) *\]\[[a-z]+ *\] ")
_GO_GC = re.compile(r"^gc \d+ @\d+(?:\.\d+)?s \d+%: ")

#: Share of non-blank lines that must fit before a family scores at all.
MIN_SHARE = 0.5


def _nonblank(head_lines: list[str]) -> list[tuple[int, str]]:
    return [(number, line) for number, line in enumerate(head_lines, start=1) if line.strip()]


def refuse_foreign(head_lines: list[str]) -> None:
    """Raise ``FormatRefused`` when the lines are a non-HotSpot GC log; return otherwise."""
    lines = _nonblank(head_lines)
    if not lines:
        return
    for number, line in lines[:20]:
        if _J9_XML.search(line):
            raise FormatRefused(
                f"line {number}: IBM J9 / OpenJ9 verbose GC XML ({line.strip()[:60]!r}) is not a HotSpot GC log; "
                "forensics reads HotSpot -Xlog:gc* (JDK 9+) and -XX:+PrintGCDetails (JDK 8) logs only. "
                "Analyse this file with IBM GCMV, or run the broker on a HotSpot JVM with -Xlog:gc*."
            )
    for pattern, what in (
        (_JROCKIT, "a JRockit verbose GC log"),
        (_GO_GC, "a Go runtime GC trace (GODEBUG=gctrace=1)"),
    ):
        hits = [number for number, line in lines if pattern.match(line)]
        if hits and len(hits) * 2 >= len(lines):
            raise FormatRefused(
                f"line {hits[0]}: this is {what}, not a HotSpot GC log; forensics reads HotSpot -Xlog:gc* "
                "(JDK 9+) and -XX:+PrintGCDetails (JDK 8) logs only."
            )


def _score(share: float) -> float:
    return 0.0 if share < MIN_SHARE else 0.5 + 0.5 * share


def unified_score(head_lines: list[str]) -> float:
    """Score for JDK 9+ unified logging: decorated lines, at least one with GC evidence."""
    refuse_foreign(head_lines)
    lines = _nonblank(head_lines)
    if not lines:
        return 0.0
    decorated = [line for _, line in lines if _FIRST_DECORATION.match(line)]
    if not any(_UNIFIED_GC_EVIDENCE.search(line) for line in decorated):
        return 0.0
    return _score(len(decorated) / len(lines))


def legacy_score(head_lines: list[str]) -> float:
    """Score for JDK 8 and older -XX:+PrintGCDetails logs: stamped GC records and their detail lines."""
    refuse_foreign(head_lines)
    lines = _nonblank(head_lines)
    if not lines:
        return 0.0
    events = sum(1 for _, line in lines if _LEGACY_EVENT.match(line))
    others = sum(1 for _, line in lines if not _LEGACY_EVENT.match(line) and LEGACY_DETAIL.match(line))
    if events == 0:
        has_header = any(
            LEGACY_DETAIL.match(line) and ("VM (" in line or "GC log file created" in line) for _, line in lines
        )
        return 0.55 if has_header else 0.0
    # Free-form lines (Shenandoah statistics tables, heap dumps) may outnumber the event lines; stamped
    # GC records are specific enough that a few of them identify the file.
    return 0.5 + 0.5 * min(1.0, 2.0 * (events + others) / len(lines))


#: A line that HotSpot's own logging wrote (a unified-logging line stamped with a time or an uptime, or tagged
#: ``gc`` / ``safepoint``; a JDK 8 GC record), told apart line by line from an application's log in a stdout
#: that holds both (``-Xlog:gc*:stdout``, ``-verbose:gc``). A Rust-regex (polars) pattern.
GC_LINE = (
    r"^\[(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{2}:?\d{2}|\d+[.,]\d+s|\d+(?:ms|ns))\]"
    r"|^(?:\[[^\[\]]*\])*\[(?:gc|safepoint)[a-z0-9_,]* *\]"
    r"|" + _LEGACY_EVENT.pattern
)
