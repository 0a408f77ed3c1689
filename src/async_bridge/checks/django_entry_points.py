"""ABR103: async entry points Django cannot drive (async handle, asyncio.run in scripts)."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis import contexts, loops
from ..analysis.scopes import ClassInfo, FunctionInfo
from .base import Check, register

# Overriding one of these lets a command drive its own ``async def handle``.
_DRIVERS = ("execute", "run_from_argv")


@register
class AsyncEntryPointInDjango(Check):
    codes = ("ABR103",)
    nodes = (ast.AsyncFunctionDef, ast.Call)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.async_code | words.loop_runs

    def visit(self, node: ast.AST, scope: FunctionInfo):
        if isinstance(node, ast.AsyncFunctionDef):
            yield from self._async_handle(node)
        elif self.analysis.is_script and not scope.is_async and scope.context == contexts.SCRIPT:
            yield from self._script_run(node, scope)  # type: ignore[arg-type]  # the other node type visited: a Call

    def _async_handle(self, node: ast.AsyncFunctionDef):
        a = self.analysis
        if node.name != "handle":
            return
        fn = a.function_at(node)
        if fn is None or fn.cls is None:
            return
        if not a.class_derives(fn.cls, self.knowledge.names("management_command_bases")):
            return
        if a.function_model.facts(fn).value is None:
            return  # a decorator (``@async_to_sync``, a project wrapper) makes it something else
        if self._drives_itself(fn.cls):
            return
        yield self.finding("ABR103", node, problem=f"Django never awaits `async def handle` of command "
                           f"'{fn.cls.name}', so it does nothing", instead="decorate it with `@async_to_sync`")

    def _drives_itself(self, cls: ClassInfo) -> bool:
        """The command (or a project base) overrides ``execute``/``run_from_argv``."""
        for name in _DRIVERS:
            found = self.analysis.find_method(cls, name)
            if found is not None and not found.startswith("django."):
                return True
        return False

    def _script_run(self, call: ast.Call, scope: FunctionInfo):
        a = self.analysis
        run = loops.new_loop_run(a, call, scope)
        if run is None:
            return
        how, arg = run
        target = loops.coroutine_function(a, arg, scope)
        summary = a.project.function(target) if target else None
        if summary is None or not summary.is_async:
            return
        reach = a.project.sync_db_reach(summary.qualname)
        if not reach:
            return
        site = reach[-1]
        name = summary.qualname.rsplit(".", 1)[-1]
        yield self.finding("ABR103", call, related=reach,
                           problem=f"`{how}()` runs '{name}', which reaches sync ORM work (line {site.line})",
                           instead="use `a`-methods or `sync_to_async`")
