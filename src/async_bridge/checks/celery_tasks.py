"""ABR301: a background task declared on an ``async def`` its framework never awaits.

Which frameworks await coroutine tasks themselves (Django's task framework, dramatiq's
function actors, RQ) and which do not (Celery, huey, django-q2, dramatiq's
``GenericActor.perform``) is knowledge (rules/knowledge/workers.yaml).
"""

from __future__ import annotations

import ast
from typing import Iterator

from ..analysis.relevance import Anchors
from ..analysis.scopes import FunctionInfo
from ..analysis.workers import ENQUEUE, TaskDeclaration, TaskRecognizer, decorator_target
from .base import Check, Finding, register


@register
class AsyncTaskNeverAwaited(Check):
    codes = ("ABR301",)
    nodes = (ast.AsyncFunctionDef,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.awaitables  # an ``async def`` here, or one of the project's enqueued here

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._tasks: TaskRecognizer | None = None

    @property
    def tasks(self) -> TaskRecognizer:
        if self._tasks is None:
            self._tasks = TaskRecognizer(self.analysis)
        return self._tasks

    def visit(self, node: ast.AST, scope: FunctionInfo) -> Iterator[Finding]:
        if not isinstance(node, ast.AsyncFunctionDef):
            return
        a = self.analysis
        if node.decorator_list:
            declared = self.tasks.decorator_declaration(node)
            if declared is not None:
                if not declared.runs_async and not self._made_sync_below(node, declared.node):
                    yield self._finding(node, node.name, declared)
                return
        fn = a.function_at(node)
        if fn is None:
            return
        declared = self.tasks.method_declaration(fn)
        if declared is not None and not declared.runs_async:
            assert fn.cls is not None
            yield self._finding(node, fn.cls.name, declared)

    def finish(self) -> Iterator[Finding]:
        """``async_task(send_report)``: an ``async def`` handed to a worker that never awaits it,
        reported at the enqueue call (the function has no declaration of its own)."""
        if not self.tasks.enqueues:
            return
        for enqueue in self.tasks.enqueues:
            if enqueue.framework.runs_async or not self._is_async(enqueue.target):
                continue
            declared = TaskDeclaration(enqueue.framework, ENQUEUE, enqueue.how, enqueue.call)
            yield self._finding(enqueue.call, enqueue.target.rsplit(".", 1)[-1], declared)

    def _finding(self, node: ast.AST, name: str, declared: TaskDeclaration) -> Finding:
        return self.finding("ABR301", node, name=name, how=declared.how, task=declared.framework.label)

    def _is_async(self, qualname: str) -> bool:
        local = self.analysis.local_function(qualname)
        if local is not None:
            return local.is_async
        return _is_async(self.analysis.project.function(qualname))

    # -- decorators below the task decorator are applied first -------------------
    def _made_sync_below(self, node: ast.AsyncFunctionDef, dec: ast.AST) -> bool:
        """A decorator under the task's that turns the coroutine function into a sync
        callable (``@async_to_sync``, a home-made ``run_sync``) makes the task right."""
        decorators = node.decorator_list
        below = decorators[decorators.index(dec) + 1:] if dec in decorators else []
        return any(self._may_make_sync(d) for d in below)

    def _may_make_sync(self, dec: ast.expr) -> bool:
        a = self.analysis
        target = decorator_target(dec)
        qual = a.qualify(target) or ""
        if qual in self.knowledge.names("async_to_sync"):
            return True
        if "sync" in qual.rsplit(".", 1)[-1].lower():
            return True  # run_sync, make_sync, async_to_sync_task, ...
        if isinstance(target, (ast.Name, ast.Attribute)):
            local = a.local_function(a.resolve_callable(target, a.module_scope) or "")
            if local is not None and isinstance(local.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # a home-made decorator whose wrapper is a plain def
                return any(isinstance(s, ast.FunctionDef) for s in local.node.body)
        return False


def _is_async(summary) -> bool:
    return summary is not None and summary.is_async
