"""ABR105: a sync bridge (async_to_sync, asyncio.run, run_until_complete) inside async def."""

from __future__ import annotations

import ast

from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register


@register
class SyncBridgeInAsync(Check):
    codes = ("ABR105",)
    nodes = (ast.Call,)
    scopes = "async"

    def visit(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        k = self.knowledge
        qual = self.analysis.qualify(func)
        if qual in k.names("async_to_sync"):
            if not _invoked(call):
                return  # building the wrapper is fine; calling it in the loop is not
            bridge, error = "async_to_sync()", '"You cannot use AsyncToSync in the same thread as an async event loop"'
        elif qual in k.names("new_loop_runners"):
            bridge, error = "asyncio.run()", '"asyncio.run() cannot be called from a running event loop"'
        elif isinstance(func, ast.Attribute) and func.attr == "run_until_complete":
            bridge, error = "run_until_complete()", '"This event loop is already running" (or a deadlock)'
        else:
            return
        yield self.finding("ABR105", call, bridge=bridge, error=error, function=scope.name)


def _invoked(call: ast.Call) -> bool:
    """``async_to_sync(f)(...)``: the wrapper is called on the spot."""
    parent = parent_of(call)
    return isinstance(parent, ast.Call) and parent.func is call
