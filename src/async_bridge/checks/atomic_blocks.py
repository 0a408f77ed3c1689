"""ABR207: ``transaction.atomic`` on, or in, an ``async def``.

Names come from ``rules/knowledge/django_apis.yaml``; the sentences from the rule YAML.
"""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from .base import Check, register


@register
class AtomicInAsync(Check):
    """``transaction.atomic`` as a decorator of, or a ``with`` item in, an ``async def``."""

    codes = ("ABR207",)
    nodes = (ast.AsyncFunctionDef, ast.With, ast.AsyncWith)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.async_code

    def visit(self, node: ast.AST, scope: FunctionInfo):
        atomic = self.knowledge.names("django_atomic")
        texts = self.knowledge.mapping("abr207_texts")
        q = self.analysis.qualify
        if isinstance(node, ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                if q(decorator_target(dec)) in atomic:
                    yield self.finding("ABR207", dec, how=texts.get("decorator", ""), function=node.name)
            return
        if isinstance(node, ast.With) and not scope.is_async:
            return
        assert isinstance(node, (ast.With, ast.AsyncWith))
        for item in node.items:
            expr = item.context_expr
            target = expr.func if isinstance(expr, ast.Call) else expr
            if isinstance(target, (ast.Name, ast.Attribute)) and q(target) in atomic:
                how = "async_with" if isinstance(node, ast.AsyncWith) else "with"
                yield self.finding("ABR207", expr, how=texts.get(how, ""), function=scope.name)
