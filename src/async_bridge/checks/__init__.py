"""One module per rule (or tight rule family); each registers its check class."""

from __future__ import annotations

import importlib
import pkgutil

from .base import REGISTRY, Check, Finding, register

__all__ = ["REGISTRY", "Check", "Finding", "register", "load_all"]

_loaded = False


def load_all() -> list[type[Check]]:
    """Import every check module once; registration happens at import."""
    global _loaded
    if not _loaded:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name != "base":
                importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return list(REGISTRY)
