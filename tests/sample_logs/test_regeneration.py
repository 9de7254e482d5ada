"""The committed bundle is exactly what the generator writes at the default seed."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from .helpers import BUNDLE, SAMPLE, bundle_files


def test_regenerating_the_default_seed_writes_the_same_file_list(regenerated: Path) -> None:
    committed = [p.relative_to(BUNDLE) for p in bundle_files()]
    fresh = [p.relative_to(regenerated / "incident") for p in bundle_files(regenerated / "incident")]
    assert fresh == committed


def test_regenerating_the_default_seed_reproduces_every_file_byte_for_byte(regenerated: Path) -> None:
    different = [
        str(p.relative_to(BUNDLE))
        for p in bundle_files()
        if p.read_bytes() != (regenerated / "incident" / p.relative_to(BUNDLE)).read_bytes()
    ]
    assert different == []


def test_gzipped_hours_are_identical_once_decompressed_and_carry_no_timestamp(regenerated: Path) -> None:
    gzipped = [p for p in bundle_files() if p.suffix == ".gz"]
    assert gzipped, "at least one old server.log hour is gzipped"
    for path in gzipped:
        fresh = regenerated / "incident" / path.relative_to(BUNDLE)
        assert gzip.decompress(path.read_bytes()) == gzip.decompress(fresh.read_bytes())
        assert path.read_bytes()[4:8] == b"\0\0\0\0", f"{path.name}: gzip MTIME must be 0"


def test_regenerating_reproduces_truth_json(regenerated: Path) -> None:
    assert (regenerated / "truth.json").read_bytes() == (SAMPLE / "truth.json").read_bytes()


def test_another_seed_writes_different_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path), "--seed", "7"],
        check=True,
        capture_output=True,
    )
    ours = (BUNDLE / "api-pod-a" / "app.log").read_bytes()
    assert (tmp_path / "incident" / "api-pod-a" / "app.log").read_bytes() != ours
