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
from .scopes import FunctionInfo
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
        method = _enclosing_method(scope)
        cls = method.cls if method is not None else None
        if cls is not None and not method.is_static and not method.is_classmethod:  # type: ignore[union-attr]  # cls implies method
            found = analysis.find_method(cls, node.attr)
            if found is not None:
                return found
    if not isinstance(owner, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
        return None
    value = analysis.values.of(owner, scope)
    if value is None or value.kind not in _RECEIVERS:
        return None
    holder = value.cls or value.model
    return analysis.method_of(holder, node.attr) if holder else None


def _enclosing_method(scope: FunctionInfo) -> FunctionInfo | None:
    """The method ``scope`` is (or is nested in): whose ``self`` a ``self.x`` reads."""
    current: FunctionInfo | None = scope
    while current is not None:
        if current.cls is not None:
            return current
        current = current.parent
    return None


def with_methods(analysis: "ModuleAnalysis", item: ast.withitem, scope: FunctionInfo) -> list[str]:
    """The ``__enter__`` / ``__exit__`` (in that order, those the class has) that an item of
    a sync ``with`` statement runs, when the value it enters is an instance of a known class."""
    value = analysis.values.of(item.context_expr, scope)
    if value is None or value.kind not in _RECEIVERS:
        return []
    holder = value.cls or value.model
    if not holder:
        return []
    found = [analysis.method_of(holder, name) for name in ("__enter__", "__exit__")]
    return [method for method in found if method is not None]


def has_async_enter(analysis: "ModuleAnalysis", item: ast.withitem, scope: FunctionInfo) -> bool:
    """Whether the entered object's class also has ``__aenter__`` (``async with`` is the fix)."""
    value = analysis.values.of(item.context_expr, scope)
    holder = (value.cls or value.model) if value is not None else None
    return bool(holder) and analysis.method_of(holder, "__aenter__") is not None  # type: ignore[arg-type]  # holder checked

