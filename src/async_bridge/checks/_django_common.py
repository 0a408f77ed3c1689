"""Helpers shared by the sync-only Django API checks (ABR206, ABR208).

Names and twins come from ``rules/knowledge/django_apis.yaml``; receivers are judged
by the value model (Django's cache, a Signal). This module registers no check.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..analysis.scopes import FunctionInfo
from ..analysis.text import source_text
from ..records.values import Kind

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis

NESTED_SYNC = (ast.FunctionDef, ast.Lambda, ast.ClassDef)


def django_api_call(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> tuple[str, dict, str] | None:
    """(kind, twin info, owner text) when ``call`` is a sync-only Django API with a twin."""
    func = call.func
    v = analysis.vocab
    if isinstance(func, ast.Name):
        info = v.sync_functions.get(analysis.qualify(func))
        return ("function", info, "") if isinstance(info, dict) else None
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    k = analysis.knowledge
    cache_info = k.mapping("django_cache_methods").get(method)
    signal_info = k.mapping("django_signal_methods").get(method)
    if isinstance(cache_info, dict) or isinstance(signal_info, dict):
        owner = analysis.values.kind(func.value, scope)
        if owner is Kind.CACHE and isinstance(cache_info, dict):
            return "cache", cache_info, source_text(func.value, 40)
        if owner is Kind.SIGNAL and isinstance(signal_info, dict):
            return "signal", signal_info, source_text(func.value, 40)
    info = v.sync_functions.get(analysis.qualify(func))
    if isinstance(info, dict):
        return "function", info, ""
    return None
