"""ABR105: a sync bridge (async_to_sync, asyncio.run, run_until_complete) inside async def."""

from __future__ import annotations

import ast

from ..analysis.scopes import FunctionInfo
from .base import Check, register


@register
class SyncBridgeInAsync(Check):
    codes = ("ABR105",)
    nodes = (ast.Call,)

    def visit(self, call: ast.Call, scope: FunctionInfo):
        if not scope.is_async:
            return
        func = call.func
        k = self.knowledge
        qual = self.analysis.qualify(func)
        if qual in k.names("async_to_sync"):
            bridge, error = "async_to_sync()", '"You cannot use AsyncToSync in the same thread as an async event loop"'
        elif qual in k.names("new_loop_runners"):
            bridge, error = "asyncio.run()", '"asyncio.run() cannot be called from a running event loop"'
        elif isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
            bridge, error = "run_until_complete()", '"This event loop is already running" (or a deadlock)'
        else:
            return
        yield self.finding("ABR105", call, bridge=bridge, error=error, function=scope.name)
