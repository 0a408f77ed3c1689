"""ABR105: a sync bridge (async_to_sync, asyncio.run, run_until_complete) in a running loop.

In an ``async def`` body, and in a sync function that an ``async def`` calls (directly
or through sync functions): both run inside the event loop. ``run_until_complete``
counts only on a value known to be an event loop.
"""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis import contexts, loops
from ..analysis.scopes import FunctionInfo
from ..records.values import Kind
from .base import Check, Related, register


@register
class SyncBridgeInAsync(Check):
    codes = ("ABR105",)
    nodes = (ast.Call,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.loop_runs

    def visit(self, call: ast.Call, scope: FunctionInfo):
        a = self.analysis
        bridge = loops.runs_on_known_loop(a, call, scope)
        if bridge is None:
            return
        if scope.is_async:
            yield self.finding("ABR105", call, bridge=f"`{bridge}`", where=f"async '{scope.name}'")
            return
        if scope.is_module or scope.is_lambda or scope.context in contexts.EXEMPT_CONTEXTS \
                or _checks_for_running_loop(a, scope):
            return  # tests, scripts and commands: their callers are not searched
        caller = self._async_caller(scope)
        if caller is not None:
            name, place = caller
            yield self.finding("ABR105", call, related=place, bridge=f"`{bridge}`",
                               where=f"'{scope.name}', which async '{name}' calls,")

    def _async_caller(self, scope: FunctionInfo) -> tuple[str, tuple[Related, ...]] | None:
        """An ``async def`` that calls ``scope`` directly or through sync functions."""
        a = self.analysis
        seen = {scope.qualname}
        queue = [scope]
        while queue:
            fn = queue.pop(0)
            for caller in a.local_callers.get(fn.qualname, ()):
                if caller.qualname in seen:
                    continue
                seen.add(caller.qualname)
                node = caller.node
                if caller.is_async and node is not None:
                    return caller.name, (Related(a.filename, node.lineno, node.col_offset, f"async '{caller.name}'"),)
                if not caller.is_lambda and not a.function_model.facts(caller).threaded:
                    queue.append(caller)
        project = a.project
        for qualname in seen:
            found = project.reached_from_async(a.full_name(qualname))
            if found:
                summary = project.function(found)
                name = found.rsplit(".", 1)[-1]
                place = (Related(summary.path, summary.line, summary.col, f"async '{name}'"),) if summary else ()
                return name, place
        return None


def _checks_for_running_loop(analysis, scope: FunctionInfo) -> bool:
    """The function asks whether a loop is running (``get_running_loop()``,
    ``loop.is_running()``): it guards its own run call."""
    v = analysis.vocab
    for call in scope.calls:
        func = call.func
        qual = analysis.qualify(func)
        if qual in v.running_loop_getters or (qual or "").endswith("._get_running_loop"):
            return True
        if isinstance(func, ast.Attribute) and func.attr == "is_running" \
                and analysis.values.kind(func.value, scope) is Kind.LOOP:
            return True
    return False
