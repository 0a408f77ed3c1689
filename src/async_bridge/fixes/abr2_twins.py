"""ABR201 / ABR203 / ABR208: a sync Django call in ``async def`` -> ``await`` its twin.

``Order.objects.get(pk=1)`` -> ``await Order.objects.aget(pk=1)``,
``order.save()`` -> ``await order.asave()``, ``cache.get(k)`` -> ``await cache.aget(k)``,
``get_object_or_404(...)`` -> ``await aget_object_or_404(...)`` (importing the twin
from the module the hint names, else the one the original came from; an aliased
``login as auth_login`` becomes ``alogin``). Only when the finding's hint names the
twin (the check adds it when the targeted Django version has it), the twin is the
plain ``a<name>``, and the call runs directly in the ``async def`` body.
``iterator()`` is left alone: ``aiterator()`` is iterated with ``async for``, not
awaited.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import AwaitTwin
from . import fixer
from .base import Decline, Edit, FixContext, awaited, is_primary_chain, twin_name

NOT_AWAITABLE = frozenset({"aiterator"})


@fixer("ABR201", "ABR203", "ABR208")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    hint = finding.fix
    if not isinstance(hint, AwaitTwin):
        return None
    call = ctx.node_at(finding, cst.Call)
    if call is None or not ctx.await_allowed(call):
        return None
    func = call.func
    imports: list[tuple[str, str | None]] = []
    if isinstance(func, cst.Attribute) and is_primary_chain(func):
        twin = twin_name(hint.twin, func.attr.value)
    elif isinstance(func, cst.Name):
        binding = ctx.import_binding(call, func.value)
        if binding is None or binding[1] is None:
            return None  # not ``from module import name``: do not guess where the twin lives
        twin = twin_name(hint.twin, binding[1])
        if twin is None:
            return None
        module = hint.module or binding[0]
        existing = ctx.import_binding(call, twin)
        if existing is not None:
            if existing[:2] != (module, twin) or existing[2] is not None:
                return None
        elif ctx.name_is_free(call, twin):
            imports.append((module, twin))
        else:
            return None
    else:
        return None
    if twin is None or twin in NOT_AWAITABLE:
        return None
    parens = ctx.needs_parens_for_await(call)

    def apply(updated: cst.Call) -> cst.Await:
        new_func: cst.BaseExpression
        if isinstance(updated.func, cst.Attribute):
            new_func = updated.func.with_changes(attr=cst.Name(twin))
        elif isinstance(updated.func, cst.Name):
            new_func = updated.func.with_changes(value=twin)
        else:
            raise Decline()
        return awaited(updated.with_changes(func=new_func), parens)

    return Edit(finding.code, call, apply, imports=imports)
