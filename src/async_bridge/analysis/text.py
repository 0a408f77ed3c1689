"""Source-like text of an expression, for messages and a finding's chain."""

from __future__ import annotations

import ast


def source_text(expr: ast.AST, limit: int = 60) -> str:
    """The expression as written (unparsed), cut to ``limit`` characters."""
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse handles every expression
        return "?"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short(expr: ast.AST, limit: int = 60) -> str:
    """Source-like text with call arguments elided: ``Order.objects.filter(...).first``,
    its end kept when it is too long."""
    text = _short(expr)
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def _short(expr: ast.AST) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return f"{_short(expr.value)}.{expr.attr}"
    if isinstance(expr, ast.Call):
        return f"{_short(expr.func)}({'...' if expr.args or expr.keywords else ''})"
    if isinstance(expr, ast.Subscript):
        return f"{_short(expr.value)}[...]"
    if isinstance(expr, ast.Await):
        return f"(await {_short(expr.value)})"
    try:
        return ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse of odd nodes
        return "<expr>"
