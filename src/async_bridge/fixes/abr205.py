"""ABR205: ``request.user`` in an async view -> ``(await request.auser())``.

Applied when the finding's hint carries the replacement (the check adds it when the
targeted Django has ``auser()``), the replacement is exactly
``(await <receiver>.auser())`` for the flagged attribute's receiver, the attribute
is read (not assigned or deleted) and it runs directly in the ``async def`` body.
``request.session[...]`` reads stay manual.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import Replacement
from . import fixer
from .base import Edit, FixContext


@fixer("ABR205")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    hint = finding.fix
    if not isinstance(hint, Replacement):
        return None
    node = ctx.node_at(finding, cst.Attribute)
    if node is None or node.attr.value != "user" or not ctx.await_allowed(node):
        return None
    if ctx.expr_contexts.get(node) is not cst.metadata.ExpressionContext.LOAD:
        return None
    try:
        replacement = cst.parse_expression(hint.text)
    except cst.ParserSyntaxError:
        return None
    if not _is_auser_of(ctx, replacement, node.value):
        return None

    def apply(updated: cst.Attribute) -> cst.BaseExpression:
        if updated.lpar:
            return replacement.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return replacement

    return Edit("ABR205", node, apply)


def _is_auser_of(ctx: FixContext, expr: cst.BaseExpression, receiver: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Await) or not expr.lpar:
        return False
    call = expr.expression
    if not isinstance(call, cst.Call) or call.args or not isinstance(call.func, cst.Attribute):
        return False
    if call.func.attr.value != "auser":
        return False
    probe = cst.Module(body=[])
    return probe.code_for_node(call.func.value) == ctx.code(receiver)
