"""The single walk over the tree flake8 parsed.

It records, for every node, its parent (``node._abr_parent``, a weak reference, so
a tree holds no cycles and is freed as soon as nobody uses it) and its scope, and
collects the nodes whose types some consumer asked for (in source order), so
that rules never walk the tree again. Iterative, so deeply nested expressions
cannot exhaust the interpreter stack.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from weakref import ref
from typing import Any, Iterable

from .scopes import ClassInfo, FunctionInfo

PARENT = "_abr_parent"

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def parent_of(node: ast.AST) -> ast.AST | None:
    parent = getattr(node, PARENT, None)
    return parent() if parent is not None else None


class Walk:
    """Result of the walk: scopes, classes and the wanted nodes with their scopes."""

    def __init__(self) -> None:
        self.module_scope = FunctionInfo(node=None, qualname="", is_async=False)
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.by_node: dict[int, FunctionInfo] = {}
        self.nodes: dict[type, list[tuple[ast.AST, FunctionInfo]]] = defaultdict(list)
        self.imports: list[ast.Import | ast.ImportFrom] = []


# Fields whose values are shared singletons (``Load()``, ``Add()``, ``Eq()``...) or
# plain identifiers: the walk does not descend into them unless a consumer asked
# for one of those node types.
_SINGLETON_FIELDS = frozenset({"ctx", "op", "ops"})
_SINGLETON_BASES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_IDENTIFIER_FIELDS = frozenset({"id", "name", "attr", "arg", "module", "level", "kind", "type_comment",
                                "asname", "is_async", "conversion", "kwd_attrs", "rest", "simple", "lineno", "tag"})
_FIELD_CACHE: dict[tuple[type, bool], tuple[str, ...]] = {}


def _child_fields(kind: type, keep_singletons: bool) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes, in reverse ``_fields`` order."""
    key = (kind, keep_singletons)
    fields = _FIELD_CACHE.get(key)
    if fields is None:
        skip = set(_IDENTIFIER_FIELDS)
        if not keep_singletons:
            skip |= _SINGLETON_FIELDS
        if kind is ast.Constant or kind.__name__ == "MatchSingleton":
            skip.add("value")
        if kind is ast.Global or kind is ast.Nonlocal:
            skip.add("names")
        fields = tuple(reversed([f for f in getattr(kind, "_fields", ()) if f not in skip]))
        _FIELD_CACHE[key] = fields
    return fields


# What the walk does per node type: 1 call, 2 def, 3 lambda, 4 class, 5 import, 6 yield,
# 7 may bind a name (recorded in the scope's ``binders``; a Name only when it stores).
# Defs, classes and imports are binders too.
_SPECIAL = {
    ast.Call: 1, ast.FunctionDef: 2, ast.AsyncFunctionDef: 2, ast.Lambda: 3, ast.ClassDef: 4,
    ast.Import: 5, ast.ImportFrom: 5, ast.Yield: 6, ast.YieldFrom: 6,
    ast.Name: 7, ast.Assign: 7, ast.AnnAssign: 7, ast.NamedExpr: 7, ast.For: 7, ast.AsyncFor: 7,
    ast.Global: 7, ast.Nonlocal: 7, ast.ExceptHandler: 7,
    **{kind: 7 for kind in (getattr(ast, n, None) for n in ("MatchAs", "MatchStar", "MatchMapping")) if kind},
}
_TABLES: dict[frozenset, dict] = {}


def _entry(wanted: frozenset, keep_singletons: bool, table: dict, node: ast.AST) -> tuple:
    """Per node type: (collected for a consumer, what the walk does, child fields as
    ``(name, holds a list)``). A field holds a list in every node of a type or in none
    (an absent optional child is None), so the first node seen tells."""
    kind = type(node)
    fields = tuple((name, type(getattr(node, name, None)) is list)
                   for name in _child_fields(kind, keep_singletons))
    entry = (kind in wanted, _SPECIAL.get(kind), fields)
    table[kind] = entry
    return entry


def _type_table(wanted: frozenset) -> dict:
    table = _TABLES.get(wanted)
    if table is None:
        if len(_TABLES) > 32:
            _TABLES.clear()
        table = _TABLES[wanted] = {}
    return table


def _accessor(node: ast.AST, name: str) -> str | None:
    """``setter`` / ``deleter`` for a def decorated ``@<name>.setter`` (``.deleter``)."""
    for dec in getattr(node, "decorator_list", ()):
        if isinstance(dec, ast.Attribute) and dec.attr in ("setter", "deleter") \
                and isinstance(dec.value, ast.Name) and dec.value.id == name:
            return dec.attr
    return None


def walk(tree: ast.AST, wanted: Iterable[type]) -> Walk:
    result = Walk()
    wanted = frozenset(wanted)
    keep_singletons = any(issubclass(kind, _SINGLETON_BASES) for kind in wanted)
    nodes = result.nodes
    lambda_type = ast.Lambda
    name_type = ast.Name
    load_type = ast.Load
    table = _type_table(wanted)
    entry_for = functools.partial(_entry, wanted, keep_singletons, table)

    def new_function(node: ast.AST, scope: FunctionInfo, cls: ClassInfo | None) -> FunctionInfo:
        name = getattr(node, "name", "<lambda>")
        accessor = _accessor(node, name) if cls is not None and name in cls.methods else None
        if accessor is not None:
            # ``@x.setter def x``: the property stays the getter; the setter is not a method
            qualname = f"{cls.qualname}.{name}.<{accessor}>"  # type: ignore[union-attr]  # cls is set
        elif cls is not None:
            qualname = f"{cls.qualname}.{name}"
        elif scope.is_module:
            qualname = name
        else:
            qualname = f"{scope.qualname}.<locals>.{name}"
        info = FunctionInfo(
            node=node,  # type: ignore[arg-type]  # a def or lambda (tags 2 and 3)
            qualname=qualname,
            is_async=type(node) is ast.AsyncFunctionDef,
            cls_ref=ref(cls) if cls is not None else None,
            parent_ref=None if scope.is_module else ref(scope),
        )
        if type(node) is not lambda_type and accessor is None:
            if cls is not None:
                cls.methods[name] = info
            else:
                scope.children[name] = info
        result.functions.append(info)
        result.by_node[id(node)] = info
        return info

    # The stack holds nodes, whose parent is set when they are pushed, and scope
    # markers ``(scope, cls)``: popping one switches the current scope and class.
    # A def pushes: a marker restoring the outer scope, its body, a marker entering
    # its own scope, then its outer-scope parts (returns, args, decorators), so the
    # nodes still come out in source order.
    module_scope = result.module_scope
    scope: FunctionInfo = module_scope
    cls: ClassInfo | None = None
    stack: list = []
    push = stack.append
    pop = stack.pop
    up = ref(tree)
    for child in reversed(list(ast.iter_child_nodes(tree))):
        child._abr_parent = up  # type: ignore[attr-defined]  # the parent link parent_of reads
        push(child)
    marker = tuple
    while stack:
        node = pop()
        kind = type(node)
        if kind is marker:
            scope, cls = node
            continue
        entry = table.get(kind) or entry_for(node)
        is_wanted, tag, fields = entry
        if is_wanted:
            nodes[kind].append((node, scope))
        if tag is not None:
            if tag == 7:
                if cls is None and (kind is not name_type or type(node.ctx) is not load_type):
                    scope.binders.append(node)
            elif tag == 1:
                scope.calls.append(node)
            elif tag == 2:
                if cls is None:
                    scope.binders.append(node)
                inner = new_function(node, scope, cls)
                up = ref(node)
                push((scope, cls))
                for stmt in reversed(node.body):
                    stmt._abr_parent = up
                    push(stmt)
                push((inner, None))
                if node.returns is not None:
                    node.returns._abr_parent = up
                    push(node.returns)
                node.args._abr_parent = up
                push(node.args)
                for dec in reversed(node.decorator_list):
                    dec._abr_parent = up
                    push(dec)
                continue
            elif tag == 3:
                inner = new_function(node, scope, cls)
                up = ref(node)
                push((scope, cls))
                node.body._abr_parent = up
                push(node.body)
                push((inner, None))
                node.args._abr_parent = up
                push(node.args)
                continue
            elif tag == 4:
                if cls is None:
                    scope.binders.append(node)
                qualname = f"{cls.qualname if cls else scope.qualname}.{node.name}".lstrip(".")
                info = ClassInfo(node=node, qualname=qualname, bases=[], scope=scope)
                result.classes.append(info)
                up = ref(node)
                push((scope, cls))
                for stmt in reversed(node.body):
                    stmt._abr_parent = up
                    push(stmt)
                push((scope, info))
                for expr in reversed([*node.decorator_list, *node.bases, *node.keywords]):
                    expr._abr_parent = up
                    push(expr)
                continue
            elif tag == 5:
                result.imports.append(node)
                if cls is None:
                    scope.binders.append(node)
            else:
                scope.yields = True
        if fields:
            up = ref(node)
        for name, many in fields:
            value: Any = getattr(node, name, None)  # a list of nodes or one node, per ``many``
            if many:
                for item in reversed(value):
                    if item is not None:  # ``Dict.keys`` and ``kw_defaults`` hold None
                        item._abr_parent = up  # the parent link parent_of reads
                        push(item)
            elif value is not None:
                value._abr_parent = up
                push(value)
    return result
