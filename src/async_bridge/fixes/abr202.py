"""ABR202: a QuerySet iterated synchronously in ``async def``.

``for x in qs:`` -> ``async for x in qs:``; ``[x for x in qs]`` (list, set and
dict comprehensions) -> ``[x async for x in qs]``. The finding may point at the
``for`` statement, the comprehension, or the iterated expression. Generator
expressions (an async one is a different object), ``qs.iterator()`` (a sync
generator), a loop already ``async`` and other evaluations (``list(qs)``,
``len(qs)``, ``if qs:``) stay manual.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import AsyncFor
from . import fixer
from .base import Edit, FixContext

COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)


@fixer("ABR202")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    hint = finding.fix
    if not isinstance(hint, AsyncFor):
        return None
    target = _loop_for(ctx, finding)
    if target is None or isinstance(target, cst.For) != (hint.form == "for"):
        return None
    if target.asynchronous is not None or _sync_generator(target.iter):
        return None
    if isinstance(target, cst.For):
        if not ctx.await_allowed(target):
            return None
    else:
        owner = _comprehension_of(ctx, target)
        if owner is None or not ctx.await_allowed(owner, comprehensions_allowed=0):
            return None

    def apply(updated: cst.For | cst.CompFor) -> cst.For | cst.CompFor:
        return updated.with_changes(asynchronous=cst.Asynchronous())

    return Edit("ABR202", target, apply)


def _loop_for(ctx: FixContext, finding: Finding) -> cst.For | cst.CompFor | None:
    """The ``For`` / ``CompFor`` the finding's node iterates with."""
    nodes = ctx.nodes_at(finding)
    for node in nodes:
        if isinstance(node, cst.For):
            return node
    for node in nodes:
        if isinstance(node, COMPREHENSIONS):
            clause = node.for_in
            return clause if clause.inner_for_in is None else None
    for node in nodes:
        parent = ctx.parent(node)
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return parent
    return None


def _comprehension_of(ctx: FixContext, clause: cst.CompFor) -> cst.ListComp | cst.SetComp | cst.DictComp | None:
    node = ctx.parent(clause)
    while isinstance(node, cst.CompFor):
        node = ctx.parent(node)
    return node if isinstance(node, COMPREHENSIONS) else None


def _sync_generator(expr: cst.BaseExpression) -> bool:
    return (
        isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "iterator"
    )
