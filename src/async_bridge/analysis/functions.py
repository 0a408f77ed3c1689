"""What a function of this module is, once its decorators are applied.

Whether calling it gives an awaitable, whether calling it runs its body at all
(generators and ``@contextmanager`` functions run nothing until iterated or
entered), whether a bridge runs it in a worker thread, and what calling it gives.
Computed lazily per function, with the same semantic model the rules use.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records.values import Kind, Value
from .owner import owner
from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass
class FunctionFacts:
    value: Value | None  # what the def's name is bound to (None: an unknown decorator)
    awaitable: bool  # calling it gives an awaitable that must be awaited
    runs_body: bool  # calling it runs its body (False: generator, context manager)
    threaded: bool  # a bridge runs its body in a worker thread
    generator: bool
    # decorators of other modules whose effect a summary cannot judge (the index does, on demand)
    decorators: tuple[str, ...] = ()
    is_property: bool = False  # ``@property`` / ``cached_property``: reading the attribute calls it
    # what calling it gives: computed on first use (``FunctionModel.returns``)
    returns_state: tuple[bool, Value | None] = field(default=(False, None), repr=False)


def decorator_target(dec: ast.expr) -> ast.expr:
    """``@foo(...)`` -> ``foo``; ``@foo`` -> ``foo``."""
    return dec.func if isinstance(dec, ast.Call) else dec


def enters_body(call: ast.Call) -> bool:
    """``with cm(...):`` / ``for x in gen(...):``: a deferred body runs right here."""
    parent = parent_of(call)
    if isinstance(parent, ast.withitem) and parent.context_expr is call:
        return True
    return isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is call


def own_returns(fn: FunctionInfo) -> list[ast.Return]:
    """The ``return`` statements of a function's own body (nested scopes excluded)."""
    node = fn.node
    if node is None or isinstance(node, ast.Lambda):
        return []
    found = []
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, _NESTED):
            continue
        if isinstance(current, ast.Return):
            found.append(current)
            continue
        if isinstance(current, ast.stmt) or isinstance(current, ast.excepthandler) or isinstance(current, ast.match_case):
            stack.extend(ast.iter_child_nodes(current))
    return found


class FunctionModel:
    """``facts(fn)`` for every function of one module, computed on first use."""

    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self.a = owner(analysis)
        self._facts: dict[int, FunctionFacts] = {}

    def facts(self, fn: FunctionInfo) -> FunctionFacts:
        found = self._facts.get(id(fn))
        if found is None:
            found = self._facts[id(fn)] = self._decorated(fn)
        return found

    def returns(self, fn: FunctionInfo) -> Value | None:
        """What calling ``fn`` gives (awaiting it, for a coroutine function), when known."""
        facts = self.facts(fn)
        done, value = facts.returns_state
        if not done:
            facts.returns_state = (True, None)  # cycle guard
            value = self._compute_returns(fn, facts)
            facts.returns_state = (True, value)
        return value

    def _decorated(self, fn: FunctionInfo) -> FunctionFacts:
        node = fn.node
        qual = self.a.full_name(fn.qualname)
        if node is None or isinstance(node, ast.Lambda):
            return FunctionFacts(Value(Kind.FUNCTION, function=qual), False, True, False, False)
        generator = fn.yields
        vocab = self.a.vocab
        values = self.a.values
        outer = fn.parent or self.a.module_scope
        value: Value | None = Value(Kind.FUNCTION, function=qual)
        awaitable = fn.is_async and not generator
        runs_body = not generator
        threaded = False
        unjudged: list[str] = []
        is_property = False
        for dec in reversed(node.decorator_list):
            target = decorator_target(dec)
            qual_dec = self.a.qualify(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
            if qual_dec in vocab.transparent_decorators:
                continue
            if qual_dec in vocab.property_decorators and fn.cls is not None:
                is_property, awaitable, value = True, False, None  # the name is the getter's result
                continue
            if qual_dec in vocab.deferring_decorators:
                runs_body, awaitable, value = False, False, Value(Kind.FUNCTION, function=qual)
                continue
            if not values.may_be_bridge(dec):
                awaitable, value = False, None  # an unknown decorator: it may make it anything
                continue
            made = values.of(dec, outer)
            if made is not None and made.kind is Kind.BRIDGE and not fn.is_async:
                threaded, awaitable, value = True, True, Value(Kind.THREADED, function=qual)
                continue
            if made is not None and made.kind is Kind.FUNCTION and made.function:
                if not self.a.values.deep and self.a.local_function(made.function) is None:
                    unjudged.append(made.function)
                    awaitable, value = False, None
                    continue
                wrapped = self._decorator_result(made.function)
                if wrapped is not None and wrapped.kind is Kind.THREADED and not fn.is_async:
                    threaded, awaitable, value = True, True, Value(Kind.THREADED, function=qual)
                    continue
            # any other decorator may turn it into something else (``@async_to_sync``)
            awaitable, value = False, None
        return FunctionFacts(value, awaitable, runs_body, threaded, generator, tuple(unjudged), is_property)

    def _decorator_result(self, decorator: str) -> Value | None:
        """What a project decorator returns (``def db(f): return sync_to_async(f)``)."""
        local = self.a.local_function(decorator)
        if local is not None:
            return self.returns(local)
        return self.a.values.dereference(Value(Kind.RESULT_OF, function=decorator))

    def _compute_returns(self, fn: FunctionInfo, facts: FunctionFacts) -> Value | None:
        node = fn.node
        if node is None or facts.generator or not facts.runs_body:
            return None
        values = self.a.values
        if isinstance(node, ast.Lambda):
            return _portable(values.of(node.body, fn))
        promised = values.annotation(node.returns, fn) if node.returns is not None else None
        body = self._body_returns(fn)
        if promised is None:
            return body
        # the annotation promises a kind; a body returning that kind (of that model, or
        # where the annotation names none: ``-> QuerySet``) also says what it loaded
        if body is not None and body.kind is promised.kind and promised.model in (None, body.model):
            return body
        return promised.portable()

    def _body_returns(self, fn: FunctionInfo) -> Value | None:
        """What every ``return`` of the body gives, when they all agree."""
        returns = own_returns(fn)
        if not returns:
            return None
        values = self.a.values
        found = [values.of(r.value, fn) for r in returns]
        first = found[0]
        if first is None or any(v != first for v in found[1:]):
            return None
        return first.portable()


def _portable(value: Value | None) -> Value | None:
    return value.portable() if value is not None else None
