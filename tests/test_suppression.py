"""Suppression comments, through a real flake8 run: ``# noqa: CODE``, ``# noqa``, ``# flake8: noqa``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\n"


def _run(tmp_path: Path, source: str, *args: str) -> list[tuple[int, str]]:
    path = tmp_path / "service.py"
    path.write_text(HEADER + source, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=ABR", *args, "service.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    found = [(int(m[1]), m[2]) for m in re.finditer(r"^service\.py:(\d+):\d+: (ABR\d{3}) ", done.stdout, re.M)]
    assert done.returncode == (1 if found else 0), (done.stdout, done.stderr)
    return found


# line 8 of each file is the first line after HEADER
ABR105_LINE = "async def refresh():\n    asyncio.run(fetch()){comment}\n"
ABR102_LINE = "def start():\n    loop = asyncio.new_event_loop(){comment}\n    loop.run_until_complete(fetch())\n"


def test_unsuppressed_findings_are_reported(tmp_path):
    source = ABR105_LINE.format(comment="") + "\n\n" + ABR102_LINE.format(comment="")
    assert _run(tmp_path, source) == [(9, "ABR105"), (13, "ABR102")]


@pytest.mark.parametrize("comment", [
    "  # noqa: ABR105",
    "  # noqa:ABR105",
    "  # NOQA: ABR105",
    "  # noqa: E501,ABR105",
    "  # noqa: ABR1",      # flake8 matches code prefixes
    "  # noqa",
])
def test_noqa_on_the_line_silences_it(tmp_path, comment):
    assert _run(tmp_path, ABR105_LINE.format(comment=comment)) == []


@pytest.mark.parametrize("comment", ["  # noqa: ABR102", "  # noqa: E501"])
def test_noqa_for_another_code_does_not(tmp_path, comment):
    assert _run(tmp_path, ABR105_LINE.format(comment=comment)) == [(9, "ABR105")]


def test_noqa_is_per_line(tmp_path):
    source = ABR105_LINE.format(comment="  # noqa: ABR105") + "\n\n" + ABR102_LINE.format(comment="")
    assert _run(tmp_path, source) == [(13, "ABR102")]
    source = ABR105_LINE.format(comment="") + "\n\n" + ABR102_LINE.format(comment="  # noqa: ABR102")
    assert _run(tmp_path, source) == [(9, "ABR105")]


def test_noqa_on_a_multiline_statement(tmp_path):
    # the finding is on the line where the call starts: that is where the comment goes
    source = "async def refresh():\n    asyncio.run(  # noqa: ABR105\n        fetch(),\n    )\n"
    assert _run(tmp_path, source) == []
    source = "async def refresh():\n    asyncio.run(\n        fetch(),\n    )\n"
    assert _run(tmp_path, source) == [(9, "ABR105")]


@pytest.mark.parametrize("comment", ["# flake8: noqa", "# flake8: NOQA"])
def test_file_level_noqa(tmp_path, comment):
    source = comment + "\n" + ABR105_LINE.format(comment="") + "\n\n" + ABR102_LINE.format(comment="")
    assert _run(tmp_path, source) == []


def test_file_level_noqa_must_stand_on_its_own_line(tmp_path):
    # after code, flake8 ignores it (with a warning) instead of skipping the file
    source = ABR105_LINE.format(comment="  # flake8: noqa")
    assert _run(tmp_path, source) == [(9, "ABR105")]


def test_disable_noqa_reports_everything(tmp_path):
    source = ABR105_LINE.format(comment="  # noqa: ABR105")
    assert _run(tmp_path, source, "--disable-noqa") == [(9, "ABR105")]


def test_extend_ignore_and_per_file_ignores(tmp_path):
    source = ABR105_LINE.format(comment="") + "\n\n" + ABR102_LINE.format(comment="")
    # --select=ABR plus --extend-ignore of one code
    assert _run(tmp_path, source, "--extend-ignore=ABR102") == [(9, "ABR105")]
    assert _run(tmp_path, source, "--per-file-ignores=service.py:ABR105") == [(13, "ABR102")]
