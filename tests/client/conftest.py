"""Fixtures: the sample incident's client logs and change exports, ingested once; helpers to parse lines."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import polars as pl
import pytest

from forensics.db import open_for_write
from forensics.discovery import TzPolicy, discover
from forensics.ingest import IngestOptions, ingest
from parsers.base import ParseContext
from parsers.events import EventRouter
from parsers.registry import get_format, parse_lines
from tests.conftest import SAMPLE

TRUTH: dict[str, Any] = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
CLIENT_HOSTS = ("api-pod-a", "api-pod-b", "billing-service")


@pytest.fixture(scope="session")
def client_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The client hosts and rollouts of sample_logs/incident, api-pod-b read in its zone."""
    con = open_for_write(tmp_path_factory.mktemp("clients") / "clients.duckdb")
    paths = tuple(str(SAMPLE / "incident" / name) for name in (*CLIENT_HOSTS, "rollouts"))
    ingest(con, discover(paths, []), IngestOptions(tz=TzPolicy.from_flags(("api-pod-b=America/Los_Angeles",))))
    return con


def records_of(fmt: str, lines: list[str], ctx: ParseContext | None = None) -> pl.DataFrame:
    """The records of lines in a format; fails on any reject."""
    records, rejects = parse_lines(get_format(fmt), lines, ctx)
    assert rejects.height == 0, rejects.to_dicts()
    return records


def client_events(fmt: str, lines: list[str], ctx: ParseContext | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(the role the file is given, its typed events) for lines in a format."""
    router = EventRouter(get_format(fmt).family)
    events = router.extract(records_of(fmt, lines, ctx))
    return router.family, events.to_dicts()


def only(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [e for e in events if e["kind"] == kind]
    assert len(found) == 1, [e["kind"] for e in events]
    return found[0]
