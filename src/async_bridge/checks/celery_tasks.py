"""ABR301: a Celery task declared on an ``async def``."""

from __future__ import annotations

import ast
from pathlib import Path

from ..analysis import contexts
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from .base import Check, register


@register
class AsyncCeleryTask(Check):
    codes = ("ABR301",)
    nodes = (ast.AsyncFunctionDef,)

    def visit(self, node: ast.AsyncFunctionDef, scope: FunctionInfo):
        a = self.analysis
        if node.decorator_list:
            dec = contexts.celery_task_decorator(a, node)
            if dec is not None and self._declares_celery_task(node, dec):
                how = "@" + ast.unparse(decorator_target(dec))
                yield self.finding("ABR301", node, name=node.name, how=how)
                return
        if node.name != "run":
            return
        fn = a.function_at(node)
        if fn is None or fn.cls is None or fn.cls.methods.get("run") is not fn:
            return
        if contexts.is_celery_task_class(a, fn.cls):
            yield self.finding("ABR301", node, name=f"{fn.cls.name}.run", how="run() of a Task subclass")

    # -- decorators ------------------------------------------------------------------
    def _declares_celery_task(self, node: ast.AsyncFunctionDef, dec: ast.expr) -> bool:
        target = decorator_target(dec)
        if isinstance(target, ast.Attribute) and self.analysis.qualify(target) not in self.knowledge.names(
            "celery_task_decorators"
        ):
            if not self._celery_app(target.value):
                return False  # ``@broker.task`` of taskiq & co. runs coroutines
        # decorators below the task decorator are applied first: one that turns the
        # coroutine function into a sync callable (``@async_to_sync``) makes it right
        below = node.decorator_list[node.decorator_list.index(dec) + 1:]
        return not any(self._may_make_sync(d) for d in below)

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
            if local is not None and local.node is not None:
                # a home-made decorator whose wrapper is a plain def
                return any(isinstance(s, ast.FunctionDef) for s in local.node.body)
        return False

    def _celery_app(self, owner: ast.expr) -> bool:
        """Whether ``owner`` in ``@owner.task`` is (most likely) a Celery app."""
        a = self.analysis
        k = self.knowledge
        others = k.names("non_celery_task_frameworks")
        if any(_top_package_in(m, others) for m in a.imports.modules):
            return False
        qual = a.qualify(owner) or ""
        if any("celery" in part.lower() for part in qual.split(".")):
            return True  # ``from proj.celery import app``, ``celery_app``
        if isinstance(owner, ast.Name):
            value = self._module_assignment(owner.id)
            if isinstance(value, ast.Call) and a.qualify(value.func) in k.names("celery_app_factories"):
                return True
            imported = a.imports.get(owner.id)
            if imported and "." in imported:
                mentions = _module_mentions(a.project, imported.rsplit(".", 1)[0], b"Celery(")
                if mentions is not None:
                    return mentions
        return any(m == "celery" or m.startswith("celery.") for m in a.imports.modules)

    def _module_assignment(self, name: str) -> ast.expr | None:
        for node, scope in self.analysis.nodes(ast.Assign):
            if scope.is_module and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return node.value
        return None


def _top_package_in(module: str, packages: frozenset[str]) -> bool:
    """``taskiq_redis.x`` belongs to ``taskiq`` (plugins are named ``<pkg>_<what>``)."""
    top = module.split(".", 1)[0]
    return top in packages or top.split("_", 1)[0] in packages


_MENTIONS: dict[tuple[str, bytes], bool | None] = {}


def _module_mentions(project, module: str, text: bytes) -> bool | None:
    """Whether the project module's source contains ``text``; None when not in the project."""
    path = project.module_path(module)
    if path is None:
        return None
    key = (str(path), text)
    if key not in _MENTIONS:
        try:
            _MENTIONS[key] = text in Path(path).read_bytes()
        except OSError:
            _MENTIONS[key] = False
    return _MENTIONS[key]
