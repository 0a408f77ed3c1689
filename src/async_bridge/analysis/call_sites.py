"""Every call of a module-private helper, when they can all be seen: what a parameter holds.

A parameter annotated with a model type says which model, not what the caller's query
loaded. When a module-level function is only ever called, by name, from its own module
(no other project file mentions it, no decorator may register it, it is never passed
on as a value), the arguments at those calls are everything the parameter can hold.
"""

from __future__ import annotations

import ast
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..records.values import Kind, Value
from .scopes import FunctionInfo

if TYPE_CHECKING:
    from .module import ModuleAnalysis

MAX_SITES = 32  # beyond this many calls, the parameter is left as its annotation says


def call_sites(analysis: "ModuleAnalysis", fn: FunctionInfo) -> list[tuple[ast.Call, FunctionInfo]] | None:
    """The calls of ``fn`` with the scope each runs in, when they are all of them; else None."""
    node = fn.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.decorator_list \
            or fn.cls is not None or fn.parent is not None:
        return None
    name = node.name
    sites = [(call, scope) for scope in (analysis.module_scope, *analysis.functions) for call in scope.calls
             if isinstance(call.func, ast.Name) and call.func.id == name]
    if not sites or len(sites) > MAX_SITES or analysis.name_loads[name] != len(sites):
        return None  # passed on as a value, or referred to outside a call
    own = Path(analysis.filename).resolve()
    for path, _ in analysis.project.sources(mentioning=name):
        if path != own and Path(path).resolve() != own:
            return None  # another module may call it
    return sites


def argument(call: ast.Call, fn: FunctionInfo, param: str) -> ast.expr | None:
    """The expression ``call`` passes for ``param`` of ``fn`` (None: not passed, or passed
    in a way that cannot be told: ``*args``, ``**kwargs``)."""
    args = fn.node.args  # type: ignore[union-attr]  # a def (call_sites checked)
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if param in positional:
        index = positional.index(param)
        if index < len(call.args):
            return call.args[index]
    return None


def join_instances(values: Iterator[Value | None], model: str) -> Value | None:
    """What every caller passes, as one instance of ``model``: the relations all of them
    loaded; None when one of them passes something else or nothing known."""
    found = []
    for value in values:
        if value is None or value.kind is not Kind.INSTANCE or value.model != model:
            return None
        found.append(value)
    if not found:
        return None
    loaded_all = all(v.loaded_all for v in found)
    partial = [v.loaded for v in found if not v.loaded_all]
    loaded = reduce(frozenset.intersection, partial) if partial else frozenset()
    return Value(Kind.INSTANCE, model=model, loaded=loaded, loaded_all=loaded_all)
