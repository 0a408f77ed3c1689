"""ModuleAnalysis: everything the rules need to know about one module, computed once.

It knows the rest of the project only through ``records.project.Project`` (the index
implements it), so this package never imports ``async_bridge.index``.
"""

from __future__ import annotations

import ast
from collections import Counter, defaultdict
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, TypeVar, cast

from ..records.summaries import UNRESOLVED_ATTR
from ..records.values import Kind
from . import contexts, param_guards
from .imports import ImportMap
from .scopes import ClassInfo, FunctionInfo, enclosing_method
from .vocabulary import Vocabulary, vocabulary
from .walker import Walk, parent_of, walk

if TYPE_CHECKING:
    from ..knowledge import Knowledge
    from ..records.project import Project
    from .functions import FunctionModel
    from .values import ValueModel

N = TypeVar("N", bound=ast.AST)

# Node types the analysis itself needs collected (the value model, function summaries).
ANALYSIS_NODES = frozenset({
    ast.If, ast.Assign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.While, ast.IfExp,
    ast.Assert, ast.BoolOp, ast.UnaryOp, ast.Compare, ast.Subscript, ast.Attribute, ast.With, ast.AsyncWith,
})


class ModuleAnalysis:
    def __init__(
        self,
        tree: ast.AST,
        filename: str,
        knowledge: "Knowledge",
        project: "Project",
        wanted: Iterable[type] = (),
        deep: bool = True,
    ) -> None:
        self.tree = tree
        self.deep = deep  # False: summarising for the index (see ``values.ValueModel.deep``)
        self.filename = filename
        self.knowledge = knowledge
        self.vocab: Vocabulary = vocabulary(knowledge)
        self.project = project
        self._qualified: dict[int, tuple[ast.AST, str | None]] = {}
        self._derives_memo: dict[tuple, bool] = {}
        self._scope_nodes: dict[type, dict[int, list[ast.AST]]] = {}
        self.module, self.is_package = project.module_of(filename)
        self.walk: Walk = walk(tree, ANALYSIS_NODES | frozenset(wanted))
        self.imports = ImportMap(self.module, self.is_package)
        for node in self.walk.imports:
            self.imports.add(node)
        self.classes: dict[str, ClassInfo] = {c.qualname: c for c in self.walk.classes}
        for cls in self.walk.classes:
            cls.bases = [self._base_name(b) for b in cls.node.bases]
        self.is_test_file = contexts.is_test_path(project.relative(filename))
        self.is_script = self._has_main_block() and self._configures_django()  # the cheap test first
        self.script_or_plain = contexts.SCRIPT if self.is_script else contexts.PLAIN
        resolver = contexts.ContextResolver(self)
        module_scope = self.walk.module_scope
        module_scope.context = contexts.TEST if self.is_test_file else self.script_or_plain
        for fn in self.walk.functions:
            fn.context_source = resolver.context_of  # told on first use: contexts may parse base classes

    # -- the models ------------------------------------------------------------
    @cached_property
    def values(self) -> "ValueModel":
        from .values import ValueModel

        return ValueModel(self)

    @cached_property
    def function_model(self) -> "FunctionModel":
        from .functions import FunctionModel

        return FunctionModel(self)

    # -- names -------------------------------------------------------------
    @property
    def functions(self) -> list[FunctionInfo]:
        return self.walk.functions

    @property
    def module_scope(self) -> FunctionInfo:
        return self.walk.module_scope

    @cached_property
    def module_prefix(self) -> str:
        """``pkg.mod.`` (empty for a file outside any package root, e.g. stdin)."""
        return f"{self.module}." if self.module else ""

    def nodes(self, kind: type[N]) -> list[tuple[N, FunctionInfo]]:
        """The collected nodes of one type, in source order, with the scope each runs in."""
        return cast("list[tuple[N, FunctionInfo]]", self.walk.nodes.get(kind, []))

    def scope_nodes(self, scope: FunctionInfo, kind: type[N]) -> list[N]:
        """The collected nodes of one type that run in ``scope`` (comprehensions included)."""
        by_scope = self._scope_nodes.get(kind)
        if by_scope is None:
            grouped: dict[int, list[ast.AST]] = defaultdict(list)
            for node, where in self.nodes(kind):
                grouped[id(where)].append(node)
            by_scope = self._scope_nodes[kind] = dict(grouped)
        return cast("list[N]", by_scope.get(id(scope), []))

    def attribute_stores(self, scope: FunctionInfo) -> list[ast.Attribute]:
        return [n for n in self.scope_nodes(scope, ast.Attribute) if not isinstance(n.ctx, ast.Load)]

    def self_stores(self, method: FunctionInfo) -> list[tuple[str, ast.expr | None]]:
        """``self.x = value`` (and ``self.x: T = value``) in a method: (x, value)."""
        params = method.params()
        if not params or method.is_static:
            return []
        me = params[0]
        found: list[tuple[str, ast.expr | None]] = []
        for node in self.scope_nodes(method, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
                    found.append((target.attr, node.value))
                elif isinstance(target, (ast.Tuple, ast.List)):
                    for elt in target.elts:
                        if isinstance(elt, ast.Attribute) and isinstance(elt.value, ast.Name) and elt.value.id == me:
                            found.append((elt.attr, None))
        for annotated in self.scope_nodes(method, ast.AnnAssign):
            target = annotated.target
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
                found.append((target.attr, annotated.value))
        for store in self.attribute_stores(method):
            if isinstance(store.ctx, ast.Store) and isinstance(store.value, ast.Name) and store.value.id == me:
                parent = parent_of(store)
                if not isinstance(parent, (ast.Assign, ast.AnnAssign, ast.Tuple, ast.List)):
                    found.append((store.attr, None))  # augmented, with-as, for target: unknown
        return found

    def full_name(self, local_qualname: str) -> str:
        return f"{self.module}.{local_qualname}" if self.module else local_qualname

    def qualify(self, expr: ast.expr) -> str | None:
        """The fully qualified name an expression refers to, through imports and local defs.

        ``aio.run`` (``import asyncio as aio``) -> ``asyncio.run``; a module-level def
        ``f`` -> ``<module>.f``; an unknown bare name -> the name itself (builtins).
        Anything that is not a dotted name -> None.
        """
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
            if self.imports.get(root.id) is None and root.id not in self.module_classes:
                return unresolved(expr)  # ``app.Task`` on a local object
        return self.qualify(expr) or unresolved(expr)

    def _qualify_name(self, name: str) -> str:
        imported = self.imports.get(name)
        if imported is not None:
            return imported
        if name in self.module_scope.children or name in self.module_classes:
            return self.full_name(name)
        return name

    @cached_property
    def module_constants(self) -> dict[str, str]:
        """Module-level and class-body names bound once to a literal (``param_guards``)."""
        return param_guards.module_constants(self)

    @cached_property
    def module_classes(self) -> set[str]:
        return {c.node.name for c in self.walk.classes if "." not in c.qualname}

    @cached_property
    def imports_django(self) -> bool:
        """The module imports a Django-ecosystem package: its ``request`` parameters are Django's."""
        packages = self.vocab.django_packages
        return any(m.split(".", 1)[0] in packages for m in self.imports.modules)

    @cached_property
    def name_loads(self) -> Counter[str]:
        """How many times the module reads each name (one walk, when first asked)."""
        return Counter(node.id for node in ast.walk(self.tree) if type(node) is ast.Name
                       and type(node.ctx) is ast.Load)

    @cached_property
    def def_names(self) -> frozenset[str]:
        return frozenset(fn.name for fn in self.walk.functions)

    @cached_property
    def awaitable_names(self) -> frozenset[str]:
        """Names a call of which may give an awaitable (a cheap gate before the value
        model): this module's ``async def``s and defs decorated by a bridge candidate,
        module-level names bound to a bridge call, the ORM / cache / signal twins and
        the async APIs of the knowledge."""
        v = self.vocab
        bridges = self.project.source_names().bridge_candidates
        names = {fn.name for fn in self.walk.functions if fn.is_async}
        for fn in self.walk.functions:
            for dec in getattr(fn.node, "decorator_list", ()):
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, (ast.Name, ast.Attribute)) and (self.qualify(target) or "").rsplit(".", 1)[-1] in bridges:
                    names.add(fn.name)
        for node, scope in self.nodes(ast.Assign):
            value = node.value
            if scope.is_module and isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)) \
                    and (self.qualify(value.func) or "").rsplit(".", 1)[-1] in bridges:
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        names |= v.queryset_twins | v.instance_twins | v.related_twins | v.cache_twins | v.signal_twins
        names |= {api.rsplit(".", 1)[-1] for api in v.async_apis}
        names.add("auser")
        return frozenset(names)

    @cached_property
    def declared_runner_names(self) -> frozenset[str]:
        return frozenset(q.rsplit(".", 1)[-1] for q in self.knowledge.names("runner_functions"))

    # -- functions and calls ----------------------------------------------
    def function_at(self, node: ast.AST) -> FunctionInfo | None:
        return self.walk.by_node.get(id(node))

    def local_function(self, qualname: str) -> FunctionInfo | None:
        """A function of this module by its fully qualified name."""
        prefix = self.module_prefix
        if prefix and not qualname.startswith(prefix):
            return None
        return self._by_qualname.get(qualname[len(prefix):])

    @cached_property
    def _by_qualname(self) -> dict[str, FunctionInfo]:
        return {fn.qualname: fn for fn in self.walk.functions if not fn.is_lambda}

    def local_class(self, qualname: str) -> ClassInfo | None:
        prefix = self.module_prefix
        if prefix and qualname.startswith(prefix):
            return self.classes.get(qualname[len(prefix):])
        return None

    def scope_of_class(self, cls: ClassInfo) -> FunctionInfo:
        return cls.scope or self.module_scope

    def resolve_callable(self, expr: ast.expr, scope: FunctionInfo) -> str | None:
        """Fully qualified name of the function ``expr`` denotes, or None.

        Local and nested defs, imports, ``self.m``/``cls.m``, ``Class.m``,
        ``Class(...).m``, and methods of objects whose class the value model knows
        (``x = Client(); x.m()``, ``self.client.m()``, ``Order.objects.custom()``).
        Methods resolve to ``<module>.Class.m``.
        """
        if isinstance(expr, ast.Name):
            found = self._lookup_local(expr.id, scope)
            if found is not None:
                return self.full_name(found.qualname)
            if self.values.bindings(scope).binds(expr.id):
                value = self.values.of(expr, scope)
                # a THREADED value (``sync_to_async(f)``) runs ``f`` in a thread: not a call of ``f`` here
                return value.function if value is not None and value.kind is Kind.FUNCTION else None
            qualified = self.qualify(expr)
            if qualified and qualified.rsplit(".", 1)[-1][:1].isupper():
                return self._constructor(qualified) or qualified
            return qualified
        if not isinstance(expr, ast.Attribute):
            return None
        owner = expr.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            cls = _enclosing_class(scope)
            if cls is not None and (owner.id == "cls" or not scope.is_static):
                found_method = self.find_method(cls, expr.attr)
                if found_method is not None:
                    return found_method
        if isinstance(owner, ast.Name) and owner.id in self.classes:
            return self.find_method(self.classes[owner.id], expr.attr)
        if isinstance(owner, ast.Name) and owner.id in self.imports.names \
                and not self.values.bindings(scope).binds(owner.id) and not _imports_class(self, owner.id):
            return f"{self.qualify(owner)}.{expr.attr}"  # ``module.function`` through an import
        if isinstance(owner, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
            value = self.values.of(owner, scope)
            if value is not None:
                holder = value.cls or (value.model if value.kind in (Kind.INSTANCE, Kind.MODEL) else None)
                if holder and value.kind in (Kind.OBJECT, Kind.CLASS, Kind.INSTANCE, Kind.MODEL,
                                             Kind.MANAGER, Kind.QUERYSET):
                    return self.method_of(holder, expr.attr)
                return None
        if isinstance(owner, (ast.Name, ast.Attribute)):
            if isinstance(owner, ast.Name) and self.values.bindings(scope).binds(owner.id):
                return None
            base = self.qualify(owner)
            if base is None or "." not in base and base not in self.imports.names.values():
                return None
            return f"{base}.{expr.attr}"
        return None

    def _constructor(self, class_qualname: str) -> str | None:
        """``Form(...)`` of a project class runs its ``__init__`` (when the project defines one)."""
        local = self.local_class(class_qualname)
        if local is None and self.project.class_summary(class_qualname) is None:
            return None
        init = self.method_of(class_qualname, "__init__")
        if init is None:
            return None
        return init if self.local_function(init) is not None or self.project.has_function(init) else None

    @cached_property
    def local_callers(self) -> dict[str, list[FunctionInfo]]:
        """Functions of this module by the local qualified names they call."""
        callers: dict[str, list[FunctionInfo]] = {}
        prefix = self.module_prefix
        for fn in self.functions:
            for call in fn.calls:
                if not isinstance(call.func, (ast.Name, ast.Attribute)):
                    continue
                target = self.resolve_callable(call.func, fn)
                if target and target.startswith(prefix):
                    callers.setdefault(target[len(prefix):], []).append(fn)
        return callers

    def find_method(self, cls: ClassInfo, name: str, depth: int = 0) -> str | None:
        if name in cls.methods:
            return self.full_name(cls.methods[name].qualname)
        if depth > 5:
            return None
        for base in cls.bases:
            local = self.local_class(base)
            if local is not None:
                found = self.find_method(local, name, depth + 1)
                if found:
                    return found
            elif not base.startswith(UNRESOLVED_ATTR):
                found = self.project.find_method(base, name)
                if found:
                    return found
        return None

    def method_of(self, class_qualname: str, name: str) -> str | None:
        """A method of a class of this module or another one (through its bases)."""
        local = self.local_class(class_qualname)
        if local is not None:
            return self.find_method(local, name)
        return self.project.find_method(class_qualname, name)

    def _lookup_local(self, name: str, scope: FunctionInfo) -> FunctionInfo | None:
        current: FunctionInfo | None = scope
        while current is not None:
            if name in current.children:
                return current.children[name]
            current = current.parent
        return self.module_scope.children.get(name)

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

    def derives(self, qualname: str, targets: frozenset[str], attr_targets: frozenset[str] = frozenset()) -> bool:
        """``class_derives`` for a class given by qualified name, in this module or not."""
        if qualname in targets:
            return True
        local = self.local_class(qualname)
        if local is not None:
            return self.class_derives(local, targets, attr_targets)
        return self.project.class_derives(qualname, targets, attr_targets)

    def _derives(self, bases: list[str], targets: frozenset[str], attr_targets: frozenset[str], depth: int,
                 cross_module: bool = True) -> bool:
        if depth > 8:
            return False
        for base in bases:
            if base in targets:
                return True
            if base.startswith(UNRESOLVED_ATTR):
                if base[len(UNRESOLVED_ATTR):] in attr_targets:
                    return True
                continue
            local = self.local_class(base)
            if local is not None:
                if self._derives(local.bases, targets, attr_targets, depth + 1, cross_module):
                    return True
            elif cross_module and self.project.class_derives(base, targets, attr_targets):
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


def _imports_class(analysis: "ModuleAnalysis", name: str) -> bool:
    """An imported name that looks like a class (its methods resolve through the class)."""
    return name[:1].isupper()


def unresolved(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return UNRESOLVED_ATTR + expr.attr
    return UNRESOLVED_ATTR + "?"


def _enclosing_class(scope: FunctionInfo) -> ClassInfo | None:
    method = enclosing_method(scope)
    return method.cls if method is not None else None


def _is_str(node: ast.AST, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _is_main_test(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        _is_str(s, "__main__") for s in sides
    )
