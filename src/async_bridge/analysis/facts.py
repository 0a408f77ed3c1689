"""Facts about calls that several rules and the project index share.

What counts as database work, what runs a coroutine on a new event loop, which
functions are runners. Knowledge (names) comes from YAML; this is the logic.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def attr_chain(expr: ast.expr) -> list[str]:
    """``a.b(c).d`` -> ``["a", "b", "d"]`` (calls and subscripts are stepped through)."""
    names: list[str] = []
    while True:
        if isinstance(expr, ast.Attribute):
            names.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Name):
            names.append(expr.id)
            break
        else:
            break
    names.reverse()
    return names


def _all_twins(analysis: "ModuleAnalysis") -> frozenset[str]:
    cached = getattr(analysis, "_twins_cache", None)
    if cached is None:
        k = analysis.knowledge
        twins = set()
        for key in ("queryset_db_methods", "instance_db_methods", "related_manager_db_methods"):
            twins.update(v["twin"] for v in k.mapping(key).values() if isinstance(v, dict) and "twin" in v)
        cached = frozenset(twins)
        analysis._twins_cache = cached
    return cached


def is_bridge(analysis: "ModuleAnalysis", expr: ast.expr) -> bool:
    """``sync_to_async`` / ``database_sync_to_async`` (or a declared alias)."""
    return analysis.qualify(expr) in analysis.knowledge.names("sync_to_async")


def sync_orm_call(analysis: "ModuleAnalysis", call: ast.Call) -> bool:
    """A sync, DB-hitting QuerySet method called through a model manager.

    ``Order.objects.filter(...).count()``, ``Order._default_manager.get(...)``.
    """
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    k = analysis.knowledge
    if func.attr not in k.mapping("queryset_db_methods"):
        return False
    chain = attr_chain(func.value)
    managers = k.names("manager_attributes")
    return any(name in managers and _manager_owner(name, chain[i]) for i, name in enumerate(chain[1:]))


def _manager_owner(manager: str, owner: str) -> bool:
    """``objects`` counts on a class-like owner (``Order.objects``, ``self.model.objects``,
    ``get_user_model().objects``), not on ``self.objects`` (often a plain dict)."""
    if manager != "objects":
        return True
    return owner[:1].isupper() or owner.lower().endswith("model")


def db_call(analysis: "ModuleAnalysis", call: ast.Call) -> bool:
    """Any database work: a sync ORM query, an ORM ``a``-twin, or a thread bridge."""
    func = call.func
    if is_bridge(analysis, func):
        return True
    if not isinstance(func, ast.Attribute):
        return False
    chain = attr_chain(func)
    managers = analysis.knowledge.names("manager_attributes")
    if any(name in managers for name in chain[1:-1]):
        return True
    if func.attr in _all_twins(analysis) and func.attr in ("asave", "arefresh_from_db"):
        return True
    return sync_orm_call(analysis, call)


def function_does_db(analysis: "ModuleAnalysis", fn: FunctionInfo) -> tuple[int | None, int | None]:
    """(line of the first database work, line of the first sync ORM query); None when absent."""
    db_line = None
    sync_line = None
    for call in fn.calls:
        if sync_line is None and sync_orm_call(analysis, call):
            db_line = db_line or call.lineno
            if not _memoized_in_global(call, fn):
                sync_line = call.lineno
        elif db_line is None and db_call(analysis, call):
            db_line = call.lineno
    if db_line is None and fn.node is not None and not fn.is_lambda:
        for dec in fn.node.decorator_list:
            if is_bridge(analysis, _decorator_func(dec)):
                db_line = dec.lineno
                break
    return db_line, sync_line


def _memoized_in_global(call: ast.Call, fn: FunctionInfo) -> bool:
    """``CACHE = Model.objects.get(...)`` with ``global CACHE``: a one-time, cached load.

    Callers reach the query only on a cold cache, which projects warm at start-up,
    so it does not make every caller a sync-ORM caller.
    """
    node = fn.node
    if node is None or fn.is_lambda:
        return False
    parent = parent_of(call)
    if not (isinstance(parent, ast.Assign) and parent.value is call):
        return False
    names = {t.id for t in parent.targets if isinstance(t, ast.Name)}
    if not names:
        return False
    declared = set()
    for stmt in ast.walk(node):
        if isinstance(stmt, ast.Global):
            declared.update(stmt.names)
    return names <= declared


def _decorator_func(dec: ast.expr) -> ast.expr:
    return dec.func if isinstance(dec, ast.Call) else dec


# -- event loops -------------------------------------------------------------------

def loops_made_in(analysis: "ModuleAnalysis", fn: FunctionInfo) -> set[str]:
    """Names assigned a fresh loop in this scope: ``loop = asyncio.new_event_loop()``."""
    cached = getattr(fn, "_abr_loops", None)
    if cached is not None:
        return cached
    k = analysis.knowledge
    makers = k.names("loop_factories") | k.names("loop_getters")
    names: set[str] = set()
    for call in fn.calls:
        if analysis.qualify(call.func) in makers:
            parent = parent_of(call)
            if isinstance(parent, ast.Assign):
                names.update(t.id for t in parent.targets if isinstance(t, ast.Name))
            elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and isinstance(parent.target, ast.Name):
                names.add(parent.target.id)
    fn._abr_loops = names
    return names


def new_loop_run(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> tuple[str, ast.expr | None] | None:
    """If ``call`` runs a coroutine on a new event loop, (how, coroutine argument).

    ``how`` is ``asyncio.run``, ``run_until_complete`` or the runner's name. The
    argument is the expression producing the coroutine (``f(a)``) or the coroutine
    function (``f``, for runners taking a function), None when absent.
    """
    how = direct_loop_run(analysis, call, scope)
    if how is not None:
        return how, _first_arg(call)
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
        return None  # on a loop made elsewhere: not a new loop
    k = analysis.knowledge
    if not (call.args or call.keywords) or not _may_name_runner(analysis, func):
        return None
    target = analysis.resolve_callable(func, scope)
    if target is None:
        return None
    if target in k.names("runner_functions"):
        return target.rsplit(".", 1)[-1], _first_arg(call)
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
        name in analysis.index.source_names().runner_candidates
        or name in _declared_runner_names(analysis)
        or name in _local_def_names(analysis)
    )


def _local_def_names(analysis: "ModuleAnalysis") -> frozenset[str]:
    cached = getattr(analysis, "_abr_def_names", None)
    if cached is None:
        cached = frozenset(fn.name for fn in analysis.functions)
        analysis._abr_def_names = cached
    return cached


def _declared_runner_names(analysis: "ModuleAnalysis") -> frozenset[str]:
    cached = getattr(analysis, "_abr_declared_runners", None)
    if cached is None:
        cached = frozenset(q.rsplit(".", 1)[-1] for q in analysis.knowledge.names("runner_functions"))
        analysis._abr_declared_runners = cached
    return cached


def runner_param_of(analysis: "ModuleAnalysis", target: str) -> int | None:
    local = analysis.local_function(target)
    if local is not None:
        return runner_param(analysis, local)
    return analysis.index.runner_param(target)


def runner_param(analysis: "ModuleAnalysis", fn: FunctionInfo) -> int | None:
    """Index of the parameter a project function runs on a new event loop, if any.

    Judged by the body: ``asyncio.run(p)``, ``asyncio.run(p(...))`` or
    ``loop.run_until_complete(...)`` of it on a loop made there. A function built on
    asgiref's ``async_to_sync`` is not a runner.
    """
    if fn.is_async or fn.node is None or fn.is_lambda:
        return None
    cached = getattr(fn, "_runner_param", False)
    if cached is not False:
        return cached
    fn._runner_param = None  # cycle guard
    params = fn.params()
    if fn.cls is not None and params[:1] in (["self"], ["cls"]):
        params = params[1:]  # call arguments do not include the receiver
    result = None
    if params:
        for call in fn.calls:
            if direct_loop_run(analysis, call, fn) is not None:
                name = _param_name(_first_arg(call))
                if name in params:
                    result = params.index(name)
                    break
    fn._runner_param = result
    return result


def direct_loop_run(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> str | None:
    """``asyncio.run`` / ``run_until_complete`` when ``call`` runs its argument on a loop
    made right here (``asyncio.run(x)``, ``loop.run_until_complete(x)`` with ``loop``
    made in this scope, ``asyncio.new_event_loop().run_until_complete(x)``); else None."""
    func = call.func
    k = analysis.knowledge
    if analysis.qualify(func) in k.names("new_loop_runners"):
        return "asyncio.run"
    if isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
        owner = func.value
        if isinstance(owner, ast.Name):
            made_here = owner.id in loops_made_in(analysis, scope)
        else:
            made_here = isinstance(owner, ast.Call) and analysis.qualify(owner.func) in (
                k.names("loop_factories") | k.names("loop_getters")
            )
        return "run_until_complete" if made_here else None
    return None


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


def _first_arg(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in ("main", "coro", "future", "fut", "awaitable", "coroutine"):
            return kw.value
    return None


def coroutine_function(analysis: "ModuleAnalysis", arg: ast.expr | None, scope: FunctionInfo) -> str | None:
    """The function whose coroutine ``arg`` is: ``f(a)`` -> f, ``f`` -> f (qualified)."""
    if arg is None:
        return None
    if isinstance(arg, ast.Name):
        assigned = _assigned_call(arg.id, scope)
        if assigned is not None:
            arg = assigned
    if isinstance(arg, ast.Call):
        arg = arg.func
    if isinstance(arg, (ast.Name, ast.Attribute)):
        return analysis.resolve_callable(arg, scope)
    return None


def _assigned_call(name: str, scope: FunctionInfo) -> ast.Call | None:
    """The call last assigned to ``name`` in this scope (``coro = f(a)``), if any."""
    found = None
    for call in scope.calls:
        parent = parent_of(call)
        if isinstance(parent, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in parent.targets
        ):
            found = call
    return found


# -- awaitables --------------------------------------------------------------------

def returns_awaitable(analysis: "ModuleAnalysis", fn: FunctionInfo) -> bool:
    """Calling ``fn`` gives an awaitable that must be awaited.

    An ``async def`` that is not an async generator and carries only decorators known
    to keep it a coroutine function (``awaitable_preserving_decorators``), or a sync
    ``def`` decorated with ``sync_to_async``/``database_sync_to_async``. Any other
    decorator may turn it into something else (``@async_to_sync``): not awaitable.
    """
    node = fn.node
    if node is None or fn.is_lambda:
        return False
    cached = getattr(fn, "_returns_awaitable", None)
    if cached is not None:
        return cached
    keep = analysis.knowledge.names("awaitable_preserving_decorators")
    bridged = False
    result = True
    for dec in node.decorator_list:
        target = _decorator_func(dec)
        if is_bridge(analysis, target):
            bridged = True
        elif analysis.qualify(target) not in keep:
            result = False
            break
    if result:
        if fn.is_async:
            result = not bridged and not _is_generator(node)
        else:
            result = bridged
    fn._returns_awaitable = result
    return result


def _is_generator(node: ast.AST) -> bool:
    """Whether a function body yields (nested functions and classes excluded)."""
    stack = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return False


def coroutines_run(analysis: "ModuleAnalysis", arg: ast.expr | None, scope: FunctionInfo) -> list[tuple[str, str | None]]:
    """The coroutines a run call runs, as (source text, qualified function or None).

    ``f(a)`` -> f; ``asyncio.gather(f(), g())`` / ``asyncio.wait_for(f(), 5)`` -> f, g.
    """
    if arg is None:
        return [("?", None)]
    if isinstance(arg, ast.Name):
        assigned = _assigned_call(arg.id, scope)
        if assigned is not None:
            arg = assigned
    if isinstance(arg, ast.Call) and analysis.qualify(arg.func) in analysis.knowledge.names("coroutine_consumers"):
        inner = [a for a in arg.args if not isinstance(a, ast.Starred)]
        if inner and len(inner) == len(arg.args):
            if analysis.qualify(arg.func) != "asyncio.gather":
                inner = inner[:1]
            found = []
            for item in inner:
                found.extend(coroutines_run(analysis, item, scope))
            return found
    callee = arg.func if isinstance(arg, ast.Call) else arg
    return [(_source(callee), coroutine_function(analysis, arg, scope))]


def _source(expr: ast.expr, limit: int = 60) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse handles every expression
        return "?"
    return text if len(text) <= limit else text[: limit - 3] + "..."
