"""Calls no call expression shows: reading a property, entering a context manager.

``agent.timezone``, where ``agent`` is an instance of a class whose ``timezone`` is a
``@property`` (or ``cached_property``), runs the getter right there: its database work
happens where the attribute is read, in the function's own body or in a caller's.
Writing (``obj.prop = x``) or deleting the attribute calls no getter.

``with Report(...):`` (a sync ``with``) runs the class's ``__enter__`` and ``__exit__``
where the statement is; ``async with`` runs ``__aenter__``/``__aexit__`` instead.

Only a receiver whose class the value model knows counts; a name alone is not a value.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..records.values import Kind
from .scopes import FunctionInfo, enclosing_method
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis

_RECEIVERS = (Kind.INSTANCE, Kind.OBJECT)  # a class itself gives the property object, not a call


def getter_read(analysis: "ModuleAnalysis", node: ast.Attribute, scope: FunctionInfo) -> str | None:
    """The qualified name of the property getter that reading ``node`` calls, or None."""
    if not isinstance(node.ctx, ast.Load):
        return None
    parent = parent_of(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        return None  # ``obj.prop()``: the call is judged as a call
    if node.attr not in analysis.project.source_names().properties:
        return None  # the project defines no property of that name: the cheap gate
    target = _attribute_of_receiver(analysis, node, scope)
    return target if target is not None and is_getter(analysis, target) else None


def project_has_properties(analysis: "ModuleAnalysis") -> bool:
    """Whether any project file defines a property (the text scan): none, and no attribute
    read can call a getter. An empty answer is noted as the whole (empty) list, so a
    property added anywhere later makes it stale."""
    names = analysis.project.source_names().properties
    if not names:
        for _ in names:  # iterating a recording gate notes the whole list
            pass
        return False
    return True


def is_getter(analysis: "ModuleAnalysis", qualname: str) -> bool:
    """Whether the function ``qualname`` (of this module or another) is a property getter."""
    local = analysis.local_function(qualname)
    if local is not None:
        return analysis.function_model.facts(local).is_property
    return analysis.project.is_getter(qualname)


def _attribute_of_receiver(analysis: "ModuleAnalysis", node: ast.Attribute, scope: FunctionInfo) -> str | None:
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id == "self":
        method = enclosing_method(scope)
        cls = method.cls if method is not None else None
        if cls is not None and not method.is_static and not method.is_classmethod:  # type: ignore[union-attr]  # cls implies method
            found = analysis.find_method(cls, node.attr)
            if found is not None:
                return found
    if not isinstance(owner, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
        return None
    holder = _instance_class(analysis, owner, scope)
    return analysis.method_of(holder, node.attr) if holder else None


def _instance_class(analysis: "ModuleAnalysis", expr: ast.expr, scope: FunctionInfo) -> str | None:
    """The class ``expr`` is an instance of, when the value model knows it."""
    value = analysis.values.of(expr, scope)
    if value is None or value.kind not in _RECEIVERS:
        return None
    return value.cls or value.model or None


def with_methods(analysis: "ModuleAnalysis", item: ast.withitem, scope: FunctionInfo) -> list[str]:
    """The ``__enter__`` / ``__exit__`` (in that order, those the class has) that an item of
    a sync ``with`` statement runs, when the value it enters is an instance of a known class."""
    holder = _instance_class(analysis, item.context_expr, scope)
    if not holder:
        return []
    found = [analysis.method_of(holder, name) for name in ("__enter__", "__exit__")]
    return [method for method in found if method is not None]


def has_async_enter(analysis: "ModuleAnalysis", item: ast.withitem, scope: FunctionInfo) -> bool:
    """Whether the entered object's class also has ``__aenter__`` (``async with`` is the fix)."""
    holder = _instance_class(analysis, item.context_expr, scope)
    return holder is not None and analysis.method_of(holder, "__aenter__") is not None

