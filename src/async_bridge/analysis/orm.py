"""What a piece of code does to the database, judged on values (never on names).

- ``orm_call``: a query/write method called on a known manager, QuerySet, related
  manager or model instance (sync, or its ``a``-twin);
- ``evaluations``: the forms that evaluate a QuerySet synchronously (``for``, ``list()``,
  ``if qs:``, ``x in qs``, ``qs[0]``, ``sorted(qs)``, ``for i, x in enumerate(qs)``, ...);
- ``lazy_relation``: a forward ForeignKey / OneToOne read the producing query did not load;
- ``wrapper_use``: a member of a QuerySet wrapper (``paginator.count``) that evaluates it.

The ORM rules report these in ``async def``; the function summaries count them as the
function's own (sync) database work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records.summaries import FK, O2O, Relation
from ..records.values import QUERY_SOURCES, Kind, Origin, Value
from .scopes import FunctionInfo
from .values import int_constant
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis

QUERY = "query"  # a DB-hitting QuerySet / manager method
WRITE = "write"  # save / delete / refresh_from_db of an instance
RELATED_WRITE = "related_write"  # add / remove / set / clear / create on a related manager
TWIN = "twin"  # an ``a``-twin of one of those (awaited: async database work)


@dataclass(frozen=True)
class OrmCall:
    op: str
    receiver: Value
    method: str
    entry: dict = field(default_factory=dict, compare=False, hash=False)  # the knowledge entry (twin, since)


def orm_call(analysis: "ModuleAnalysis", call: ast.Call, scope: FunctionInfo) -> OrmCall | None:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    v = analysis.vocab
    sync = method in v.orm_methods
    if not sync and method not in v.queryset_twins and method not in v.instance_twins \
            and method not in v.related_twins:
        return None
    owner = analysis.values.of(func.value, scope)
    if owner is None:
        return None
    kind = owner.kind
    if kind is Kind.RELATED and method in v.related_db:
        return OrmCall(RELATED_WRITE, owner, method, v.related_db[method])
    if kind in QUERY_SOURCES and method in v.queryset_db:
        return OrmCall(QUERY, owner, method, v.queryset_db[method])
    if kind is Kind.INSTANCE and method in v.instance_db:
        return OrmCall(WRITE, owner, method, v.instance_db[method])
    if kind in QUERY_SOURCES and (method in v.queryset_twins or kind is Kind.RELATED and method in v.related_twins):
        return OrmCall(TWIN, owner, method)
    if kind is Kind.INSTANCE and method in v.instance_twins:
        return OrmCall(TWIN, owner, method)
    return None


# -- evaluations -------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    node: ast.AST  # where it is reported
    expr: ast.expr  # the QuerySet being evaluated
    how: str  # "for", "comprehension", "list", "len", "bool", "in", "index", "consumer"
    shown: str  # what the message calls it: "`for`", "`list()`", "`sorted()`"


# builtins that build a container or a value from the whole iterable
_BUILDERS = {"list": "list", "tuple": "tuple", "set": "set", "frozenset": "set", "len": "len", "bool": "bool"}
_CONSUMERS = frozenset({"sorted", "sum", "min", "max", "any", "all", "dict"})
# wrappers that stay lazy until a sync loop pulls from them
_WRAPPERS = frozenset({"enumerate", "zip", "reversed", "map", "filter", "iter",
                       "itertools.groupby", "itertools.chain", "itertools.islice", "itertools.zip_longest"})
_TESTS = (ast.If, ast.While, ast.IfExp, ast.Assert)
EVALUATION_NODES = (ast.For, ast.comprehension, ast.Call, ast.If, ast.While, ast.IfExp, ast.Assert,
                    ast.BoolOp, ast.UnaryOp, ast.Compare, ast.Subscript)


def candidates(analysis: "ModuleAnalysis", node: ast.AST) -> list[Evaluation]:
    """What ``node`` evaluates synchronously if it is a QuerySet (syntax only)."""
    kind = type(node)
    if kind is ast.For:
        return [Evaluation(node, e, "for", "`for`") for e in _loop_sources(analysis, node.iter)]  # type: ignore[attr-defined]  # narrowed by `kind`
    if kind is ast.comprehension:
        if node.is_async:  # type: ignore[attr-defined]  # narrowed by `kind`
            return []
        return [Evaluation(e, e, "comprehension", "a comprehension") for e in _loop_sources(analysis, node.iter)]  # type: ignore[attr-defined]  # narrowed by `kind`
    if kind is ast.Call:
        return _call_candidates(analysis, node)  # type: ignore[arg-type]  # narrowed by `kind`
    if kind in _TESTS:
        return _truth(node.test)  # type: ignore[attr-defined]  # narrowed by `kind`
    if kind is ast.BoolOp:
        if _in_test(node):
            return []
        return [Evaluation(v, v, "bool", "a truth test") for v in node.values[:-1]]  # type: ignore[attr-defined]  # narrowed by `kind`
    if kind is ast.UnaryOp:
        if isinstance(node.op, ast.Not) and not _in_test(node):  # type: ignore[attr-defined]  # narrowed by `kind`
            return [Evaluation(node.operand, node.operand, "bool", "a truth test")]  # type: ignore[attr-defined]  # narrowed by `kind`
        return []
    if kind is ast.Compare:
        return [Evaluation(node, right, "in", "an `in` test")
                for op, right in zip(node.ops, node.comparators)  # type: ignore[attr-defined]  # narrowed by `kind`
                if isinstance(op, (ast.In, ast.NotIn))]
    if kind is ast.Subscript:
        if isinstance(node.ctx, ast.Load) and int_constant(node.slice) is not None:  # type: ignore[attr-defined]  # narrowed by `kind`
            return [Evaluation(node, node.value, "index", "an integer index")]  # type: ignore[attr-defined]  # narrowed by `kind`
    return []


def _loop_sources(analysis: "ModuleAnalysis", iterable: ast.expr) -> list[ast.expr]:
    """The iterable itself, or what a lazy wrapper (``enumerate(qs)``) iterates."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, (ast.Name, ast.Attribute)) \
            and analysis.qualify(iterable.func) in _WRAPPERS:
        return [a for a in iterable.args if not isinstance(a, ast.Starred)]
    return [iterable]


def _call_candidates(analysis: "ModuleAnalysis", call: ast.Call) -> list[Evaluation]:
    func = call.func
    if isinstance(func, ast.Name) and len(call.args) >= 1 and not isinstance(call.args[0], ast.Starred):
        name = analysis.qualify(func)
        if name != func.id:
            return []  # shadowed by an import or a def
        if name in _BUILDERS and len(call.args) == 1 and not call.keywords:
            return [Evaluation(call, call.args[0], _BUILDERS[name], f"`{name}()`")]
        if name in _CONSUMERS:
            return [Evaluation(call, call.args[0], "consumer", f"`{name}()`")]
    if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant) \
            and isinstance(func.value.value, str) and len(call.args) == 1:
        return [Evaluation(call, call.args[0], "consumer", "`str.join()`")]
    return []


def _truth(test: ast.expr) -> list[Evaluation]:
    """``if qs:``, ``if not qs:``, ``if qs and x:``: truth-testing runs the query."""
    leaves = [test]
    found = []
    while leaves:
        leaf = leaves.pop()
        if isinstance(leaf, ast.UnaryOp) and isinstance(leaf.op, ast.Not):
            leaves.append(leaf.operand)
        elif isinstance(leaf, ast.BoolOp):
            leaves.extend(leaf.values)
        else:
            found.append(Evaluation(leaf, leaf, "bool", "a truth test"))
    return found


def _in_test(node: ast.AST) -> bool:
    """A not / and / or that is (part of) an if / while test: reported from there."""
    current = node
    parent = parent_of(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        current, parent = parent, parent_of(parent)
    return isinstance(parent, _TESTS) and parent.test is current


def evaluations(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> list[tuple[Evaluation, Value]]:
    """The QuerySets ``node`` evaluates synchronously, with their values.

    A parameter annotated ``QuerySet`` is left out: callers pass lists too, and every
    form above works on both. So is a QuerySet whose rows are already in memory
    (``Value.cached_rows``): ``obj.relation.all()`` when the query that made ``obj``
    prefetched the relation, a QuerySet an ``async for`` already went through.
    """
    found = []
    for item in candidates(analysis, node):
        if not isinstance(item.expr, (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Await)):
            continue
        value = analysis.values.of(item.expr, scope)
        if value is not None and value.kind is Kind.QUERYSET and value.origin is not Origin.PARAM \
                and not value.cached_rows:
            found.append((item, value))
    return found


# -- QuerySet wrappers -----------------------------------------------------------------------
@dataclass(frozen=True)
class WrapperUse:
    node: ast.Attribute | ast.Call  # the read (``paginator.count``) or the call (``paginator.page(2)``)
    wrapper: Value  # the wrapper object; its ``item`` is the QuerySet it evaluates
    member: str


def wrapper_use(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> WrapperUse | None:
    """A member of a QuerySet wrapper (knowledge: ``queryset_wrappers``, Django's ``Paginator``)
    that evaluates the QuerySet it was built over: ``paginator.num_pages`` (a ``COUNT``),
    ``paginator.page(2)``. Sync database work; a wrapper over anything else is not known."""
    use = wrapper_member(analysis, node, scope)
    return use if use is not None and use.wrapper.item is not None and use.wrapper.item.kind is Kind.QUERYSET else None


def wrapper_member(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> WrapperUse | None:
    """As ``wrapper_use``, also where the wrapped value is another module's function's result
    (a summary's reference: sync database work if that returns a QuerySet)."""
    v = analysis.vocab
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in v.wrapper_calls:
            return None
        owner, member, called = func.value, func.attr, True
    elif isinstance(node, ast.Attribute):
        if node.attr not in v.wrapper_reads or not isinstance(node.ctx, ast.Load):
            return None
        owner, member, called = node.value, node.attr, False
    else:
        return None
    value = analysis.values.of(owner, scope)
    if value is None or value.kind is not Kind.OBJECT or value.item is None or not value.cls:
        return None
    wrapper = v.queryset_wrappers.get(value.cls)
    if wrapper is None or member not in (wrapper.calls if called else wrapper.reads):
        return None
    return WrapperUse(node, value, member)


# -- relations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LazyRead:
    instance: Value  # the instance whose relation is read
    relation: Relation
    owner_text: str  # ``order`` / ``order.customer``
    path: str  # ``customer`` / ``customer__address``


def lazy_relation(analysis: "ModuleAnalysis", node: ast.Attribute, scope: FunctionInfo) -> LazyRead | None:
    """A forward FK / OneToOne read on a query-made (or annotated-parameter) instance that
    did not ``select_related`` it: Django runs a query to load it."""
    if not isinstance(node.ctx, ast.Load) or node.attr.endswith("_id"):
        return None
    owner = node.value
    if isinstance(owner, ast.Name):
        text = owner.id
    elif isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name):
        text = f"{owner.value.id}.{owner.attr}"
    else:
        return None
    instance = analysis.values.of(owner, scope)
    if instance is None or instance.kind is not Kind.INSTANCE or not instance.model or instance.loaded_all:
        return None
    if instance.origin not in (Origin.QUERY, Origin.PARAM):
        return None
    relation = analysis.project.models.fields(instance.model).get(node.attr)
    if relation is None or relation.kind not in (FK, O2O) or instance.loads(node.attr):
        return None
    if isinstance(owner, ast.Attribute):
        root = analysis.values.of(owner.value, scope)
        if root is None or not root.loads(owner.attr):
            return None  # the first hop is the finding (or nothing is known)
        path = f"{owner.attr}__{node.attr}"
    else:
        path = node.attr
    if _given_to_producer(instance, node.attr) or _assigned_before(analysis, node, scope):
        return None
    return LazyRead(instance, relation, text, path)


def _assigned_before(analysis: "ModuleAnalysis", node: ast.Attribute, scope: FunctionInfo) -> bool:
    """``obj.user = u`` earlier in the function: the relation is cached on the instance."""
    use = (node.lineno, node.col_offset)
    wanted = _dotted(node)
    for store in analysis.attribute_stores(scope):
        if (store.lineno, store.col_offset) < use and _dotted(store) == wanted:
            return True
    return False


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _given_to_producer(inst: Value, attr: str) -> bool:
    """``await Order.objects.acreate(user=u)``: the relation was given, it is cached."""
    producer = inst.producer
    if not isinstance(producer, ast.Call):
        return False
    method = producer.func.attr if isinstance(producer.func, ast.Attribute) else ""
    if method in ("aget", "afirst", "alast", "alatest", "aearliest", "get", "first", "last", "latest", "earliest"):
        return False
    for kw in producer.keywords:
        if kw.arg == attr or kw.arg is None:
            return True
        if kw.arg in ("defaults", "create_defaults") and isinstance(kw.value, ast.Dict):
            if any(isinstance(k, ast.Constant) and k.value == attr for k in kw.value.keys):
                return True
            if any(k is None for k in kw.value.keys):
                return True
    return False
