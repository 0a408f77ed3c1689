"""ABR202: a QuerySet evaluated synchronously inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import dataflow as df
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register
from .orm_calls import short

_EVALUATING_BUILTINS = {"list": "list()", "tuple": "tuple()", "set": "set()", "len": "len()", "bool": "bool()"}


@register
class QuerysetEvaluatedInAsync(Check):
    codes = ("ABR202",)
    nodes = (ast.For, ast.comprehension, ast.Call, ast.If, ast.While, ast.IfExp, ast.Assert,
             ast.BoolOp, ast.UnaryOp, ast.Compare, ast.Subscript)
    scopes = "async"

    def visit(self, node: ast.AST, scope: FunctionInfo):
        kind = type(node)
        if kind is ast.For:
            yield from self._report(node.iter, scope, node, "iterating it with `for`",
                                    "`async for` over it", {"kind": "for"})
        elif kind is ast.comprehension:
            if not node.is_async:
                comp = parent_of(node)
                yield from self._report(
                    node.iter, scope, node.iter, "iterating it in a comprehension",
                    "an async comprehension (`[x async for x in qs]`)",
                    {"kind": "comprehension", "line": getattr(comp, "lineno", None),
                     "col": getattr(comp, "col_offset", None)},
                )
        elif kind is ast.Call:
            func = node.func
            if isinstance(func, ast.Name) and func.id in _EVALUATING_BUILTINS and len(node.args) == 1 \
                    and not node.keywords and self.analysis.qualify(func) == func.id:
                how = _EVALUATING_BUILTINS[func.id]
                instead = ("`await qs.acount()`" if func.id == "len" else
                           "`await qs.aexists()`" if func.id == "bool" else
                           f"`{func.id}([x async for x in qs])`")
                yield from self._report(node.args[0], scope, node, f"{how} on it", instead, {"kind": func.id})
        elif kind in (ast.If, ast.While, ast.IfExp, ast.Assert):
            yield from self._truth(node.test, scope)
        elif kind is ast.BoolOp:
            for value in node.values[:-1] if not _in_test(node) else ():
                yield from self._truth(value, scope, direct=True)
        elif kind is ast.UnaryOp:
            if isinstance(node.op, ast.Not) and not _in_test(node):
                yield from self._truth(node.operand, scope, direct=True)
        elif kind is ast.Compare:
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)):
                    yield from self._report(right, scope, node, "an `in` test on it",
                                            "`await qs.filter(pk=x.pk).aexists()`", {"kind": "in"})
        elif kind is ast.Subscript:
            if isinstance(node.ctx, ast.Load) and df.is_integer_index(node.slice):
                yield from self._report(node.value, scope, node, "indexing it with an integer",
                                        "`await qs[n:n + 1].afirst()` (or `afirst()`/`alast()`)",
                                        {"kind": "index"})

    def _truth(self, test: ast.expr, scope: FunctionInfo, direct: bool = False):
        """``if qs:``, ``if not qs:``, ``if qs and x:``: truth-testing runs the query."""
        leaves = [test]
        found = []
        while leaves:
            leaf = leaves.pop()
            if isinstance(leaf, ast.UnaryOp) and isinstance(leaf.op, ast.Not) and not direct:
                leaves.append(leaf.operand)
            elif isinstance(leaf, ast.BoolOp) and not direct:
                leaves.extend(leaf.values)
            else:
                found.append(leaf)
        for leaf in found:
            yield from self._report(leaf, scope, leaf, "testing its truth value",
                                    "`await qs.aexists()`", {"kind": "bool"})

    def _report(self, expr: ast.expr, scope: FunctionInfo, where: ast.AST, how: str, instead: str, fix: dict):
        if not isinstance(expr, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)):
            return
        value = df.flow_of(self.analysis, scope).value_of(expr)
        if value is None or value.kind != df.QUERYSET or value.origin == df.PARAM:
            return  # a parameter typed QuerySet may be a list: the operations above work on both
        if df.suppressed(self.analysis, where, scope):
            return
        yield self.finding("ABR202", where, fix=fix, queryset=short(expr), how=how,
                           function=scope.name, instead=instead)


def _in_test(node: ast.AST) -> bool:
    """A not / and / or that is (part of) an if / while test: reported from there."""
    current = node
    parent = parent_of(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        current, parent = parent, parent_of(parent)
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is current
