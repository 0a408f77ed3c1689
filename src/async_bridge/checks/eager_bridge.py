"""ABR206: ``sync_to_async(f(x))``: the call already ran, its result is wrapped.

Names come from ``rules/knowledge/django_apis.yaml``; the sentences from the rule YAML.
"""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis import orm
from ..analysis.text import short
from ..records.fix_hints import PassCallable
from ..records.values import Kind
from ..analysis.scopes import FunctionInfo
from ..analysis.text import source_text
from ._django_common import NESTED_SYNC, django_api_call
from .base import Check, register


@register
class EagerSyncToAsync(Check):
    """``sync_to_async(f(x))``: the call runs here and its (non-callable) result is wrapped."""

    codes = ("ABR206",)
    nodes = (ast.Call,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.bridges

    def visit(self, call: ast.Call, scope: FunctionInfo):
        # plain function, () on the common path: this sees every call of the module
        args = call.args
        inner = args[0] if args else next((kw.value for kw in call.keywords if kw.arg == "func"), None)
        if not isinstance(inner, ast.Call):
            return ()
        if not self.analysis.values.is_bridge(call.func, scope):
            return ()
        return self._report(call, inner, scope)

    def _report(self, call: ast.Call, inner: ast.Call, scope: FunctionInfo):
        result = self._result_kind(inner, scope)
        if result is None:
            return
        callee = short(inner.func, 40)
        arguments = ", ".join(source_text(a, 30) for a in [*inner.args, *inner.keywords])
        bridge = source_text(call.func, 30)
        yield self.finding(
            "ABR206", inner, fix=PassCallable(),
            call=f"{bridge}(...)", callee=callee.rsplit(".", 1)[-1].split("(")[0],
            suggestion=f"{bridge}({callee})({arguments})" if len(arguments) < 15 else f"{bridge}({callee})(...)",
        )

    def _result_kind(self, inner: ast.Call, scope: FunctionInfo) -> str | None:
        """'value' / 'coroutine' when the call's result is known not to be callable, else None."""
        a, k = self.analysis, self.knowledge
        func = inner.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        qual = a.qualify(func)
        if qual in k.names("callable_factories"):
            return None
        if qual in k.names("non_callable_results") or qual in k.mapping("django_sync_functions"):
            if isinstance(func, ast.Name) and _locally_bound(func.id, scope):
                return None
            return "value"
        value = a.values.of(inner, scope)
        if value is not None:
            if value.kind is Kind.AWAITABLE:
                return "coroutine"
            if value.kind in _NOT_CALLABLE:
                return "value"
            return None
        if isinstance(func, ast.Attribute):
            op = orm.orm_call(a, inner, scope)
            if op is not None and op.op != orm.TWIN:
                return "value"
            if func.attr in k.names("non_callable_methods"):
                return "value"
            if django_api_call(a, inner, scope) is not None:
                return "value"
        target = a.resolve_callable(func, scope)
        if target is None:
            return None
        local = a.local_function(target)
        if local is not None:
            return _local_result_kind(a, local)
        return None


def _locally_bound(name: str, scope: FunctionInfo) -> bool:
    current: FunctionInfo | None = scope
    while current is not None:
        if name in current.params():
            return True
        current = current.parent
    return False


def _local_result_kind(analysis, fn: FunctionInfo) -> str | None:
    """'value' when a plain function of this module only returns literal-like values."""
    node = fn.node
    if not isinstance(node, ast.FunctionDef) or node.decorator_list:
        return None
    return "value" if _returns_plain_values(node) else None


_NOT_CALLABLE = frozenset({Kind.QUERYSET, Kind.INSTANCE, Kind.PAIR, Kind.SEQUENCE, Kind.MANAGER, Kind.RELATED,
                           Kind.LOOP, Kind.ASYNC_ITERATOR, Kind.DEFERRED})

_PLAIN_VALUES = (
    ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp,
    ast.DictComp, ast.SetComp, ast.Compare, ast.UnaryOp,
)


def _returns_plain_values(fn_node: ast.FunctionDef) -> bool:
    """Every ``return`` in its own body returns nothing or a literal-like value (or it is a generator)."""
    stack = list(fn_node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*NESTED_SYNC, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True  # a generator object is not callable
        if isinstance(node, ast.Return):
            if node.value is not None and not isinstance(node.value, _PLAIN_VALUES):
                return False
        stack.extend(ast.iter_child_nodes(node))  # type: ignore[arg-type]  # statements and their parts
    return True
