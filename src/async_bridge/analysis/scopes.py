"""Plain records for the functions and classes of one module."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Union
from weakref import ReferenceType

if TYPE_CHECKING:
    from ..records.values import Value

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    qualname: str
    bases: list[str]  # resolved qualified names (or "<attr>:Name" for unresolved attributes)
    methods: dict[str, "FunctionInfo"] = field(default_factory=dict)
    scope: "FunctionInfo | None" = None  # where the class body runs (module or enclosing function)
    # attribute name -> value of known kind (``values.ValueModel.local_class_attributes``)
    attributes: "dict[str, Value] | None" = None

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(eq=False)
class FunctionInfo:
    """A function, method or lambda body: the unit that gets an execution context."""

    node: FunctionNode | None  # None for the module scope
    qualname: str
    is_async: bool
    # the class of a method and the enclosing function, held weakly: the class and the
    # parent hold their functions, and records without cycles are freed with their tree
    cls_ref: "ReferenceType[ClassInfo] | None" = field(default=None, repr=False)
    parent_ref: "ReferenceType[FunctionInfo] | None" = field(default=None, repr=False)
    calls: list[ast.Call] = field(default_factory=list)
    children: dict[str, "FunctionInfo"] = field(default_factory=dict)
    yields: bool = False  # its own body has ``yield`` (a generator), set by the walk
    # the nodes of its own body that may bind a name, in source order (set by the walk;
    # class bodies and nested functions excluded): ``bindings.Bindings`` reads them
    binders: list[ast.AST] = field(default_factory=list)
    # the execution context (analysis/contexts.py), told on first use by ``context_source``
    _context: str | None = None
    context_source: "Callable[[FunctionInfo], str] | None" = field(default=None, repr=False)
    # the parameter it runs on a new event loop (``loops.runner_param``); False: not computed
    runner_param: "int | None | bool" = False

    @property
    def context(self) -> str:
        if self._context is None:
            self._context = self.context_source(self) if self.context_source is not None else "plain"
        return self._context

    @context.setter
    def context(self, value: str) -> None:
        self._context = value

    @property
    def cls(self) -> ClassInfo | None:
        """The class of a method (None for other functions)."""
        return self.cls_ref() if self.cls_ref is not None else None

    @property
    def parent(self) -> "FunctionInfo | None":
        """The enclosing function (None at module level)."""
        return self.parent_ref() if self.parent_ref is not None else None

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>") if self.node is not None else "<module>"

    @property
    def is_module(self) -> bool:
        return self.node is None

    @property
    def is_lambda(self) -> bool:
        return isinstance(self.node, ast.Lambda)

    def params(self) -> list[str]:
        if self.node is None:
            return []
        args = self.node.args
        return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]

    def param_annotation(self, name: str) -> ast.expr | None:
        if self.node is None or isinstance(self.node, ast.Lambda):
            return None
        args = self.node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg == name:
                return arg.annotation
        return None

    def _decorated_by(self, name: str) -> bool:
        node = self.node
        decorators = getattr(node, "decorator_list", ())
        return any(isinstance(d, ast.Name) and d.id == name for d in decorators)

    @property
    def is_static(self) -> bool:
        return self._decorated_by("staticmethod")

    @property
    def is_classmethod(self) -> bool:
        return self._decorated_by("classmethod")


def enclosing_method(scope: FunctionInfo) -> FunctionInfo | None:
    """The method ``scope`` is, or is nested in: whose ``self`` a ``self.x`` there reads."""
    current: FunctionInfo | None = scope
    while current is not None:
        if current.cls is not None:
            return current
        current = current.parent
    return None
