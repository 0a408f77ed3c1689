"""ABR208: shortcuts/auth/cache/signal calls with async twins, called from an ``async def``.

Names, twins and versions come from ``rules/knowledge/django_apis.yaml``; the receiver
of a cache or signal method must be Django's cache or a Signal (the value model).
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..records.fix_hints import AwaitTwin
from ..analysis.text import source_text
from ._django_common import django_api_call
from .base import Check, register


@register
class SyncDjangoApiInAsync(Check):
    codes = ("ABR208",)
    nodes = (ast.Call,)
    scopes = "async"

    def visit(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)) or isinstance(parent_of(call), ast.Await):
            return
        a = self.analysis
        found = django_api_call(a, call, scope)
        if found is None:
            return
        parent = parent_of(call)
        if isinstance(parent, ast.Call) and call in parent.args and a.values.is_bridge(parent.func, scope):
            return  # sync_to_async(get_object_or_404(...)): ABR206 reports it
        kind, info, owner = found
        api = source_text(func, 50)
        twin = info.get("twin", "")
        since = info.get("since")
        if django_version.has_twin(self.settings, since):
            if kind == "function":
                instead = f"`await {twin}(...)` (from {info.get('module', 'django')})"
                fix: AwaitTwin | None = AwaitTwin(twin, info.get("module"))
            else:
                instead = f"`await {owner}.{twin}(...)`"
                fix = AwaitTwin(twin)
        else:
            instead = f"`sync_to_async({api})` (the twin needs Django {since})"
            fix = None
        yield self.finding("ABR208", call, fix=fix, api=f"{api}()", function=scope.name, instead=instead)
