"""The database work a function's own body does (SPEC.md, "Sync DB work").

Sync database work: an ORM query method on a known manager/QuerySet, a QuerySet
evaluated synchronously (also through a wrapper: ``paginator.count``), a model or
related-manager write, a forward relation read on an instance the function fetched
without ``select_related``, a sync-only Django DB API. Database work adds the ``a``-twins and thread bridges (``sync_to_async``).
What callees do is the project index's question (transitive reach over summaries).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..records.summaries import Edge, Site
from ..records.values import Kind
from . import guards, orm
from .bindings import Parameter
from .scopes import FunctionInfo
from .text import short
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis


def own_sites(analysis: "ModuleAnalysis", fn: FunctionInfo) -> tuple[Site | None, Site | None, list[ast.AST]]:
    """(first database work, first sync database work, the nodes of all of it) of ``fn``'s own body."""
    if fn.node is None:
        return None, None, []
    found: list[tuple[tuple[int, int], Site, bool]] = []  # (position, site, sync)
    nodes: list[ast.AST] = []
    for call in fn.calls:
        sync = _sync_call(analysis, call, fn)
        if sync is not None:
            found.append(((call.lineno, call.col_offset), sync, True))
            nodes.append(call)
            continue
        other = _async_call(analysis, call, fn)
        if other is not None:
            found.append(((call.lineno, call.col_offset), other, False))
            nodes.append(call)
    for node in _evaluation_nodes(analysis, fn):
        for item, _value in orm.evaluations(analysis, node, fn):
            if not guards.deliberate_or_elsewhere(analysis, item.node, fn):
                where = item.node
                found.append(((where.lineno, where.col_offset),  # type: ignore[attr-defined]  # a node with a position
                              _site(where, f"{item.shown} of `{short(item.expr)}`"), True))
                nodes.append(where)
    for loop in (*analysis.scope_nodes(fn, ast.AsyncFor), *analysis.scope_nodes(fn, ast.comprehension)):
        if getattr(loop, "is_async", 0) or isinstance(loop, ast.AsyncFor):
            source = analysis.values.of(loop.iter, fn)  # type: ignore[attr-defined]  # an AsyncFor or comprehension
            if source is not None and source.kind in (Kind.QUERYSET, Kind.ASYNC_ITERATOR):
                where = loop.iter  # type: ignore[attr-defined]  # an AsyncFor or comprehension
                found.append(((where.lineno, where.col_offset), _site(where, f"`async for` over `{short(where)}`"), False))
                nodes.append(where)
    for node in analysis.scope_nodes(fn, ast.Attribute):
        read = orm.lazy_relation(analysis, node, fn)
        if read is not None and read.instance.origin.value == "query":
            found.append(((node.lineno, node.col_offset), _site(node, f"`{short(node)}` (lazy relation)"), True))
            nodes.append(node)
        elif orm.wrapper_use(analysis, node, fn) is not None and not guards.deliberate_or_elsewhere(analysis, node, fn):
            found.append(((node.lineno, node.col_offset), _site(node, f"`{short(node)}`"), True))
            nodes.append(node)
    if not isinstance(fn.node, ast.Lambda):
        for dec in fn.node.decorator_list:
            if analysis.values.is_bridge(dec, fn.parent or analysis.module_scope):
                found.append(((dec.lineno, dec.col_offset), _site(dec, "a thread bridge"), False))
                nodes.append(dec)
    if not found:
        return None, None, nodes
    found.sort(key=lambda item: item[0])
    db = found[0][1]
    sync_db = next((site for _pos, site, sync in found if sync), None)
    return db, sync_db, nodes


def _evaluation_nodes(analysis: "ModuleAnalysis", fn: FunctionInfo):
    for kind in orm.EVALUATION_NODES:
        yield from (fn.calls if kind is ast.Call else analysis.scope_nodes(fn, kind))


def deferred_evaluations(analysis: "ModuleAnalysis", fn: FunctionInfo) -> tuple[Edge, ...]:
    """Evaluations (``for x in helper():``, ``Paginator(helper(), 20).count``) of what another
    module's function returns: sync database work if it returns a QuerySet, which the index
    tells on demand."""
    if analysis.values.deep or fn.node is None:
        return ()
    found: dict[str, Edge] = {}
    for node in _evaluation_nodes(analysis, fn):
        for item in orm.candidates(analysis, node):
            if not isinstance(item.expr, ast.Call):
                continue
            value = analysis.values.of(item.expr, fn)
            if value is not None and value.kind is Kind.RESULT_OF and value.function:
                where = item.node
                found.setdefault(value.function, Edge(value.function, where.lineno, where.col_offset))  # type: ignore[attr-defined]  # a node with a position
    for node in (*analysis.scope_nodes(fn, ast.Attribute), *fn.calls):  # ``Paginator(helper(), 20).count``
        use = orm.wrapper_member(analysis, node, fn)
        made = use.wrapper.item if use is not None else None
        if made is not None and made.kind is Kind.RESULT_OF and made.function \
                and not guards.deliberate_or_elsewhere(analysis, node, fn):
            found.setdefault(made.function, Edge(made.function, node.lineno, node.col_offset))
    return tuple(found.values())


def _site(node: ast.AST, what: str) -> Site:
    return Site(node.lineno, node.col_offset, what)  # type: ignore[attr-defined]  # a node with a position


def _sync_call(analysis: "ModuleAnalysis", call: ast.Call, fn: FunctionInfo) -> Site | None:
    """A call that does sync database work right here."""
    if guards.awaited(call) or guards.deliberate_or_elsewhere(analysis, call, fn):
        return None
    op = orm.orm_call(analysis, call, fn)
    if op is not None and op.op != orm.TWIN:
        if op.op == orm.QUERY and _memoized_in_global(call, fn):
            return None
        return _site(call, f"`{short(call.func)}()`")
    if orm.wrapper_use(analysis, call, fn) is not None:
        return _site(call, f"`{short(call.func)}()`")
    func = call.func
    if isinstance(func, (ast.Name, ast.Attribute)):
        qualified = analysis.qualify(func) or ""
        info = analysis.vocab.sync_functions.get(qualified)
        if isinstance(info, dict) and info.get("why") in ("query", "session") or qualified in analysis.vocab.sync_db_apis:
            return _site(call, f"`{short(func)}()`")
    return None


def _async_call(analysis: "ModuleAnalysis", call: ast.Call, fn: FunctionInfo) -> Site | None:
    """A call that does (or hands off) database work asynchronously: an ``a``-twin or a bridge."""
    op = orm.orm_call(analysis, call, fn)
    if op is not None and op.op == orm.TWIN:
        return _site(call, f"`{short(call.func)}()`")
    if analysis.values.is_bridge(call.func, fn):
        return _site(call, f"`{short(call.func)}()`")
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in analysis.vocab.django_only_async_methods:
        return _site(call, f"`{short(func)}()`")
    return None


def _memoized_in_global(call: ast.Call, fn: FunctionInfo) -> bool:
    """``CACHE = Model.objects.get(...)`` with ``global CACHE``: a one-time, cached load.

    Callers reach the query only on a cold cache, which projects warm at start-up,
    so it does not make every caller a sync-ORM caller.
    """
    node = fn.node
    if node is None or fn.is_lambda:
        return False
    parent = parent_of(call)
    if not (isinstance(parent, ast.Assign) and parent.value is call):
        return False
    names = {t.id for t in parent.targets if isinstance(t, ast.Name)}
    if not names:
        return False
    declared: set[str] = set()
    for stmt in ast.walk(node):
        if isinstance(stmt, ast.Global):
            declared.update(stmt.names)
    return names <= declared


def parameter_reads(analysis: "ModuleAnalysis", fn: FunctionInfo) -> tuple[tuple[int, str], ...]:
    """``param.attr`` reads of the function's own body, by the argument position a caller
    passes the parameter at: whether the caller's instance has that relation loaded
    decides if the read is a query (ABR204 at the call)."""
    if fn.node is None or fn.is_lambda or fn.is_async:
        return ()
    params = fn.params()
    skip = 1 if fn.cls is not None and not fn.is_static and params else 0
    bindings = analysis.values.bindings(fn)
    found: dict[tuple[int, str], None] = {}
    for node in analysis.scope_nodes(fn, ast.Attribute):
        owner = node.value
        attr = node.attr
        if not isinstance(owner, ast.Name) or not isinstance(node.ctx, ast.Load) or attr.endswith("_id"):
            continue
        binding = bindings.reaching(owner) if owner.id in params else None
        if binding is not None and isinstance(binding.source, Parameter) and binding.source.index >= skip:
            found[(binding.source.index - skip, attr)] = None
    return tuple(found)
