"""Work that waits for a parameter: ``def f(service, item=None): if item: <db work>``.

A call that leaves ``item`` out (or passes a falsy constant by keyword) runs none of
that work, so a caller is not reported for it. Only the plain shapes count: the work
sits in the body of ``if item:``, ``if item is not None:``, ``if isinstance(item, X):``
or ``if item and ...:``, and the parameter's default is a falsy constant.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable

from ..records.summaries import ParamGuard
from .bindings import Parameter
from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def call_arguments(call: ast.Call) -> tuple[int, tuple[str, ...] | None]:
    """(positional count or -1 with ``*args``, keywords given a value that may be truthy
    or None with ``**kwargs``): what ``ParamGuard.omitted_by`` needs of a call."""
    positional = -1 if any(isinstance(a, ast.Starred) for a in call.args) else len(call.args)
    if any(k.arg is None for k in call.keywords):
        return positional, None
    return positional, tuple(k.arg for k in call.keywords if k.arg is not None and not _falsy_constant(k.value))


def parameter_guard(analysis: "ModuleAnalysis", fn: FunctionInfo, nodes: Iterable[ast.AST]) -> ParamGuard | None:
    """The parameter with a falsy default that every one of ``nodes`` waits for, if any
    (None also when there are no nodes: nothing to skip). A parameter the body binds
    again is not one: its test no longer tells what the caller gave."""
    optional = _falsy_default_params(fn)
    if optional:
        bindings = analysis.values.bindings(fn)
        optional = {name: pos for name, pos in optional.items() if name not in bindings.opaque
                    and all(isinstance(b.source, Parameter) for b in bindings.by_name.get(name, ()))}
    if not optional:
        return None
    common: set[str] | None = None
    for node in nodes:
        waiting = _awaited_params(node, fn, set(optional))
        common = waiting if common is None else common & waiting
        if not common:
            return None
    if not common:
        return None
    name = min(common, key=lambda n: (optional[n] < 0, optional[n]))
    return ParamGuard(name, optional[name])


def _falsy_default_params(fn: FunctionInfo) -> dict[str, int]:
    """Parameters whose default is a falsy constant, with their position among the
    arguments a caller writes (-1: keyword-only)."""
    node = fn.node
    if node is None or isinstance(node, ast.Lambda):
        return {}
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    shift = 1 if fn.cls is not None and not fn.is_static else 0  # ``self`` / ``cls`` is not written
    found: dict[str, int] = {}
    for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        if _falsy_constant(default):
            found[arg.arg] = positional.index(arg) - shift
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        if kw_default is not None and _falsy_constant(kw_default):
            found[arg.arg] = -1
    return {name: pos for name, pos in found.items() if pos >= -1}


def _awaited_params(node: ast.AST, fn: FunctionInfo, candidates: set[str]) -> set[str]:
    """The candidate parameters whose truth every ``if`` around ``node`` (up to ``fn``) requires."""
    found: set[str] = set()
    child: ast.AST = node
    current = parent_of(node)
    while current is not None and current is not fn.node:
        if isinstance(current, ast.If) and any(child is stmt for stmt in current.body):
            found |= _truthy_names(current.test) & candidates
        child = current
        current = parent_of(current)
    return found


def _truthy_names(test: ast.expr) -> set[str]:
    """Names a true ``test`` proves truthy (or not None)."""
    if isinstance(test, ast.Name):
        return {test.id}
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return set().union(*(_truthy_names(value) for value in test.values))
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot) \
            and isinstance(test.left, ast.Name) and _is_none(test.comparators[0]):
        return {test.left.id}
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" \
            and test.args and isinstance(test.args[0], ast.Name):
        return {test.args[0].id}
    return set()


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _falsy_constant(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return not expr.value and expr.value is not Ellipsis
    return isinstance(expr, (ast.List, ast.Tuple, ast.Dict, ast.Set)) and not getattr(expr, "elts", getattr(expr, "keys", None))
