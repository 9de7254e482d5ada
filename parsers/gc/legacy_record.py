"""JDK 8 ``-XX:+PrintGCDetails`` records as bracket trees, and what a closed tree says.

A record such as ``[GC (Allocation Failure) 0.170: [ParNew: 8678K->1081K(9792K), 0.0088699 secs]
8678K->8064K(31680K), 0.0106548 secs]`` nests generation records inside the event record; it
may span lines (tenuring distribution, G1) and arrives in pieces. ``RecordTree`` builds the
tree from the pieces and reports when the outermost bracket closes. ``interpret`` reads the
tree: the outer record's own text holds the whole-heap ``before->after(capacity)`` and the
pause (the outermost ``, X secs``); the children are generation records (``ParNew``,
``CMS``, ``PSPermGen`` …) or, for CMS scavenge-before-remark, a nested young collection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from parsers.gc.model import size_kb, to_float
from parsers.gc.names import OLD_GENERATIONS, PERM_GENERATIONS, YOUNG_GENERATIONS, describe_legacy, paren_groups

DATESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{4}"
UPTIME = r"\d+[.,]\d+"
_STAMP = re.compile(DATESTAMP + r": |(?<![\d.,])" + UPTIME + r": |#\d+: ")
_TRAILING_STAMPS = re.compile(r"(?:(" + DATESTAMP + r"): )?(?:(" + UPTIME + r"): )?(?:#\d+: )?\s*$")
_BRACKETS = re.compile(r"[\[\]]")
_SIZE = r"(\d+(?:[.,]\d+)?\s?[BKMG]?)"
_TRANSITION = re.compile(_SIZE + r"->" + _SIZE + r"\(" + _SIZE + r"\)")
_OCCUPANCY = re.compile(r"(\d+)K\((\d+)K\)")
_SECS = re.compile(r", (\d+(?:[.,]\d+)?) secs\s*$")
_MILLIS = re.compile(r", (\d+(?:[.,]\d+)?) ms\s*$")
_NAME = re.compile(
    r"^\s*(Full GC|GC pause|GC remark|GC cleanup|GC--|GC|Pause [A-Z][A-Za-z ]*?|Concurrent [a-z][A-Za-z ]*?)"
    r"((?: ?\((?:[^()]|\([^()]*\))*\))*)(?=\s*(?:$|,|\d|\[))"
)
#: Deepest nesting followed; deeper brackets still count but are not interpreted.
MAX_DEPTH = 32


@dataclass
class Node:
    """One bracketed record: its own text (children removed) and its children."""

    start_line: int
    prefix: str = ""
    parts: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    end_line: int | None = None

    def own(self) -> str:
        """Own text with the nested time stamps removed."""
        return _STAMP.sub("", "".join(self.parts))


class RecordTree:
    """Builds the bracket tree of one record from text pieces fed in order."""

    def __init__(self, line_no: int) -> None:
        self.root: Node | None = None
        self._stack: list[Node] = []
        self._line = line_no

    def feed(self, text: str, line_no: int) -> str | None:
        """Add text; returns what follows the outer closing bracket once it closed, else None."""
        self._line = line_no
        pos = 0
        for match in _BRACKETS.finditer(text):
            index = match.start()
            if self._stack:
                self._stack[-1].parts.append(text[pos:index])
            if text[index] == "[":
                self._open(text[max(0, index - 48) : index])
            elif self._stack:
                node = self._stack.pop()
                node.end_line = line_no
                if not self._stack:
                    return text[index + 1 :]
            pos = index + 1
        if self._stack:
            self._stack[-1].parts.append(text[pos:])
        return None

    def _open(self, prefix: str) -> None:
        node = Node(self._line, prefix)
        if self._stack:
            if len(self._stack) < MAX_DEPTH:
                self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    @property
    def is_open(self) -> bool:
        return bool(self._stack)


def _transition(text: str, last: bool = False) -> tuple[int | None, int | None, int | None]:
    matches = _TRANSITION.findall(text)
    if not matches:
        return None, None, None
    before, after, capacity = matches[-1] if last else matches[0]
    return size_kb(before.replace(" ", "")), size_kb(after.replace(" ", "")), size_kb(capacity.replace(" ", ""))


def _child_name(own: str) -> str:
    head = own.split(":", 1)[0] if ":" in own else own.split(",", 1)[0]
    return " ".join(head.split())


def _generation_fields(children: list[Node]) -> tuple[dict[str, Any], list[str], list[str]]:
    """young_*/old_*/metaspace_* from generation records; the generation names; every child name."""
    fields: dict[str, Any] = {}
    generations: list[str] = []
    names: list[str] = []
    for child in children:
        own = child.own()
        name = _child_name(own)
        names.append(name)
        base = paren_groups(name)[0]
        role = (
            "young"
            if base in YOUNG_GENERATIONS
            else "old"
            if base in OLD_GENERATIONS
            else "metaspace"
            if base in PERM_GENERATIONS
            else None
        )
        if role is None:
            continue
        generations.append(name)
        before, after, capacity = _transition(own)
        if before is not None:
            fields.update({f"{role}_before_kb": before, f"{role}_after_kb": after, f"{role}_capacity_kb": capacity})
    return fields, generations, names


def _kind_override(names: list[str], kind: str | None) -> str | None:
    """CMS phases and generation records say more than a bare ``GC (cause)``."""
    bases = {paren_groups(name)[0] for name in names}
    if any(name.startswith("1 CMS-remark") for name in names):
        return "remark"
    if any(name.startswith("1 CMS-initial-mark") for name in names):
        return "initial_mark"
    if kind in ("young", "remark", "initial_mark") and bases & set(OLD_GENERATIONS):
        return "full"
    if kind in ("remark", "initial_mark") and bases & set(YOUNG_GENERATIONS):
        return "young"
    return kind


def _collector(names: list[str], hint: str | None) -> str | None:
    for name in names:
        base = paren_groups(name)[0]
        if base in YOUNG_GENERATIONS:
            return YOUNG_GENERATIONS[base]
        if base in OLD_GENERATIONS:
            return OLD_GENERATIONS[base]
    return hint


def interpret(node: Node, nested: bool = False) -> list[dict[str, Any]]:
    """Event rows for a closed record tree: nested collections first, then the record itself."""
    own = node.own()
    match = _NAME.match(own)
    if match is None:
        return []
    name = (match.group(1) + match.group(2)).strip()
    info = describe_legacy(name)
    if info.kind is None:
        return []
    fields, generations, child_names = _generation_fields(node.children)
    before, after, capacity = _transition(own, last=True)
    if before is None and (occupancy := _OCCUPANCY.findall(own)):
        before = after = int(occupancy[-1][0])
        capacity = int(occupancy[-1][1])
    seconds = _SECS.search(own)
    millis = _MILLIS.search(own)
    pause_ms = to_float(seconds.group(1)) * 1000.0 if seconds else to_float(millis.group(1)) if millis else None  # type: ignore[operator]
    kind = _kind_override(child_names, info.kind)
    stw = kind != "concurrent"
    evac_failure = info.evacuation_failure or any("promotion failed" in generation for generation in generations)
    nested_rows = [
        row for child in node.children if _child_name(child.own()).startswith("GC") for row in interpret(child, True)
    ]
    row = {
        **fields,
        "line_start": node.start_line,
        "line_end": node.end_line if node.end_line is not None else node.start_line,
        "kind": kind,
        "name": name,
        "cause": info.cause,
        "stw": stw,
        "nested": nested,
        "complete": pause_ms is not None,
        "pause_ms": pause_ms if stw else None,
        "duration_ms": pause_ms,
        "heap_before_kb": before,
        "heap_after_kb": after,
        "heap_capacity_kb": capacity,
        "to_space_exhausted": info.to_space_exhausted,
        "evacuation_failure": evac_failure,
        "humongous": info.humongous,
        "allocation_stall": False,
        "generations": ",".join(generations) or None,
        "collector": _collector(generations, info.collector),
        "_stamp": _stamps_before(node.prefix),
    }
    return [*nested_rows, row]


def _stamps_before(prefix: str) -> tuple[str | None, str | None]:
    """The date stamp and uptime written just before a record's ``[``."""
    match = _TRAILING_STAMPS.search(prefix)
    return (match.group(1), match.group(2)) if match else (None, None)


def is_start_marker(node: Node) -> bool:
    """JDK 8 Shenandoah ``[Pause Full, start]``."""
    return node.own().rstrip().endswith(", start")
