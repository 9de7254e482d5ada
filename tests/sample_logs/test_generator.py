"""The generator's other promises: a benchmark server.log on demand, and a README that matches the truth."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from .helpers import LOG4J_HEAD, SAMPLE, log4j_records


def _write_server_log(path: Path, size: int, seed: int = 1) -> dict[str, int]:
    sys.path.insert(0, str(SAMPLE))
    try:
        from generator import write_server_log  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SAMPLE))
    return write_server_log(path, size, seed=seed)


def test_benchmark_server_log_has_the_requested_size_and_broker_shape(tmp_path: Path) -> None:
    path = tmp_path / "server.log"
    stats = _write_server_log(path, 3_000_000)
    assert stats["bytes"] == path.stat().st_size and 3_000_000 <= stats["bytes"] < 5_500_000
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    assert stats["lines"] == len(lines)
    assert stats["records"] == sum(1 for line in lines if LOG4J_HEAD.match(line))
    records = list(log4j_records(path))
    with_stack = sum(1 for _, _, text in records if "\n\tat " in text or "\norg." in text)
    assert 0.010 < with_stack / len(records) < 0.025
    assert any(text.startswith("INFO KafkaConfig values: ", 26) for _, _, text in records)
    assert {level for _, level, _ in records} == {"DEBUG", "INFO", "WARN", "ERROR"}


def test_benchmark_server_log_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    _write_server_log(tmp_path / "a.log", 500_000, seed=3)
    _write_server_log(tmp_path / "b.log", 500_000, seed=3)
    assert (tmp_path / "a.log").read_bytes() == (tmp_path / "b.log").read_bytes()


def test_readme_states_the_times_and_ratio_that_truth_json_holds(truth: dict[str, Any]) -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for host in truth["cascade_order"]:
        first_oom = truth["brokers"][host]["first_oom"][11:19]
        assert re.search(rf"{host}[^\n]*{first_oom}|{first_oom}[^\n]*{host}", readme), host
        assert truth["brokers"][host]["started"][11:19] in readme
    assert f"{round(truth['new_producers_per_hour']['ratio'])}×" in readme
    assert truth["controller"]["changes"][0]["at"][11:19] in readme
    for step in truth["rollout"]["steps"]:
        assert step["at"][11:19] in readme
    for host in truth["cascade_order"]:
        assert truth["gc"][host]["first_full_gc"][11:19] in readme
    assert ", ".join(str(n) for n in truth["producer_id_blocks"]["per_hour"].values()) in readme
