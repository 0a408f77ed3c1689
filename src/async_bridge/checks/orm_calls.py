"""ABR201 / ABR203: sync ORM queries and model writes inside ``async def``.

Direct: a query or write method on a receiver the value model knows (a manager, a
QuerySet, a related manager, a model instance), or a member of a QuerySet wrapper that
evaluates it (``paginator.num_pages`` on a ``Paginator`` over a QuerySet). Transitive: a call to a sync
function (project or installed) whose body, or a callee's, does sync database work;
entering a ``@contextmanager`` function (``with seed():``) or iterating a generator
runs its body here too, while merely calling one does not; reading a ``@property`` on an
instance of a known class calls its getter, and a sync ``with`` on one runs its
``__enter__`` / ``__exit__``.
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis import guards, implicit_calls, orm
from ..analysis.text import short
from ..analysis.scopes import FunctionInfo
from ..analysis.functions import enters_body
from ..analysis.param_guards import argument_slots, call_arguments
from ..analysis.walker import parent_of
from ..records import constants
from ..records.fix_hints import AwaitTwin
from .base import Check, register


def twin_advice(settings, entry: dict | None, receiver: str, method: str) -> tuple[str, AwaitTwin | None]:
    """What to write instead (Django-version-aware) and the fix hint."""
    twin = entry.get("twin") if isinstance(entry, dict) else None
    since = entry.get("since") if isinstance(entry, dict) else None
    if twin and django_version.has_twin(settings, since):
        return f"await `{twin}()` instead", AwaitTwin(twin)
    version = f" (`{twin}()` needs Django {since})" if twin and since else ""
    return f"wrap it in `sync_to_async({receiver}.{method})`{version}", None


@register
class SyncOrmInAsync(Check):
    codes = ("ABR201", "ABR203")
    nodes = (ast.Call, ast.Attribute, ast.With)
    scopes = "async"

    def visit(self, node: ast.Call | ast.Attribute | ast.With, scope: FunctionInfo):
        if isinstance(node, ast.With):
            for item in node.items:
                yield from self._entered(item, scope)
            return
        if isinstance(node, ast.Attribute):
            if orm.wrapper_use(self.analysis, node, scope) is not None:
                yield from self._wrapper_use(node, scope)
                return
            getter = implicit_calls.getter_read(self.analysis, node, scope)
            if getter is not None:
                yield from self._property_read(node, scope, getter)
            return
        call = node
        if guards.awaited(call):
            return  # awaited: an async API, not Django's sync method
        op = orm.orm_call(self.analysis, call, scope)
        if op is not None:
            if op.op != orm.TWIN:
                yield from self._direct(call, scope, op)
            return
        if orm.wrapper_use(self.analysis, call, scope) is not None:
            yield from self._wrapper_use(call, scope)
            return
        yield from self._transitive(call, scope)

    # -- a QuerySet wrapper's member that evaluates it: ``paginator.num_pages`` ---------------
    def _wrapper_use(self, node: ast.Call | ast.Attribute, scope: FunctionInfo):
        """``node`` is such a member (``orm.wrapper_use``)."""
        if guards.deliberate_or_elsewhere(self.analysis, node, scope):
            return
        if isinstance(node, ast.Call):
            text, instead = f"`{short(node.func, 40)}()`", f"use `sync_to_async({short(node.func, 40)})`"
        else:
            text, instead = f"`{short(node, 40)}`", "read it in `sync_to_async`"
        yield self.finding("ABR201", node, what=f"{text} queries its QuerySet", function=scope.name, instead=instead)

    # -- a property whose getter does sync database work: ``agent.timezone`` -----------------
    def _implicit_reach(self, qualname: str):
        """The sync database work a getter or ``__enter__``/``__exit__`` reaches (its chain), if any."""
        project = self.analysis.project
        summary = project.function(qualname)
        if summary is None or summary.is_async or summary.threaded:
            return None
        return project.sync_db_reach(summary.qualname, False)

    def _property_read(self, node: ast.Attribute, scope: FunctionInfo, getter: str):
        reach = self._implicit_reach(getter)
        if not reach or guards.deliberate_or_elsewhere(self.analysis, node, scope):
            return
        name = short(node, 40)
        yield self.finding("ABR201", node, related=reach, what=f"`{name}` reaches {_clip(reach[-1].what)}",
                           function=scope.name, instead=f"read `{name}` in `sync_to_async`")

    # -- a sync ``with`` on an object whose ``__enter__`` / ``__exit__`` does sync database work --
    def _entered(self, item: ast.withitem, scope: FunctionInfo):
        a = self.analysis
        expr = item.context_expr
        if isinstance(expr, ast.Call) and any(True for _ in self._transitive(expr, scope)):
            return  # building it already reaches the database: reported at the call
        for method in implicit_calls.with_methods(a, item, scope):
            reach = self._implicit_reach(method)
            if not reach:
                continue
            if guards.deliberate_or_elsewhere(a, expr, scope):
                return
            name = short(expr.func if isinstance(expr, ast.Call) else expr, 40)
            shown = f"`{name}()`" if isinstance(expr, ast.Call) else f"`{name}`"
            instead = ("use `async with`" if implicit_calls.has_async_enter(a, item, scope)
                       else "run the block with `sync_to_async`")
            yield self.finding("ABR201", expr, related=reach, what=f"Entering {shown} reaches {_clip(reach[-1].what)}",
                               function=scope.name, instead=instead)
            return

    # -- ORM method on a known receiver ------------------------------------------------
    def _direct(self, call: ast.Call, scope: FunctionInfo, op: orm.OrmCall):
        if guards.deliberate_or_elsewhere(self.analysis, call, scope):
            return
        receiver = short(call.func.value, 40)  # type: ignore[attr-defined]  # an ORM method call: func is an Attribute
        instead, fix = twin_advice(self.settings, op.entry, receiver, op.method)
        text = f"`{receiver}.{op.method}()`"
        if op.op == orm.QUERY:
            yield self.finding("ABR201", call, fix=fix, what=f"{text} queries the DB",
                               function=scope.name, instead=instead)
        else:
            yield self.finding("ABR203", call, fix=fix, what=f"{text} writes to the DB",
                               function=scope.name, instead=instead)

    # -- a sync function that does sync database work -------------------------------------
    def _transitive(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return
        a = self.analysis
        if a.qualify(func) in a.vocab.sync_db_apis:  # raw SQL, a feature-flag read: no async twin
            if not guards.deliberate_or_elsewhere(a, call, scope):
                name = short(func, 40)
                yield self.finding("ABR201", call, what=f"`{name}()` queries the DB", function=scope.name,
                                   instead="wrap the work in `sync_to_async`")
            return
        target = a.values.callee_name(func, scope)
        if not target or "." not in target:
            return
        project = a.project
        summary = project.function(target)
        if summary is None or summary.is_async or summary.awaitable or summary.threaded:
            return
        if summary.qualname == a.full_name(scope.qualname):
            return
        if not summary.runs_body and not enters_body(call):
            return  # calling a generator / context manager function runs nothing yet
        slots = argument_slots(a, call, scope)
        if summary.guard is not None and summary.guard.skipped_by(*call_arguments(call), slots, project.constant):
            return  # its database work waits for an argument this call leaves out, or another value
        reach = project.sync_db_reach(summary.qualname, False, frozenset(constants.encode(slots)))
        if not reach:
            return
        if guards.deliberate_or_elsewhere(a, call, scope):
            return
        name = short(func, 40)
        site = reach[-1]
        how = "" if summary.runs_body else "Entering " if isinstance(parent_of(call), ast.withitem) else "Iterating "
        yield self.finding(
            "ABR201", call, related=reach,
            what=f"{how}`{name}()` reaches {_clip(site.what)}",
            function=scope.name,
            instead=f"use `sync_to_async({name})`" if summary.runs_body else "run the block with `sync_to_async`",
        )


def _clip(text: str, limit: int = 38) -> str:
    """A site's text (a code span), shortened for a one-line message."""
    return text if len(text) <= limit else text[: limit - 4] + "...`"
