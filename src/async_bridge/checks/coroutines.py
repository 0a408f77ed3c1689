"""ABR401 (a coroutine never awaited, or used where its result was meant) and ABR403
(``await f()[i]`` binds after the subscript). What is awaitable comes from the value model:
a known ``async def``, ``sync_to_async(f)(...)``, a bridged def, an ORM ``a``-twin on a
known receiver, a known async API."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis import orm
from ..analysis.bindings import Assigned
from ..analysis.text import short
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..records.fix_hints import AwaitCall, Parenthesize
from ..records.values import Kind
from .base import Check, register

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def awaitable_call(analysis, call: ast.Call, scope: FunctionInfo) -> str | None:
    """What to call it when ``call`` gives an awaitable (``sync_orders``, ``sync_to_async(f)``);
    None when it does not or the analysis cannot tell."""
    func = call.func
    if not isinstance(func, ast.Call):
        if isinstance(func, ast.Attribute):
            name = func.attr
        elif isinstance(func, ast.Name):
            name = (analysis.qualify(func) or func.id).rsplit(".", 1)[-1]  # ``import x as y``
        else:
            return None
        if not _may_be_awaitable(analysis, name):
            return None
    value = analysis.values.of(call, scope)
    if value is None or value.kind is not Kind.AWAITABLE:
        return None
    return short(func, 50)


def _may_be_awaitable(analysis, name: str) -> bool:
    """Cheap gate before the value model: some ``async def`` (or bridged def) of that
    name exists here or in the project, or it is a known twin / async API."""
    return name in analysis.awaitable_names or name in analysis.project.source_names().awaitable


@register
class CoroutineNeverAwaited(Check):
    codes = ("ABR401",)
    nodes = (ast.Expr, ast.Assign, ast.If, ast.While, ast.IfExp, ast.Assert, ast.BoolOp, ast.UnaryOp, ast.Compare)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.awaitables

    def visit(self, node: ast.AST, scope: FunctionInfo):
        kind = type(node)
        if kind is ast.Expr:
            yield from self._discarded(node, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        elif kind is ast.Assign:
            yield from self._assigned(node, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        elif kind is ast.Compare:
            for side in (node.left, *node.comparators):  # type: ignore[attr-defined]  # narrowed by `kind`
                yield from self._used(side, scope, "compared")
        else:
            for item in orm.candidates(self.analysis, node):
                if item.how == "bool":
                    yield from self._used(item.expr, scope, "used as a truth value (always true)")

    def _discarded(self, node: ast.Expr, scope: FunctionInfo):
        call = node.value
        if not isinstance(call, ast.Call):
            return
        shown = awaitable_call(self.analysis, call, scope)
        if shown is None:
            return
        fix = AwaitCall() if scope.is_async else None
        instead = f"write `await {short(call, 40)}`" if scope.is_async else f"use `async_to_sync({shown})(...)`"
        yield self.finding("ABR401", call, fix=fix, problem=f"Coroutine `{shown}()` is never awaited (never runs)",
                           instead=instead)

    def _used(self, expr: ast.expr, scope: FunctionInfo, how: str):
        shown = self._awaitable(expr, scope)
        if shown is not None:
            yield self.finding("ABR401", expr, problem=f"Coroutine {shown} is {how}",
                               instead=f"write `(await {short(expr, 50)})`" if scope.is_async else
                               "run it with `async_to_sync(...)`")

    def _awaitable(self, expr: ast.expr, scope: FunctionInfo) -> str | None:
        if isinstance(expr, ast.Call):
            shown = awaitable_call(self.analysis, expr, scope)
            return f"`{shown}()`" if shown is not None else None
        if isinstance(expr, ast.Name):
            bindings = self.analysis.values.bindings(scope)
            if not bindings.binds(expr.id):
                return None
            binding = bindings.reaching(expr)
            if binding is not None and isinstance(binding.source, Assigned) and isinstance(binding.source.expr, ast.Call):
                shown = awaitable_call(self.analysis, binding.source.expr, scope)
                return f"'{expr.id}' (`{shown}()`)" if shown is not None else None
        return None

    def _assigned(self, node: ast.Assign, scope: FunctionInfo):
        """``allowed = self.has_perms(user)`` and ``allowed`` never awaited nor passed on."""
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not isinstance(node.value, ast.Call):
            return
        if scope.is_module or scope.is_lambda:
            return
        name = node.targets[0].id
        shown = awaitable_call(self.analysis, node.value, scope)
        if shown is None:
            return
        uses = _uses(scope, name, node)
        if uses is None:
            return
        misread = self._attribute_use(uses, node, scope)
        if misread is not None:
            yield self.finding("ABR401", node, problem=f"'{name}' holds coroutine `{shown}()`, and line "
                               f"{misread.lineno} {'sets' if isinstance(misread.ctx, ast.Store) else 'reads'} `.{misread.attr}` on it", instead=f"write `{name} = await "
                               f"{short(node.value, 40)}`" if scope.is_async else f"use `async_to_sync({shown})(...)`")
            return
        if any(_consumes(use) for use in uses):
            return
        if any(_result_use(use) for use in uses):
            return  # reported where it is used
        yield self.finding("ABR401", node, problem=f"'{name}' holds coroutine `{shown}()` that is never awaited",
                           instead=f"write `{name} = await {short(node.value, 50)}`" if scope.is_async else
                           f"use `async_to_sync({shown})(...)`")


    def _attribute_use(self, uses: list[ast.Name], binding: ast.Assign, scope: FunctionInfo) -> ast.Attribute | None:
        """The first ``name.attr`` (read or written) that sees only this binding, where ``attr``
        is nothing a coroutine, task or future has: an ``AttributeError`` when it runs."""
        bindings = self.analysis.values.bindings(scope)
        for use in sorted(uses, key=lambda u: (u.lineno, u.col_offset)):
            parent = parent_of(use)
            if not isinstance(parent, ast.Attribute) or parent.value is not use or _awaitable_attribute(parent.attr):
                continue
            reaching = bindings.reaching(use)
            if reaching is not None and reaching.stmt is binding:
                return parent
        return None


# what coroutines, tasks and futures have: reading one of these is not a mistake
_AWAITABLE_API = frozenset({
    "send", "throw", "close", "cancel", "cancelled", "done", "result", "exception", "add_done_callback",
    "remove_done_callback", "get_loop", "get_name", "set_name", "get_coro", "get_context", "get_stack",
    "print_stack", "uncancel", "cancelling",
})


def _awaitable_attribute(attr: str) -> bool:
    return attr in _AWAITABLE_API or attr.startswith(("__", "cr_", "gi_", "ag_", "_"))


def _uses(scope: FunctionInfo, name: str, binding: ast.AST) -> list[ast.Name] | None:
    """Loads of ``name`` in the function after ``binding`` (None: the name is used in a way
    the check does not follow, e.g. by a nested function or ``global``)."""
    found = []
    start = (binding.lineno, binding.col_offset)  # type: ignore[attr-defined]  # a node with a position
    stack = list(getattr(scope.node, "body", ()))
    while stack:
        current = stack.pop()
        if isinstance(current, _NESTED):
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(current)):
                return None
            continue
        if isinstance(current, (ast.Global, ast.Nonlocal)) and name in current.names:
            return None
        if isinstance(current, ast.Name) and current.id == name and isinstance(current.ctx, ast.Load) \
                and (current.lineno, current.col_offset) > start:
            found.append(current)
        stack.extend(ast.iter_child_nodes(current))
    return found


def _consumes(use: ast.Name) -> bool:
    """Awaited, passed on, returned, stored or yielded: someone may await it."""
    parent = parent_of(use)
    if isinstance(parent, (ast.Await, ast.Return, ast.Yield, ast.YieldFrom, ast.Starred, ast.keyword,
                           ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Assign, ast.AnnAssign, ast.withitem)):
        return True
    if isinstance(parent, ast.Call) and use in parent.args:
        return True
    if isinstance(parent, ast.Attribute):
        return parent.attr in ("send", "throw", "close", "__await__", "cancel", "add_done_callback")
    return False


def _result_use(use: ast.Name) -> bool:
    parent = parent_of(use)
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert, ast.BoolOp, ast.UnaryOp, ast.Compare))


@register
class AwaitBindsAfterSubscript(Check):
    codes = ("ABR403",)
    nodes = (ast.Await,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.awaits

    def visit(self, node: ast.Await, scope: FunctionInfo):
        value = node.value
        # walk the primary chain of the awaited expression: ``f().a[0].b()``
        current = value
        depth = 0
        while isinstance(current, (ast.Attribute, ast.Subscript, ast.Call)):
            inner = current.func if isinstance(current, ast.Call) else current.value
            depth += 1
            if isinstance(current, (ast.Attribute, ast.Subscript)) and isinstance(inner, ast.Call):
                shown = awaitable_call(self.analysis, inner, scope)
                if shown is not None:
                    yield self._finding(node, inner, depth)
                    return
            current = inner

    def _finding(self, node: ast.Await, inner: ast.Call, depth: int):
        call = ast.unparse(inner)
        whole = ast.unparse(node.value)
        rest = whole[len(call):] if whole.startswith(call) else ""
        fixed = f"(await {call}){rest}" if rest else f"(await {call})..."
        written = ast.unparse(node)
        return self.finding(
            "ABR403", node, fix=Parenthesize(depth),
            written=written if len(written) <= 36 else written[:33] + "...",
            fixed=fixed if len(fixed) <= 36 else fixed[:33] + "...",
        )
