"""The HTML report in headless Chromium (Debian package `chromium`): it renders, the charts are there, and a
`<script>` inside a log line stays text.

Skipped only when /usr/bin/chromium is absent and CI is not set; under CI it must be there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PAYLOAD = "<script>document.title='pwned'</script>"
#: an element that runs script without a <script> tag
IMG = "<img src=x onerror=\"document.title='img'\">"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def browse(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM.exists(), "CI needs the Debian package chromium"
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_the_sample_report_renders_with_its_charts(sample_db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    done = run_cli("report", "--db", str(sample_db), "--format", "html", "-o", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<script" not in html
    dom = browse(page, tmp_path, "--dump-dom").stdout
    for chart in ("new_producers", "producer_ids", "gc_overhead", "heap_after"):
        assert f'data-chart="{chart}"' in dom
    assert dom.count("<polyline") >= 2 + 5 + 5  # cluster series, and one line per broker in each GC chart
    assert 'data-section="cascade"' in dom and "kafka-3" in dom
    shot = tmp_path / "shot.png"
    browse(page, tmp_path, "--window-size=1200,1600", f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000


def test_a_script_in_a_log_line_stays_text(tmp_path: Path) -> None:
    logs = tmp_path / "logs" / "kafka-3"
    logs.mkdir(parents=True)
    (logs / "server.log").write_text(
        "[2025-08-28 03:53:00,000] INFO [KafkaServer id=3] started (kafka.server.KafkaServer)\n"
        f"[2025-08-28 03:53:07,284] ERROR [KafkaApi-3] {PAYLOAD} (kafka.server.KafkaApis)\n"
        f"java.lang.OutOfMemoryError: {PAYLOAD} {IMG}\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "-q", "--db", str(db), str(tmp_path / "logs")).returncode == 0
    page = tmp_path / "report.html"
    done = run_cli("report", "--db", str(db), "--format", "html", "-o", str(page))
    assert done.returncode == 0, done.stderr
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page.read_text(encoding="utf-8")
    dom = browse(page, tmp_path, "--dump-dom").stdout
    assert "<title>Incident report:" in dom and "pwned</title>" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert PAYLOAD not in dom and "<img" not in dom and "img</title>" not in dom
    assert "&lt;img src=x onerror=" in dom  # it is there, as text
