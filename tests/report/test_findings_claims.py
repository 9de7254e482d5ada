"""Findings claim only what the data shows: no rollout data, no rollout blamed; no OOM, no OOM in the cascade."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from forensics.story.build import build_report
from forensics.story.findings import compose
from forensics.story.model import Report


@pytest.fixture(scope="module")
def report(sample_db: Path) -> Report:
    return build_report(sample_db)


def test_without_rollout_data_no_finding_blames_a_rollout_and_the_coverage_says_so(report: Report) -> None:
    coverage = [{**row, "families": str(row["families"]).replace("events", "")} for row in report.coverage]
    found = {f.id: f for f in compose(replace(report, rollout_steps=[], suspect_feature=None, coverage=coverage))}
    growth = found["producer_growth"]
    assert growth.title == "New producers grew" and "rollout" not in growth.text.replace("No rollout or deploy export", "")
    assert growth.evidence == ()
    assert found["coverage"].text.startswith("No rollout, feature-flag or deploy export was ingested")
    assert all("rollout" not in f.title for f in found.values())


def test_a_cascade_without_an_oom_names_the_failures_it_has_not_an_oom(report: Report) -> None:
    cascade = [row for row in report.cascade if row["event"] != "oom"]
    text = next(f for f in compose(replace(report, cascade=cascade)) if f.id == "cascade").text
    assert "OOM" not in text and text.startswith("Cascade: ") and " (failed " in text


def test_the_sample_cascade_still_names_its_ooms(report: Report) -> None:
    text = next(f for f in compose(report) if f.id == "cascade").text
    assert text == "Cascade: kafka-3 (OOM 03:53:07) → kafka-1 (OOM 04:06:31) → kafka-5 (OOM 04:19:48)."
