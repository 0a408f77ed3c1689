"""ABR202: a QuerySet evaluated synchronously inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import guards, orm
from ..analysis.dbwork import short
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
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
            if how in ("list", "tuple", "set"):
                instead = f"`{how}([x async for x in qs])`"
            else:
                instead = _INSTEAD.get(how, "`[x async for x in qs]` first")
            yield self.finding("ABR202", item.node, fix=_fix(item), queryset=short(item.expr, 40),
                               how=item.shown, function=scope.name, instead=instead)


def _fix(item: orm.Evaluation) -> dict:
    """What the fixer needs: which form, and for a comprehension, where it starts."""
    clause = parent_of(item.expr)
    if item.how in ("for", "comprehension") and getattr(clause, "iter", None) is not item.expr:
        return {}  # iterated through a wrapper (``enumerate(qs)``): not a plain ``async for``
    if item.how == "comprehension":
        comp = parent_of(clause) if clause is not None else None  # expr -> comprehension clause -> ListComp
        return {"kind": "comprehension", "line": getattr(comp, "lineno", None), "col": getattr(comp, "col_offset", None)}
    if item.how == "consumer":
        return {}
    return {"kind": item.how}
