"""ABR401 (coroutine never awaited) and ABR403 (``await f()[i]`` binds after the subscript)."""

from __future__ import annotations

import ast

from ..analysis import facts
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register


def awaitable_call(analysis, call: ast.Call, scope: FunctionInfo) -> tuple[str, str] | None:
    """(what to show, the coroutine's ``__qualname__``) when ``call`` gives an awaitable;
    None when it does not or the analysis cannot tell.

    ``f(...)`` with ``f`` a known coroutine function (same module, ``self.``/``cls.``
    methods, project imports), ``sync_to_async(f)(...)`` /
    ``database_sync_to_async(f)(...)``, a name bound at module level to such a
    wrapper, and an ORM ``a``-twin on a manager chain
    (``Order.objects.filter(...).afirst()``).
    """
    func = call.func
    if isinstance(func, ast.Call):
        if func.args and facts.is_bridge(analysis, func.func):
            return f"{ast.unparse(func.func)}({ast.unparse(func.args[0])})", "SyncToAsync.__call__"
        return None
    if not isinstance(func, (ast.Name, ast.Attribute)):
        return None
    if isinstance(func, ast.Attribute):
        if _orm_twin(analysis, func):
            return ast.unparse(func), f"QuerySet.{func.attr}"
        if not _may_be_awaitable(analysis, func.attr):
            return None  # before resolving: methods through bases may parse other modules
    target = analysis.resolve_callable(func, scope)
    if target is None or not _may_be_awaitable(analysis, target.rsplit(".", 1)[-1]):
        if isinstance(func, ast.Name) and target == func.id and _bridged_module_name(analysis, func.id, scope):
            return None if _shadowed(func.id, scope) else (func.id, "SyncToAsync.__call__")
        return None
    if isinstance(func, ast.Name) and _shadowed(func.id, scope):
        return None
    local = analysis.local_function(target)
    if local is not None:
        if not facts.returns_awaitable(analysis, local):
            return None
        return _shown(target, analysis), local.qualname if local.is_async else "SyncToAsync.__call__"
    if target.startswith(_module_prefix(analysis)) or isinstance(func, ast.Name) and target == func.id:
        return None  # a local name the analysis does not know as a function
    summary = analysis.index.function(target)
    if summary is not None and summary.awaitable:
        shown = _shown(target, analysis)
        if not summary.is_async:
            return shown, "SyncToAsync.__call__"
        return shown, _local_part(analysis, summary.qualname)
    return None


def _may_be_awaitable(analysis, name: str) -> bool:
    """Cheap gate before any project look-up: some ``async def`` (or ``@sync_to_async``
    def) of that name exists in this module or anywhere in the project's sources."""
    local = getattr(analysis, "_abr_awaitable_names", None)
    if local is None:
        local = frozenset(fn.name for fn in analysis.functions if fn.is_async or fn.node is not None and not fn.is_lambda and fn.node.decorator_list)
        analysis._abr_awaitable_names = local
    return name in local or name in analysis.index.source_names().awaitable


def _local_part(analysis, qualname: str) -> str:
    """``Class.method`` of a fully qualified name (Python's ``__qualname__``)."""
    split = analysis.index.split(qualname)
    return split[1] if split is not None else qualname.rsplit(".", 1)[-1]


def _module_prefix(analysis) -> str:
    return f"{analysis.module}." if analysis.module else "\0"


def _shown(target: str, analysis) -> str:
    prefix = _module_prefix(analysis)
    return target[len(prefix):] if target.startswith(prefix) else target


def _orm_twin(analysis, func: ast.Attribute) -> bool:
    twins = getattr(analysis, "_abr_queryset_twins", None)
    if twins is None:
        twins = frozenset(
            v["twin"] for v in analysis.knowledge.mapping("queryset_db_methods").values()
            if isinstance(v, dict) and "twin" in v
        )
        analysis._abr_queryset_twins = twins
    if func.attr not in twins:
        return False
    chain = facts.attr_chain(func.value)
    managers = analysis.knowledge.names("manager_attributes")
    return len(chain) >= 2 and any(name in managers for name in chain[1:])


def _bridged_module_name(analysis, name: str, scope: FunctionInfo) -> bool:
    """``get_user = sync_to_async(_get_user)`` at module level, not shadowed locally."""
    bridged = getattr(analysis, "_abr_bridged_names", None)
    if bridged is None:
        bridged = {}
        for node, where in analysis.nodes(ast.Assign):
            if not isinstance(parent_of(node), ast.Module):
                continue  # class attributes are not visible as bare names
            for target in node.targets:
                if isinstance(target, ast.Name):
                    value = node.value
                    ok = (
                        isinstance(value, ast.Call) and facts.is_bridge(analysis, value.func)
                        and len(value.args) == 1 and not isinstance(value.args[0], ast.Call)
                    )
                    # a name assigned twice at module level is not trusted
                    bridged[target.id] = ok and target.id not in bridged
        analysis._abr_bridged_names = bridged
    return bool(bridged.get(name))


def _shadowed(name: str, scope: FunctionInfo) -> bool:
    """A parameter or local variable of an enclosing function hides the def of that name."""
    current: FunctionInfo | None = scope
    while current is not None and not current.is_module:
        if name in current.children:
            return False
        if name in current.params() or _assigns(current, name):
            return True
        current = current.parent
    return False


def _assigns(scope: FunctionInfo, name: str) -> bool:
    node = scope.node
    if node is None or isinstance(node, ast.Lambda):
        return False
    for stmt in ast.walk(node):
        if isinstance(stmt, ast.Name) and stmt.id == name and isinstance(stmt.ctx, ast.Store):
            return True
        if isinstance(stmt, (ast.Global, ast.Nonlocal)) and name in stmt.names:
            return False
    return False


@register
class CoroutineNeverAwaited(Check):
    codes = ("ABR401",)
    nodes = (ast.Expr,)

    def visit(self, node: ast.Expr, scope: FunctionInfo):
        call = node.value
        if not isinstance(call, ast.Call):
            return
        found = awaitable_call(self.analysis, call, scope)
        if found is None:
            return
        shown, coroutine = found
        if scope.is_async:
            hint = f"Write 'await {ast.unparse(call)}'"
            fix = {"kind": "await"}
        else:
            hint = (
                "From sync code run it with async_to_sync(...)(...) (asgiref.sync), or schedule it "
                "with asyncio.create_task() where a loop is running"
            )
            fix = None
        yield self.finding("ABR401", call, fix=fix, name=shown, coroutine=coroutine, hint=hint)


@register
class AwaitBindsAfterSubscript(Check):
    codes = ("ABR403",)
    nodes = (ast.Await,)

    def visit(self, node: ast.Await, scope: FunctionInfo):
        value = node.value
        # walk the primary chain of the awaited expression: ``f().a[0].b()``
        current = value
        depth = 0
        while isinstance(current, (ast.Attribute, ast.Subscript, ast.Call)):
            inner = current.func if isinstance(current, ast.Call) else current.value
            depth += 1
            if isinstance(current, (ast.Attribute, ast.Subscript)) and isinstance(inner, ast.Call):
                found = awaitable_call(self.analysis, inner, scope)
                if found is not None:
                    yield self._finding(node, current, inner, found[0], depth)
                    return
            current = inner

    def _finding(self, node: ast.Await, applied: ast.expr, inner: ast.Call, shown: str, depth: int):
        call = ast.unparse(inner)
        if isinstance(applied, ast.Subscript):
            error = "TypeError: 'coroutine' object is not subscriptable"
        else:
            error = f"AttributeError: 'coroutine' object has no attribute '{applied.attr}'"
        rest = ast.unparse(node.value)[len(call):] if ast.unparse(node.value).startswith(call) else ""
        fixed = f"(await {call}){rest}" if rest else f"(await {call})..."
        return self.finding(
            # depth: steps down the awaited chain to the awaitable call (for the fixer)
            "ABR403", node, fix={"kind": "parenthesize", "depth": depth}, name=shown, error=error,
            written=ast.unparse(node), fixed=fixed,
        )
