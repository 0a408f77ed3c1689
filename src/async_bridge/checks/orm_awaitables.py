"""ABR212: a QuerySet used as if it were awaitable or an async iterator used in a sync loop."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.text import short
from ..analysis.scopes import FunctionInfo
from ..records.values import QUERY_SOURCES, Kind
from .base import Check, register


@register
class QuerysetMisusedAsAwaitable(Check):
    codes = ("ABR212",)
    nodes = (ast.Await, ast.For, ast.comprehension)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.async_iterators

    def visit(self, node: ast.AST, scope: FunctionInfo):
        values = self.analysis.values
        if isinstance(node, ast.Await):
            if not self._may_be_queryset(node.value, scope):
                return
            value = values.of(node.value, scope)
            if value is not None and value.kind in QUERY_SOURCES:
                what = "QuerySet" if value.kind is Kind.QUERYSET else "manager"
                yield self.finding("ABR212", node, what=f"`await` of {what} `{short(node.value, 40)}`",
                                   instead="await a method (`.afirst()`) or use `async for`")
            return
        if isinstance(node, ast.comprehension) and node.is_async:
            return
        iterable = node.iter  # type: ignore[attr-defined]  # a For or comprehension (the nodes visited)
        if not self._may_be_queryset(iterable, scope, "aiterator"):
            return
        value = values.of(iterable, scope)
        if value is not None and value.kind is Kind.ASYNC_ITERATOR and value.model is not None:
            where = node if isinstance(node, ast.For) else iterable
            loop = "`for`" if isinstance(node, ast.For) else "a comprehension"
            yield self.finding("ABR212", where, what=f"sync {loop} over async iterator `{short(iterable, 40)}`",
                               instead="use `async for`")

    def _may_be_queryset(self, expr: ast.expr, scope: FunctionInfo, method: str | None = None) -> bool:
        """A cheap gate before the value model: an ORM method or manager attribute, or a
        name bound in this function."""
        v = self.analysis.vocab
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            return expr.func.attr == method if method else expr.func.attr in v.lazy_methods
        if isinstance(expr, ast.Attribute):
            return method is None and expr.attr in v.managers
        if isinstance(expr, ast.Name):
            return self.analysis.values.bindings(scope).binds(expr.id)
        return False
