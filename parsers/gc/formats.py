"""The two GC log ``Format`` objects the ingest engine detects and parses with.

``jvm_gc_unified`` is JDK 9+ unified logging (``-Xlog:gc*``, Kafka's default on JDK 11+);
``jvm_gc_legacy`` is JDK 8 and older ``-XX:+PrintGCDetails``. Both belong to the ``gc``
family, score from content only (``detect``), refuse non-HotSpot GC logs, and produce
records plus a ``gc_events`` table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from parsers.base import LineParser, ParseContext
from parsers.gc.detect import legacy_score, unified_score
from parsers.gc.legacy import LegacyGcParser
from parsers.gc.unified import UnifiedGcParser


@dataclass
class GcFormat:
    """A GC log format: name, description, a sample line, a scorer and a parser factory.

    Not frozen: ``parsers.base.Format`` declares plain (settable) attributes.
    """

    name: str
    title: str
    sample: str
    scorer: Callable[[list[str]], float]
    factory: Callable[[ParseContext], LineParser]
    family: str = "gc"

    def score(self, head_lines: list[str]) -> float:
        """0.0 (not this format) … 1.0; raises ``FormatRefused`` for non-HotSpot GC logs."""
        return self.scorer(head_lines)

    def parser(self, ctx: ParseContext) -> LineParser:
        """A fresh parser for one file."""
        return self.factory(ctx)


UNIFIED = GcFormat(
    name="jvm_gc_unified",
    title="JVM GC log, JDK 9+ unified logging (-Xlog:gc*): G1, Parallel, Serial, CMS, ZGC, Shenandoah",
    sample=(
        "[2022-08-03T06:58:41.321+0000][gc          ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) "
        "615M->23M(12288M) 7,870ms"
    ),
    scorer=unified_score,
    factory=UnifiedGcParser,
)

LEGACY = GcFormat(
    name="jvm_gc_legacy",
    title="JVM GC log, JDK 8 and older (-XX:+PrintGCDetails): G1, CMS/ParNew, Parallel, Serial, Shenandoah",
    sample=(
        "2022-08-01T17:16:33.170+0000: 0.169: #0: [GC (Allocation Failure) 2022-08-01T17:16:33.171+0000: 0.170: #0: "
        "[ParNew: 8678K->1081K(9792K), 0.0088699 secs] 8678K->8064K(31680K), 0.0106548 secs] "
        "[Times: user=0.02 sys=0.00, real=0.01 secs]"
    ),
    scorer=legacy_score,
    factory=LegacyGcParser,
)
