"""Run the real flake8 (this interpreter's) as a subprocess, as users and CI do."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FORMAT = "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def findings(self) -> list[tuple[str, int, int, str]]:
        """(path relative to the run's directory, line, column, code) of each reported line."""
        found = []
        for line in self.stdout.splitlines():
            path, row, col, rest = line.split(":", 3)
            found.append((Path(path).as_posix().removeprefix("./"), int(row), int(col), rest.split()[0]))
        return found

    def codes(self) -> set[str]:
        return {code for *_, code in self.findings()}


def flake8(cwd: Path, *args: str, stdin: str | None = None, isolated: bool = True, timeout: float = 300) -> Run:
    """``python -m flake8 [--isolated] -j1 --format=... ARGS`` in ``cwd``, as a user would see it.

    ``isolated=False`` lets flake8 read the config files of ``cwd``.
    ABR_DEBUG is dropped from the environment (tests/conftest.py sets it), so the
    plugin behaves as in the field: errors become one stderr line, not a traceback.
    """
    env = {k: v for k, v in os.environ.items() if k != "ABR_DEBUG"}
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *(["--isolated"] if isolated else []), "-j1", f"--format={FORMAT}", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
