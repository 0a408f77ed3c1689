"""ABR101: ``asyncio.run(f(a))`` -> ``async_to_sync(f)(a)``.

Only ``asyncio.run`` with the coroutine call as its single argument: a
``run_until_complete`` on a hand-made loop or a home-made runner may do more than
run the coroutine (set the loop current, close it, time out), so those stay manual.
``from asgiref.sync import async_to_sync`` is added once (an existing import of it,
even under an alias, is reused); ``import asyncio`` is dropped when nothing uses it
any more.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import LoopRun
from . import fixer
from .base import Binding, Decline, Edit, FixContext, is_name_chain, is_primary_chain

BRIDGE_MODULE = "asgiref.sync"
BRIDGE = "async_to_sync"


@fixer("ABR101")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    hint = finding.fix
    if not isinstance(hint, LoopRun) or hint.how != "asyncio.run":
        return None
    call = ctx.node_at(finding, cst.Call)
    if call is None or len(call.args) != 1:
        return None
    arg = call.args[0]
    if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.Call):
        return None
    inner = arg.value
    if not is_primary_chain(inner.func) or not is_name_chain(call.func):
        return None
    bridge, needs_import = _bridge_name(ctx, call)
    if bridge is None:
        return None
    drop = _runner_binding(ctx, call)

    def apply(updated: cst.Call) -> cst.Call:
        coro = updated.args[0].value
        if not isinstance(coro, cst.Call):
            raise Decline()
        wrapped = cst.Call(func=cst.Name(bridge), args=[cst.Arg(value=coro.func.with_changes(lpar=[], rpar=[]))])
        return cst.Call(
            func=wrapped, args=coro.args, lpar=updated.lpar, rpar=updated.rpar,
            whitespace_before_args=coro.whitespace_before_args,
        )

    return Edit(
        "ABR101", call, apply,
        imports=[(BRIDGE_MODULE, BRIDGE)] if needs_import else [],
        drop_if_unused=[drop] if drop else [],
    )


def _bridge_name(ctx: FixContext, call: cst.Call) -> tuple[str | None, bool]:
    """The name asgiref's async_to_sync goes by here, and whether it must be imported."""
    if ctx.name_is_free(call, BRIDGE):
        return BRIDGE, True
    binding = ctx.import_binding(call, BRIDGE)
    if binding is not None and binding[:2] == (BRIDGE_MODULE, BRIDGE):
        return BRIDGE, False
    return None, False  # ``async_to_sync`` means something else here (a home-made runner?)


def _runner_binding(ctx: FixContext, call: cst.Call) -> Binding | None:
    """The import that binds the ``asyncio.run`` spelling, to drop if it becomes unused."""
    root = call.func
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return None
    return ctx.import_binding(call, root.value)
