"""The command line as users run it: data on stdout, diagnostics on stderr, documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

SERVER_LOG = """\
[2025-08-28 03:53:07,412] INFO [KafkaServer id=3] started (kafka.server.KafkaServer)
[2025-08-28 03:56:00,000] INFO [Controller id=1] Acquired new producerId block ProducerIdsBlock(assignedBrokerId=3, firstProducerId=41872000, size=1000) by writing to Zk with path version 41873 (kafka.controller.KafkaController)
[2025-08-28 04:10:12,004] ERROR [KafkaApi-3] Unexpected error handling request RequestHeader(apiKey=PRODUCE) (kafka.server.KafkaApis)
java.lang.OutOfMemoryError: Java heap space
\tat java.base/java.util.HashMap.resize(HashMap.java:700)
"""


@pytest.fixture
def ingested(tmp_path: Path) -> Path:
    logs = tmp_path / "logs" / "kafka-3"
    logs.mkdir(parents=True)
    (logs / "server.log").write_text(SERVER_LOG, encoding="utf-8")
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), str(tmp_path / "logs"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "kafka-3/server.log  [kafka_log4j]  host=kafka-3  3 records  0 rejected  3 events" in done.stderr
    assert "taken as UTC for: kafka-3" in done.stderr
    return db


def test_ingest_then_sql_json_gives_typed_events_on_stdout_only(ingested: Path) -> None:
    done = run_cli("sql", "--db", str(ingested), "--format", "json",
                   "SELECT kind, broker_id, broker_id_origin, ts FROM broker_events ORDER BY ts")
    assert done.returncode == 0 and done.stderr == ""
    # the OOM's line names no broker and the file has no config dump of its own: unknown, not guessed
    assert json.loads(done.stdout) == [
        {"kind": "broker_started", "broker_id": 3, "broker_id_origin": "line", "ts": "2025-08-28T03:53:07.412000Z"},
        {"kind": "producer_id_block", "broker_id": 3, "broker_id_origin": "line", "ts": "2025-08-28T03:56:00Z"},
        {"kind": "oom", "broker_id": None, "broker_id_origin": None, "ts": "2025-08-28T04:10:12.004000Z"},
    ]


def test_named_query_with_a_parameter_as_csv(ingested: Path) -> None:
    done = run_cli("query", "--db", str(ingested), "producer_id_blocks", "-p", "bucket=30m", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "bucket,broker_id,blocks,ids,cumulative_ids",
        "2025-08-28T03:30:00Z,3,1,1000,1000",
    ]


def test_sql_opens_the_database_read_only_so_drop_fails_with_duckdbs_words(ingested: Path) -> None:
    done = run_cli("sql", "--db", str(ingested), "DROP TABLE records")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("forensics: error: ") and "read-only" in done.stderr
    assert run_cli("sql", "--db", str(ingested), "SELECT count(*) AS n FROM records").stdout.splitlines()[-1].strip() == "3"


def test_sql_from_stdin(ingested: Path) -> None:
    done = run_cli("sql", "--db", str(ingested), "--format", "csv", "-", stdin="SELECT 40 + 2 AS answer")
    assert done.stdout == "answer\n42\n"


def test_a_query_error_is_exit_1_and_a_bad_parameter_exit_2(ingested: Path) -> None:
    assert run_cli("sql", "--db", str(ingested), "SELECT nope FROM records").returncode == 1
    bad = run_cli("query", "--db", str(ingested), "producer_id_blocks", "-p", "bucket=soon")
    assert bad.returncode == 2 and "is not a duration" in bad.stderr
    unknown = run_cli("query", "--db", str(ingested), "no_such_query")
    assert unknown.returncode == 2 and "forensics queries" in unknown.stderr


def test_a_missing_database_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    done = run_cli("sql", "--db", str(tmp_path / "none.duckdb"), "SELECT 1")
    assert done.returncode == 3
    assert "no database at" in done.stderr and "forensics ingest" in done.stderr


def test_missing_input_paths_are_exit_3(tmp_path: Path) -> None:
    done = run_cli("ingest", "--db", str(tmp_path / "x.duckdb"), str(tmp_path / "nothing-here"))
    assert done.returncode == 3 and "no such file or directory" in done.stderr


def test_formats_lists_every_format_with_a_sample_line() -> None:
    done = run_cli("formats")
    assert done.returncode == 0
    assert "kafka_log4j  (broker)" in done.stdout
    assert "[2025-08-28 03:53:07,412] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)" in done.stdout


def test_queries_lists_every_named_query_with_its_title() -> None:
    from forensics.queries import all_queries

    done = run_cli("queries")
    listed = [line.split()[0] for line in done.stdout.splitlines()]
    assert listed == sorted(all_queries())


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for command in ("ingest", "sql", "query", "queries", "formats"):
        done = run_cli(command, "--help")
        assert done.returncode == 0 and "Usage:" in done.stdout
        assert f"forensics {command}" in readme, command


def test_a_forgotten_tz_is_fixed_with_replace_which_the_skip_message_names(tmp_path: Path) -> None:
    logs = tmp_path / "api-pod-b"
    logs.mkdir()
    (logs / "app.log").write_text(
        "2025-08-27 17:00:21.030  INFO 4242 --- [           main] o.a.k.clients.producer.KafkaProducer     : "
        "[Producer clientId=producer-1] Instantiated an idempotent producer.\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "--db", str(db), str(logs)).returncode == 0
    again = run_cli("ingest", "--db", str(db), "--tz", "America/Los_Angeles", str(logs))
    assert "already ingested (--replace reads it again with the options given now" in again.stderr
    fixed = run_cli("ingest", "--db", str(db), "--replace", "--tz", "America/Los_Angeles", str(logs))
    assert fixed.returncode == 0, fixed.stderr
    shown = run_cli("sql", "--db", str(db), "--format", "csv",
                    "SELECT count(*) AS n, min(ts) AS ts, min(ts_origin) AS origin FROM records")
    assert shown.stdout.splitlines()[1] == "1,2025-08-28T00:00:21.030000Z,tz:America/Los_Angeles"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["sql", "-"], "", "the SQL given is empty"),
    (["sql", "-"], "  -- a comment only\n;\n", "the SQL given is empty"),
    (["query", "casade"], None, "did you mean cascade?"),
    (["query", "cascade", "-p", "heap_pct=high"], None, "-p heap_pct: 'high' is not a number"),
])
def test_new_user_slips_get_a_usage_error_in_their_words(tmp_path: Path, args: list[str], stdin: str | None,
                                                         message: str) -> None:
    db = tmp_path / "x.duckdb"
    logs = tmp_path / "kafka-1"
    logs.mkdir()
    (logs / "server.log").write_text("[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)\n")
    assert run_cli("ingest", "--db", str(db), str(logs)).returncode == 0
    done = run_cli(*args, "--db", str(db), stdin=stdin)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_columns_picks_and_orders_the_columns_of_a_query_and_names_the_ones_there_are(tmp_path: Path) -> None:
    db, logs = tmp_path / "x.duckdb", tmp_path / "kafka-1"
    logs.mkdir()
    (logs / "server.log").write_text("[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)\n")
    assert run_cli("ingest", "--db", str(db), str(logs)).returncode == 0
    picked = run_cli("query", "broker_timeline", "--db", str(db), "--format", "csv", "-c", "kind,host")
    assert picked.stdout.splitlines() == ["kind,host", "broker_started,kafka-1"]
    wrong = run_cli("sql", "--db", str(db), "-c", "nope", "SELECT 1 AS one")
    assert wrong.returncode == 2 and "--columns: no column 'nope' in the result" in wrong.stderr and "it has: one" in wrong.stderr
