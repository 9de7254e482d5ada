"""Rollout and deploy exports: the column names teams use, times in every usual shape, extras kept, unmappable files refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from forensics.db import open_for_write
from forensics.discovery import discover
from forensics.ingest import IngestOptions, ingest
from parsers.base import FormatRefused, ParseContext
from parsers.exports.columns import map_columns
from parsers.registry import detect, get_format


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def parse(fmt: str, lines: list[str], tz: str = "UTC") -> tuple[dict[str, pl.DataFrame], pl.DataFrame, pl.DataFrame]:
    """(tables, records, rejects) of an export's lines, parsed in one batch."""
    parser = get_format(fmt).parser(ParseContext("export", "rollouts", tz=tz, tz_given=tz != "UTC"))
    batch = pl.DataFrame({"line_no": range(1, len(lines) + 1), "line": lines}, schema={"line_no": pl.Int64, "line": pl.String})
    parts = [parser.parse(batch), parser.finish()]
    tables: dict[str, pl.DataFrame] = {}
    for part in parts:
        for name, frame in part.tables.items():
            tables[name] = pl.concat([tables[name], frame]) if name in tables else frame
    return tables, pl.concat([p.records for p in parts]), pl.concat([p.rejects for p in parts])


@pytest.mark.parametrize(("header", "table", "expected"), [
    ("timestamp,feature,percentage,actor,comment", "rollouts",
     {"time": "timestamp", "feature": "feature", "percentage": "percentage", "actor": "actor", "note": "comment"}),
    ("Time,Flag,Percent,User,Description", "rollouts",
     {"time": "Time", "feature": "Flag", "percentage": "Percent", "actor": "User", "note": "Description"}),
    ("ts,flag_key,pct,author,note", "rollouts", {"time": "ts", "feature": "flag_key", "percentage": "pct", "actor": "author"}),
    ("date,key,rollout_percentage,message", "rollouts", {"time": "date", "feature": "key", "percentage": "rollout_percentage", "note": "message"}),
    ("@timestamp,name,value", "rollouts", {"time": "@timestamp", "feature": "name", "percentage": "value"}),
    ("created_at,flag,rollout", "rollouts", {"time": "created_at", "feature": "flag", "percentage": "rollout"}),
    ("timestamp,service,version,actor", "deploys", {"time": "timestamp", "service": "service", "version": "version", "actor": "actor"}),
    ("time,app,revision,user,comment", "deploys", {"service": "app", "version": "revision", "note": "comment"}),
    ("ts,component,sha", "deploys", {"service": "component", "version": "sha"}),
])
def test_the_usual_column_names_map_to_their_roles(header: str, table: str, expected: dict[str, str]) -> None:
    mapping = map_columns(header.split(","))
    assert mapping is not None and mapping.table == table
    assert {role: mapping.columns[role] for role in expected} == expected


def test_a_csv_rollout_export_gives_rows_with_epoch_and_iso_times_and_keeps_unknown_columns() -> None:
    lines = [
        "timestamp,feature,percentage,actor,comment,environment",
        "1756343052,api-key-usage-audit,1%,dev.patel@example.com,first step,production",
        "1756345781000,api-key-usage-audit,5,dev.patel@example.com,\"second step, after review\",production",
        "2025-08-28T02:24:55+02:00,api-key-usage-audit,25,dev.patel@example.com,\"a note",
        "on two lines\",production",
        "2025-08-28 02:55:18,api-key-usage-audit,75,dev.patel@example.com,,production",
    ]
    tables, records, rejects = parse("events_csv", lines, tz="Europe/Berlin")
    assert rejects.height == 0
    rows = tables["rollouts"].to_dicts()
    assert [(r["line_start"], r["line_end"], r["ts"], r["feature"], r["percentage"], r["note"]) for r in rows] == [
        (1, 2, utc("2025-08-28 01:04:12"), "api-key-usage-audit", 1.0, "first step"),
        (3, 3, utc("2025-08-28 01:49:41"), "api-key-usage-audit", 5.0, "second step, after review"),
        (4, 5, utc("2025-08-28 00:24:55"), "api-key-usage-audit", 25.0, "a note\non two lines"),
        (6, 6, utc("2025-08-28 00:55:18"), "api-key-usage-audit", 75.0, None),
    ]
    assert json.loads(rows[0]["extra"]) == {"environment": "production"}
    assert records.select("line_start", "line_end", "ts_origin", "logger").rows() == [
        (1, 2, "in-line", "rollouts"), (3, 3, "in-line", "rollouts"), (4, 5, "in-line", "rollouts"),
        (6, 6, "tz:Europe/Berlin", "rollouts")]


def test_a_jsonl_flag_audit_export_reads_nested_rollout_and_member_objects() -> None:
    lines = [
        '{"_id":"af4f","date":1756343052000,"kind":"flag","key":"api-key-usage-audit","titleVerb":"updated the flag",'
        '"description":"Changed the default rule rollout from 0% to 1% of requests","member":{"email":"dev.patel@example.com"},'
        '"rollout":{"before":0,"after":1}}',
        '{"_id":"4f75","date":1756333877000,"kind":"flag","key":"mobile-push-batching","titleVerb":"turned on the flag",'
        '"description":"Turned on the flag","member":{"email":"maria.okafor@example.com"}}',
    ]
    tables, _, rejects = parse("events_jsonl", lines)
    assert rejects.height == 0
    rows = tables["rollouts"].to_dicts()
    assert [(r["ts"], r["feature"], r["percentage"], r["previous_percentage"], r["actor"]) for r in rows] == [
        (utc("2025-08-28 01:04:12"), "api-key-usage-audit", 1.0, 0.0, "dev.patel@example.com"),
        (utc("2025-08-27 22:31:17"), "mobile-push-batching", None, None, "maria.okafor@example.com"),
    ]
    assert json.loads(rows[0]["extra"]) == {"_id": "af4f", "kind": "flag", "titleVerb": "updated the flag"}


def test_a_deploy_export_keeps_start_end_status_and_extras() -> None:
    lines = [
        "deploy_id,service,environment,version,commit_sha,status,started_at,finished_at,deployed_by,description",
        "dep-48219,webhook-dispatcher,production,2025.08.28-1,936289d3,failed,2025-08-28T03:58:12Z,2025-08-28T04:13:15Z,"
        "j.lindqvist@example.com,Webhook signing v2",
    ]
    tables, _, _ = parse("events_csv", lines)
    row = tables["deploys"].row(0, named=True)
    assert (row["ts"], row["ts_end"], row["service"], row["version"], row["status"], row["actor"], row["note"]) == (
        utc("2025-08-28 03:58:12"), utc("2025-08-28 04:13:15"), "webhook-dispatcher", "2025.08.28-1", "failed",
        "j.lindqvist@example.com", "Webhook signing v2")
    assert json.loads(row["extra"]) == {"deploy_id": "dep-48219", "environment": "production", "commit_sha": "936289d3"}


def test_rows_without_a_valid_time_or_a_name_are_rejected_line_by_line() -> None:
    lines = ["time,flag,pct", "soon,a,1", "2025-08-28T00:00:00Z,,2", "", "2025-08-28T00:00:00Z,b,3"]
    tables, records, rejects = parse("events_csv", lines)
    assert tables["rollouts"]["feature"].to_list() == ["b"]
    assert rejects.select("line_no", "reason").rows() == [
        (1, "no valid time in column time"), (2, "no valid time in column time"), (3, "no feature"), (4, "empty line")]
    assert records["line_start"].to_list() == [5]


@pytest.mark.parametrize(("lines", "found"), [
    (["when,what,who", "2025-08-28T00:00:00Z,x,y", "2025-08-28T00:01:00Z,x,y"], "columns when, what, who"),
    (["timestamp,cpu,memory", "2025-08-28T00:00:00Z,1,2", "2025-08-28T00:01:00Z,1,2"], "columns timestamp, cpu, memory"),
    (['{"at":"2025-08-28T00:00:00Z","state":"on"}', '{"at":"2025-08-28T00:01:00Z","state":"off"}'], "columns at, state"),
])
def test_an_export_whose_columns_cannot_be_mapped_is_refused_with_found_and_expected(lines: list[str], found: str) -> None:
    with pytest.raises(FormatRefused, match=f"{found}: cannot map them.*expected a time column.*timestamp, time, ts"):
        detect(lines)


def test_an_unmappable_export_is_refused_at_ingest_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "metrics.csv").write_text("timestamp,cpu,memory\n2025-08-28T00:00:00Z,1,2\n", encoding="utf-8")
    con = open_for_write(tmp_path / "x.duckdb")
    [result] = ingest(con, discover((str(tmp_path / "changes"),), []), IngestOptions())
    assert result.status == "refused"
    assert "columns timestamp, cpu, memory: cannot map them to a rollouts or deploys table" in (result.note or "")
    assert con.execute("SELECT count(*) FROM rejects").fetchone() == (2,)


def test_log_json_lines_are_not_exports_and_exports_are_not_logs() -> None:
    log = ['{"@timestamp":"2025-08-28T00:00:12.098Z","message":"m","logger_name":"a.B","level":"INFO","app":"events-api"}'] * 3
    export = ['{"date":1756343052000,"key":"api-key-usage-audit","rollout":{"before":0,"after":1}}'] * 3
    assert detect(log).name == "json_lines"  # type: ignore[union-attr]
    assert detect(export).name == "events_jsonl"  # type: ignore[union-attr]


def test_every_line_of_an_odd_csv_is_in_a_record_or_a_reject() -> None:
    cases = {
        "header only": ["time,flag,pct"],
        "blank after header": ["time,flag,pct", "", "2025-08-28T00:00:00Z,a,1"],
        "unterminated quote": ["time,flag,pct", "2025-08-28T00:00:00Z,a,1", '2025-08-28T00:00:00Z,"b,2', "more"],
    }
    for name, lines in cases.items():
        _, records, rejects = parse("events_csv", lines)
        covered = sorted([n for s, e in records.select("line_start", "line_end").rows() for n in range(s, e + 1)]
                         + rejects["line_no"].to_list())
        assert covered == list(range(1, len(lines) + 1)), name
