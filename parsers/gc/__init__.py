"""JVM garbage-collection logs: detection, parsing into records, and the ``gc_events`` table.

Modules, one role each: ``detect`` (content scores, refusal of non-HotSpot logs),
``formats`` (the ``Format`` objects), ``model`` (the ``gc_events`` columns and kinds),
``names`` (event names → kind/cause/flags), ``anchoring`` (wall-clock time for uptime
stamps), ``pairing`` (start/end lines across batches), ``decorations`` / ``unified_rows`` /
``unified_events`` / ``unified`` (JDK 9+ unified logging, vectorized), and
``legacy_record`` / ``legacy_events`` / ``legacy`` (JDK 8 and older, a state machine).
"""

from __future__ import annotations

from parsers.base import Format
from parsers.gc.formats import LEGACY, UNIFIED

#: The GC formats the ingest engine plugs in.
FORMATS: list[Format] = [UNIFIED, LEGACY]

__all__ = ["FORMATS"]
