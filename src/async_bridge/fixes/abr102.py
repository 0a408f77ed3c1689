"""ABR102: wrap a new event loop's use in ``try: ... finally: loop.close()``.

For ``loop = asyncio.new_event_loop()`` as a statement of its own, the statements
after it in the same block, through the last one that mentions the loop, move into
``try:``; ``finally: loop.close()`` closes it. A bare ``loop.close()`` that is the
last of them moves into the ``finally`` instead of being repeated.

Left for manual work: the loop used after that block ends or inside a nested
function (a closure may run after the ``finally``), the name rebound in between,
nothing using the loop after it is made, and one-line compound statements.
"""

from __future__ import annotations

import libcst as cst

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
    closing = region[-1] if _is_bare_close(region[-1], name) else None
    body_count = len(region) - (1 if closing is not None else 0)
    if body_count == 0:
        return None
    total = len(block.body)

    def apply(updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if len(updated.body) != total:
            raise Decline()
        statements = list(updated.body)
        moved = statements[start + 1: start + 1 + len(region)]
        body, close = (moved[:-1], moved[-1]) if closing is not None else (moved, None)
        if close is None:
            close = cst.SimpleStatementLine(body=[cst.Expr(value=cst.parse_expression(f"{name}.close()"))])
        elif not any(line.comment for line in close.leading_lines):
            close = close.with_changes(leading_lines=[])
        first = body[0]
        body[0] = first.with_changes(leading_lines=[])
        wrapped = cst.Try(
            body=cst.IndentedBlock(body=body),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=[close])),
            leading_lines=first.leading_lines,
        )
        statements[start + 1: start + 1 + len(region)] = [wrapped]
        return updated.with_changes(body=statements)

    return Edit("ABR102", block, apply)


def _enclosing_function(ctx: FixContext, node: cst.CSTNode) -> cst.FunctionDef | None:
    while node is not None and not isinstance(node, cst.FunctionDef):
        if isinstance(node, (cst.ClassDef, cst.Module)):
            return None
        node = ctx.parent(node)
    return node


def _index(body, stmt) -> int:
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
