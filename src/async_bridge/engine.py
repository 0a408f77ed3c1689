"""Check one parsed module: analysis once, then every enabled check over its nodes."""

from __future__ import annotations

import ast

from .analysis.module import ModuleAnalysis
from .checks import Check, Finding, load_all
from .checks.base import run_checks
from .config import Settings
from .sources import reported


def enabled_checks(settings: Settings) -> list[type[Check]]:
    found = _ENABLED.get(settings)
    if found is None:
        if len(_ENABLED) > 16:
            _ENABLED.clear()
        found = _ENABLED[settings] = [cls for cls in load_all() if any(settings.enabled(code) for code in cls.codes)]
    return found


_ENABLED: dict[Settings, list[type[Check]]] = {}  # per settings (frozen, hashable): computed once


def analyse(tree: ast.AST, filename: str, settings: Settings) -> tuple[ModuleAnalysis, list[Check]]:
    classes = enabled_checks(settings)
    wanted = {kind for cls in classes for kind in cls.nodes}
    index = settings.index
    analysis = ModuleAnalysis(tree, filename, settings.knowledge, index, wanted)
    index.register(analysis)
    return analysis, [cls(analysis, settings) for cls in classes]


def check_tree(tree: ast.AST, filename: str, settings: Settings) -> list[Finding]:
    analysis, checks = analyse(tree, filename, settings)
    findings = {f for f in run_checks(checks, analysis) if settings.enabled(f.code)}
    return sorted(findings, key=Finding.sort_key)


def check_source(text: str, filename: str, settings: Settings, respect_noqa: bool = True) -> list[Finding]:
    """Parse and check ``text`` (for entry points other than flake8, which parses and
    applies ``# noqa`` itself: ``respect_noqa`` applies it as flake8 does, file-level
    ``# flake8: noqa`` included). Raises SyntaxError / ValueError as ``ast.parse`` does."""
    tree = ast.parse(text, filename=filename)
    findings = check_tree(tree, filename, settings)
    return reported(findings, text) if respect_noqa else findings
