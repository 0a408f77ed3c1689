"""ModuleAnalysis: everything the rules need to know about one module, computed once."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING, Iterable

from . import contexts
from .imports import ImportMap
from .scopes import ClassInfo, FunctionInfo
from .walker import Walk, walk

if TYPE_CHECKING:
    from ..index.project import ProjectIndex
    from ..knowledge import Knowledge

# Node types the analysis itself needs collected.
ANALYSIS_NODES = frozenset({ast.If, ast.Assign})

UNRESOLVED_ATTR = "<attr>:"


class ModuleAnalysis:
    def __init__(
        self,
        tree: ast.AST,
        filename: str,
        knowledge: "Knowledge",
        index: "ProjectIndex",
        wanted: Iterable[type] = (),
        options: dict | None = None,
    ) -> None:
        self.tree = tree
        self.filename = filename
        self.knowledge = knowledge
        self.index = index
        self.options = options or {}
        self._qualified: dict[int, tuple[ast.AST, str | None]] = {}
        self.module, self.is_package = index.resolver.module_of(filename)
        self.walk: Walk = walk(tree, ANALYSIS_NODES | frozenset(wanted))
        self.imports = ImportMap(self.module, self.is_package)
        for node in self.walk.imports:
            self.imports.add(node)
        self.classes: dict[str, ClassInfo] = {c.qualname: c for c in self.walk.classes}
        for cls in self.walk.classes:
            cls.bases = [self._base_name(b) for b in cls.node.bases]
        self.is_test_file = contexts.is_test_path(index.resolver.relative(filename))
        self.is_script = self._configures_django() and self._has_main_block()
        self.script_or_plain = contexts.SCRIPT if self.is_script else contexts.PLAIN
        resolver = contexts.ContextResolver(self)
        module_scope = self.walk.module_scope
        module_scope.context = contexts.TEST if self.is_test_file else self.script_or_plain
        for fn in self.walk.functions:
            fn.context = resolver.context_of(fn)

    # -- names -------------------------------------------------------------
    @property
    def functions(self) -> list[FunctionInfo]:
        return self.walk.functions

    @property
    def module_scope(self) -> FunctionInfo:
        return self.walk.module_scope

    def nodes(self, kind: type) -> list[tuple[ast.AST, FunctionInfo]]:
        return self.walk.nodes.get(kind, [])

    def full_name(self, local_qualname: str) -> str:
        return f"{self.module}.{local_qualname}" if self.module else local_qualname

    def qualify(self, expr: ast.expr) -> str | None:
        """The fully qualified name an expression refers to, through imports and local defs.

        ``aio.run`` (``import asyncio as aio``) -> ``asyncio.run``; a module-level def
        ``f`` -> ``<module>.f``; an unknown bare name -> the name itself (builtins).
        Anything that is not a dotted name -> None.
        """
        # Several rules ask about the same node: remember the answer per node (the
        # node is kept in the entry, so its id cannot be reused while cached).
        hit = self._qualified.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
        result = self._qualify(expr)
        self._qualified[id(expr)] = (expr, result)
        return result

    def _qualify(self, expr: ast.expr) -> str | None:
        attrs: list[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = self._qualify_name(expr.id)
        if attrs:
            return base + "." + ".".join(reversed(attrs))
        return base

    def _base_name(self, expr: ast.expr) -> str:
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(expr, ast.Attribute) and isinstance(root, ast.Name):
            if self.imports.get(root.id) is None and root.id not in self._module_classes:
                return _unresolved(expr)  # ``app.Task`` on a local object
        return self.qualify(expr) or _unresolved(expr)

    def _qualify_name(self, name: str) -> str:
        imported = self.imports.get(name)
        if imported is not None:
            return imported
        if name in self.module_scope.children or name in self._module_classes:
            return self.full_name(name)
        return name

    @cached_property
    def _module_classes(self) -> set[str]:
        return {c.node.name for c in self.walk.classes if "." not in c.qualname}

    # -- functions and calls ----------------------------------------------
    def function_at(self, node: ast.AST) -> FunctionInfo | None:
        return self.walk.by_node.get(id(node))

    def resolve_callable(self, expr: ast.expr, scope: FunctionInfo) -> str | None:
        """Fully qualified name of the function ``expr`` denotes, or None.

        Handles local and nested defs, imports, ``self.m``/``cls.m``, ``Class.m`` and
        ``Class(...).m``. Methods resolve to ``<module>.Class.m``.
        """
        if isinstance(expr, ast.Name):
            found = self._lookup_local(expr.id, scope)
            if found is not None:
                return self.full_name(found.qualname)
            return self.qualify(expr)
        if not isinstance(expr, ast.Attribute):
            return None
        owner = expr.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            cls = _enclosing_class(scope)
            if cls is None:
                return None
            method = self.find_method(cls, expr.attr)
            return method
        if isinstance(owner, ast.Call):
            owner = owner.func  # Class(...).method
        elif isinstance(owner, ast.Name):
            made_by = _instances(scope).get(owner.id)
            if made_by is not None:
                owner = made_by  # manager = Manager(); manager.method()
        if isinstance(owner, (ast.Name, ast.Attribute)):
            cls = self.classes.get(owner.id) if isinstance(owner, ast.Name) else None
            if cls is not None:
                return self.find_method(cls, expr.attr)
            base = self.qualify(owner)
            if base is None or "." not in base and base not in self.imports.names.values():
                return None
            return f"{base}.{expr.attr}"
        return None

    def find_method(self, cls: ClassInfo, name: str, depth: int = 0) -> str | None:
        if name in cls.methods:
            return self.full_name(cls.methods[name].qualname)
        if depth > 5:
            return None
        for base in cls.bases:
            local = self._local_class_from(base)
            if local is not None:
                found = self.find_method(local, name, depth + 1)
                if found:
                    return found
            elif not base.startswith(UNRESOLVED_ATTR):
                found = self.index.find_method(base, name)
                if found:
                    return found
        return None

    def _local_class_from(self, qualname: str) -> ClassInfo | None:
        prefix = f"{self.module}." if self.module else ""
        if prefix and qualname.startswith(prefix):
            return self.classes.get(qualname[len(prefix):])
        return None

    def _lookup_local(self, name: str, scope: FunctionInfo) -> FunctionInfo | None:
        current: FunctionInfo | None = scope
        while current is not None:
            if name in current.children:
                return current.children[name]
            current = current.parent
        return self.module_scope.children.get(name)

    def local_function(self, qualname: str) -> FunctionInfo | None:
        """A function of this module by its fully qualified name."""
        prefix = f"{self.module}." if self.module else ""
        if prefix and not qualname.startswith(prefix):
            return None
        return self._by_qualname.get(qualname[len(prefix):])

    @cached_property
    def _by_qualname(self) -> dict[str, FunctionInfo]:
        return {fn.qualname: fn for fn in self.walk.functions if not fn.is_lambda}

    def class_derives(
        self, cls: ClassInfo, targets: frozenset[str], attr_targets: frozenset[str] = frozenset(),
        cross_module: bool = True,
    ) -> bool:
        """Whether ``cls`` derives from one of ``targets``, through project classes too
        (only those of this module when ``cross_module`` is false)."""
        key = (cls.qualname, targets, attr_targets, cross_module)
        memo = self._derives_memo
        if key not in memo:
            memo[key] = self._derives(cls.bases, targets, attr_targets, 0, cross_module)
        return memo[key]

    @cached_property
    def _derives_memo(self) -> dict:
        return {}

    def _derives(self, bases: list[str], targets, attr_targets, depth: int, cross_module: bool = True) -> bool:
        if depth > 8:
            return False
        for base in bases:
            if base in targets:
                return True
            if base.startswith(UNRESOLVED_ATTR):
                if base[len(UNRESOLVED_ATTR):] in attr_targets:
                    return True
                continue
            local = self._local_class_from(base)
            if local is not None:
                if self._derives(local.bases, targets, attr_targets, depth + 1, cross_module):
                    return True
            elif cross_module and self.index.class_derives(base, targets, attr_targets):
                return True
        return False

    # -- module facts -------------------------------------------------------
    def _configures_django(self) -> bool:
        setup = self.knowledge.names("django_setup_calls")
        for call in self.module_scope.calls:
            if self.qualify(call.func) in setup:
                return True
            for arg in call.args:
                if isinstance(arg, ast.Constant) and arg.value == "DJANGO_SETTINGS_MODULE":
                    return True
        for node, _scope in self.nodes(ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _is_str(target.slice, "DJANGO_SETTINGS_MODULE"):
                    return True
        return False

    def _has_main_block(self) -> bool:
        for node, scope in self.nodes(ast.If):
            if scope.is_module and _is_main_test(node.test):
                return True
        return False


def _instances(scope: FunctionInfo) -> dict[str, ast.expr]:
    """Names bound once in this scope to ``Name(...)`` / ``mod.Name(...)``: name -> callee.

    A name bound more than once (or to different callees) is left out: unknown.
    """
    cached = getattr(scope, "_abr_instances", None)
    if cached is not None:
        return cached
    found: dict[str, ast.expr | None] = {}
    for call in scope.calls:
        parent = getattr(call, "_abr_parent", None)
        if not (isinstance(parent, ast.Assign) and parent.value is call and len(parent.targets) == 1):
            continue
        target = parent.targets[0]
        if isinstance(target, ast.Name) and isinstance(call.func, (ast.Name, ast.Attribute)):
            found[target.id] = None if target.id in found else call.func
    result = {name: func for name, func in found.items() if func is not None}
    scope._abr_instances = result
    return result


def _unresolved(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return UNRESOLVED_ATTR + expr.attr
    return UNRESOLVED_ATTR + "?"


def _enclosing_class(scope: FunctionInfo) -> ClassInfo | None:
    current: FunctionInfo | None = scope
    while current is not None:
        if current.cls is not None:
            return current.cls
        current = current.parent
    return None


def _is_str(node: ast.AST, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _is_main_test(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        _is_str(s, "__main__") for s in sides
    )
