"""ABR209: a function run through sync_to_async returns an unevaluated QuerySet."""

from __future__ import annotations

import ast

from ..analysis import dataflow as df
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from .base import Check, register
from .orm_calls import short


@register
class LazyQuerysetEscapes(Check):
    codes = ("ABR209",)
    nodes = (ast.FunctionDef, ast.Call)

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._done: set[int] = set()

    def visit(self, node: ast.AST, scope: FunctionInfo):
        a = self.analysis
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                if self._is_bridge(decorator_target(dec)):
                    fn = a.function_at(node)
                    if fn is not None:
                        yield from self._check_function(fn, short(decorator_target(dec)))
                    return
            return
        call = node
        if not call.args or not self._is_bridge(call.func):
            return
        arg = call.args[0]
        bridge = short(call.func)
        if isinstance(arg, ast.Lambda):
            fn = a.function_at(arg)
            if fn is not None:
                yield from self._check_function(fn, bridge)
        elif isinstance(arg, (ast.Name, ast.Attribute)):
            target = a.resolve_callable(arg, scope)
            fn = a.local_function(target) if target else None
            if fn is not None and not fn.is_async:
                yield from self._check_function(fn, bridge)

    def _is_bridge(self, expr: ast.expr) -> bool:
        return self.analysis.qualify(expr) in self.knowledge.names("sync_to_async")

    def _check_function(self, fn: FunctionInfo, bridge: str):
        if id(fn.node) in self._done or fn.is_async:
            return
        self._done.add(id(fn.node))
        flow = df.flow_of(self.analysis, fn)
        for expr, where in _returns(fn):
            value = flow.value_of(expr)
            if value is None or value.kind != df.QUERYSET or value.origin == df.PARAM:
                continue
            yield self.finding("ABR209", where, queryset=short(expr), function=fn.name, bridge=bridge)


def _returns(fn: FunctionInfo):
    """(returned expression, node to report) of a function; nested scopes excluded."""
    node = fn.node
    if isinstance(node, ast.Lambda):
        yield node.body, node.body
        return
    stack = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(current, ast.Return) and current.value is not None:
            yield current.value, current
            continue
        if isinstance(current, ast.stmt):
            stack.extend(ast.iter_child_nodes(current))
