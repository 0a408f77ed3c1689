"""ABR103: async entry points Django cannot drive (async handle, asyncio.run in scripts)."""

from __future__ import annotations

import ast

from ..analysis import contexts, facts
from ..analysis.scopes import FunctionInfo
from .base import Check, register


@register
class AsyncEntryPointInDjango(Check):
    codes = ("ABR103",)
    nodes = (ast.AsyncFunctionDef, ast.Call)

    def visit(self, node: ast.AST, scope: FunctionInfo):
        if isinstance(node, ast.AsyncFunctionDef):
            yield from self._async_handle(node)
        elif scope.context == contexts.SCRIPT and not scope.is_async:
            yield from self._script_run(node, scope)

    def _async_handle(self, node: ast.AsyncFunctionDef):
        a = self.analysis
        if node.name != "handle":
            return
        fn = a.function_at(node)
        if fn is None or fn.cls is None:
            return
        if not a.class_derives(fn.cls, self.knowledge.names("management_command_bases")):
            return
        bridges = self.knowledge.names("async_to_sync")
        if any(a.qualify(d.func if isinstance(d, ast.Call) else d) in bridges for d in node.decorator_list):
            return
        yield self.finding("ABR103", node, problem=_HANDLE_PROBLEM.format(cls=fn.cls.name))

    def _script_run(self, call: ast.Call, scope: FunctionInfo):
        a = self.analysis
        run = facts.new_loop_run(a, call, scope)
        if run is None:
            return
        how, arg = run
        target = facts.coroutine_function(a, arg, scope)
        if target is None or not a.index.is_async(target):
            return
        site = a.index.sync_orm_site(target)
        if not site:
            return
        func, line = site
        name = target.rsplit(".", 1)[-1]
        where = f"line {line}" if func == target else f"'{func.rsplit('.', 1)[-1]}', line {line}"
        yield self.finding("ABR103", call, problem=_SCRIPT_PROBLEM.format(how=how, main=name, where=where))


_HANDLE_PROBLEM = (
    "'async def handle' in management command '{cls}': Django calls handle() synchronously "
    "and drops the coroutine, so the command silently does nothing. Decorate it with "
    "@async_to_sync (asgiref.sync), or make handle sync and call async_to_sync(main)()"
)
_SCRIPT_PROBLEM = (
    "{how}() runs '{main}' in a Django-configured script, and it reaches a sync ORM query "
    "({where}): inside the event loop Django raises SynchronousOnlyOperation. Await the "
    "ORM's async methods (or wrap the query in sync_to_async), or keep the ORM work outside "
    "the event loop"
)
