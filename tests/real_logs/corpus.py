"""The corpus of real Kafka logs (tests/real_logs/kafka/): ingest it, and say per file what came out.

Each folder under ``kafka/`` is one public source, copied verbatim, with ``source.toml`` (where it
comes from, Kafka version, layout, licence, what it holds) and ``golden.json``: per file the format,
the accounting and every typed event (line, kind, the kind's fields), and the hosts' broker ids.
The tests ingest the whole corpus once and compare. After a deliberate change to what the parsers
find, write the golden files again and review the diff line by line before committing it:

    python -m tests.real_logs.corpus --write
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from forensics import db
from forensics.commands import prepare_ingest
from forensics.ingest import ingest
from parsers.client.pattern import drop_layout

CORPUS = Path(__file__).resolve().parent / "kafka"
MANIFEST_KEYS = ("source", "kafka_version", "version_evidence", "mode", "layout", "wrapper", "licence", "lines", "holds")
MODES = ("zookeeper", "kraft-combined", "kraft-separate", "client")
#: Columns of an event table that are not the event's own fields.
NOT_FIELDS = ("source_id", "host", "line_start", "line_end", "ts", "kind")


@dataclass(frozen=True)
class Source:
    folder: Path

    @property
    def slug(self) -> str:
        return self.folder.name

    @property
    def manifest(self) -> dict[str, Any]:
        return tomllib.loads((self.folder / "source.toml").read_text(encoding="utf-8"))

    @property
    def golden_path(self) -> Path:
        return self.folder / "golden.json"

    def logs(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.name not in ("source.toml", "golden.json"))


def sources() -> list[Source]:
    return [Source(folder) for folder in sorted(CORPUS.iterdir()) if (folder / "source.toml").is_file()]


def ingest_corpus(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Every source into one database, each folder its own host, as a user would ingest it.

    A source's ``[ingest]`` table gives what that user would pass: ``layout`` (the application's own
    conversion pattern, ``--layout``), ``tz`` (``--tz``). Without it zone-less times are taken as UTC.
    """
    con = db.open_for_write(str(db_path))
    for source in sources():
        given = source.manifest.get("ingest", {})
        tz = (given["tz"],) if "tz" in given else ()
        files, options = prepare_ingest(tuple(str(p) for p in source.logs()), tz, (), None, None, given.get("layout"))
        try:
            ingest(con, files, options)
        finally:
            drop_layout()
    return con


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _events(con: duckdb.DuckDBPyConnection, table: str, source_id: int) -> list[list[Any]]:
    order = "broker_id" if table == "broker_events" else "client_id"
    cursor = con.execute(f"SELECT * FROM {table} WHERE source_id = ? ORDER BY line_start, kind, {order}", [source_id])
    names = [d[0] for d in cursor.description]
    rows = []
    for row in cursor.fetchall():
        event = dict(zip(names, row, strict=True))
        fields = {k: _value(v) for k, v in event.items() if k not in NOT_FIELDS and v is not None}
        rows.append([event["line_start"], event["kind"], fields])
    return rows


def golden_of(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, Any]:
    """What the ingest made of one source: per file its accounting and events, and its host's broker id."""
    files: dict[str, Any] = {}
    rows = con.execute(
        """SELECT source_id, path, part, host, format, family, status, lines_read, records, lines_in_records,
                  lines_rejected, ts_origin, first_ts, last_ts
           FROM sources WHERE abs_path LIKE ? || '%' ORDER BY path, part""",
        [str(source.folder.resolve()) + "/"],
    ).fetchall()
    for sid, path, part, host, fmt, family, status, read, records, in_records, rejected, origin, first, last in rows:
        name = str(Path(path).resolve().relative_to(source.folder.resolve()))
        if part:  # one of the logs a file holds (a container of a compose capture, a stdout's GC lines)
            name = f"{name} ({part}, host {host})"
        reasons = dict(con.execute(
            "SELECT reason, count(*) FROM rejects WHERE source_id = ? GROUP BY reason ORDER BY reason", [sid]
        ).fetchall())
        table = f"{family}_events" if family in ("broker", "client") else None
        files[name] = {
            "format": fmt, "family": family, "status": status, "lines_read": read, "records": records,
            "lines_in_records": in_records, "lines_rejected": rejected, "rejects": reasons, "ts_origin": origin,
            "first_ts": _value(first), "last_ts": _value(last),
            "events": _events(con, table, sid) if table else [],
        }
    hosts = {}
    for host in sorted({row[3] for row in rows}):
        ids = con.execute("SELECT broker_id, broker_id_origin, broker_ids_seen FROM hosts WHERE host = ?", [host]).fetchall()
        hosts[host] = dict(zip(("broker_id", "broker_id_origin", "broker_ids_seen"), ids[0], strict=True)) if ids else {}
    # the source's folder is its host; a file holding several writers' logs names their hosts
    return {"host": hosts.pop(source.slug, {}) if list(hosts) == [source.slug] else hosts, "files": files}


def dumps(golden: dict[str, Any]) -> str:
    """JSON with one event per line, so that a change shows as a readable diff."""
    out = ['{', f'  "host": {json.dumps(golden["host"], sort_keys=True)},', '  "files": {']
    names = list(golden["files"])
    for i, name in enumerate(names):
        entry = dict(golden["files"][name])
        events = entry.pop("events")
        out.append(f'    {json.dumps(name)}: {{')
        for key, value in entry.items():
            out.append(f'      {json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)},')
        if events:
            out.append('      "events": [')
            out += [f'        {json.dumps(e, ensure_ascii=False, sort_keys=True)}' + ("," if j < len(events) - 1 else "")
                    for j, e in enumerate(events)]
            out.append('      ]')
        else:
            out.append('      "events": []')
        out.append('    }' + ("," if i < len(names) - 1 else ""))
    out += ['  }', '}', '']
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write every source's golden.json")
    parser.add_argument("--db", default=None, help="keep the corpus database here (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        con = ingest_corpus(Path(args.db) if args.db else Path(tmp) / "corpus.duckdb")
        changed = 0
        for source in sources():
            text = dumps(golden_of(con, source))
            old = source.golden_path.read_text(encoding="utf-8") if source.golden_path.exists() else None
            if text != old:
                changed += 1
                print(f"{source.slug}: {'changed' if old else 'new'}", file=sys.stderr)
                if args.write:
                    source.golden_path.write_text(text, encoding="utf-8")
        con.close()
    print(f"{changed} of {len(sources())} golden file(s) {'written' if args.write else 'differ'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
