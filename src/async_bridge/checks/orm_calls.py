"""ABR201 / ABR203: sync ORM queries and model writes inside ``async def``."""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis import dataflow as df
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register


def short(expr: ast.expr, limit: int = 60) -> str:
    """Source-like text with call arguments elided: ``Order.objects.filter(...).first``."""
    text = _short(expr)
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def _short(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return f"{_short(expr.value)}.{expr.attr}"
    if isinstance(expr, ast.Call):
        return f"{_short(expr.func)}({'...' if expr.args or expr.keywords else ''})"
    if isinstance(expr, ast.Subscript):
        return f"{_short(expr.value)}[...]"
    if isinstance(expr, ast.Await):
        return f"(await {_short(expr.value)})"
    try:
        return ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse of odd nodes
        return "<expr>"


def twin_advice(settings, entry: dict | None, receiver: str, method: str) -> tuple[str, dict]:
    """What to write instead (Django-version-aware) and the fix payload."""
    twin = entry.get("twin") if isinstance(entry, dict) else None
    since = entry.get("since") if isinstance(entry, dict) else None
    if twin and django_version.has_twin(settings, since):
        return f"Use `await {receiver}.{twin}(...)`.", {"twin": twin, "method": method}
    version = f" (`{twin}()` needs Django {since})" if twin and since else ""
    return (
        f"Run it in a thread: `await sync_to_async({receiver}.{method})(...)` from asgiref.sync{version}.",
        {},
    )


@register
class SyncOrmInAsync(Check):
    codes = ("ABR201", "ABR203")
    nodes = (ast.Call,)
    scopes = "async"

    def visit(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        k = self.knowledge
        a = self.analysis
        if isinstance(func, ast.Attribute):
            method = func.attr
            qs_methods = k.mapping("queryset_db_methods")
            instance_methods = k.mapping("instance_db_methods")
            related_methods = k.mapping("related_manager_db_methods")
            if (method in qs_methods or method in instance_methods or method in related_methods) \
                    and not isinstance(parent_of(call), ast.Await):  # awaited: not Django's sync method
                owner = df.flow_of(a, scope).value_of(func.value)
                if owner is not None:
                    yield from self._direct(call, scope, owner, method)
                    return
        yield from self._transitive(call, scope)

    # -- ORM method on a known receiver ------------------------------------------------
    def _direct(self, call: ast.Call, scope: FunctionInfo, owner: df.Value, method: str):
        k = self.knowledge
        a = self.analysis
        receiver = short(call.func.value)
        if owner.kind == df.RELATED and method in k.mapping("related_manager_db_methods"):
            code, entry, what = "ABR203", k.mapping("related_manager_db_methods")[method], "related manager"
        elif owner.kind in (df.MANAGER, df.QUERYSET, df.RELATED) and method in k.mapping("queryset_db_methods"):
            code, entry, what = "ABR201", k.mapping("queryset_db_methods")[method], None
        elif owner.kind == df.INSTANCE and method in k.mapping("instance_db_methods"):
            code, entry, what = "ABR203", k.mapping("instance_db_methods")[method], "model instance"
        else:
            return
        if df.suppressed(a, call, scope):
            return
        advice, fix = twin_advice(self.settings, entry, receiver, method)
        if code == "ABR201":
            yield self.finding(
                "ABR201", call, fix=fix,
                what=f"`{receiver}.{method}()` queries the database",
                function=scope.name, via="", instead=advice,
            )
        else:
            yield self.finding(
                "ABR203", call, fix=fix,
                call=f"{receiver}.{method}()", what=what, function=scope.name, instead=advice,
            )

    # -- a project sync function that runs ORM queries -----------------------------------
    def _transitive(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return
        parent = parent_of(call)
        if isinstance(parent, ast.Await):
            return
        a = self.analysis
        target = a.resolve_callable(func, scope)
        if not target or "." not in target:
            return
        index = a.index
        summary = index.function(target)
        if summary is None or summary.is_async or summary.awaitable:
            return
        if summary.qualname == a.full_name(scope.qualname):
            return
        site = index.sync_orm_site(summary.qualname, through_async=False)
        if not site:
            return
        if df.suppressed(a, call, scope):
            return
        where_fn, line = site
        name = short(func)
        where = _display(where_fn, a.module)
        via = f" (sync ORM query at line {line}" + (
            ")" if where_fn == summary.qualname else f", in '{where}')"
        )
        yield self.finding(
            "ABR201", call,
            what=f"Sync function `{name}()` queries the database",
            function=scope.name, via=via,
            instead=f"Run it in a thread: `await sync_to_async({name})(...)` from asgiref.sync, "
            "or make it async with the ORM's `a`-methods.",
        )


def _display(qualname: str, module: str | None) -> str:
    if module and qualname.startswith(module + "."):
        return qualname[len(module) + 1:]
    return qualname
