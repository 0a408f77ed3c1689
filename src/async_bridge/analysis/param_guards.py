"""Work that waits for a parameter: ``def f(service, item=None): if item: <db work>``,
or ``def g(results, kind): if kind == KINDS.PARENTHETICAL: <db work>``.

A call that leaves ``item`` out (or passes a false constant) runs none of ``f``'s work;
a call passing ``KINDS.OPINION`` (a constant known to differ) runs none of ``g``'s; so
such a caller is not reported for it. Only the plain shapes count: the work sits in the
body of ``if item:``, ``if item is not None:``, ``if isinstance(item, X):``, ``if kind
== C:``, ``if kind in (C, D):``, ``case C:`` / ``case C | D:`` of ``match kind:``, or
``if ... and ...:`` of these; a truth guard's parameter has a false constant default.
The constants are literals and project names bound once to a literal
(``module_constants``); what they are is decided when a call is judged
(``records.constants``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable, NamedTuple

from ..records import constants
from ..records.summaries import Guard, ParamGuard
from .bindings import Assigned, Parameter
from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def call_arguments(call: ast.Call) -> tuple[int, tuple[str, ...] | None]:
    """(positional count or -1 with ``*args``, keywords given a value that may be truthy
    or None with ``**kwargs``): what ``ParamGuard.omitted_by`` needs of a call."""
    positional = -1 if any(isinstance(a, ast.Starred) for a in call.args) else len(call.args)
    if any(k.arg is None for k in call.keywords):
        return positional, None
    return positional, tuple(k.arg for k in call.keywords if k.arg is not None and not _falsy_constant(k.value))


TRUTHY: frozenset[str] = frozenset()  # the condition "it is true"; else the keys it must equal


class _Param(NamedTuple):
    position: int  # among the arguments a caller writes (-1: keyword-only)
    default: ast.expr | None


MAX_ALTERNATIVES = 16


def parameter_guard(analysis: "ModuleAnalysis", fn: FunctionInfo, nodes: Iterable[ast.AST]) -> Guard | None:
    """What every one of ``nodes`` waits for: per node, the conditions on parameters of
    the ``if``s and ``case``s around it (None when some node waits for none, or when there
    are no nodes: nothing to skip). A parameter the body binds again has none: its test
    no longer tells what the caller gave."""
    params = caller_parameters(analysis, fn)
    if not params:
        return None
    alternatives: set[frozenset[tuple[str, frozenset[str]]]] = set()
    for node in nodes:
        waiting = _awaited_params(analysis, node, fn, params)
        # a truth condition only fails for a false default (or a false constant given)
        usable = frozenset((name, keys) for name, keys in waiting.items() if keys != TRUTHY
                           or params[name].default is not None and _falsy_constant(params[name].default))  # type: ignore[arg-type]  # checked not None
        if not usable:
            return None
        alternatives.add(usable)
        if len(alternatives) > MAX_ALTERNATIVES:
            return None
    if not alternatives:
        return None
    # an alternative holding all the conditions of another adds nothing: it fails whenever that one does
    kept = [a for a in alternatives if not any(b < a for b in alternatives)]
    defaults = {name: constant_key(analysis, p.default, fn) if p.default is not None else None
                for name, p in params.items()}
    return Guard(tuple(sorted(
        tuple(sorted(ParamGuard(name, params[name].position, tuple(sorted(keys)), defaults[name])
                     for name, keys in alternative))
        for alternative in kept)))


def caller_parameters(analysis: "ModuleAnalysis", fn: FunctionInfo) -> dict[str, _Param]:
    """``fn``'s parameters the body never binds again: what they hold is what a caller gave."""
    params = _parameters(fn)
    if params:
        bindings = analysis.values.bindings(fn)
        params = {name: p for name, p in params.items() if name not in bindings.opaque
                  and all(isinstance(b.source, Parameter) for b in bindings.by_name.get(name, ()))}
    return params


def _parameters(fn: FunctionInfo) -> dict[str, _Param]:
    """Parameters a caller writes, with their position (-1: keyword-only) and default."""
    node = fn.node
    if node is None or isinstance(node, ast.Lambda):
        return {}
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    shift = 1 if fn.cls is not None and not fn.is_static else 0  # ``self`` / ``cls`` is not written
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = {arg.arg: _Param(number - shift, default)
             for number, (arg, default) in enumerate(zip(positional, defaults)) if number >= shift}
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        found[arg.arg] = _Param(-1, kw_default)
    return found


def _awaited_params(analysis: "ModuleAnalysis", node: ast.AST, fn: FunctionInfo,
                    params: dict[str, _Param]) -> dict[str, frozenset[str]]:
    """The parameters some ``if`` or ``case`` around ``node`` (up to ``fn``) requires to be
    true or to equal one of some keys (the innermost condition on each)."""
    found: dict[str, frozenset[str]] = {}
    child: ast.AST = node
    current = parent_of(node)
    while current is not None and current is not fn.node:
        if isinstance(current, ast.If) and any(child is stmt for stmt in current.body):
            conditions = _conditions(analysis, current.test, fn)
        elif isinstance(current, ast.match_case) and child is not current.guard:
            conditions = _case_condition(analysis, current, fn)
            if current.guard is not None:
                for name, keys in _conditions(analysis, current.guard, fn).items():
                    conditions.setdefault(name, keys)
        else:
            conditions = {}
        for name, keys in conditions.items():
            if name in params:
                found.setdefault(name, keys)
        child = current
        current = parent_of(current)
    return found


def _conditions(analysis: "ModuleAnalysis", test: ast.expr, fn: FunctionInfo) -> dict[str, frozenset[str]]:
    """Names a true ``test`` proves true (``TRUTHY``) or equal to one of some keys."""
    if isinstance(test, ast.Name):
        return {test.id: TRUTHY}
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        found: dict[str, frozenset[str]] = {}
        for value in test.values:
            for name, keys in _conditions(analysis, value, fn).items():
                found.setdefault(name, keys)
        return found
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_conditions(analysis, value, fn) for value in test.values]
        either = {name: keys for name, keys in parts[0].items() if keys != TRUTHY}
        for part in parts[1:]:
            either = {name: keys | part[name] for name, keys in either.items() if part.get(name, TRUTHY) != TRUTHY}
        return either
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        if isinstance(op, ast.IsNot) and isinstance(left, ast.Name) and _is_none(right):
            return {left.id: TRUTHY}
        if isinstance(op, ast.Eq):
            if isinstance(right, ast.Name) and not isinstance(left, ast.Name):
                left, right = right, left
            key = constant_key(analysis, right, fn) if isinstance(left, ast.Name) else None
            return {left.id: frozenset({key})} if key is not None else {}  # type: ignore[attr-defined]  # a Name
        if isinstance(op, ast.In) and isinstance(left, ast.Name) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            found_keys = [constant_key(analysis, item, fn) for item in right.elts]
            known = [key for key in found_keys if key is not None]
            return {left.id: frozenset(known)} if known and len(known) == len(found_keys) else {}
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" \
            and test.args and isinstance(test.args[0], ast.Name):
        return {test.args[0].id: TRUTHY}
    return {}


def _case_condition(analysis: "ModuleAnalysis", case: ast.match_case, fn: FunctionInfo) -> dict[str, frozenset[str]]:
    """``match kind:`` ... ``case C:`` / ``case C | D:``: ``kind`` equals one of them."""
    match = parent_of(case)
    if not isinstance(match, ast.Match) or not isinstance(match.subject, ast.Name):
        return {}
    pattern = case.pattern
    values = pattern.patterns if isinstance(pattern, ast.MatchOr) else [pattern]
    keys = []
    for value in values:
        if isinstance(value, ast.MatchValue):
            keys.append(constant_key(analysis, value.value, fn))
        elif isinstance(value, ast.MatchSingleton):
            keys.append(constants.literal_key(value.value))
        else:
            return {}
    return {match.subject.id: frozenset(keys)} if None not in keys else {}  # type: ignore[arg-type]  # no None left


# -- constants ----------------------------------------------------------------------------
def constant_key(analysis: "ModuleAnalysis", expr: ast.expr, fn: FunctionInfo, depth: int = 0) -> str | None:
    """A literal's key, or a project name's (resolved later), or one a local name was
    bound to once before this use (``kind = KINDS.OPINION``); else None."""
    if isinstance(expr, ast.Constant):
        return constants.literal_key(expr.value) if expr.value is not Ellipsis else None
    root = expr
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return None
    bindings = analysis.values.bindings(fn) if fn.node is not None else None
    if bindings is not None and bindings.binds(root.id):
        if root is not expr or depth > 2:
            return None
        binding = bindings.reaching(root)
        if binding is None or not isinstance(binding.source, Assigned):
            return None
        return constant_key(analysis, binding.source.expr, fn, depth + 1)
    qualified = analysis.qualify(expr)
    if qualified is None:
        return None
    if "." not in qualified:
        if qualified not in analysis.module_constants:
            return None
        qualified = analysis.full_name(qualified)
    return constants.NAME + qualified


def argument_slots(analysis: "ModuleAnalysis", call: ast.Call, fn: FunctionInfo,
                   params: "dict[str, _Param] | None" = None) -> dict[str, str]:
    """The call's arguments whose value is a known constant (and the caller's ``params``,
    from ``caller_parameters``, passed on as they are), by slot (``records.constants``)."""
    params = params or {}
    slots: dict[str, str] = {}

    def key(value: ast.expr) -> str | None:
        if isinstance(value, ast.Name) and value.id in params:
            return constants.param_key(value.id, params[value.id].position)
        return constant_key(analysis, value, fn)

    for number, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            break
        found = key(value)
        if found is not None:
            slots[str(number)] = found
    for keyword in call.keywords:
        if keyword.arg is not None:
            found = key(keyword.value)
            if found is not None:
                slots[keyword.arg] = found
    return slots


def module_constants(analysis: "ModuleAnalysis") -> dict[str, str]:
    """Names bound exactly once to a literal, at module level (``PAGE = 20``) or in a
    top-level class body (``SEARCH_TYPES.OPINION``), and never declared ``global``: their
    literal keys, by local qualname."""
    declared = {name for fn in analysis.functions for b in fn.binders if isinstance(b, ast.Global) for name in b.names}
    found: dict[str, str] = {}
    top: list[ast.stmt] = getattr(analysis.tree, "body", [])
    for owner, body in [("", top)] + [(f"{node.name}.", node.body) for node in top if isinstance(node, ast.ClassDef)]:
        seen: dict[str, int] = {}
        for stmt in body:
            for name, value in _bound_names(stmt):
                seen[name] = seen.get(name, 0) + 1
                key = constants.literal_key(value.value) if isinstance(value, ast.Constant) else None
                if key is not None and (owner or name not in declared):
                    found[owner + name] = key
        for name, count in seen.items():
            if count > 1:
                found.pop(owner + name, None)
    return found


def _bound_names(stmt: ast.stmt) -> Iterable[tuple[str, ast.expr | None]]:
    """Names a top-level statement binds, with the value when it is a plain assignment."""
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                yield target.id, stmt.value if len(stmt.targets) == 1 else None
            else:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        yield node.id, None
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and isinstance(stmt.target, ast.Name):
        yield stmt.target.id, stmt.value if isinstance(stmt, ast.AnnAssign) else None
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt.name, None
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            yield (alias.asname or alias.name).split(".")[0], None
    elif isinstance(stmt, (ast.If, ast.Try, ast.For, ast.While, ast.With)):
        for node in ast.walk(stmt):  # bound in a block: never a constant
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                yield node.id, None


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _falsy_constant(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return not expr.value and expr.value is not Ellipsis
    return isinstance(expr, (ast.List, ast.Tuple, ast.Dict, ast.Set)) and not getattr(expr, "elts", getattr(expr, "keys", None))
