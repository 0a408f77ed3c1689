"""Running coroutines to completion: ``asyncio.run``, ``loop.run_until_complete`` on a
loop made here, and *runners* (project functions whose body does one of those with
their parameter, whatever their name)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..records.values import Kind
from .scopes import FunctionInfo
from .text import source_text
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis

# keyword names the coroutine may be passed by
_COROUTINE_KEYWORDS = ("main", "coro", "future", "fut", "awaitable", "coroutine")


def first_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in _COROUTINE_KEYWORDS:
            return kw.value
    return None


def direct_loop_run(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> str | None:
    """``asyncio.run`` / ``run_until_complete`` when ``call`` runs its argument on a loop
    made right here (``asyncio.run(x)``; ``loop.run_until_complete(x)`` with ``loop`` made
    in this scope; ``asyncio.new_event_loop().run_until_complete(x)``); else None."""
    func = call.func
    if analysis.qualify(func) in analysis.vocab.new_loop_runners:
        return "asyncio.run"
    if isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
        loop = analysis.values.of(func.value, scope)
        if loop is not None and loop.kind is Kind.LOOP and loop.producer is not None \
                and any(c is loop.producer for c in scope.calls):
            return "run_until_complete"
    return None


def runs_on_known_loop(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> str | None:
    """What ``call`` is when it blocks until a coroutine finishes, on any known loop:
    ``asyncio.run()``, ``<loop>.run_until_complete()``, ``async_to_sync(f)(...)``."""
    func = call.func
    v = analysis.vocab
    if isinstance(func, ast.Call) and analysis.values.kind(func.func, scope) is Kind.SYNC_BRIDGE:
        return "async_to_sync()"
    if analysis.qualify(func) in v.new_loop_runners:
        return "asyncio.run()"
    if isinstance(func, ast.Attribute) and func.attr == "run_until_complete" \
            and analysis.values.kind(func.value, scope) is Kind.LOOP:
        return "run_until_complete()"
    return None


def new_loop_run(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> tuple[str, ast.expr | None] | None:
    """If ``call`` runs a coroutine on a new event loop, (how, coroutine argument).

    ``how`` is ``asyncio.run``, ``run_until_complete`` or the runner's name. The
    argument is the expression producing the coroutine (``f(a)``) or the coroutine
    function (``f``, for runners taking a function), None when absent.
    """
    how = direct_loop_run(analysis, call, scope)
    if how is not None:
        return how, first_argument(call)
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
        return None  # on a loop made elsewhere: not a new loop
    if not (call.args or call.keywords) or not _may_name_runner(analysis, func):
        return None
    target = analysis.values.callee_name(func, scope)
    if target is None:
        return None
    if target in analysis.knowledge.names("runner_functions"):
        return target.rsplit(".", 1)[-1], first_argument(call)
    index = runner_param_of(analysis, target)
    if index is None:
        return None
    args = call.args
    return target.rsplit(".", 1)[-1], args[index] if index < len(args) else None


def _may_name_runner(analysis: "ModuleAnalysis", func: ast.expr) -> bool:
    """Cheap name test before resolving: a runner is a def next to a loop API somewhere
    in the project (text scan), in this module, or declared in knowledge."""
    if isinstance(func, ast.Name):
        imported = analysis.imports.get(func.id)
        name = imported.rsplit(".", 1)[-1] if imported else func.id  # ``import run_x as go``
    elif isinstance(func, ast.Attribute):
        name = func.attr
    else:
        return False
    return (
        name in analysis.project.source_names().runner_candidates
        or name in analysis.declared_runner_names
        or name in analysis.def_names
    )


def runner_param_of(analysis: "ModuleAnalysis", target: str) -> int | None:
    local = analysis.local_function(target)
    if local is not None:
        return runner_param(analysis, local)
    return analysis.project.runner_param(target)


def runner_param(analysis: "ModuleAnalysis", fn: FunctionInfo) -> int | None:
    """Index of the parameter a function runs on a new event loop, if any.

    Judged by the body: ``asyncio.run(p)``, ``asyncio.run(p(...))`` or
    ``loop.run_until_complete(...)`` of it on a loop made there. A function built on
    asgiref's ``async_to_sync`` is not a runner.
    """
    if fn.is_async or fn.node is None or fn.is_lambda:
        return None
    if fn.runner_param is not False:
        return fn.runner_param
    fn.runner_param = None  # cycle guard
    params = fn.params()
    if fn.cls is not None and params[:1] in (["self"], ["cls"]):
        params = params[1:]  # call arguments do not include the receiver
    result = None
    if params:
        for call in fn.calls:
            if direct_loop_run(analysis, call, fn) is not None:
                name = _param_name(first_argument(call))
                if name in params:
                    result = params.index(name)
                    break
    fn.runner_param = result
    return result


def runs_own_parameter(arg: ast.expr | None, scope: FunctionInfo) -> bool:
    """``asyncio.run(coro)`` where ``coro`` is the function's parameter."""
    name = _param_name(arg)
    return name is not None and name in scope.params()


def _param_name(arg: ast.expr | None) -> str | None:
    if isinstance(arg, ast.Call):
        arg = arg.func
    if isinstance(arg, ast.Name):
        return arg.id
    return None


def coroutine_function(analysis: "ModuleAnalysis", arg: ast.expr | None, scope: FunctionInfo) -> str | None:
    """The function whose coroutine ``arg`` is: ``f(a)`` -> f, ``f`` -> f, ``coro`` bound to ``f(a)``."""
    if arg is None:
        return None
    value = analysis.values.of(arg, scope)
    if value is not None and value.kind in (Kind.AWAITABLE, Kind.FUNCTION) and value.function \
            and "." in value.function:
        return value.function
    if isinstance(arg, ast.Call):
        arg = arg.func
    if isinstance(arg, (ast.Name, ast.Attribute)):
        return analysis.values.callee_name(arg, scope)
    return None


def coroutines_run(analysis: "ModuleAnalysis", arg: ast.expr | None,
                   scope: FunctionInfo) -> list[tuple[str, str | None, ast.Call | None]]:
    """The coroutines a run call runs, as (source text, qualified function or None, the
    call that made the coroutine, when seen).

    ``f(a)`` -> f; ``asyncio.gather(f(), g())`` / ``asyncio.wait_for(f(), 5)`` -> f, g.
    """
    if arg is None:
        return [("?", None, None)]
    if isinstance(arg, ast.Name):
        binding = analysis.values.bindings(scope).reaching(arg) if analysis.values.bindings(scope).binds(arg.id) else None
        source = getattr(binding.source, "expr", None) if binding is not None else None
        if isinstance(source, ast.Call):
            arg = source
    if isinstance(arg, ast.Call) and analysis.qualify(arg.func) in analysis.vocab.coroutine_consumers:
        inner = [a for a in arg.args if not isinstance(a, ast.Starred)]
        if inner and len(inner) == len(arg.args):
            if analysis.qualify(arg.func) != "asyncio.gather":
                inner = inner[:1]
            found = []
            for item in inner:
                found.extend(coroutines_run(analysis, item, scope))
            return found
    callee = arg.func if isinstance(arg, ast.Call) else arg
    return [(source_text(callee), coroutine_function(analysis, arg, scope), arg if isinstance(arg, ast.Call) else None)]


def loops_assigned_in(analysis: "ModuleAnalysis", fn: FunctionInfo) -> set[str]:
    """Names assigned a fresh loop in this scope: ``loop = asyncio.new_event_loop()``."""
    v = analysis.vocab
    makers = v.loop_makers | v.loop_getters
    names: set[str] = set()
    for call in fn.calls:
        if analysis.qualify(call.func) in makers:
            parent = parent_of(call)
            if isinstance(parent, ast.Assign):
                names.update(t.id for t in parent.targets if isinstance(t, ast.Name))
            elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and isinstance(parent.target, ast.Name):
                names.add(parent.target.id)
    return names
