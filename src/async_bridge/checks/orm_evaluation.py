"""ABR202: a QuerySet evaluated synchronously inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import guards, orm
from ..analysis.text import short
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..records.fix_hints import AsyncFor
from .base import Check, register

_INSTEAD = {
    "for": "`async for` over it",
    "comprehension": "`[x async for x in qs]`",
    "len": "`await qs.acount()`",
    "bool": "`await qs.aexists()`",
    "in": "`await qs.filter(pk=x.pk).aexists()`",
    "index": "`await qs[n:n + 1].afirst()`",
}


@register
class QuerysetEvaluatedInAsync(Check):
    codes = ("ABR202",)
    nodes = orm.EVALUATION_NODES
    scopes = "async"

    def visit(self, node: ast.AST, scope: FunctionInfo):
        for item, _value in orm.evaluations(self.analysis, node, scope):
            if guards.deliberate_or_elsewhere(self.analysis, item.node, scope):
                continue
            how = item.how
            fix = _fix(item)
            if how in ("list", "tuple", "set"):
                instead = f"`{how}([x async for x in qs])`"
            elif how in ("for", "comprehension") and fix is None:
                instead = "`[x async for x in qs]` first"  # iterated through a wrapper: ``groupby(qs, ...)``
            else:
                instead = _INSTEAD.get(how, "`[x async for x in qs]` first")
            yield self.finding("ABR202", item.node, fix=fix, queryset=short(item.expr, 40),
                               how=item.shown, function=scope.name, instead=instead)


def _fix(item: orm.Evaluation) -> AsyncFor | None:
    """The fixer's hint: a QuerySet iterated directly by ``for`` or a comprehension."""
    if item.how not in ("for", "comprehension"):
        return None  # ``list(qs)``, ``len(qs)``, ``if qs:``: no ``async for`` to write
    if getattr(parent_of(item.expr), "iter", None) is not item.expr:
        return None  # iterated through a wrapper (``enumerate(qs)``): not a plain ``async for``
    return AsyncFor("for" if item.how == "for" else "comprehension")
