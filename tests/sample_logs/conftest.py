"""Fixtures for the sample bundle tests: its truth.json and a fresh regeneration."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .helpers import SAMPLE


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    return json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle regenerated at the default seed and scale into a temporary directory."""
    sys.path.insert(0, str(SAMPLE))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SAMPLE))
    out = tmp_path_factory.mktemp("regenerated")
    assert generate.main(["--out", str(out)]) == 0
    return out
