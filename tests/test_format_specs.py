"""Layout specs and event rules check themselves when loaded; broken ones say what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.events import load_rules, rules_for
from parsers.registry import all_formats, check_samples, detect, get_format, load_layout_formats, parse_lines
from parsers.spec import SpecError, load_spec_file, spec_files


@pytest.mark.parametrize("path", spec_files(), ids=lambda p: p.stem)
def test_every_layout_spec_loads_and_its_samples_parse_as_declared(path: Path) -> None:
    from parsers.registry import LayoutFormat

    check_samples(LayoutFormat(load_spec_file(path)))


def test_every_broker_event_rule_has_samples_that_give_the_declared_values() -> None:
    rules = rules_for("broker")
    kinds = {r.kind for r in rules}
    required = {"producer_id_block", "producer_snapshot", "broker_started", "broker_shutdown", "broker_failed",
                "oom", "isr_shrink", "isr_expand", "leader_change", "controller_change", "fatal"}
    assert required <= kinds
    assert all(rule.samples for rule in rules)


def _write_spec(tmp_path: Path, body: str, name: str = "broken") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD_HEAD = r"""
name = "broken"
title = "t"
family = "broker"
[head]
regex = '^\[(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})\] (?P<level>[A-Z]+) (?P<rest>.*)$'
[timestamp]
format = "%Y-%m-%d %H:%M:%S,%3f"
"""


def test_a_sample_whose_expected_value_differs_is_refused_naming_the_sample_and_field(tmp_path: Path) -> None:
    body = GOOD_HEAD + """
[[samples]]
lines = ['[2025-01-01 00:00:00,001] INFO hello']
expect = { ts = "2025-01-01T00:00:00+00:00" }
"""
    with pytest.raises(SpecError, match=r"broken.toml: sample #1: ts is '2025-01-01T00:00:00.001000\+00:00', expected"):
        load_layout_formats([_write_spec(tmp_path, body)])


def test_a_spec_without_samples_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="at least one"):
        load_spec_file(_write_spec(tmp_path, GOOD_HEAD))


def test_look_around_is_refused_because_polars_cannot_run_it(tmp_path: Path) -> None:
    body = GOOD_HEAD.replace("(?P<rest>.*)$", "(?P<rest>(?!x).*)$") + "[[samples]]\nlines=['x']\n"
    with pytest.raises(SpecError, match="look-around"):
        load_spec_file(_write_spec(tmp_path, body))


def test_a_sample_that_is_a_record_head_in_another_format_is_refused(tmp_path: Path) -> None:
    body = GOOD_HEAD.replace('name = "broken"', 'name = "copycat"') + """
[[samples]]
lines = ['[2025-08-28 03:53:07,412] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)']
"""
    own = [p for p in spec_files() if p.stem == "kafka_log4j"]
    with pytest.raises(SpecError, match="also a record head in"):
        load_layout_formats([*own, _write_spec(tmp_path, body, "copycat")])


def test_an_event_rule_sample_that_gives_no_event_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("""
[[rule]]
kind = "broker_started"
contains = "started"
regex = '^\\[KafkaServer id=(?P<broker_id>\\d+)\\] started$'
samples = [{ message = "[KafkaServer id=x] started", expect = {} }]
""", encoding="utf-8")
    with pytest.raises(SpecError, match="rule #1 \\(broker_started\\): sample .* gives no event"):
        load_rules(path)


@pytest.mark.parametrize("fmt", [f for f in all_formats() if hasattr(f, "spec")], ids=lambda f: f.name)
def test_each_layout_is_detected_from_its_own_samples(fmt: object) -> None:
    lines = [line for sample in fmt.spec.samples for line in sample.lines]  # type: ignore[attr-defined]
    assert detect(lines).name == fmt.name  # by name: a --layout elsewhere rebuilds the list


def test_text_that_fits_no_format_is_not_detected() -> None:
    assert detect(["just words", "more words", "", "\tat nothing"]) is None


def test_the_message_is_the_line_between_head_and_logger_whatever_its_characters() -> None:
    """The message is sliced off the line by length: these cases pin where the cut falls."""
    lines = [
        "[2025-08-28 03:53:07,412] INFO  (kafka.Empty)",  # empty message, then the logger
        "[2025-08-28 03:53:07,413] INFO (kafka.NotATail)",  # no space before '(': all message
        "[2025-08-28 03:53:07,414] WARN café ☕ naïve (x) done (kafka.Unicode)",
        "[2025-08-28 03:53:07,415] ERROR Boom é (kafka.Multi)",
        "java.lang.IllegalStateException: ünïcode",
        "\tat a.b(C.java:1)",
        "[2025-08-28 03:53:07,416] INFO no logger at all",
    ]
    records, rejects = parse_lines(get_format("kafka_log4j"), lines)
    assert rejects.height == 0
    assert records.select("line_start", "line_end", "logger", "message").rows() == [
        (1, 1, "kafka.Empty", ""),
        (2, 2, None, "(kafka.NotATail)"),
        (3, 3, "kafka.Unicode", "café ☕ naïve (x) done"),
        (4, 6, "kafka.Multi", "Boom é\njava.lang.IllegalStateException: ünïcode\n\tat a.b(C.java:1)"),
        (7, 7, None, "no logger at all"),
    ]
