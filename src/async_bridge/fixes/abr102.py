"""ABR102: wrap a new event loop's use in ``try: ... finally: loop.close()``.

For ``loop = asyncio.new_event_loop()`` as a statement of its own, the statements
after it in the same block, through the last one that mentions the loop, move into
``try:``; ``finally: loop.close()`` closes it. The clean-up those statements end
with (a bare ``loop.close()``, ``asyncio.set_event_loop(None)`` or a restore of a
previous loop, also right after them) moves into the ``finally`` instead of being
repeated.

A loop installed with ``asyncio.set_event_loop(loop)`` (any alias) is also
uninstalled in the ``finally`` (``set_event_loop(None)`` after the close, unless the
moved clean-up restores a loop): closed but left current, the next
``get_event_loop()`` on the thread would get a closed loop (ABR104). The reset is
spelled with the module's own import of asyncio, adding ``import asyncio`` only
when there is none.

Left for manual work: the loop used after that block ends or inside a nested
function (a closure may run after the ``finally``), the name rebound in between,
nothing using the loop after it is made, one-line compound statements, and a loop
installed conditionally or by a ``set_event_loop`` that is not asyncio's.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst
from libcst.metadata import Assignment

from ..checks.base import Finding
from . import fixer
from .base import Decline, Edit, FixContext


@fixer("ABR102")
def fix(ctx: FixContext, finding: Finding) -> Edit | None:
    call = ctx.node_at(finding, cst.Call)
    if call is None:
        return None
    assign = ctx.parent(call)
    if isinstance(assign, cst.Assign):
        if len(assign.targets) != 1 or assign.value is not call:
            return None
        target = assign.targets[0].target
    elif isinstance(assign, cst.AnnAssign) and assign.value is call:
        target = assign.target
    else:
        return None
    if not isinstance(target, cst.Name):
        return None
    name = target.value
    line = ctx.parent(assign)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    block = ctx.parent(line)
    if not isinstance(block, cst.IndentedBlock):
        return None
    function = _enclosing_function(ctx, block)
    if function is None:
        return None
    start = _index(block.body, line)
    later = block.body[start + 1:]

    uses = _names(function, name)
    uses.discard(id(target))
    last = None
    covered: set[int] = set()
    for offset, stmt in enumerate(later):
        inside = _names(stmt, name)
        if inside:
            last = offset
            covered |= inside
    if last is None or uses - covered:
        return None  # unused after, or used outside the region (another block, before it)
    region = later[: last + 1]
    for stmt in region:
        for node in _name_nodes(stmt, name):
            if ctx.expr_contexts.get(node) is not cst.metadata.ExpressionContext.LOAD:
                return None  # rebound / deleted in between
            if _in_nested_scope(ctx, node, function):
                return None
    setters = ctx.knowledge.names("set_event_loop")
    installed = _installs(ctx, region, name, setters)
    if installed is None:
        return None  # installed in a way the fix cannot undo safely
    cleanup = _cleanup_tail(ctx, region, name, setters)
    body_count = len(region) - cleanup
    if body_count == 0:
        return None
    following = _following_resets(ctx, later[len(region):], name, setters, region[:body_count])
    moved_resets = [
        stmt for stmt in [*region[body_count:], *later[len(region):len(region) + following]]
        if not _is_bare_close(stmt, name)
    ]
    has_close = any(_is_bare_close(stmt, name) for stmt in region[body_count:])
    reset = None
    imports: list[tuple[str, str | None]] = []
    if installed and not moved_resets:
        spelled = ctx.module_attribute(region[0], "asyncio", "set_event_loop")
        if spelled is None:
            return None
        reset, needs_import = spelled
        imports = [("asyncio", None)] if needs_import else []
    span = len(region) + following
    total = len(block.body)

    def apply(updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if len(updated.body) != total:
            raise Decline()
        statements = list(updated.body)
        moved = statements[start + 1: start + 1 + span]
        body, finals = moved[:body_count], moved[body_count:]
        finals = [
            stmt if any(line.comment for line in _leading_lines(stmt)) else stmt.with_changes(leading_lines=[])
            for stmt in finals
        ]
        if not has_close:
            finals.insert(0, _statement(f"{name}.close()"))
        if reset is not None:
            finals.append(_statement(f"{reset}(None)"))
        first = body[0]
        body[0] = first.with_changes(leading_lines=[])
        wrapped = cst.Try(
            body=cst.IndentedBlock(body=body),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=finals)),
            leading_lines=_leading_lines(first),
        )
        statements[start + 1: start + 1 + span] = [wrapped]
        return updated.with_changes(body=statements)

    return Edit("ABR102", block, apply, imports=imports)


def _statement(code: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Expr(value=cst.parse_expression(code))])


def _leading_lines(stmt: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    """The blank and comment lines above a statement (every concrete statement has them)."""
    if isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        return stmt.leading_lines
    return ()


def _setter_call(ctx: FixContext, stmt: cst.CSTNode, setters: frozenset[str]) -> cst.Call | None:
    """The ``asyncio.set_event_loop(x)`` call a simple statement consists of, if it is one."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    expr = stmt.body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.Call):
        return None
    call = expr.value
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    return call if ctx.qualified_names(call.func) & setters else None


def _installs(ctx: FixContext, region: Sequence[cst.BaseStatement], name: str, setters: frozenset[str]) -> bool | None:
    """True: the region installs the loop (a statement of its own); None: installs it otherwise."""
    found = False
    for stmt in region:
        for call in _calls(stmt):
            func = call.func
            attr = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if attr != "set_event_loop" and not ctx.qualified_names(func) & setters:
                continue
            if not any(isinstance(a.value, cst.Name) and a.value.value == name for a in call.args):
                continue
            if _setter_call(ctx, stmt, setters) is not call:
                return None  # nested in a condition, or a set_event_loop that is not asyncio's
            found = True
    return found


def _restored(ctx: FixContext, stmt: cst.CSTNode, name: str, setters: frozenset[str]) -> str | None:
    """For ``set_event_loop(None)`` or ``set_event_loop(previous)`` (not this loop), the
    name it installs (``None``, ``previous``); None for any other statement."""
    call = _setter_call(ctx, stmt, setters)
    if call is None:
        return None
    value = call.args[0].value
    return value.value if isinstance(value, cst.Name) and value.value != name else None


def _is_reset(ctx: FixContext, stmt: cst.CSTNode, name: str, setters: frozenset[str]) -> bool:
    return _restored(ctx, stmt, name, setters) is not None


def _cleanup_tail(ctx: FixContext, region: Sequence[cst.BaseStatement], name: str, setters: frozenset[str]) -> int:
    """How many statements at the end of the region are clean-up for the ``finally``.

    Only a tail ending with a bare ``loop.close()`` (the last statement of the region
    always mentions the loop), with resets before it.
    """
    if not _is_bare_close(region[-1], name):
        return 0
    count = 1
    while count < len(region) and _is_reset(ctx, region[-count - 1], name, setters):
        count += 1
    return count


def _following_resets(
    ctx: FixContext, rest: Sequence[cst.BaseStatement], name: str, setters: frozenset[str],
    body: Sequence[cst.BaseStatement],
) -> int:
    """Resets right after the region that can run in the ``finally`` instead.

    A restored name must not be bound inside the ``try`` body (it could be unbound
    when an exception leaves early).
    """
    count = 0
    for stmt in rest:
        restored = _restored(ctx, stmt, name, setters)
        if restored is None or (restored != "None" and _bound_in(ctx, body, restored)):
            break
        count += 1
    return count


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Collector(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

    node.visit(Collector())
    return found


def _bound_in(ctx: FixContext, statements: Sequence[cst.BaseStatement], name: str) -> bool:
    """``name`` is bound (assigned, imported, a loop target ...) inside ``statements``."""
    inside = {id(stmt) for stmt in statements}
    for scope in set(ctx.scopes.values()):
        if scope is None:
            continue
        for assignment in scope.assignments[name]:
            node = assignment.node if isinstance(assignment, Assignment) else None
            while node is not None:
                if id(node) in inside:
                    return True
                node = ctx.parent(node)
    return False


def _enclosing_function(ctx: FixContext, node: cst.CSTNode) -> cst.FunctionDef | None:
    current: cst.CSTNode | None = node
    while current is not None and not isinstance(current, cst.FunctionDef):
        if isinstance(current, (cst.ClassDef, cst.Module)):
            return None
        current = ctx.parent(current)
    return current


def _index(body: Sequence[cst.BaseStatement], stmt: cst.BaseStatement) -> int:
    for i, item in enumerate(body):
        if item is stmt:
            return i
    raise ValueError("statement not in its block")


class _NameCollector(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``x.loop`` is not the name ``loop``
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # ``f(loop=...)``: the keyword is not the name
        return False


def _name_nodes(node: cst.CSTNode, name: str) -> list[cst.Name]:
    collector = _NameCollector(name)
    node.visit(collector)
    return collector.found


def _names(node: cst.CSTNode, name: str) -> set[int]:
    return {id(n) for n in _name_nodes(node, name)}


def _in_nested_scope(ctx: FixContext, node: cst.CSTNode, function: cst.FunctionDef) -> bool:
    parent = ctx.parent(node)
    while parent is not None and parent is not function:
        if isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return True
        parent = ctx.parent(parent)
    return False


def _is_bare_close(stmt: cst.CSTNode, name: str) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    expr = stmt.body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.Call):
        return False
    call = expr.value
    func = call.func
    return (
        not call.args and isinstance(func, cst.Attribute) and func.attr.value == "close"
        and isinstance(func.value, cst.Name) and func.value.value == name
    )
