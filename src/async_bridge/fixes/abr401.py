"""ABR401: a coroutine call discarded in ``async def`` -> ``await`` it.

Only for the bare expression statement the check flags with an ``AwaitCall`` hint
(it does so only inside ``async def``), and only when the statement runs directly in
the ``async def`` body.
"""

from __future__ import annotations

import libcst as cst

from ..checks.base import Finding
from ..records.fix_hints import AwaitCall
from . import fixer
from .base import Edit, FixContext, awaited


@fixer("ABR401")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    if not isinstance(finding.fix, AwaitCall):
        return None
    call = ctx.node_at(finding, cst.Call)
    if call is None or not isinstance(ctx.parent(call), cst.Expr) or not ctx.await_allowed(call):
        return None
    return Edit("ABR401", call, lambda updated: awaited(updated, parens=False))
