"""Configuration messages: printed once per run, by the main process only.

flake8 and ``async-bridge check`` lint in worker processes. Under ``fork`` the
workers inherit what the main process already resolved; under ``spawn`` and
``forkserver`` each worker resolves the settings again. Either way the main
process has reported every problem, so a worker stays quiet.
"""

from __future__ import annotations

import multiprocessing
import sys

PREFIX = "flake8-async-bridge"


def in_worker() -> bool:
    """True in a process started by ``multiprocessing`` (any start method)."""
    return multiprocessing.parent_process() is not None


def warn(message: str) -> None:
    """One ``flake8-async-bridge: ...`` line on stderr, from the main process only."""
    if not in_worker():
        print(f"{PREFIX}: {message}", file=sys.stderr)
