"""The single walk over the tree flake8 parsed.

It records, for every node, its parent (``node._abr_parent``) and its scope, and
collects the nodes whose types some consumer asked for (in source order), so
that rules never walk the tree again. Iterative, so deeply nested expressions
cannot exhaust the interpreter stack.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Iterable

from .scopes import ClassInfo, FunctionInfo

PARENT = "_abr_parent"

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def parent_of(node: ast.AST) -> ast.AST | None:
    return getattr(node, PARENT, None)


class Walk:
    """Result of the walk: scopes, classes and the wanted nodes with their scopes."""

    def __init__(self) -> None:
        self.module_scope = FunctionInfo(node=None, qualname="", is_async=False)
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.by_node: dict[int, FunctionInfo] = {}
        self.nodes: dict[type, list[tuple[ast.AST, FunctionInfo]]] = defaultdict(list)
        self.imports: list[ast.Import | ast.ImportFrom] = []


def walk(tree: ast.AST, wanted: Iterable[type]) -> Walk:
    result = Walk()
    wanted = frozenset(wanted)
    nodes = result.nodes
    iter_children = ast.iter_child_nodes
    call_type, lambda_type, class_type = ast.Call, ast.Lambda, ast.ClassDef
    import_types = (ast.Import, ast.ImportFrom)

    def new_function(node: ast.AST, scope: FunctionInfo, cls: ClassInfo | None) -> FunctionInfo:
        name = getattr(node, "name", "<lambda>")
        if cls is not None:
            qualname = f"{cls.qualname}.{name}"
        elif scope.is_module:
            qualname = name
        else:
            qualname = f"{scope.qualname}.<locals>.{name}"
        info = FunctionInfo(
            node=node,
            qualname=qualname,
            is_async=type(node) is ast.AsyncFunctionDef,
            cls=cls,
            parent=None if scope.is_module else scope,
        )
        if type(node) is not lambda_type:
            if cls is not None:
                cls.methods[name] = info
            else:
                scope.children[name] = info
        result.functions.append(info)
        result.by_node[id(node)] = info
        return info

    # stack items: (node, parent, scope, enclosing class whose body we are in)
    stack: list = [(child, tree, result.module_scope, None) for child in reversed(list(iter_children(tree)))]
    push = stack.append
    pop = stack.pop
    while stack:
        node, parent, scope, cls = pop()
        setattr(node, PARENT, parent)
        kind = type(node)
        if kind in wanted:
            nodes[kind].append((node, scope))
        if kind is call_type:
            scope.calls.append(node)
        elif kind in _FUNCS or kind is lambda_type:
            inner = new_function(node, scope, cls)
            if kind is lambda_type:
                push((node.body, node, inner, None))
                push((node.args, node, scope, cls))
            else:
                for stmt in reversed(node.body):
                    push((stmt, node, inner, None))
                if node.returns is not None:
                    push((node.returns, node, scope, cls))
                push((node.args, node, scope, cls))
                for dec in reversed(node.decorator_list):
                    push((dec, node, scope, cls))
            continue
        elif kind is class_type:
            qualname = f"{cls.qualname if cls else scope.qualname}.{node.name}".lstrip(".")
            info = ClassInfo(node=node, qualname=qualname, bases=[])
            result.classes.append(info)
            for stmt in reversed(node.body):
                push((stmt, node, scope, info))
            for expr in reversed([*node.decorator_list, *node.bases, *node.keywords]):
                push((expr, node, scope, cls))
            continue
        elif kind in import_types:
            result.imports.append(node)
        children = list(iter_children(node))
        for child in reversed(children):
            push((child, node, scope, cls))
    return result
