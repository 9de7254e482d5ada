"""The client tables are declared once: the DDL columns are the rules' fields and the exports' frames, in order."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forensics.db import open_for_write
from parsers.events import rules_for
from parsers.exports.formats import TABLES

DUCK = {pl.Int32(): "INTEGER", pl.Int64(): "BIGINT", pl.Float64(): "DOUBLE", pl.String(): "VARCHAR",
        pl.Boolean(): "BOOLEAN"}


def columns(tmp_path: Path, table: str) -> list[tuple[str, str]]:
    con = open_for_write(tmp_path / "x.duckdb")
    return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]


def test_client_events_columns_are_the_fields_of_client_toml_in_order(tmp_path: Path) -> None:
    table = rules_for("client")[0].table
    expected = [("source_id", "INTEGER"), ("host", "VARCHAR"), ("line_start", "BIGINT"), ("line_end", "BIGINT"),
                ("ts", "TIMESTAMP WITH TIME ZONE"), ("kind", "VARCHAR"),
                *[(name, DUCK[dtype]) for name, dtype in table.fields]]
    assert columns(tmp_path, "client_events") == expected


def test_rollouts_and_deploys_columns_are_the_export_frames_in_order(tmp_path: Path) -> None:
    for table, frame in TABLES.items():
        got = [name for name, _ in columns(tmp_path, table)]
        assert got == ["source_id", "host", *frame], table


def test_the_producers_view_has_the_columns_the_readme_promises(tmp_path: Path) -> None:
    names = [name for name, _ in columns(tmp_path, "producers")]
    assert names[:14] == ["host", "client_id", "transactional_id", "instance", "created_at", "producer_id", "epoch",
                          "closed_at", "lifetime_ms", "close_timeout_ms", "force_closed", "unregistered_at",
                          "client_version", "jvm"]
