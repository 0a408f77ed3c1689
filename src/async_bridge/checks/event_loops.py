"""ABR101/ABR106: a coroutine run on a new event loop in a worker context."""

from __future__ import annotations

import ast

from ..analysis import contexts, facts, workers
from ..analysis.scopes import FunctionInfo
from .base import Check, register


@register
class EventLoopInWorker(Check):
    codes = ("ABR101", "ABR106")
    nodes = (ast.Call,)
    scopes = "sync"

    def visit(self, call: ast.Call, scope: FunctionInfo):
        if scope.context in contexts.EXEMPT_CONTEXTS:
            return
        a = self.analysis
        run = facts.new_loop_run(a, call, scope)
        if run is None:
            return
        how, arg = run
        if facts.runs_own_parameter(arg, scope) or facts.runner_param(a, scope) is not None:
            return  # a runner: its call sites are judged, not its body
        where = worker_reaching(a, scope)
        if where is None:
            return
        description, context = where
        verdict = self._database_verdict(facts.coroutines_run(a, arg, scope))
        if verdict is False:
            return  # provably no database work
        callee, target, site = verdict
        values = dict(
            how=how, where=description, context=contexts.describe(context, a.knowledge),
            coroutine=callee, coroutine_short=callee.rsplit(".", 1)[-1],
        )
        if site:
            func, line = site
            where_db = f"line {line}" if func == target else f"{_short(func, a.module)}, line {line}"
            yield self.finding("ABR101", call, fix={"kind": how}, db_site=where_db, **values)
        else:
            yield self.finding("ABR106", call, **values)

    def _database_verdict(self, coroutines):
        """(shown, function, (where, line)) for the first coroutine doing database work;
        (shown, function, None) for one that cannot be analysed; False when none does any."""
        unknown = None
        for shown, target in coroutines:
            site = self.analysis.index.db_site(target) if target else None
            if site:
                return shown, target, site
            if site is None and unknown is None:
                unknown = (shown, target, None)
        return unknown if unknown is not None else False


def _short(qualname: str, module: str | None) -> str:
    if module and qualname.startswith(module + "."):
        return qualname[len(module) + 1:]
    return qualname


def worker_reaching(analysis, scope: FunctionInfo) -> tuple[str, str] | None:
    """How a worker context reaches ``scope``: (description, worker context) or None."""
    if scope.context in contexts.WORKER_CONTEXTS:
        return f"{contexts.describe(scope.context, analysis.knowledge)} '{scope.name}'", scope.context
    if scope.is_module:
        return None
    if scope.is_lambda and scope.parent is not None:
        return worker_reaching(analysis, scope.parent)
    callers = _local_callers(analysis)
    seen = {scope.qualname}
    queue = [scope]
    while queue:
        fn = queue.pop(0)
        for caller in callers.get(fn.qualname, ()):
            if caller.qualname in seen or caller.is_async:
                continue
            seen.add(caller.qualname)
            if caller.context in contexts.WORKER_CONTEXTS:
                return _reached(scope, contexts.describe(caller.context, analysis.knowledge), caller.name), caller.context
            if caller.context not in contexts.EXEMPT_CONTEXTS:
                queue.append(caller)
    index = analysis.index
    for qualname in seen:
        fn = analysis.local_function(analysis.full_name(qualname))
        if fn is None or fn.context in contexts.EXEMPT_CONTEXTS:
            continue
        worker = index.reached_from_worker(analysis.full_name(qualname))
        if worker:
            summary = index.function(worker)
            context = summary.context if summary else contexts.TASK
            return _reached(scope, contexts.describe(context, analysis.knowledge), worker), context
    return _enqueued_elsewhere(analysis, scope, seen)


def _enqueued_elsewhere(analysis, scope: FunctionInfo, seen: set[str]) -> tuple[str, str] | None:
    """A module-level function of this module (``scope`` or a sync caller of it) that
    another module hands to a worker: ``async_task(send_report)``, ``queue.enqueue(...)``."""
    for qualname in sorted(seen):
        fn = analysis.local_function(analysis.full_name(qualname))
        if fn is None or fn.parent is not None or fn.cls is not None or fn.context in contexts.EXEMPT_CONTEXTS:
            continue
        found = workers.enqueued_elsewhere(analysis, analysis.full_name(qualname))
        if found is not None:
            framework = found[0]
            context = contexts.task_context(framework.id)
            if fn is scope:
                return f"{framework.label} '{scope.name}'", context
            return _reached(scope, framework.label, fn.name), context
    return None


def _reached(scope: FunctionInfo, worker_kind: str, worker_name: str) -> str:
    return f"'{scope.name}' (reached from {worker_kind} '{worker_name}')"


def _local_callers(analysis) -> dict[str, list[FunctionInfo]]:
    cached = getattr(analysis, "_local_callers", None)
    if cached is not None:
        return cached
    callers: dict[str, list[FunctionInfo]] = {}
    prefix = f"{analysis.module}." if analysis.module else ""
    for fn in analysis.functions:
        for call in fn.calls:
            if not isinstance(call.func, (ast.Name, ast.Attribute)):
                continue
            target = analysis.resolve_callable(call.func, fn)
            if target and target.startswith(prefix):
                callers.setdefault(target[len(prefix):], []).append(fn)
    analysis._local_callers = callers
    return callers
