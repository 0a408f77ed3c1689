"""ABR206: ``sync_to_async(f(a))`` -> ``sync_to_async(f)(a)``.

The flagged node is the inner call; it must be the only positional argument of the
bridge call (keywords such as ``thread_sensitive=True`` stay on the bridge) and its
callee a plain name or attribute chain. When the bridge call is itself called
(``sync_to_async(f(a))()``), ``f(a)`` may be a factory returning the function to
run, so that shape stays manual.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import PassCallable
from . import fixer
from .base import Decline, Edit, FixContext, is_primary_chain


@fixer("ABR206")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    if not isinstance(finding.fix, PassCallable):
        return None
    inner = ctx.node_at(finding, cst.Call)
    if inner is None or not is_primary_chain(inner.func):
        return None
    arg = ctx.parent(inner)
    if not isinstance(arg, cst.Arg) or arg.keyword is not None or arg.star:
        return None
    bridge = ctx.parent(arg)
    if not isinstance(bridge, cst.Call):
        return None
    positional = [a for a in bridge.args if a.keyword is None]
    if positional != [arg] or any(a.star for a in bridge.args):
        return None
    outer = ctx.parent(bridge)
    if not isinstance(outer, cst.Await) or not ctx.await_allowed(outer):
        return None  # the fixed call's coroutine would not be awaited (or ``(...)()``: a factory?)
    index = list(bridge.args).index(arg)

    def apply(updated: cst.Call) -> cst.Call:
        wrapped = updated.args[index]
        call = wrapped.value
        if not isinstance(call, cst.Call):
            raise Decline()
        args = list(updated.args)
        args[index] = wrapped.with_changes(value=call.func)
        factory = updated.with_changes(args=args, lpar=[], rpar=[])
        return cst.Call(
            func=factory, args=call.args, lpar=updated.lpar, rpar=updated.rpar,
            whitespace_before_args=call.whitespace_before_args,
        )

    return Edit("ABR206", bridge, apply)
