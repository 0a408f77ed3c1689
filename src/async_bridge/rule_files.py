"""Where the built-in rule and knowledge files are (without loading them: no YAML here)."""

from __future__ import annotations

from pathlib import Path


def rules_dir() -> Path:
    """Installed wheels carry ``async_bridge/rules``; a checkout has ``<repo>/rules``."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "rules"
