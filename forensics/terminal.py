"""Text bound for a person's terminal: control characters made visible.

Log lines are written by whoever sends the requests. ESC, CSI and OSC sequences in them (a flag name, a host
directory, an exception message) would recolour the screen, retitle the window or write the clipboard if
printed as they are. Everything printed for a person (tables, the Markdown report, stderr) goes through
``visible``; machine formats (CSV, JSON, Parquet) keep the data exact.
"""

from __future__ import annotations

#: C0 and DEL, the C1 controls (0x80–0x9f: CSI, OSC … in some terminals), the line/paragraph separators.
CONTROL_ESCAPES = (
    {c: f"\\x{c:02x}" for c in [*range(32), 127, *range(0x80, 0xA0)]}
    | {9: "\\t", 10: "\\n", 13: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}
)
#: The same, keeping line ends and tabs: for text that is meant to span lines.
_KEEP_LINES = {c: e for c, e in CONTROL_ESCAPES.items() if c not in (9, 10)}


def visible(text: str, keep_lines: bool = True) -> str:
    """``text`` with every control character as a visible escape (``\\x1b``); newlines and tabs kept unless
    ``keep_lines`` is False."""
    return text.translate(_KEEP_LINES if keep_lines else CONTROL_ESCAPES)
