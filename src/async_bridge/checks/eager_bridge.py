"""ABR206: ``sync_to_async(f(x))``: the call already ran, its result is wrapped.

Names come from ``rules/knowledge/django_apis.yaml``; the sentences from the rule YAML.
"""

from __future__ import annotations

import ast

from ..analysis import facts
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from ._django_common import NESTED_SYNC, django_api_call, source
from .base import Check, register


@register
class EagerSyncToAsync(Check):
    """``sync_to_async(f(x))``: the call runs here and its (non-callable) result is wrapped."""

    codes = ("ABR206",)
    nodes = (ast.Call,)

    def visit(self, call: ast.Call, scope: FunctionInfo):
        # plain function, () on the common path: this sees every call of the module
        args = call.args
        if args:
            inner = args[0]
            if type(inner) is not ast.Call:
                return ()
        else:
            if not call.keywords:
                return ()
            inner = next((kw.value for kw in call.keywords if kw.arg == "func"), None)
            if type(inner) is not ast.Call:
                return ()
        if not facts.is_bridge(self.analysis, call.func):
            return ()
        return self._report(call, inner, scope)

    def _report(self, call: ast.Call, inner: ast.Call, scope: FunctionInfo):
        result = self._result_kind(inner, scope)
        if result is None:
            return
        callee = source(inner.func, 40)
        arguments = ", ".join(source(a, 30) for a in [*inner.args, *inner.keywords])
        bridge = source(call.func, 30)
        texts = self.knowledge.mapping("abr206_texts")
        yield self.finding(
            "ABR206", inner, fix={"kind": "uncall"},
            bridge=bridge, call=f"{callee}(...)", result=texts.get(result, ""),
            where=texts.get("where_async" if scope.is_async else "where_sync", ""),
            suggestion=f"{bridge}({callee})({arguments})",
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
        if isinstance(func, ast.Attribute):
            method = func.attr
            chain = facts.attr_chain(func.value)
            managers = k.names("manager_attributes")
            if any(name in managers for name in chain[1:]) and (
                method in k.mapping("queryset_db_methods") or method in k.names("queryset_lazy_methods")
            ):
                return "value"
            if method in k.names("non_callable_methods"):
                return "value"
            if django_api_call(a, k, inner, {}) is not None:
                return "value"
        target = a.resolve_callable(func, scope)
        if target is None:
            return None
        local = a.local_function(target)
        if local is not None:
            return _local_result_kind(a, local)
        summary = a.index.function(target) if "." in target else None
        if summary is not None and summary.is_async:
            return "coroutine"
        return None


def _locally_bound(name: str, scope: FunctionInfo) -> bool:
    current: FunctionInfo | None = scope
    while current is not None:
        if name in current.params():
            return True
        current = current.parent
    return False


def _local_result_kind(analysis, fn: FunctionInfo) -> str | None:
    """What calling a function of this module returns: 'coroutine', 'value' (never callable) or None."""
    cached = getattr(fn, "_abr_result_kind", False)
    if cached is not False:
        return cached
    result = None
    node = fn.node
    if fn.is_lambda or node is None:
        result = None
    elif node.decorator_list:
        if any(facts.is_bridge(analysis, decorator_target(d)) for d in node.decorator_list):
            result = "coroutine"  # @sync_to_async def f(): calling it makes a coroutine
    elif fn.is_async:
        result = "coroutine"
    elif _returns_plain_values(node):
        result = "value"
    fn._abr_result_kind = result
    return result


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
        stack.extend(ast.iter_child_nodes(node))
    return True
