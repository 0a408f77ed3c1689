"""ABR402: a loop-bound object (asyncio lock, async HTTP client, ...) created at import time."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register


@register
class LoopBoundObjectAtImport(Check):
    codes = ("ABR402",)
    nodes = (ast.Call,)
    scopes = "module"

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.loop_bound_types

    def visit(self, call: ast.Call, scope: FunctionInfo):
        # class bodies, decorators and default values of module-level defs run in
        # the module scope: all of them are evaluated once, at import
        if not scope.is_module:
            return
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return
        qual = self.analysis.qualify(func)
        if qual is None or qual not in self.knowledge.names("loop_bound_types"):
            return
        where = _where(call)
        if where is None:
            return
        yield self.finding("ABR402", call, type=qual, where=where)


def _where(call: ast.Call) -> str | None:
    """Where the import-time object lives ("module scope", "class 'C'", "default of 'f'"),
    or None when the call does not run at import (``if __name__ == "__main__":``)."""
    child: ast.AST = call
    parent = parent_of(call)
    where = "module scope"
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, ast.arguments):
            func = parent_of(parent)
            where = f"default of '{getattr(func, 'name', '<lambda>')}'"
        elif isinstance(parent, ast.ClassDef) and child in parent.body and where == "module scope":
            where = f"class '{parent.name}'"
        elif isinstance(parent, ast.If) and _is_main_guard(parent.test):
            return None  # runs once, as a script, with one loop
        child, parent = parent, parent_of(parent)
    return where


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )
