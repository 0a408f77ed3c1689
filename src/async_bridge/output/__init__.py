"""Output formats of ``async-bridge check``: name -> ``render(report, out)``."""

from __future__ import annotations

from typing import Callable, TextIO

from .base import Item, Report, SourceLines, display_path
from .statistics import render_statistics
from .structured import render_github, render_gitlab, render_json, render_sarif
from .text import render_concise, render_full

Renderer = Callable[[Report, TextIO], None]

FORMATS: dict[str, Renderer] = {
    "full": render_full,
    "concise": render_concise,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}

__all__ = ["FORMATS", "Item", "Renderer", "Report", "SourceLines", "display_path", "render_statistics"]
