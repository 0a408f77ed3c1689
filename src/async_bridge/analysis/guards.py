"""Places where code that looks like a bug is deliberate or runs elsewhere.

Shared by the ORM rules and the function summaries: a query in the arguments of
``sync_to_async(...)`` runs in a thread; one under ``pytest.raises(SynchronousOnlyOperation)``
provokes Django's guard on purpose.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def in_bridge_argument(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    """``node`` sits in the arguments of a bridge call (``sync_to_async(...)``, a subclass,
    an alias): it is handed to a worker thread, not run here."""
    child = node
    current = parent_of(node)
    while current is not None and current is not scope.node:
        if isinstance(current, ast.Call) and child is not current.func \
                and analysis.values.is_bridge(current.func, scope):
            return True
        if isinstance(current, ast.stmt):
            break
        child = current
        current = parent_of(current)
    return False


def expects_sync_error(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    """Inside ``with self.assertRaises(SynchronousOnlyOperation):`` / ``pytest.raises(...)``."""
    errors = analysis.knowledge.names("sync_only_errors")
    current = parent_of(node)
    while current is not None and current is not scope.node:
        if isinstance(current, (ast.With, ast.AsyncWith)):
            for item in current.items:
                ctx = item.context_expr
                if isinstance(ctx, ast.Call) and any(_names_error(arg, errors) for arg in ctx.args):
                    return True
        current = parent_of(current)
    return False


def _names_error(expr: ast.expr, errors: frozenset[str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in errors
    if isinstance(expr, ast.Attribute):
        return expr.attr in errors
    if isinstance(expr, ast.Tuple):
        return any(_names_error(e, errors) for e in expr.elts)
    return False


def deliberate_or_elsewhere(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    return in_bridge_argument(analysis, node, scope) or expects_sync_error(analysis, node, scope)


def awaited(node: ast.AST) -> bool:
    return isinstance(parent_of(node), ast.Await)
