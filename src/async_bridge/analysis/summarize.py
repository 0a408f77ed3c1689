"""A module's summary: what other modules may ask about it, from its analysis.

Every fact comes from the same semantic model the rules use on the module itself
(``values``, ``functions``, ``dbwork``, ``loops``), so a same-file and a cross-file
answer about a function agree. ``live_summary`` answers each part on first use (the
module being checked: a question about one of its functions must not summarise the
whole module, nor re-enter itself); ``summarize`` computes every part (plain data,
for other modules and the cache).
"""

from __future__ import annotations

import ast
import functools
import re
from typing import TYPE_CHECKING, Callable, Generic, Iterable, Iterator, Mapping, TypeVar

from ..records.summaries import (
    LABEL, ClassSummary, Edge, FunctionShape, FunctionSummary, ModuleSummary, RawField, Site,
)
from ..records import constants
from ..records.values import Kind, Value
from . import dbwork, implicit_calls, loops
from .param_guards import argument_slots, call_arguments, caller_parameters, parameter_guard
from .functions import enters_body
from .scopes import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from .module import ModuleAnalysis

# kinds worth keeping for other modules: a module global or class attribute of these
PORTABLE_KINDS = frozenset({Kind.BRIDGE, Kind.SYNC_BRIDGE, Kind.THREADED, Kind.CACHE, Kind.SIGNAL, Kind.MODEL,
                            Kind.LOOP, Kind.OBJECT, Kind.MANAGER})

T = TypeVar("T")


class LazyMap(Mapping[str, T], Generic[T]):
    """A mapping whose values are computed on first access; a None result is absent,
    and a key asked for while its own value is being computed is absent too."""

    def __init__(self, keys: Iterable[str], compute: Callable[[str], T | None]) -> None:
        self._keys = dict.fromkeys(keys)
        self._compute = compute
        self._done: dict[str, T | None] = {}
        self._busy: set[str] = set()

    def __getitem__(self, key: str) -> T:
        if key not in self._done:
            if key not in self._keys or key in self._busy:
                raise KeyError(key)
            self._busy.add(key)
            try:
                self._done[key] = self._compute(key)
            finally:
                self._busy.discard(key)
        value = self._done[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (key for key in list(self._keys) if self.get(key) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class LazyAll(Mapping[str, T], Generic[T]):
    """A mapping computed all at once, on first access."""

    def __init__(self, compute: Callable[[], Mapping[str, T]]) -> None:
        self._compute: Callable[[], Mapping[str, T]] | None = compute
        self._data: Mapping[str, T] = {}

    def _load(self) -> Mapping[str, T]:
        if self._compute is not None:
            compute, self._compute = self._compute, None
            self._data = compute()
        return self._data

    def __getitem__(self, key: str) -> T:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _holding(analysis: "ModuleAnalysis") -> "Callable[[], ModuleAnalysis]":
    return lambda: analysis


def live_summary(analysis: "ModuleAnalysis", reload: "Callable[[], ModuleAnalysis | None] | None" = None) -> ModuleSummary:
    """A summary whose structure is known now and whose facts are computed on first use.

    ``reload`` gives the module's analysis when a fact is asked (the index keeps only
    the most recent analyses, to bound memory); without it ``analysis`` is used.
    """
    # with ``reload`` the summary must not hold ``analysis`` (its tree) after this call
    get: "Callable[[], ModuleAnalysis | None]" = reload if reload is not None else _holding(analysis)

    def function(qualname: str) -> FunctionSummary | None:
        a = get()
        fn = a.local_function(a.full_name(qualname)) if a is not None else None
        return summarize_function(a, fn) if a is not None and fn is not None else None

    def returns(qualname: str) -> Value | None:
        a = get()
        fn = a.local_function(a.full_name(qualname)) if a is not None else None
        return a.function_model.returns(fn) if a is not None and fn is not None else None

    def attributes(qualname: str) -> Mapping[str, Value]:
        a = get()
        cls = a.classes.get(qualname) if a is not None else None
        return portable_attributes(a, cls) if a is not None and cls is not None else {}

    def module_global(name: str) -> Value | None:
        a = get()
        return _portable_global(a, name) if a is not None else None

    defs = [fn.qualname for fn in analysis.functions if not fn.is_lambda]
    shapes = {fn.qualname: function_shape(analysis, fn) for fn in analysis.functions if not fn.is_lambda}
    assigned = _global_names(analysis)
    classes = {
        qualname: ClassSummary(
            bases=tuple(cls.bases),
            methods=tuple(cls.methods),
            attributes=LazyAll(functools.partial(attributes, qualname)),
            fields=relation_fields(analysis, qualname),
        )
        for qualname, cls in analysis.classes.items()
    }
    return ModuleSummary(
        module=analysis.module,
        path=analysis.filename,
        functions=LazyMap(defs, function),
        classes=classes,
        names=dict(analysis.imports.names),
        globals=LazyMap(assigned, module_global),
        shapes=shapes,
        assigned=frozenset(assigned),
        call_names=call_names(analysis),
        returns=LazyMap(defs, returns),
        edges=LazyMap(defs, lambda q: _with(get(), q, lambda a, fn: call_edges(a, fn)[0])),
        contexts=LazyMap(defs, lambda q: _with(get(), q, lambda a, fn: fn.context)),
        constants=analysis.module_constants,
    )


def call_names(analysis: "ModuleAnalysis") -> dict[str, frozenset[str]]:
    """The last name of every call each function makes (``f``, ``obj.m`` -> ``m``): which
    functions may call a given helper, known without resolving anything."""
    found = {}
    for fn in analysis.functions:
        if fn.is_lambda:
            continue
        names = set()
        for call in fn.calls:
            func = call.func
            if isinstance(func, ast.Name):
                names.add(func.id)
                names.add((analysis.qualify(func) or func.id).rsplit(".", 1)[-1])
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
        found[fn.qualname] = frozenset(names)
    return found


def _with(analysis: "ModuleAnalysis | None", qualname: str, fact: "Callable[[ModuleAnalysis, FunctionInfo], T]") -> "T | None":
    """``fact`` of a function of ``analysis`` by its local qualified name (None: not there)."""
    if analysis is None:
        return None
    fn = analysis.local_function(analysis.full_name(qualname))
    return fact(analysis, fn) if fn is not None else None


def summarize(analysis: "ModuleAnalysis") -> ModuleSummary:
    """Every part of the summary, as plain data."""
    live = live_summary(analysis)
    return ModuleSummary(
        module=live.module,
        path=live.path,
        functions=dict(live.functions),
        classes={q: ClassSummary(c.bases, c.methods, dict(c.attributes), c.fields) for q, c in live.classes.items()},
        names=dict(live.names),
        globals=dict(live.globals),
        shapes=live.shapes,
        returns=dict(live.returns),
        edges=dict(live.edges),
        contexts=dict(live.contexts),
        constants=live.constants,
        assigned=live.assigned,
        call_names=live.call_names,
    )


def function_shape(analysis: "ModuleAnalysis", fn: FunctionInfo) -> FunctionShape:
    facts = analysis.function_model.facts(fn)
    runner = None
    if any(isinstance(c.func, ast.Attribute) and c.func.attr == "run_until_complete" or
           analysis.qualify(c.func) in analysis.vocab.new_loop_runners for c in fn.calls):
        runner = loops.runner_param(analysis, fn)
    return FunctionShape(fn.is_async, facts.awaitable, facts.runs_body, facts.threaded, runner, facts.decorators,
                         facts.is_property)


def summarize_function(analysis: "ModuleAnalysis", fn: FunctionInfo) -> FunctionSummary:
    facts = analysis.function_model.facts(fn)
    db, sync_db, db_nodes = dbwork.own_sites(analysis, fn)
    calls, enters, called = call_edges(analysis, fn)
    node = fn.node
    return FunctionSummary(
        qualname=analysis.full_name(fn.qualname),
        path=analysis.filename,
        is_async=fn.is_async,
        context=fn.context,
        line=getattr(node, "lineno", 0),
        col=getattr(node, "col_offset", 0),
        calls=calls,
        enters=enters,
        db=db,
        sync_db=sync_db,
        loop_run=None if fn.is_async else loop_run_site(analysis, fn),
        runner_param=loops.runner_param(analysis, fn),
        awaitable=facts.awaitable,
        runs_body=facts.runs_body,
        threaded=facts.threaded,
        returns=analysis.function_model.returns(fn),
        decorators=facts.decorators,
        evaluates=dbwork.deferred_evaluations(analysis, fn),
        param_reads=dbwork.parameter_reads(analysis, fn),
        guard=_guard(analysis, fn, db_nodes, called),
    )


def call_edges(analysis: "ModuleAnalysis", fn: FunctionInfo) -> tuple[tuple[Edge, ...], tuple[Edge, ...], list[ast.AST]]:
    """(calls whose callee's body runs here (the first call of each callee; a property read
    calls its getter, a sync ``with`` its object's ``__enter__``/``__exit__``), deferred
    bodies entered/iterated here, every call of a project function and every implicit one)."""
    calls: dict[str, Edge] = {}
    enters: dict[str, Edge] = {}
    nodes: list[ast.AST] = []
    passed_on = None  # the parameters a call may pass on, made at the first project call
    for call in fn.calls:
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            continue
        if analysis.values.is_bridge(func, fn):
            continue
        target = analysis.resolve_callable(func, fn)
        if target is None:
            continue
        if passed_on is None:
            passed_on = caller_parameters(analysis, fn)
        slots = argument_slots(analysis, call, fn, passed_on)
        edge = Edge(target, call.lineno, call.col_offset, *call_arguments(call), constants.encode(slots))
        nodes.append(call)
        if enters_body(call):
            enters[target] = _merged(enters.get(target), edge)
        calls[target] = _merged(calls.get(target), edge)
    if fn.node is not None and implicit_calls.project_has_properties(analysis):
        for node in analysis.scope_nodes(fn, ast.Attribute):
            getter = implicit_calls.getter_read(analysis, node, fn)
            if getter is not None:
                nodes.append(node)
                calls[getter] = _merged(calls.get(getter), Edge(getter, node.lineno, node.col_offset, 0, ()))
    for stmt in analysis.scope_nodes(fn, ast.With) if fn.node is not None else ():
        for item in stmt.items:  # a sync ``with`` runs ``__enter__`` and ``__exit__`` here
            for method in implicit_calls.with_methods(analysis, item, fn):
                expr = item.context_expr
                nodes.append(expr)
                calls[method] = _merged(calls.get(method), Edge(method, expr.lineno, expr.col_offset))
    return tuple(calls.values()), tuple(enters.values()), nodes


def _guard(analysis: "ModuleAnalysis", fn: FunctionInfo, db_nodes: list[ast.AST], called: list[ast.AST]):
    """The parameter all of ``fn``'s database work and calls of project functions (and
    property reads) wait for."""
    if not db_nodes and not called:
        return None
    project = [node for node in called if not isinstance(node, ast.Call) or analysis.project.function_shape(
        analysis.resolve_callable(node.func, fn) or "") is not None]
    return parameter_guard(analysis, fn, [*db_nodes, *project]) if db_nodes or project else None


def _merged(first: Edge | None, other: Edge) -> Edge:
    """One edge per callee, at its first call; calls with other arguments make them unknown."""
    if first is None:
        return other
    if (first.positional, first.keywords) != (other.positional, other.keywords):
        return first._replace(positional=-1, keywords=None, arguments=())
    if first.arguments == other.arguments:
        return first
    return first._replace(arguments=constants.merged(first.arguments, other.arguments))


def loop_run_site(analysis: "ModuleAnalysis", fn: FunctionInfo) -> Site | None:
    """The first call in a sync body that blocks until a coroutine finishes."""
    for call in fn.calls:
        how = loops.runs_on_known_loop(analysis, call, fn)
        if how is not None:
            return Site(call.lineno, call.col_offset, f"`{how}`")
    return None


def portable_attributes(analysis: "ModuleAnalysis", cls: ClassInfo) -> dict[str, Value]:
    attributes = analysis.values.local_class_attributes(cls)
    return {k: v for k, v in attributes.items() if v.kind in PORTABLE_KINDS}


def _global_names(analysis: "ModuleAnalysis") -> list[str]:
    """Module-level names bound by assignments (defs, classes and imports have their own records)."""
    bindings = analysis.values.bindings(analysis.module_scope)
    skip = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [name for name, entries in bindings.by_name.items() if not any(isinstance(b.stmt, skip) for b in entries)]


def _portable_global(analysis: "ModuleAnalysis", name: str) -> Value | None:
    value = analysis.values.module_global(name)
    return value.portable() if value is not None and value.kind in PORTABLE_KINDS else None


def relation_fields(analysis: "ModuleAnalysis", qualname: str) -> tuple[RawField, ...]:
    """Raw ``name = SomeField(target, ...)`` assignments of a class body (direct statements only)."""
    cls = analysis.classes[qualname]
    fields = []
    for stmt in cls.node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
            continue
        to = value.args[0] if value.args else None
        related_name = None
        for kw in value.keywords:
            if kw.arg == "to":
                to = kw.value
            elif kw.arg == "related_name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                related_name = kw.value.value
        if to is None:
            continue
        callee = analysis.qualify(value.func)
        if callee is None:
            continue
        fields.append(RawField(target.id, callee, _target_of(analysis, to, qualname), related_name, stmt.lineno))
    return tuple(fields)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_LABEL = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*")


def _target_of(analysis: "ModuleAnalysis", expr: ast.expr, owner_local: str) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        text = expr.value
        if text == "self":
            return analysis.full_name(owner_local)
        if _IDENTIFIER.fullmatch(text):
            return analysis.full_name(text)
        if _LABEL.fullmatch(text):
            return LABEL + text
        return None
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = analysis.qualify(expr)
        if qual is None or qual.endswith("AUTH_USER_MODEL"):
            return None
        if "." not in qual:
            return None  # a name bound by something else than a class or import
        return qual
    return None
