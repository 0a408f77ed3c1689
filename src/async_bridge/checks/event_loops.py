"""ABR101/ABR106: a coroutine run on a new event loop in a worker context."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis import contexts, loops, workers
from ..analysis.param_guards import call_arguments
from ..analysis.scopes import FunctionInfo
from ..checks.base import Related
from ..records.fix_hints import LoopRun
from .base import Check, register


@register
class EventLoopInWorker(Check):
    codes = ("ABR101", "ABR106")
    nodes = (ast.Call,)
    scopes = "sync"

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.loop_runs

    def visit(self, call: ast.Call, scope: FunctionInfo):
        if scope.context in contexts.EXEMPT_CONTEXTS:
            return
        a = self.analysis
        run = loops.new_loop_run(a, call, scope)
        if run is None:
            return
        how, arg = run
        if loops.runs_own_parameter(arg, scope) or loops.runner_param(a, scope) is not None:
            return  # a runner: its call sites are judged, not its body
        where = worker_reaching(a, scope)
        if where is None:
            return
        description, worker = where
        verdict = self._database_verdict(loops.coroutines_run(a, arg, scope))
        if verdict is False:
            return  # provably no database work
        shown, reach = verdict
        short_name = shown.rsplit(".", 1)[-1]
        if len(short_name) > 24:
            short_name = "..."
        if reach:
            yield self.finding("ABR101", call, fix=LoopRun(how), related=(*worker, *reach),
                               how=how, where=description, coroutine=short_name)
        else:
            yield self.finding("ABR106", call, related=worker, how=how, where=description, coroutine=short_name)

    def _database_verdict(self, coroutines: list[tuple[str, str | None, ast.Call | None]]):
        """(shown, reach) for the first coroutine doing database work; (shown, None) for
        one that cannot be analysed; False when none does any."""
        unknown = None
        project = self.analysis.project
        for shown, target, made_by in coroutines:
            if target and made_by is not None:
                summary = project.function(target)
                if summary is not None and summary.guard is not None \
                        and summary.guard.skipped_by(*call_arguments(made_by)):
                    continue  # its database work waits for an argument this call leaves out
            reach = project.db_reach(target) if target else None
            if reach:
                return shown, reach
            if reach is None and unknown is None:
                unknown = (shown, None)
        return unknown if unknown is not None else False


def worker_reaching(analysis, scope: FunctionInfo) -> tuple[str, tuple[Related, ...]] | None:
    """How a worker context reaches ``scope``: (description, the caller's place) or None."""
    if scope.context in contexts.WORKER_CONTEXTS:
        return f"{_describe(analysis, scope.context)} '{scope.name}'", ()
    if scope.is_module:
        return None
    if scope.is_lambda and scope.parent is not None:
        return worker_reaching(analysis, scope.parent)
    callers = analysis.local_callers
    seen = {scope.qualname}
    queue = [scope]
    while queue:
        fn = queue.pop(0)
        for caller in callers.get(fn.qualname, ()):
            if caller.qualname in seen or caller.is_async:
                continue
            seen.add(caller.qualname)
            if caller.context in contexts.WORKER_CONTEXTS:
                kind = _describe(analysis, caller.context)
                place = Related(analysis.filename, caller.node.lineno, caller.node.col_offset, f"{kind} '{caller.name}'")
                return _reached(scope, kind), (place,)
            if caller.context not in contexts.EXEMPT_CONTEXTS:
                queue.append(caller)
    project = analysis.project
    for qualname in seen:
        fn = analysis.local_function(analysis.full_name(qualname))
        if fn is None or fn.context in contexts.EXEMPT_CONTEXTS:
            continue
        worker = project.reached_from_worker(analysis.full_name(qualname))
        if worker:
            summary = project.function(worker)
            kind = _describe(analysis, summary.context if summary else contexts.TASK)
            places: tuple[Related, ...] = ()
            if summary is not None:
                places = (Related(summary.path, summary.line, summary.col, f"{kind} '{worker.rsplit('.', 1)[-1]}'"),)
            return _reached(scope, kind), places
    return _enqueued_elsewhere(analysis, scope, seen)


def _enqueued_elsewhere(analysis, scope: FunctionInfo, seen: set[str]) -> tuple[str, tuple[Related, ...]] | None:
    """A module-level function of this module (``scope`` or a sync caller of it) that
    another module hands to a worker: ``async_task(send_report)``, ``queue.enqueue(...)``."""
    for qualname in sorted(seen):
        fn = analysis.local_function(analysis.full_name(qualname))
        if fn is None or fn.parent is not None or fn.cls is not None or fn.context in contexts.EXEMPT_CONTEXTS:
            continue
        found = workers.enqueued_elsewhere(analysis, analysis.full_name(qualname))
        if found is not None:
            framework, path, _module, line = found
            place = (Related(path, line, 0, f"{framework.label} of '{fn.name}'"),)
            if fn is scope:
                return f"{framework.label} '{scope.name}'", place
            return _reached(scope, framework.label), place
    return None


def _describe(analysis, context: str) -> str:
    return contexts.describe(context, analysis.knowledge)


def _reached(scope: FunctionInfo, worker_kind: str) -> str:
    return f"'{scope.name}' (via {worker_kind})"
