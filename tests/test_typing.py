"""The package type-checks: mypy (configured in pyproject.toml, [tool.mypy]) reports no error.

About 10 s from cold; mypy's incremental cache (.mypy_cache, ignored by git) makes
the next runs take a fraction of a second.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_mypy_reports_no_error() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed (the `test` extra has it)")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"],  # the files and settings of [tool.mypy]
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"mypy found errors:\n{proc.stdout}{proc.stderr}"
