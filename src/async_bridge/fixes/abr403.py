"""ABR403: ``await f()[0]`` -> ``(await f())[0]``; ``await f().x`` -> ``(await f()).x``.

The awaited expression is a chain of attributes, subscripts and calls; the fix
moves the ``await`` onto the call the subscript/attribute was applied to. When the
chain holds more than one such call (``await f().g()[0]``) the awaitable one is not
known here and the finding stays manual.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import Parenthesize
from . import fixer
from .base import Decline, Edit, FixContext, awaited


@fixer("ABR403")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    hint = finding.fix
    if not isinstance(hint, Parenthesize):
        return None
    node = ctx.node_at(finding, cst.Await)
    if node is None:
        return None
    depths = _candidates(node.expression)
    if depths != [hint.depth]:
        return None  # not the one call the check found awaitable
    depth = hint.depth

    def apply(updated: cst.Await) -> cst.BaseExpression:
        if _candidates(updated.expression) != depths:
            raise Decline()
        top = _rebuild(updated.expression, depth)
        return top.with_changes(lpar=[*updated.lpar, *top.lpar], rpar=[*top.rpar, *updated.rpar])

    return Edit("ABR403", node, apply)


def _inner(expr: cst.Attribute | cst.Subscript | cst.Call) -> cst.BaseExpression:
    """The next link down a primary chain: the callee, or what is subscripted / looked into."""
    return expr.func if isinstance(expr, cst.Call) else expr.value


def _candidates(expr: cst.BaseExpression) -> list[int]:
    """Depths (steps down the chain) of calls an attribute/subscript applies to."""
    found: list[int] = []
    depth = 0
    current = expr
    while isinstance(current, (cst.Attribute, cst.Subscript, cst.Call)):
        inner = _inner(current)
        if isinstance(current, (cst.Attribute, cst.Subscript)) and isinstance(inner, cst.Call):
            found.append(depth + 1)
        current = inner
        depth += 1
    return found


def _rebuild(expr: cst.BaseExpression, depth: int) -> cst.BaseExpression:
    if depth == 0:
        return awaited(expr, parens=True)
    if isinstance(expr, cst.Call):
        return expr.with_changes(func=_rebuild(expr.func, depth - 1))
    if isinstance(expr, (cst.Attribute, cst.Subscript)):
        return expr.with_changes(value=_rebuild(expr.value, depth - 1))
    raise Decline()
