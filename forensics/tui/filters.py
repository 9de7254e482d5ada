"""The events filter line: ``host:kafka-3 source:gc kind:full level:warn some text``.

``key:value`` words set the named filters of ``event_log``; every other word is free text,
searched (case-insensitive) in the whole record. Quotes keep spaces: ``"Java heap"``.
"""

from __future__ import annotations

import shlex

#: Filter keys and the ``event_log`` parameter each sets.
KEYS = ("host", "source", "kind", "level")


def parse(line: str) -> dict[str, str]:
    """The filters a line sets (``text`` for the free words); a bad quote is taken literally."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    found: dict[str, str] = {}
    free: list[str] = []
    for word in words:
        key, sep, value = word.partition(":")
        if sep and key.lower() in KEYS and value:
            found[key.lower()] = value.upper() if key.lower() == "level" else value
        else:
            free.append(word)
    if free:
        found["text"] = " ".join(free)
    return found


def describe(filters: dict[str, str]) -> str:
    """The filters in words, for the status line."""
    if not filters:
        return "no filter"
    parts = [f"{k}={filters[k]}" for k in KEYS if k in filters and k != "level"]
    if "level" in filters:
        parts.append(f"level≥{filters['level']}")
    if "text" in filters:
        parts.append(f"text “{filters['text']}”")
    return ", ".join(parts)


def unparse(filters: dict[str, str]) -> str:
    """The filter line that sets ``filters`` (the inverse of :func:`parse`)."""
    words = [f"{k}:{shlex.quote(filters[k])}" for k in KEYS if k in filters]
    if "text" in filters:
        words.append(filters["text"])
    return " ".join(words)
