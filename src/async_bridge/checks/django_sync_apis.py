"""ABR208: shortcuts/auth/cache/signal calls with async twins, called from an ``async def``.

Names, twins and versions come from ``rules/knowledge/django_apis.yaml``; the sentences
from the rule YAML.
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis import facts
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ._django_common import django_api_call, source
from .base import Check, register


@register
class SyncDjangoApiInAsync(Check):
    """get_object_or_404, authenticate/login/logout, cache and Signal.send in ``async def``."""

    codes = ("ABR208",)
    nodes = (ast.Call,)
    scopes = "async"

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._signals: dict | None = None

    def visit(self, call: ast.Call, scope: FunctionInfo):
        if not scope.is_async or not isinstance(call.func, (ast.Name, ast.Attribute)):
            return ()
        return self._report(call, scope)

    def _report(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        a, k = self.analysis, self.knowledge
        found = django_api_call(a, k, call, self._module_signals())
        if found is None:
            return
        parent = parent_of(call)
        if isinstance(parent, ast.Call) and call in parent.args and facts.is_bridge(a, parent.func):
            return  # sync_to_async(get_object_or_404(...)): ABR206 reports it
        kind, info, owner = found
        texts = k.mapping("abr208_texts")
        api = source(func, 50)
        twin = info.get("twin", "")
        since = info.get("since")
        if django_version.has_twin(self.settings, since):
            if kind == "function":
                instead = f"`await {twin}(...)` (from {info.get('module', 'django')}, Django {since}+)"
                fix = {"twin": twin, "module": info.get("module")}
            else:
                instead = f"`await {owner}.{twin}(...)` (Django {since}+)"
                fix = {"twin": twin}
        else:
            instead = f"`await sync_to_async({api})(...)` (the {twin}() twin needs Django {since})"
            fix = None
        why = texts.get(info.get("why") or kind, "")
        yield self.finding("ABR208", call, fix=fix, api=f"{api}()", function=scope.name, why=why, instead=instead)

    def _module_signals(self) -> dict:
        """Module-level names bound to ``Signal()``: ``order_paid = Signal()``."""
        if self._signals is None:
            signals: dict = {}
            classes = self.knowledge.names("django_signal_classes")
            for node, scope in self.analysis.nodes(ast.Assign):
                if not scope.is_module or not isinstance(node.value, ast.Call):
                    continue
                if self.analysis.qualify(node.value.func) in classes:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            signals[target.id] = node.lineno
            self._signals = signals
        return self._signals
