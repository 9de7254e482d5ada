"""Change events as teams export them: a flag audit log (JSON Lines) and a deploy history (CSV).

``feature-flags.jsonl`` follows the shape of a LaunchDarkly audit-log export (``date`` in epoch
milliseconds, ``kind``, ``titleVerb``, ``member``) flattened to one object per line, with the
rollout percentage before and after. ``deploys.csv`` is a CD tool's deployment history with
ISO-8601 UTC times. Both cover the export period (from the evening before the incident) and
include the unrelated changes every organisation makes, so the one that matters must be found.
"""

from __future__ import annotations

import csv
import io
import json

from . import scenario as sc
from .context import Context
from .writer import iso_seconds

PEOPLE = [
    "maria.okafor@example.com",
    "j.lindqvist@example.com",
    "dev.patel@example.com",
    "s.nakamura@example.com",
    "oncall-sre@example.com",
]

OTHER_FLAGS = [
    (sc.at("19:12:40", -1), "incident-timeline-v2", "Incident timeline v2", "updated the flag", 10, 25),
    (sc.at("20:55:02", -1), sc.FLAG_KEY, "API key usage audit", "created the flag", None, 0),
    (sc.at("22:31:17", -1), "mobile-push-batching", "Mobile push batching", "turned on the flag", None, None),
    (sc.at("00:47:55"), "status-page-drafts", "Status page drafts", "updated the flag targeting", None, None),
    (sc.at("01:58:10"), "incident-timeline-v2", "Incident timeline v2", "updated the flag", 25, 50),
    (sc.at("02:41:36"), "sso-session-extension", "SSO session extension", "turned off the flag", None, None),
    (sc.at("03:22:08"), "webhook-retry-jitter", "Webhook retry jitter", "updated the flag", 0, 100),
    (sc.at("04:12:51"), "incident-timeline-v2", "Incident timeline v2", "updated the flag", 50, 0),
    (sc.at("05:20:44"), "mobile-push-batching", "Mobile push batching", "turned off the flag", None, None),
]

DEPLOYS = [
    (
        sc.at("18:40:11", -1),
        "notification-service",
        "2025.08.27-7",
        "succeeded",
        312,
        "j.lindqvist@example.com",
        "Retry budget for SMS provider",
    ),
    (
        sc.at("21:05:44", -1),
        "events-api",
        "2025.08.27-3",
        "succeeded",
        1_426,
        "dev.patel@example.com",
        "API key usage auditing (behind flag api-key-usage-audit)",
    ),
    (
        sc.at("21:21:09", -1),
        "rest-api",
        "2025.08.27-3",
        "succeeded",
        1_102,
        "dev.patel@example.com",
        "API key usage auditing (behind flag api-key-usage-audit)",
    ),
    (
        sc.at("23:48:30", -1),
        "web-frontend",
        "2025.08.27-12",
        "succeeded",
        540,
        "s.nakamura@example.com",
        "Incident list virtual scrolling",
    ),
    (
        sc.at("00:36:52"),
        "escalation-scheduler",
        "2025.08.28-1",
        "succeeded",
        288,
        "maria.okafor@example.com",
        "Timezone handling for rotations",
    ),
    (
        sc.at("01:31:20"),
        "billing-service",
        "2025.08.28-1",
        "succeeded",
        145,
        "maria.okafor@example.com",
        "Usage aggregation window 2m",
    ),
    (
        sc.at("02:14:05"),
        "web-frontend",
        "2025.08.28-2",
        "succeeded",
        498,
        "s.nakamura@example.com",
        "Fix tooltip overflow",
    ),
    (
        sc.at("03:31:47"),
        "analytics-sink",
        "2025.08.28-1",
        "succeeded",
        377,
        "j.lindqvist@example.com",
        "Parquet row group size",
    ),
    (
        sc.at("03:58:12"),
        "webhook-dispatcher",
        "2025.08.28-1",
        "failed",
        903,
        "j.lindqvist@example.com",
        "Webhook signing v2 (rolled back: Kafka unavailable during health checks)",
    ),
    (
        sc.at("04:41:58"),
        "kafka-platform",
        "config-2025.08.28-1",
        "succeeded",
        33,
        "oncall-sre@example.com",
        "Cluster default producer.id.expiration.ms=3600000 (incident mitigation)",
    ),
    (
        sc.at("05:27:30"),
        "webhook-dispatcher",
        "2025.08.28-2",
        "succeeded",
        611,
        "j.lindqvist@example.com",
        "Webhook signing v2 (retry)",
    ),
]


def _flag_line(
    rng_id: str, date: int, key: str, name: str, verb: str, before: int | None, after: int | None, member: str
) -> str:
    desc = {
        "created the flag": "Created the flag (off, rollout 0%)",
        "turned on the flag": "Turned on the flag",
        "turned off the flag": "Turned off the flag",
        "updated the flag targeting": "Added 3 accounts to the beta segment",
    }.get(verb, f"Changed the default rule rollout from {before}% to {after}% of requests")
    rec = {
        "_id": rng_id,
        "date": date,
        "kind": "flag",
        "key": key,
        "name": name,
        "environment": "production",
        "titleVerb": verb,
        "description": desc,
        "member": {"email": member},
    }
    if before is not None or after is not None:
        rec["rollout"] = {"before": before, "after": after}
    return json.dumps(rec, separators=(",", ":")) + "\n"


def write_events(ctx: Context) -> None:
    """Write rollouts/feature-flags.jsonl and rollouts/deploys.csv; record the rollout steps in the truth."""
    rng = ctx.plan.rng("events")
    rows = [(t, key, name, verb, b, a, rng.choice(PEOPLE[:4])) for t, key, name, verb, b, a in OTHER_FLAGS]
    for t, before, after in sc.ROLLOUT_STEPS:
        who = "oncall-sre@example.com" if after == 0 else "dev.patel@example.com"
        rows.append((t, sc.FLAG_KEY, "API key usage audit", "updated the flag", before, after, who))
        ctx.truth.rollout.append({"at": iso_seconds(t), "from_percent": before, "to_percent": after})
    rows.sort()
    flags = "".join(_flag_line(f"{rng.getrandbits(96):024x}", t, *rest) for t, *rest in rows)
    _write(ctx, "incident/rollouts/feature-flags.jsonl", flags, len(rows))

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "deploy_id",
            "service",
            "environment",
            "version",
            "commit_sha",
            "status",
            "started_at",
            "finished_at",
            "deployed_by",
            "description",
        ]
    )
    for n, (t, service, version, status, secs, who, desc) in enumerate(DEPLOYS, start=48_211):
        writer.writerow(
            [
                f"dep-{n}",
                service,
                "production",
                version,
                f"{rng.getrandbits(160):040x}",
                status,
                iso_seconds(t),
                iso_seconds(t + secs * 1000),
                who,
                desc,
            ]
        )
    _write(ctx, "incident/rollouts/deploys.csv", out.getvalue(), len(DEPLOYS))


def _write(ctx: Context, relpath: str, text: str, records: int) -> None:
    path = ctx.bundle.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    ctx.bundle.files[relpath] = {"lines": text.count("\n"), "records": records}
