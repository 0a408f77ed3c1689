"""ABR209: a function run through a thread bridge returns an unevaluated QuerySet.

The bridge is judged by the value model (``sync_to_async`` and kin, subclasses,
aliases, partials, project decorators returning one), so a ``@staticmethod
@to_thread`` def counts as surely as ``@sync_to_async``. A QuerySet returned inside a
tuple, list or dict escapes too.
"""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.text import short
from ..analysis.functions import own_returns
from ..analysis.scopes import FunctionInfo
from ..records.values import Kind, Origin
from .base import Check, register


@register
class LazyQuerysetEscapes(Check):
    codes = ("ABR209",)
    nodes = (ast.FunctionDef, ast.Call)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.bridges

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._done: set[int] = set()

    def visit(self, node: ast.AST, scope: FunctionInfo):
        a = self.analysis
        if isinstance(node, ast.FunctionDef):
            if not any(a.values.may_be_bridge(d) for d in node.decorator_list):
                return
            fn = a.function_at(node)
            if fn is not None and a.function_model.facts(fn).threaded:
                bridge = next((d for d in node.decorator_list if a.values.may_be_bridge(d)), None)
                yield from self._check_function(fn, short(bridge, 30) if bridge is not None else "a thread bridge")
            return
        call = node
        if not isinstance(call, ast.Call) or not call.args or not a.values.is_bridge(call.func, scope):
            return
        arg = call.args[0]
        shown = short(call.func, 30)
        if isinstance(arg, ast.Lambda):
            fn = a.function_at(arg)
            if fn is not None:
                yield from self._check_function(fn, shown)
        elif isinstance(arg, (ast.Name, ast.Attribute)):
            target = a.values.callee_name(arg, scope)
            fn = a.local_function(target) if target else None
            if fn is not None and not fn.is_async:
                yield from self._check_function(fn, shown)

    def _check_function(self, fn: FunctionInfo, bridge: str):
        if id(fn.node) in self._done or fn.is_async:
            return
        self._done.add(id(fn.node))
        node = fn.node
        returned = [(node.body, node.body)] if isinstance(node, ast.Lambda) else \
            [(r.value, r) for r in own_returns(fn) if r.value is not None]
        for expr, where in returned:
            for part in _parts(expr):
                value = self.analysis.values.of(part, fn)
                if value is None or value.kind is not Kind.QUERYSET or value.origin is Origin.PARAM:
                    continue
                yield self.finding("ABR209", where, queryset=short(part, 40), function=fn.name, bridge=bridge)
                break


def _parts(expr: ast.expr) -> list[ast.expr]:
    """The expression, or the items of a tuple / list / dict literal it is."""
    if isinstance(expr, (ast.Tuple, ast.List)):
        return [e for e in expr.elts if not isinstance(e, ast.Starred)]
    if isinstance(expr, ast.Dict):
        return [v for v in expr.values if v is not None]
    return [expr]
