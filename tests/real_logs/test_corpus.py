"""Real Kafka logs from public sources decide what is right: each source's golden file, exactly.

The corpus is ingested once, as a user would ingest it; every file's format, accounting and typed
events must equal its source's ``golden.json`` (see ``corpus.py`` for how to rewrite them after a
deliberate change, and review that diff).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from forensics.reader import open_bytes
from tests.real_logs.corpus import MANIFEST_KEYS, MODES, Source, dumps, golden_of, ingest_corpus, sources

SOURCES = sources()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = ingest_corpus(tmp_path_factory.mktemp("corpus") / "corpus.duckdb")
    yield con
    con.close()


def test_the_corpus_has_twenty_sources_covering_every_version_line_and_mode() -> None:
    manifests = [s.manifest for s in SOURCES]
    assert len(SOURCES) >= 20
    lines = {m["kafka_version"] for m in manifests if m["mode"] != "client"}
    for line in ("0.8", "0.9", "0.10", "0.11", "1.", "2.", "3.", "4."):
        assert any(v.startswith(line) for v in lines), f"no broker log of Kafka {line}x"
    modes = {m["mode"] for m in manifests}
    assert {"zookeeper", "client"} <= modes and modes & {"kraft-combined", "kraft-separate"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_each_source_says_where_it_comes_from(source: Source) -> None:
    manifest = source.manifest
    missing = [key for key in MANIFEST_KEYS if not isinstance(manifest.get(key), str | list)]
    assert not missing, f"{source.slug}/source.toml lacks {missing}"
    assert manifest["mode"] in MODES
    for origin in manifest["source"] if isinstance(manifest["source"], list) else [manifest["source"]]:
        assert re.match(r"^(github:[\w.-]+/[\w.-]+@[0-9a-f]{40}:\S+|https://github\.com/\S+)$", origin), origin
    assert source.logs(), f"{source.slug} holds no log file"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_every_line_of_every_real_file_is_in_a_record_or_rejected(corpus: duckdb.DuckDBPyConnection,
                                                                   source: Source) -> None:
    read: dict[str, int] = {}
    for name, entry in golden_of(corpus, source)["files"].items():
        assert entry["lines_in_records"] + entry["lines_rejected"] == entry["lines_read"], (source.slug, name)
        file = name.split(" (", 1)[0]  # a file holding several logs has a row for each
        read[file] = read.get(file, 0) + entry["lines_read"]
    for file, lines_read in read.items():
        with open_bytes(source.folder / file) as fh:  # decompressed, UTF-16 decoded
            physical = fh.read()
        expected = physical.count(b"\n") + (1 if physical and not physical.endswith(b"\n") else 0)
        assert lines_read == expected, (source.slug, file)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_each_source_gives_exactly_its_golden_records_and_events(corpus: duckdb.DuckDBPyConnection,
                                                                  source: Source) -> None:
    assert source.golden_path.exists(), f"no golden file: python -m tests.real_logs.corpus --write, then review it"
    got = dumps(golden_of(corpus, source))
    want = source.golden_path.read_text(encoding="utf-8")
    if got != want:  # a readable difference: the first file and event that differ
        got_files, want_files = json.loads(got)["files"], json.loads(want)["files"]
        assert got_files.keys() == want_files.keys()
        for name in want_files:
            for key in want_files[name]:
                assert got_files[name][key] == want_files[name][key], (source.slug, name, key)
        assert json.loads(got)["host"] == json.loads(want)["host"]
        assert got == want  # what is left: a field the golden file does not have yet


def _events(corpus: duckdb.DuckDBPyConnection, slug: str, kind: str, file: str | None = None) -> list[dict[str, object]]:
    """The events of one kind in a source (in one of its files), with their ``file`` and ``line``."""
    source = next(s for s in SOURCES if s.slug == slug)
    return [{"file": name, "line": line, **fields}
            for name, entry in golden_of(corpus, source)["files"].items() if file in (None, name)
            for line, k, fields in entry["events"] if k == kind]


def test_pre_0_11_broker_lives_are_typed(corpus: duckdb.DuckDBPyConnection) -> None:
    slug = "k0.10-jjshi-kafka_2.11-0.10.2.1"
    started = _events(corpus, slug, "broker_started")
    assert started and all(e["broker_id"] == 0 and e["broker_id_origin"] == "line" for e in started)
    offline = _events(corpus, slug, "offline_leader_elected", "state-change.log")
    assert {"line": 66, "topic": "idriver", "partition": 0, "leader": 0, "epoch": 10, "node_id": 0}.items() <= offline[0].items()
    fatal = _events(corpus, slug, "fatal", "server.log.2017-05-23-17")
    assert [(e["detail"], e["broker_id"], e["broker_id_origin"]) for e in fatal] == [
        ("Fatal error during KafkaServer shutdown", 0, "config"), ("Fatal error during KafkaServerStable shutdown", 0, "config")]


def test_an_id_comes_from_the_line_or_the_files_own_config_dump_never_from_a_guess(corpus: duckdb.DuckDBPyConnection) -> None:
    """The 0.9 folder holds brokers 0, 1 and 2 in the same rotated files: the host has no single id."""
    slug = "k0.9-danisharora-helloworld"
    source = next(s for s in SOURCES if s.slug == slug)
    assert golden_of(corpus, source)["host"] == {"broker_id": None, "broker_id_origin": None, "broker_ids_seen": "0,1,2"}
    # a file both brokers 0 and 1 wrote (their controlled shutdowns) lends no id to anything
    shared = "server.log.2016-11-17-18"
    assert {e["broker_id"] for e in _events(corpus, slug, "controlled_shutdown", shared)} == {0, 1}
    assert not [e for e in golden_of(corpus, source)["files"][shared]["events"] if e[2].get("broker_id_origin") == "config"]
    # a file with broker 0's config dumps and only broker 0's own lines: its fatal errors are broker 0's
    fatal = _events(corpus, slug, "fatal", "server.log.2016-11-21-14")
    assert fatal and {(e["broker_id"], e["broker_id_origin"]) for e in fatal} == {(0, "config")}


def test_golden_files_belong_to_sources() -> None:
    corpus_dir = Path(__file__).parent / "kafka"
    stray = [p for p in corpus_dir.glob("*/golden.json") if not (p.parent / "source.toml").exists()]
    assert not stray
