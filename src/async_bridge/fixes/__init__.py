"""``async-bridge fix``: safe automatic rewrites of ABR findings, with libcst.

The ``ast`` checks decide what is a finding (the same engine as the flake8
plugin); a *fixer* gets the libcst node at the finding's position plus the
finding's ``fix`` hint (``records.fix_hints``) and returns an edit, or None to
leave the finding for manual work.

One fact, one place: a code is fixable when its rule YAML says
``fix: {available: true}`` (:func:`fixable_codes`); its fixer is a function in a module
of this package named ``abr*.py`` (``abr101.py`` ...), registered with ``@fixer(code)``;
:func:`load_all` discovers those modules, so adding a fixer is one module plus the
YAML flag (a test checks that both sides name the same codes).

This package's ``__init__`` and ``cli`` stay free of libcst at import time: the
console script imports ``fixes.cli`` for every command, and the check path never
imports this package at all.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from ..checks.base import Finding
    from .base import Edit, FixContext

Fixer = Callable[["FixContext", "Finding"], Optional["Edit"]]

# code -> fixer; filled by the ``@fixer`` decorators as ``load_all`` imports the modules
FIXERS: dict[str, Fixer] = {}

# fixer modules are named after their code(s): ``abr101.py``, ``abr2_twins.py``; the
# other modules of the package (``base``, ``driver``, ``writing``, ``cli``) are machinery
FIXER_MODULE_PREFIX = "abr"

_loaded = False


def fixer(*codes: str) -> Callable[[Fixer], Fixer]:
    """Register a fixer function for one or more codes (one fixer per code)."""

    def decorate(func: Fixer) -> Fixer:
        for code in codes:
            other = FIXERS.get(code)
            if other is not None and other is not func:
                raise ValueError(f"two fixers for {code}: {other.__module__} and {func.__module__}")
            FIXERS[code] = func
        return func

    return decorate


def fixer_modules() -> list[str]:
    """Names of the fixer modules of this package (``abr*``)."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith(FIXER_MODULE_PREFIX))


def load_all() -> dict[str, Fixer]:
    """Import every fixer module once (this imports libcst); code -> fixer."""
    global _loaded
    if not _loaded:
        for name in fixer_modules():
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return FIXERS


@functools.lru_cache(maxsize=None)
def fixable_codes() -> tuple[str, ...]:
    """Codes whose rule YAML declares a fix (``fix.available``), sorted; no libcst."""
    from ..knowledge import builtin

    return tuple(sorted(code for code, rule in builtin().rules.items() if rule.fixable))
