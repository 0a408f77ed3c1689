"""Reaching definitions inside one function: which binding of a name a use sees.

Only straight-line bindings are trusted: a name bound in a branch the use does not
sit in, re-bound inside a loop around the use, or bound by anything the model does
not follow (``async with ... as``, ``except ... as``, ``global``, augmented assignment,
``del``, a ``match`` capture, ...) has no known definition (``Opaque``).
Kind-agnostic: ``values.py`` decides what a binding's source is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from .scopes import FunctionInfo
from .walker import parent_of

_COMPS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


# -- what a binding binds ------------------------------------------------------------
@dataclass(frozen=True)
class Assigned:
    """``name = expr`` (also ``name: T = expr``, ``(name := expr)``)."""

    expr: ast.expr


@dataclass(frozen=True)
class Unpacked:
    """``a, b = expr``: item ``index`` of ``count``."""

    expr: ast.expr
    index: int
    count: int


@dataclass(frozen=True)
class LoopTarget:
    """``for name in iterable`` / ``async for``."""

    iterable: ast.expr
    is_async: bool


@dataclass(frozen=True)
class Entered:
    """``with manager as name``: what entering ``manager`` gives."""

    manager: ast.expr


@dataclass(frozen=True)
class Parameter:
    arg: ast.arg
    index: int  # position among positional-or-keyword parameters (0 = self for methods)


@dataclass(frozen=True)
class Imported:
    """``import x`` / ``from m import x`` inside the function (resolved through the module's imports)."""

    name: str


@dataclass(frozen=True)
class Opaque:
    """Bound by something the model does not follow."""


Source = Union[Assigned, Unpacked, LoopTarget, Entered, Parameter, Imported, Opaque]
OPAQUE = Opaque()


@dataclass(eq=False)
class Binding:
    name: str
    pos: tuple[int, int]  # where the binding takes effect
    stmt: ast.AST | None  # the statement that binds (None: a parameter)
    source: Source


def _comprehension_target(name: ast.Name) -> bool:
    child: ast.AST = name
    holder = parent_of(name)
    while isinstance(holder, (ast.Tuple, ast.List, ast.Starred)):
        child, holder = holder, parent_of(holder)
    return isinstance(holder, ast.comprehension) and holder.target is child


def position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def end_position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


class Bindings:
    """The bindings of one function (or lambda) body, and which one a use sees."""

    def __init__(self, fn: FunctionInfo) -> None:
        self.fn = fn
        self.by_name: dict[str, list[Binding]] = {}
        self.opaque: set[str] = set()  # ``global`` / ``nonlocal``: never followed
        self._stores: set[int] = set()  # Name nodes already recorded as targets
        node = fn.node
        if node is not None:
            self._parameters(node)
            if isinstance(node, ast.Lambda):
                return
        self._collect(fn.binders)

    # -- collecting ------------------------------------------------------------------
    def _add(self, name: str, pos: tuple[int, int], stmt: ast.AST | None, source: Source) -> None:
        self.by_name.setdefault(name, []).append(Binding(name, pos, stmt, source))

    def _parameters(self, node: ast.AST) -> None:
        args = node.args  # type: ignore[attr-defined]  # a def or lambda (fn.node)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self._add(extra.arg, (0, 0), None, OPAQUE)
        for number, arg in enumerate([*args.posonlyargs, *args.args, *args.kwonlyargs]):
            self._add(arg.arg, (0, 0), None, Parameter(arg, number))

    def _collect(self, binders: list[ast.AST]) -> None:
        """Bindings from the nodes the walk recorded for this body (source order)."""
        for current in binders:
            kind = type(current)
            if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                self._add(current.name, end_position(current), current, OPAQUE)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind is ast.Assign:
                for target in current.targets:  # type: ignore[attr-defined]  # narrowed by `kind`
                    self._target(target, current, current.value)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind is ast.AnnAssign:
                if current.value is not None:  # type: ignore[attr-defined]  # narrowed by `kind`
                    self._target(current.target, current, current.value)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind is ast.NamedExpr:
                target = current.target  # type: ignore[attr-defined]  # narrowed by `kind`
                self._stores.add(id(target))
                self._add(target.id, end_position(current), statement_of(current), Assigned(current.value))  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind in (ast.For, ast.AsyncFor):
                target = current.target  # type: ignore[attr-defined]  # narrowed by `kind`
                if isinstance(target, ast.Name):
                    self._stores.add(id(target))
                    source = LoopTarget(current.iter, kind is ast.AsyncFor)  # type: ignore[attr-defined]  # narrowed by `kind`
                    self._add(target.id, end_position(current.iter), current, source)  # type: ignore[attr-defined]  # narrowed by `kind`
                else:  # bound once the iterable is evaluated, to values not followed
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            self._stores.add(id(name))
                            self._add(name.id, end_position(current.iter), current, OPAQUE)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind in (ast.Global, ast.Nonlocal):
                self.opaque.update(current.names)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind is ast.ExceptHandler:
                if current.name:  # type: ignore[attr-defined]  # narrowed by `kind`
                    self._add(current.name, position(current), current, OPAQUE)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind in (ast.Import, ast.ImportFrom):
                for alias in current.names:  # type: ignore[attr-defined]  # narrowed by `kind`
                    bound = (alias.asname or alias.name).split(".")[0]
                    self._add(bound, end_position(current), current, Imported(bound) if bound != "*" else OPAQUE)
            elif kind is ast.Name:
                # any other store/del (augmented assignment, async with-as, del, ...) is
                # unknown; a comprehension's own target is local to it
                if id(current) not in self._stores and not _comprehension_target(current):  # type: ignore[arg-type]  # narrowed by `kind`
                    item = parent_of(current)
                    entered: Source = OPAQUE
                    if isinstance(item, ast.withitem) and item.optional_vars is current \
                            and isinstance(parent_of(item), ast.With):
                        entered = Entered(item.context_expr)
                    self._add(current.id, position(current), statement_of(current), entered)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif kind is ast.MatchMapping:
                if current.rest:  # type: ignore[attr-defined]  # narrowed by `kind`
                    self._add(current.rest, position(current), current, OPAQUE)  # type: ignore[attr-defined]  # narrowed by `kind`
            elif getattr(current, "name", None):  # MatchAs, MatchStar
                self._add(current.name, position(current), current, OPAQUE)  # type: ignore[attr-defined]  # MatchAs / MatchStar (a name)

    def _target(self, target: ast.expr, stmt: ast.AST, value: ast.expr) -> None:
        pos = end_position(stmt)
        if isinstance(target, ast.Name):
            self._stores.add(id(target))
            self._add(target.id, pos, stmt, Assigned(value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            count = len(target.elts)
            starred = any(isinstance(elt, ast.Starred) for elt in target.elts)
            for number, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name):
                    self._stores.add(id(elt))
                    source: Source = OPAQUE if starred else Unpacked(value, number, count)
                    self._add(elt.id, pos, stmt, source)

    # -- looking up --------------------------------------------------------------------
    def binds(self, name: str) -> bool:
        return name in self.by_name or name in self.opaque

    def only(self, name: str) -> Binding | None:
        """The single binding of ``name`` in this body (for uses from nested functions)."""
        found = self.by_name.get(name)
        if name in self.opaque or not found or len(found) != 1:
            return None
        return found[0]

    def reaching(self, use: ast.Name) -> Binding | None:
        """The binding ``use`` sees, or None when it cannot be told (or there is none)."""
        name = use.id
        if name in self.opaque:
            return None
        bindings = self.by_name.get(name)
        if not bindings:
            return None
        where = position(use)
        # the last binding before the use, skipping those of branches exclusive with it
        before = sorted((b for b in bindings if b.pos <= where), key=lambda b: b.pos, reverse=True)
        chosen = next((b for b in before if not _exclusive(b, use)), None)
        if chosen is None or not self._dominates(chosen, use):
            return None
        if self._rebound_in_loop(bindings, use, where, chosen):
            return None
        return chosen

    def alternatives(self, use: ast.Name) -> list[Binding] | None:
        """When no single binding reaches ``use``: the last binding that surely ran
        before it and the ones after it that may have (``qs = ...`` then
        ``if flag: qs = qs.filter(...)``). None when that cannot be told (no such
        binding, a rebinding in a loop around the use, ``global``)."""
        name = use.id
        bindings = self.by_name.get(name)
        if name in self.opaque or not bindings:
            return None
        where = position(use)
        before = sorted((b for b in bindings if b.pos <= where), key=lambda b: b.pos)
        base = next((b for b in reversed(before) if self._dominates(b, use)), None)
        if base is None:
            return self._covering(before, use, where)
        later = [b for b in before if b.pos > base.pos]
        if not later or self._rebound_in_loop(bindings, use, where, base):
            return None
        return [base, *later]

    def _covering(self, before: list[Binding], use: ast.Name, where: tuple[int, int]) -> list[Binding] | None:
        """Bindings of an ``if``/``else`` or ``try``/``except`` before ``use`` that bind
        the name on every path that reaches it (a path may also leave: ``return``,
        ``raise``): ``try: x = A.get() except E: x = A()``. Then later ones, as above."""
        for binding in reversed(before):
            holder = parent_of(binding.stmt) if binding.stmt is not None else None
            if isinstance(holder, ast.If):
                paths = [holder.body, holder.orelse]
            elif isinstance(holder, ast.Try) and not any(
                    b.stmt is not None and _inside(b.stmt, holder.finalbody) for b in before):
                paths = [holder.body, *(handler.body for handler in holder.handlers)]
            else:
                continue
            if not self._dominates(Binding(use.id, end_position(holder), holder, OPAQUE), use):
                return None
            chosen: list[Binding] = []
            for block in paths:
                last = next((b for b in reversed(before) if any(b.stmt is stmt for stmt in block)), None)
                if last is not None:  # and what a nested statement after it may re-bind
                    chosen.append(last)
                    chosen.extend(b for b in before if b.pos > last.pos and b.stmt is not None
                                  and _inside(b.stmt, block))
                elif not (block and isinstance(block[-1], _EXITS)):
                    return None
            if not chosen or self._rebound_in_loop(self.by_name[use.id], use, where, chosen[0]):
                return None
            end = end_position(holder)
            return [*chosen, *(b for b in before if b.pos > end)]
        return None

    def _dominates(self, binding: Binding, use: ast.AST) -> bool:
        stmt = binding.stmt
        if stmt is None:
            return True
        holder = parent_of(stmt)
        block = _block_containing(holder, stmt)
        if block is None:
            return False
        if isinstance(holder, ast.Try) and block is holder.body and _inside(use, holder.orelse):
            return True  # ``else:`` runs once the whole ``try`` body has
        # ``try: x = ... except E: return`` binds x for the code after the try
        while isinstance(holder, ast.Try) and block is holder.body and not _inside(use, holder.body) \
                and all(h.body and isinstance(h.body[-1], _EXITS) for h in holder.handlers):
            stmt = holder
            holder = parent_of(stmt)
            block = _block_containing(holder, stmt)
            if block is None:
                return False
        node: ast.AST | None = use
        top = self.fn.node
        while node is not None and node is not top:
            if node is stmt:
                if isinstance(binding.source, (LoopTarget, Entered)):
                    return _inside(use, stmt.body)  # type: ignore[attr-defined]  # its statement is its for / with
                return False
            if parent_of(node) is holder:
                return node in block and block.index(node) > block.index(stmt)
            node = parent_of(node)
        return False

    def _rebound_in_loop(self, bindings: list[Binding], use_node: ast.AST, use: tuple[int, int],
                         chosen: Binding) -> bool:
        loops = []
        child, node = use_node, parent_of(use_node)
        top = self.fn.node
        while node is not None and node is not top:
            # a ``for`` loop's iterable is evaluated once, before the loop repeats anything
            if isinstance(node, _LOOPS) and not (isinstance(node, (ast.For, ast.AsyncFor)) and child is node.iter):
                loops.append(node)
            child, node = node, parent_of(node)
        if not loops:
            return False
        again = self._dominates(chosen, use_node)
        for b in bindings:
            if b is chosen or b.stmt is None or b.pos <= use:
                continue
            for loop in loops:
                # a later binding reaches the use through the loop's next iteration, unless
                # the chosen binding (inside that loop, before the use) runs again first
                if position(loop) <= b.pos <= end_position(loop) and not (again and _repeats_in(chosen, loop, use_node)):
                    return True
        return False


def _repeats_in(binding: Binding, loop: ast.AST, use: ast.AST) -> bool:
    """``binding`` runs in each iteration of ``loop`` before ``use``: its statement is
    inside the loop's body, or it is the loop's own ``for`` target. A ``for`` target read
    after its own loop is not: an empty iterable leaves the previous value."""
    stmt = binding.stmt
    if stmt is None:
        return False
    if isinstance(binding.source, LoopTarget) and not _inside(use, stmt.body):  # type: ignore[attr-defined]  # a LoopTarget's statement is its for loop
        return False
    if stmt is loop:
        return isinstance(binding.source, LoopTarget)
    return _inside(stmt, loop.body)  # type: ignore[attr-defined]  # one of _LOOPS: each has a body


def comprehension_target(use: ast.Name, top: ast.AST | None) -> ast.comprehension | None | bool:
    """The comprehension clause that binds ``use`` (False: bound by a comprehension in a
    way that is not followed, e.g. tuple targets; None: not a comprehension variable)."""
    child: ast.AST = use
    current = parent_of(use)
    while current is not None and current is not top:
        if isinstance(current, _COMPS):
            for gen in current.generators:
                if child is gen.iter and gen is current.generators[0]:
                    continue  # the first iterable runs in the enclosing scope
                if _binds(gen.target, use.id):
                    return gen if isinstance(gen.target, ast.Name) else False
        child = current
        current = parent_of(current)
    return None


def _binds(target: ast.AST, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_binds(elt, name) for elt in target.elts)
    if isinstance(target, ast.Starred):
        return _binds(target.value, name)
    return False


def statement_of(node: ast.AST) -> ast.AST | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parent_of(current)
    return current


def _block_containing(holder: ast.AST | None, stmt: ast.AST) -> list | None:
    if holder is None:
        return None
    for _name, value in ast.iter_fields(holder):
        if isinstance(value, list) and any(item is stmt for item in value):
            return value
    return None


def _exclusive(binding: Binding, use: ast.AST) -> bool:
    """Whether the binding sits in a branch that never runs before ``use`` does: the
    other arm of an ``if``, or an ``except`` handler of the ``try`` whose ``else:`` holds
    the use."""
    child: ast.AST | None = binding.stmt
    holder = parent_of(child) if child is not None else None
    while child is not None and holder is not None:
        if isinstance(holder, ast.If):
            if _inside(child, holder.body) and _inside(use, holder.orelse) \
                    or _inside(child, holder.orelse) and _inside(use, holder.body):
                return True
        elif isinstance(holder, ast.Try):
            if isinstance(child, ast.ExceptHandler) and _inside(use, holder.orelse):
                return True
        child, holder = holder, parent_of(holder)
    return False


def _inside(node: ast.AST, block: list) -> bool:
    current: ast.AST | None = node
    while current is not None:
        if any(current is item for item in block):
            return True
        current = parent_of(current)
    return False
