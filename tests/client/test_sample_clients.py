"""The client logs and change exports of sample_logs/incident give exactly the facts of its truth.json.

Lifetimes are not in truth.json: they are recounted here from the raw files with plain Python (the
`Instantiated …` and `Closing …` lines of each client.id), independently of the parsers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest

from forensics.queries import get_query
from tests.client.conftest import CLIENT_HOSTS, TRUTH
from tests.conftest import SAMPLE

BUNDLE = SAMPLE / "incident"
PREFIX = re.compile(r"\[Producer clientId=(producer-\d+)\] (Instantiated an idempotent producer\.|Closing the Kafka producer)")


def run(con: duckdb.DuckDBPyConnection, name: str, **params: str) -> list[dict[str, Any]]:
    query = get_query(name)
    values = query.bind(params)
    result = con.execute(query.sql, {k: v for k, v in values.items() if f"${k}" in query.sql})
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def raw_lifetimes(host: str) -> dict[str, float]:
    """client.id → ms from `Instantiated` to `Closing`, read from the raw app.log."""
    created: dict[str, datetime] = {}
    lifetimes: dict[str, float] = {}
    for line in (BUNDLE / host / "app.log").read_text(encoding="utf-8").splitlines():
        if host == "api-pod-a":
            obj = json.loads(line)
            when, message = datetime.fromisoformat(obj["@timestamp"].replace("Z", "+00:00")), obj["message"]
        elif line[:4].isdigit():  # Spring Boot head line, local time of Los Angeles (UTC-7 all night)
            when = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC) + timedelta(hours=7)
            message = line.split(" : ", 1)[-1]
        else:  # a stack trace line
            continue
        found = PREFIX.match(message)
        if not found:
            continue
        client, what = found.groups()
        if what.startswith("Instantiated"):
            created[client] = when
        elif client in created:
            lifetimes[client] = (when - created[client]) / timedelta(milliseconds=1)
    return lifetimes


def test_every_client_file_and_export_is_read_whole_with_the_truths_record_count(client_db: duckdb.DuckDBPyConnection) -> None:
    rows = client_db.execute("SELECT path, format, family, records, lines_read, lines_rejected FROM sources").fetchall()
    got = {path.split("incident/")[1]: (fmt, family, records, lines, rejected) for path, fmt, family, records, lines, rejected in rows}
    files = TRUTH["files"]
    assert got == {
        "api-pod-a/app.log": ("json_lines", "client", files["api-pod-a/app.log"]["records"], files["api-pod-a/app.log"]["lines"], 0),
        "api-pod-b/app.log": ("spring_boot2", "client", files["api-pod-b/app.log"]["records"], files["api-pod-b/app.log"]["lines"], 0),
        "billing-service/app.log": ("kafka_log4j", "client", files["billing-service/app.log"]["records"],
                                    files["billing-service/app.log"]["lines"], 0),
        "rollouts/deploys.csv": ("events_csv", "events", files["rollouts/deploys.csv"]["records"], files["rollouts/deploys.csv"]["lines"], 0),
        "rollouts/feature-flags.jsonl": ("events_jsonl", "events", files["rollouts/feature-flags.jsonl"]["records"],
                                         files["rollouts/feature-flags.jsonl"]["lines"], 0),
    }


def test_api_pod_b_is_read_in_los_angeles_time(client_db: duckdb.DuckDBPyConnection) -> None:
    first = client_db.execute(
        "SELECT ts, ts_origin FROM records WHERE host = 'api-pod-b' ORDER BY line_start LIMIT 1").fetchone()
    assert first == (datetime(2025, 8, 28, 0, 0, 21, 30000, tzinfo=UTC), "tz:America/Los_Angeles")


@pytest.mark.parametrize("host", CLIENT_HOSTS)
def test_producers_created_per_host_and_hour_match_the_truth(client_db: duckdb.DuckDBPyConnection, host: str) -> None:
    truth = TRUTH["clients"][host]
    hours = Counter(dict(client_db.execute(
        "SELECT strftime(created_at, '%Y-%m-%dT%H'), count(*) FROM producers WHERE host = ? AND created_at IS NOT NULL "
        "GROUP BY ALL", [host]).fetchall()))
    assert {h: hours.get(h, 0) for h in truth["producers_created_per_hour"]} == truth["producers_created_per_hour"]
    assert sum(hours.values()) == truth["producers_created"]
    ids = client_db.execute(
        "SELECT min(producer_id), max(producer_id) FROM producers WHERE host = ? AND created_at IS NOT NULL", [host]).fetchone()
    assert list(ids) == truth["producer_id_range"]


@pytest.mark.parametrize("host", ["api-pod-a", "api-pod-b"])
def test_each_per_request_producers_lifetime_and_close_timeout_are_exact(client_db: duckdb.DuckDBPyConnection, host: str) -> None:
    rows = client_db.execute(
        "SELECT client_id, lifetime_ms, close_timeout_ms, client_version FROM producers "
        "WHERE host = ? AND created_at IS NOT NULL", [host]).fetchall()
    assert {client: lifetime for client, lifetime, _, _ in rows} == pytest.approx(raw_lifetimes(host))
    assert Counter(timeout for _, _, timeout, _ in rows) == {60000: TRUTH["clients"][host]["producers_closed"]}
    assert {version for _, _, _, version in rows} == {TRUTH["scenario"]["kafka_version"]}


def test_the_long_lived_producer_of_each_pod_began_before_the_logs(client_db: duckdb.DuckDBPyConnection) -> None:
    edge = client_db.execute(
        "SELECT host, client_id, instance, closed_at FROM producers WHERE created_at IS NULL AND host LIKE 'api-pod-%' ORDER BY host"
    ).fetchall()
    assert edge == [("api-pod-a", "producer-1", 0, None), ("api-pod-b", "producer-1", 0, None)]


def test_billing_service_reuses_its_client_id_across_the_deploys_jvm_restart(client_db: duckdb.DuckDBPyConnection) -> None:
    rows = client_db.execute(
        "SELECT instance, created_at, closed_at, close_timeout_ms, producer_id, epoch, client_version, jvm, acks, idempotent "
        "FROM producers WHERE host = 'billing-service' ORDER BY instance").fetchall()
    assert rows == [
        (0, None, datetime(2025, 8, 28, 1, 32, 3, 415000, tzinfo=UTC), 9223372036854775807, None, None, None, None, None, None),
        (1, datetime(2025, 8, 28, 1, 32, 40, 86000, tzinfo=UTC), None, None, TRUTH["clients"]["billing-service"]["producer_id_range"][0],
         1, "3.7.1", "pid 41877", "-1", True),
    ]


def test_producer_creation_query_gives_hosts_per_hour_and_the_fleet_estimate(client_db: duckdb.DuckDBPyConnection) -> None:
    rows = run(client_db, "producer_creation", fleet="api-pod-*", pods=str(TRUTH["scenario"]["api_fleet_pods"]))
    peak = {r["host"]: r["created"] for r in rows if r["bucket"] == datetime(2025, 8, 28, 3, tzinfo=UTC)}
    a, b = (TRUTH["clients"][h]["producers_created_per_hour"]["2025-08-28T03"] for h in ("api-pod-a", "api-pod-b"))
    assert peak == {"api-pod-a": a, "api-pod-b": b, "(cluster estimate)": (a + b) * 150}
    # two of 300 pods seen: the estimate lands within 6 % of the producer ids the brokers handed out that hour
    assert peak["(cluster estimate)"] / TRUTH["new_producers_per_hour"]["hours"]["2025-08-28T03"] == pytest.approx(1.0, abs=0.06)
    plain = run(client_db, "producer_creation")
    assert [r["created"] for r in plain if r["host"] == "(all hosts)"] == [9, 102, 295, 179]


def test_producer_lifetimes_query_shows_short_lives_and_the_pekko_close_timeout(client_db: duckdb.DuckDBPyConnection) -> None:
    rows = {r["host"]: r for r in run(client_db, "producer_lifetimes")}
    lifetimes = [*raw_lifetimes("api-pod-a").values(), *raw_lifetimes("api-pod-b").values()]
    total = rows["(all hosts)"]
    assert (total["producers"], total["created"], total["closed"], total["known_lifetimes"]) == (588, 585, 585, 584)
    assert total["short_lived"] == sum(ms < 1000 for ms in lifetimes)
    assert total["short_share"] == round(total["short_lived"] / len(lifetimes), 4)
    assert total["max_ms"] == max(lifetimes)
    assert total["lt_100ms"] + total["lt_1s"] == total["short_lived"]
    assert rows["api-pod-a"]["close_timeouts"] == (
        "60000 ms ×312 (Pekko/Akka Kafka close-timeout default: a producer per stream)")
    assert rows["billing-service"]["close_timeouts"] == "9223372036854775807 ms ×1 (close() without a timeout)"


def test_rollout_steps_of_the_flag_match_the_truth(client_db: duckdb.DuckDBPyConnection) -> None:
    rollout = TRUTH["rollout"]
    steps = client_db.execute(
        "SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), previous_percentage, percentage FROM rollouts "
        "WHERE feature = ? AND previous_percentage IS NOT NULL ORDER BY ts", [rollout["flag"]]).fetchall()
    assert steps == [(s["at"], s["from_percent"], s["to_percent"]) for s in rollout["steps"]]
    created = client_db.execute(
        "SELECT ts, actor, extra->>'titleVerb' FROM rollouts WHERE feature = ? AND previous_percentage IS NULL", [rollout["flag"]]
    ).fetchall()
    assert created == [(datetime(2025, 8, 27, 20, 55, 2, tzinfo=UTC), "maria.okafor@example.com", "created the flag")]


def test_deploys_include_the_failed_one_and_the_platform_teams_mitigation(client_db: duckdb.DuckDBPyConnection) -> None:
    rows = client_db.execute("SELECT service, status, ts, extra->>'deploy_id' FROM deploys ORDER BY ts").fetchall()
    assert len(rows) == 11
    assert ("webhook-dispatcher", "failed", datetime(2025, 8, 28, 3, 58, 12, tzinfo=UTC), "dep-48219") in rows
    assert ("kafka-platform", "succeeded", datetime(2025, 8, 28, 4, 41, 58, tzinfo=UTC), "dep-48220") in rows
