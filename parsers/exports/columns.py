"""Which column of a change export is the time, the flag, the share, the service … (the names teams use).

A column matches a role when its name, lowercased with spaces and dashes as underscores, is one of
the role's names; for a JSON object column (flattened to ``key.sub``), its ``after``/``before`` or
``email``/``name`` part. A file is a rollouts export when it has a flag column or a rollout share,
a deploys export when it has a service and a version, and is refused otherwise, with what it has
and what was looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.base import FormatRefused

#: Role → column names, most usual first.
NAMES: dict[str, tuple[str, ...]] = {
    "time": ("timestamp", "time", "ts", "date", "@timestamp", "created_at", "datetime", "started_at", "start_time",
             "deployed_at", "updated_at", "finished_at"),
    "time_end": ("finished_at", "ended_at", "completed_at", "end_time", "finish_time"),
    "feature": ("feature", "flag", "flag_key", "feature_flag", "flag_name", "feature_key", "key", "name"),
    "percentage": ("percentage", "percent", "pct", "rollout", "rollout_percentage", "rollout_percent", "value"),
    "previous_percentage": ("previous_percentage", "old_percentage", "from_percentage"),
    "actor": ("actor", "user", "author", "member", "deployed_by", "changed_by", "triggered_by", "username", "email"),
    "note": ("comment", "description", "note", "message", "reason", "summary"),
    "service": ("service", "app", "component", "application", "service_name"),
    "version": ("version", "revision", "sha", "commit", "commit_sha", "git_sha", "tag", "release"),
    "status": ("status", "state", "result", "outcome"),
}
#: Parts of an object column that give a role: the share after/before a change, who made it.
PARTS: dict[str, tuple[str, ...]] = {
    "percentage": ("after", "new", "to", "current", "value"),
    "previous_percentage": ("before", "old", "from", "previous"),
    "actor": ("email", "name", "login", "username", "id"),
}
#: Where a role's object parts come from when it has none of its own names (``rollout.before``).
PARTS_OF = {"previous_percentage": "percentage"}
#: Feature columns strong enough to say "flag export" by themselves (``key``/``name`` are not).
STRONG_FEATURE = frozenset({"feature", "flag", "flag_key", "feature_flag", "flag_name", "feature_key"})
ROLLOUT_ROLES = ("time", "feature", "percentage", "previous_percentage", "actor", "note")
DEPLOY_ROLES = ("time", "time_end", "service", "version", "status", "actor", "note")


def normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass(frozen=True)
class Mapping:
    """The table an export feeds and, per role, its column (None where it has none)."""

    table: str  # rollouts | deploys
    columns: dict[str, str | None]

    @property
    def used(self) -> set[str]:
        return {c for c in self.columns.values() if c}


def _find(role: str, columns: list[str], taken: set[str]) -> str | None:
    by_name = {normalise(c): c for c in columns if c not in taken}
    for name in NAMES[role]:
        if name in by_name:
            return by_name[name]
    for name in NAMES[PARTS_OF.get(role, role)]:
        for part in PARTS.get(role, ()):
            column = by_name.get(f"{name}.{part}")
            if column:
                return column
    return None


def map_columns(columns: list[str]) -> Mapping | None:
    """The mapping of an export's columns; None when they make neither a rollouts nor a deploys export."""
    found: dict[str, str | None] = {}
    taken: set[str] = set()
    for role in NAMES:
        column = _find(role, columns, taken)
        found[role] = column
        if column:
            taken.add(column)
    if not found["time"]:
        return None
    strong = found["feature"] and normalise(found["feature"]) in STRONG_FEATURE
    if strong or (found["feature"] and found["percentage"]):
        return Mapping("rollouts", {r: found[r] for r in ROLLOUT_ROLES})
    if found["service"] and found["version"]:
        return Mapping("deploys", {r: found[r] for r in DEPLOY_ROLES})
    if found["feature"]:
        return Mapping("rollouts", {r: found[r] for r in ROLLOUT_ROLES})
    return None


def refusal(columns: list[str], what: str) -> FormatRefused:
    """The error for an export whose columns cannot be mapped: what it has, what was looked for."""
    expected = "; ".join(
        f"{role} ({', '.join(NAMES[role][:6])}{', …' if len(NAMES[role]) > 6 else ''})"
        for role in ("time", "feature", "percentage", "service", "version")
    )
    return FormatRefused(
        f"{what} with columns {', '.join(columns) or '(none)'}: cannot map them to a rollouts or deploys table; "
        f"expected a time column and a feature column (or a rollout share), or service and version columns: "
        f"{expected}"
    )
