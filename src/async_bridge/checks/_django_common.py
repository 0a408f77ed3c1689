"""Helpers shared by the sync-only Django API checks (ABR205, ABR206, ABR208).

Names and twins come from ``rules/knowledge/django_apis.yaml``. This module registers no check.
"""

from __future__ import annotations

import ast

NESTED_SYNC = (ast.FunctionDef, ast.Lambda, ast.ClassDef)


def source(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def django_api_call(analysis, k, call: ast.Call, signals: dict) -> tuple[str, dict, str] | None:
    """(kind, twin info, owner text) when ``call`` is a sync-only Django API with a twin."""
    func = call.func
    if isinstance(func, ast.Name):
        info = k.mapping("django_sync_functions").get(analysis.qualify(func))
        return ("function", info, "") if isinstance(info, dict) else None
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    owner = func.value
    cache_info = k.mapping("django_cache_methods").get(method)
    if isinstance(cache_info, dict):
        if isinstance(owner, ast.Subscript):
            if analysis.qualify(owner.value) in k.names("django_cache_registries"):
                return "cache", cache_info, source(owner, 40)
        elif analysis.qualify(owner) in k.names("django_cache_objects"):
            return "cache", cache_info, source(owner, 40)
    signal_info = k.mapping("django_signal_methods").get(method)
    if isinstance(signal_info, dict):
        if analysis.qualify(owner) in k.names("django_signals") or (
            isinstance(owner, ast.Name) and owner.id in signals
        ):
            return "signal", signal_info, source(owner, 40)
    info = k.mapping("django_sync_functions").get(analysis.qualify(func))
    if isinstance(info, dict):
        return "function", info, ""
    return None
