"""From an event's logged name to its ``kind``, ``cause``, flags and collector.

Both families log an event as a name plus parenthesised groups: ``Pause Young (Normal)
(G1 Evacuation Pause)``, ``Pause Init Mark (process weakrefs) (unload classes)``, JDK 8
``GC pause (G1 Evacuation Pause) (young) (initial-mark)``. Some groups qualify the event
(``Normal``, ``young``, ``unload classes``), the others are its cause. ``describe_unified``
and ``describe_legacy`` return a ``NameInfo``; the results are cached per distinct name, so
callers can map whole columns cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Parenthesised groups that qualify an event rather than give its cause (compared in lower case).
QUALIFIERS: frozenset[str] = frozenset(
    {
        "normal",
        "concurrent start",
        "prepare mixed",
        "mixed",
        "young",
        "initial-mark",
        "to-space exhausted",
        "to-space overflow",
        "process weakrefs",
        "unload classes",
        "update refs",
        "major",
        "minor",
    }
)

_GROUP = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
_HUMONGOUS = "g1 humongous allocation"


@dataclass(frozen=True)
class NameInfo:
    """What a logged event name says."""

    kind: str | None
    cause: str | None = None
    to_space_exhausted: bool = False
    evacuation_failure: bool = False
    humongous: bool = False
    collector: str | None = None


def paren_groups(name: str) -> tuple[str, list[str]]:
    """Split ``Pause Young (Normal) (G1 Evacuation Pause)`` into ``Pause Young`` and its groups."""
    first = name.find("(")
    base = (name if first < 0 else name[:first]).strip()
    return base, _GROUP.findall(name[first:]) if first >= 0 else []


def _cause_and_flags(groups: list[str]) -> tuple[str | None, bool, bool]:
    """(cause, to-space exhausted, evacuation failure) from the parenthesised groups."""
    lowered = [group.lower() for group in groups]
    to_space = any(group.startswith("to-space") for group in lowered)
    evac_failure = to_space or any(group.startswith("evacuation failure") for group in lowered)
    causes = [
        g
        for g, low in zip(groups, lowered, strict=True)
        if low not in QUALIFIERS and not low.startswith("evacuation failure")
    ]
    return (causes[-1] if causes else None), to_space, evac_failure


_UNIFIED_PAUSES: tuple[tuple[str, str, str | None], ...] = (
    ("Pause Young", "young", None),
    ("Pause Mixed", "mixed", "G1"),
    ("Pause Initial Mark", "initial_mark", None),
    ("Pause Remark", "remark", None),
    ("Pause Cleanup", "cleanup", "G1"),
    ("Pause Full", "full", None),
    ("Pause Init Mark", "initial_mark", "Shenandoah"),
    ("Pause Final Mark", "remark", "Shenandoah"),
    ("Pause Init Update Refs", "pause_other", "Shenandoah"),
    ("Pause Final Update Refs", "pause_other", "Shenandoah"),
    ("Pause Final Roots", "pause_other", "Shenandoah"),
    ("Pause Final Evac", "pause_other", "Shenandoah"),
    ("Pause Init Evac", "pause_other", "Shenandoah"),
    ("Pause Degenerated GC", "degenerated", "Shenandoah"),
    ("Pause Mark Start", "initial_mark", "ZGC"),
    ("Pause Mark End", "remark", "ZGC"),
    ("Pause Relocate Start", "pause_other", "ZGC"),
)


@lru_cache(maxsize=4096)
def describe_unified(name: str) -> NameInfo:
    """Kind, cause and flags of a unified-logging event name (a pause, phase, cycle or stall)."""
    base, groups = paren_groups(name)
    cause, to_space, evac_failure = _cause_and_flags(groups)
    humongous = cause is not None and cause.lower() == _HUMONGOUS
    lowered = [group.lower() for group in groups]
    for prefix, kind, collector in _UNIFIED_PAUSES:
        if base == prefix:
            if kind == "young" and "concurrent start" in lowered:
                kind = "initial_mark"
            elif kind == "young" and "mixed" in lowered:
                kind = "mixed"
            if collector is None and (
                "normal" in lowered or "prepare mixed" in lowered or (cause or "").startswith("G1 ")
            ):
                collector = "G1"
            return NameInfo(kind, cause, to_space, evac_failure, humongous, collector)
    if base.startswith("Pause "):
        return NameInfo("pause_other", cause, to_space, evac_failure, humongous)
    if base.startswith("Concurrent "):
        return NameInfo("concurrent", None, collector=_concurrent_collector(base))
    if base in ("Garbage Collection", "Major Collection", "Minor Collection"):
        gen = "ZGC" if base == "Garbage Collection" else "ZGC-generational"
        return NameInfo("cycle", cause, collector=gen)
    if base in ("Allocation Stall", "Relocation Stall"):
        return NameInfo("stall", collector="ZGC")
    if base == "To-space exhausted":
        return NameInfo("to_space_exhausted", None, True, True, collector="G1")
    return NameInfo(None)


def _concurrent_collector(base: str) -> str | None:
    if base in (
        "Concurrent Cycle",
        "Concurrent Mark Cycle",
        "Concurrent Undo Cycle",
        "Concurrent Rebuild Remembered Sets",
    ):
        return "G1"
    if base in ("Concurrent Sweep", "Concurrent Abortable Preclean"):
        return "CMS"
    if base in ("Concurrent evacuation", "Concurrent update references", "Concurrent reset"):
        return "Shenandoah"
    return None


#: JDK 8 generation records and the collector / role they reveal.
YOUNG_GENERATIONS = {"ParNew": "CMS", "DefNew": "Serial", "PSYoungGen": "Parallel", "ASParNew": "CMS"}
OLD_GENERATIONS = {"CMS": "CMS", "Tenured": "Serial", "PSOldGen": "Parallel", "ParOldGen": "Parallel", "ASCMS": "CMS"}
PERM_GENERATIONS = ("PSPermGen", "CMS Perm", "Perm", "Metaspace", "PS Perm")


@lru_cache(maxsize=4096)
def describe_legacy(name: str) -> NameInfo:
    """Kind, cause and flags of a JDK 8 record name: ``GC (Allocation Failure)``, ``Full GC``, ``GC pause (young)`` …"""
    base, groups = paren_groups(name)
    cause, to_space, evac_failure = _cause_and_flags(groups)
    lowered = [group.lower() for group in groups]
    humongous = cause is not None and cause.lower() == _HUMONGOUS
    if base.startswith(("Pause ", "Concurrent ")):
        info = describe_unified(name)
        return NameInfo(
            info.kind, info.cause, info.to_space_exhausted, info.evacuation_failure, info.humongous, "Shenandoah"
        )
    if base == "Full GC":
        return NameInfo("full", cause, to_space, evac_failure, humongous)
    if base == "GC pause":
        kind = "initial_mark" if "initial-mark" in lowered else "mixed" if "mixed" in lowered else "young"
        return NameInfo(kind, cause, to_space, evac_failure, humongous, "G1")
    if base == "GC remark":
        return NameInfo("remark", None, collector="G1")
    if base == "GC cleanup":
        return NameInfo("cleanup", None, collector="G1")
    if base in ("GC", "GC--"):
        if cause == "CMS Initial Mark":
            return NameInfo("initial_mark", None, collector="CMS")
        if cause == "CMS Final Remark":
            return NameInfo("remark", None, collector="CMS")
        return NameInfo("young", cause, to_space, evac_failure or base == "GC--", humongous)
    return NameInfo(None)
