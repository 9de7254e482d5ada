"""Change exports: feature-flag rollouts and deploys, as CSV or JSON Lines (family "events").

``columns`` maps the column names teams use (time, flag, share, actor, note; service, version …)
to the ``rollouts`` and ``deploys`` tables; ``formats`` detects and parses the two file kinds.
"""

from __future__ import annotations

from parsers.base import Format
from parsers.exports.formats import CSV_EXPORT, JSONL_EXPORT

#: The export formats the ingest engine plugs in.
FORMATS: list[Format] = [CSV_EXPORT, JSONL_EXPORT]

__all__ = ["FORMATS"]
