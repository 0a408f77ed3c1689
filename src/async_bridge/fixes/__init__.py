"""``async-bridge fix``: safe automatic rewrites of ABR findings, with libcst.

The ``ast`` checks decide what is a finding (the same engine as the flake8
plugin); a *fixer* gets the libcst node at the finding's position plus the
finding's ``fix`` hints and returns an edit, or None to leave the finding for
manual work. One module per code (``abr101.py`` ...), registered by code with
``@fixer``.

This package's ``__init__`` and ``cli`` stay free of libcst at import time: the
console script imports ``fixes.cli`` for every command, and the check path never
imports this package at all.
"""

from __future__ import annotations

import importlib
from typing import Callable

# code -> fixer callable (see ``base.Fixer``); filled by ``load_all``
FIXERS: dict[str, Callable] = {}

_MODULES = ("abr101", "abr102", "abr2_twins", "abr202", "abr205", "abr206", "abr401", "abr403")
_loaded = False


def fixer(*codes: str) -> Callable[[Callable], Callable]:
    """Register a fixer function for one or more codes."""

    def decorate(func: Callable) -> Callable:
        for code in codes:
            if code in FIXERS:
                raise ValueError(f"two fixers for {code}")
            FIXERS[code] = func
        return func

    return decorate


def load_all() -> dict[str, Callable]:
    """Import every fixer module once (this imports libcst)."""
    global _loaded
    if not _loaded:
        for name in _MODULES:
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return FIXERS


# Codes with a fixer, known without importing libcst (kept in sync by a test).
FIXABLE_CODES: tuple[str, ...] = (
    "ABR101", "ABR102", "ABR201", "ABR202", "ABR203", "ABR205", "ABR206", "ABR208", "ABR401", "ABR403",
)
