"""ABR102 (loop never closed in a finally) and ABR104 (closed loop left current)."""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register


def attr_chain(expr: ast.expr) -> list[str]:
    """``a.b(c).d`` -> ``["a", "b", "d"]`` (calls and subscripts are stepped through)."""
    names: list[str] = []
    while True:
        if isinstance(expr, ast.Attribute):
            names.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Name):
            names.append(expr.id)
            break
        else:
            break
    names.reverse()
    return names


def _target_key(expr: ast.expr) -> str | None:
    """``loop`` / ``self.loop`` as a comparable string; None for anything else."""
    if isinstance(expr, (ast.Name, ast.Attribute)):
        chain = attr_chain(expr)
        if chain and all(isinstance(p, str) for p in chain):
            return ".".join(chain) if not _has_call(expr) else None
    return None


def _has_call(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return not isinstance(expr, ast.Name)


def _method_calls(scope: FunctionInfo, method: str, key: str):
    for call in scope.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == method and _target_key(func.value) == key:
            yield call


_TRY: tuple[type[ast.Try], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))


def _in_finally(node: ast.AST, stop: ast.AST | None) -> bool:
    child, parent = node, parent_of(node)
    while parent is not None and parent is not stop:
        if isinstance(parent, _TRY) and child in parent.finalbody:
            return True
        child, parent = parent, parent_of(parent)
    return False


@register
class UnclosedEventLoop(Check):
    codes = ("ABR102",)
    nodes = (ast.Call,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.loops

    def visit(self, call: ast.Call, scope: FunctionInfo):
        a = self.analysis
        if a.qualify(call.func) not in self.knowledge.names("loop_factories"):
            return
        if scope.is_module:
            return  # a module-level loop lives as long as the process
        parent = parent_of(call)
        if isinstance(parent, ast.Attribute):
            # ``asyncio.new_event_loop().run_until_complete(...)``: nobody can close it
            yield self.finding("ABR102", call, loop="`new_event_loop()`", problem="is never kept or closed",
                               instead="keep it and close it in `finally`, or use `asyncio.run()`")
            return
        name = _assigned_name(parent)
        if name is None:
            return  # returned, stored, passed on, or wrapped (closing(...)): the caller owns it
        if self._escapes(scope, name):
            return
        closes = list(_method_calls(scope, "close", name))
        if any(_in_finally(c, scope.node) for c in closes):
            return
        problem = "is closed only on the success path" if closes else "is never closed"
        yield self.finding("ABR102", call, problem=problem, loop=f"'{name}'",
                           instead=f"close it in `finally: {name}.close()`, or use `asyncio.run()`")

    def _escapes(self, scope: FunctionInfo, name: str) -> bool:
        """Returned, stored elsewhere, handed to a closer, or run forever by a thread."""
        # only reached for a loop made in this function: a local look at its body
        if scope.node is None:
            return False
        for node in ast.walk(scope.node):
            if not isinstance(node, ast.Name) or node.id != name or not isinstance(node.ctx, ast.Load):
                continue
            parent = parent_of(node)
            if isinstance(parent, (ast.Return, ast.Yield)):
                return True
            if isinstance(parent, ast.Assign) and not all(isinstance(t, ast.Name) for t in parent.targets):
                return True  # self.loop = loop / registry[key] = loop
            if isinstance(parent, ast.Call) and (node in parent.args or node in [k.value for k in parent.keywords]):
                # handed to a closer, a reactor, a thread, ...: ownership moves with it
                callee = self.analysis.qualify(parent.func) or ""
                if not callee.startswith("asyncio."):  # asyncio's own helpers do not take it over
                    return True
            if isinstance(parent, ast.Attribute) and parent.attr in ("run_forever", "call_soon_threadsafe"):
                return True
        return _declared_global(scope, name)


def _assigned_name(parent: ast.AST | None) -> str | None:
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        return parent.targets[0].id
    if isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
        return parent.target.id
    if isinstance(parent, ast.NamedExpr):
        return parent.target.id
    return None


def _declared_global(scope: FunctionInfo, name: str) -> bool:
    node = scope.node
    if node is None or isinstance(node, ast.Lambda):
        return False
    return any(isinstance(stmt, (ast.Global, ast.Nonlocal)) and name in stmt.names for stmt in node.body)


@register
class ClosedLoopLeftCurrent(Check):
    codes = ("ABR104",)
    nodes = (ast.Call,)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.loops

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._thread_targets: set[str] | None = None

    def visit(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "close" and not call.args):
            return
        key = _target_key(func.value)
        if key is None:
            return
        if self._is_thread_target(scope):
            return  # the thread's current loop dies with the thread
        setters = [c for c in scope.calls if self.analysis.qualify(c.func) in self.knowledge.names("set_event_loop")]
        installed = [c for c in setters if c.args and _target_key(c.args[0]) == key and _before(c, call)]
        if not installed:
            return
        first = min(installed, key=_pos)
        restored = any(
            c.args and _target_key(c.args[0]) != key and _before(first, c) for c in setters
        ) or any(not c.args for c in setters)
        if not restored:
            yield self.finding("ABR104", call, loop=key)


    def _is_thread_target(self, scope: FunctionInfo) -> bool:
        """``threading.Thread(target=f)`` for this function, or ``run`` of a Thread subclass."""
        a = self.analysis
        threads = self.knowledge.names("thread_classes")
        if scope.cls is not None and scope.name == "run" and a.class_derives(scope.cls, threads):
            return True
        if self._thread_targets is None:
            targets: set[str] = set()
            for fn in (a.module_scope, *a.functions):
                for made in fn.calls:
                    if a.qualify(made.func) not in threads:
                        continue
                    for kw in made.keywords:
                        if kw.arg == "target" and isinstance(kw.value, (ast.Name, ast.Attribute)):
                            target = a.resolve_callable(kw.value, fn)
                            if target:
                                targets.add(target)
            self._thread_targets = targets
        return a.full_name(scope.qualname) in self._thread_targets


def _pos(node: ast.expr) -> tuple[int, int]:
    return (node.lineno, node.col_offset)


def _before(a: ast.expr, b: ast.expr) -> bool:
    return _pos(a) < _pos(b)
