"""The semantic model: what an expression *is* (SPEC.md, "What the analysis knows about values").

``ValueModel.of(expr, scope)`` answers with a ``Value`` (an event loop, a model class, a
manager, a QuerySet, a model instance, an awaitable, a bridge, Django's cache, a
Signal, a Django request, ...) or None when the kind is unknown. Kinds flow through
assignments, tuple unpacking, ``for`` targets, returns of project functions, module
globals (of this module and, through the project index, of others) and ``self.<attr>``
set in the same class. Every rule asks this model; none keeps its own receiver
heuristics, and unknown is never reported.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from ..records.summaries import M2M
from ..records.values import QUERY_SOURCES, REFERENCES, Kind, Origin, Value
from .call_sites import argument, call_sites, join_instances
from .owner import owner
from .bindings import (
    Assigned, Binding, Bindings, Entered, Imported, LoopTarget, Parameter, Unpacked, comprehension_target,
)
from .scopes import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from .module import ModuleAnalysis

MAX_DEPTH = 40
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def strip_optional(ann: ast.expr) -> ast.expr:
    """``X | None`` / ``Optional[X]`` -> ``X``."""
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        left, right = ann.left, ann.right
        if isinstance(right, ast.Constant) and right.value is None:
            return left
        if isinstance(left, ast.Constant) and left.value is None:
            return right
        return ann
    if isinstance(ann, ast.Subscript):
        base = ann.value
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name == "Optional":
            return ann.slice
    return ann


def int_constant(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = int_constant(node.operand)
        return -inner if inner is not None else None
    return None


def with_paths(value: Value, call: ast.Call) -> Value:
    """A QuerySet after ``select_related(...)`` / ``prefetch_related(...)``."""
    if value.loaded_all:
        return value
    if not call.args:
        return replace(value, loaded_all=True) if not call.keywords else value
    paths = set(value.loaded)
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            parts = arg.value.split("__")
            for cut in range(1, len(parts) + 1):
                paths.add("__".join(parts[:cut]))
        else:
            return replace(value, loaded_all=True)  # Prefetch(...) objects, variables: cannot tell
    return replace(value, loaded=frozenset(paths))


def model_label(call: ast.Call) -> str | None:
    """``"app.Model"`` from the literal arguments of ``get_model("app", "Model")``,
    ``get_model("app.Model")`` or ``get_model(app_label=..., model_name=...)``."""
    if len(call.args) > 3 or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    given: dict[str, ast.expr] = dict(zip(("app_label", "model_name"), call.args))
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg in given:
            return None
        if keyword.arg in ("app_label", "model_name"):
            given[keyword.arg] = keyword.value
    texts: dict[str, str] = {}
    for key, node in given.items():
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return None
        texts[key] = node.value
    app = texts.get("app_label")
    if app is None:
        return None
    name = texts.get("model_name")
    if name is None:
        app, _, name = app.partition(".")
    return f"{app}.{name}" if app.isidentifier() and name.isidentifier() else None


class ValueModel:
    """Per module, lazily: the value of any expression in any scope of it."""

    def __init__(self, analysis: "ModuleAnalysis") -> None:
        self.a = owner(analysis)
        self.v = analysis.vocab
        self.project = analysis.project
        # deep: the module being checked, whose questions may analyse other modules;
        # shallow: a module being summarised, where other modules' facts stay references
        self.deep = analysis.deep
        self._bindings: dict[int, Bindings] = {}
        self._memo: dict[int, tuple[ast.AST, Value | None]] = {}
        self._returns: dict[int, Value | None] = {}
        self._attrs: dict[tuple[str, str], Value | None] = {}
        self._qualified: dict[str, Value | None] = {}
        self._callers: dict[tuple[int, str], Value | None] = {}
        self._depth = 0

    # -- entry points ---------------------------------------------------------------
    def of(self, expr: ast.AST | None, scope: FunctionInfo) -> Value | None:
        """What ``expr`` (an expression evaluated in ``scope``) is, or None."""
        if expr is None:
            return None
        key = id(expr)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is expr:
            return hit[1]
        if self._depth > MAX_DEPTH:
            return None
        self._memo[key] = (expr, None)  # cycle guard
        self._depth += 1
        try:
            result = self._evaluate(expr, scope)
        finally:
            self._depth -= 1
        self._memo[key] = (expr, result)
        return result

    def kind(self, expr: ast.AST | None, scope: FunctionInfo) -> Kind | None:
        value = self.of(expr, scope)
        return value.kind if value is not None else None

    def bindings(self, fn: FunctionInfo) -> Bindings:
        found = self._bindings.get(id(fn))
        if found is None:
            found = self._bindings[id(fn)] = Bindings(fn)
        return found

    def iterated(self, iterable: ast.expr, scope: FunctionInfo, is_async: bool) -> Value | None:
        """One item of ``for x in iterable`` (``async for`` when ``is_async``)."""
        source = self.of(iterable, scope)
        if source is None:
            return None
        if source.kind is Kind.QUERYSET and source.rows:
            return Value(Kind.INSTANCE, model=source.model, loaded=source.loaded,
                         loaded_all=source.loaded_all, origin=Origin.QUERY, producer=iterable)
        if source.kind is Kind.ASYNC_ITERATOR and is_async and source.model is not None and source.rows:
            return Value(Kind.INSTANCE, model=source.model, loaded=source.loaded,
                         loaded_all=source.loaded_all, origin=Origin.QUERY, producer=iterable)
        if source.kind is Kind.SEQUENCE and not is_async:
            return source.item
        return None

    # -- dispatch ---------------------------------------------------------------------
    def _evaluate(self, expr: ast.AST, scope: FunctionInfo) -> Value | None:
        kind = type(expr)
        if kind is ast.Name:
            return self._name(expr, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        if kind is ast.Attribute:
            return self._attribute(expr, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        if kind is ast.Call:
            return self._call(expr, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        if kind is ast.Await:
            return self._await(expr, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        if kind is ast.Subscript:
            return self._subscript(expr, scope)  # type: ignore[arg-type]  # narrowed by `kind`
        if kind in (ast.List, ast.Tuple, ast.Set):
            return self._sequence(expr.elts, scope)  # type: ignore[attr-defined]  # narrowed by `kind`
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
            item = self.of(expr.elt, scope)  # type: ignore[attr-defined]  # narrowed by `kind`
            return Value(Kind.SEQUENCE, item=item) if item is not None else None
        if kind is ast.NamedExpr:
            return self.of(expr.value, scope)  # type: ignore[attr-defined]  # narrowed by `kind`
        return None

    def _sequence(self, elts: list[ast.expr], scope: FunctionInfo) -> Value | None:
        items = [self.of(e, scope) for e in elts if not isinstance(e, ast.Starred)]
        if not items or len(items) != len(elts):
            return None
        if any(i is None or i.kind is not items[0].kind for i in items):  # type: ignore[union-attr]  # items[0], the first i, is tested for None first
            # a tuple of different things (``return order, {}``): known position by position
            return Value(Kind.SEQUENCE, items=tuple(items)) if any(i is not None for i in items) else None
        first = items[0]
        assert first is not None
        if all(i is not None and i.kind is first.kind for i in items):
            same = all(i == first for i in items)
            return Value(Kind.SEQUENCE, item=first if same else Value(first.kind))
        return None

    # -- names ------------------------------------------------------------------------
    def _name(self, node: ast.Name, scope: FunctionInfo) -> Value | None:
        top = scope.node
        clause = comprehension_target(node, top)
        if clause is not None:
            if clause is False:
                return None
            assert isinstance(clause, ast.comprehension)
            return self.iterated(clause.iter, scope, bool(clause.is_async))
        if scope.is_module:
            return self.module_global(node.id)
        bindings = self.bindings(scope)
        if bindings.binds(node.id):
            binding = bindings.reaching(node)
            if binding is not None:
                value = self._binding_value(binding, scope)
                if value is not None and value.kind is Kind.QUERYSET and not value.cached_rows \
                        and self._filled_by_async_loop(node, binding, scope):
                    return replace(value, cached_rows=True)
                return value
            return self._joined(bindings.alternatives(node), scope)
        return self._free_name(node.id, scope)

    def _filled_by_async_loop(self, use: ast.Name, binding: "Binding", scope: FunctionInfo) -> bool:
        """``async for x in qs:`` earlier over the same binding of ``qs``: the QuerySet's
        result cache is filled (``__aiter__`` fetches every row), so reading it again, here
        or after it is returned, runs no query."""
        bindings = self.bindings(scope)
        where = (use.lineno, use.col_offset)
        loops = [n.iter for n in self.a.scope_nodes(scope, ast.AsyncFor)]
        loops += [n.iter for n in self.a.scope_nodes(scope, ast.comprehension) if n.is_async]
        return any(isinstance(it, ast.Name) and it.id == use.id and (it.lineno, it.col_offset) < where
                   and bindings.reaching(it) is binding for it in loops)

    def _joined(self, alternatives: "list[Binding] | None", scope: FunctionInfo) -> Value | None:
        """The value every alternative binding agrees on (a QuerySet re-filtered in a
        branch stays a QuerySet of that model). Where they loaded different relations,
        which one holds is unknown: every relation counts as loaded (silence)."""
        if not alternatives:
            return None
        found = [self._binding_value(b, scope) for b in alternatives]
        values = [v for v in found if v is not None]
        if len(values) != len(found):
            return None
        first = values[0]
        if any(v.kind is not first.kind or v.model != first.model for v in values):
            return None
        if all(v == first for v in values):
            return first
        same_loads = all(v.loaded == first.loaded and v.loaded_all == first.loaded_all for v in values)
        return Value(first.kind, model=first.model, cls=first.cls if all(v.cls == first.cls for v in values) else None,
                     loaded=first.loaded if same_loads else frozenset(),
                     loaded_all=first.loaded_all if same_loads else True,
                     rows=all(v.rows for v in values),
                     origin=first.origin if all(v.origin is first.origin for v in values) else Origin.UNKNOWN)

    def _binding_value(self, binding: "Binding", scope: FunctionInfo) -> Value | None:
        """What a binding of ``scope`` binds: a nested def or class, or its source's value."""
        stmt = binding.stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and binding.name in scope.children:
            return self.function_value(scope.children[binding.name])
        if isinstance(stmt, ast.ClassDef):
            return None  # a class defined in a function: not followed
        return self._source(binding.source, scope)

    def _source(self, source: object, scope: FunctionInfo, use: ast.AST | None = None) -> Value | None:
        if isinstance(source, Assigned):
            return self.of(source.expr, scope)
        if isinstance(source, Unpacked):
            whole = self.of(source.expr, scope)
            if whole is not None:
                if whole.kind is Kind.PAIR and source.index == 0:
                    return replace(whole, kind=Kind.INSTANCE)
                if whole.kind is Kind.SEQUENCE and len(whole.items) == source.count:
                    return whole.items[source.index]
                if whole.kind is Kind.SEQUENCE and whole.item is not None and whole.item.kind is not Kind.INSTANCE:
                    return whole.item
            if isinstance(source.expr, (ast.Tuple, ast.List)) and len(source.expr.elts) == source.count:
                return self.of(source.expr.elts[source.index], scope)
            return None
        if isinstance(source, LoopTarget):
            return self.iterated(source.iterable, scope, source.is_async)
        if isinstance(source, Entered):
            return self._entered(source.manager, scope)
        if isinstance(source, Parameter):
            return self._parameter(source, scope)
        if isinstance(source, Imported):
            return self.qualified(self.a.imports.get(source.name))
        return None

    def _entered(self, manager: ast.expr, scope: FunctionInfo) -> Value | None:
        """``with manager as name``: ``manager`` itself when it is an object of a project
        class (a model instance too) whose ``__enter__`` returns one of that class (``self``)."""
        value = self.of(manager, scope)
        if value is None or value.kind not in (Kind.INSTANCE, Kind.OBJECT):
            return None
        cls = value.model if value.kind is Kind.INSTANCE else value.cls
        method = self.a.method_of(cls, "__enter__") if cls else None
        entered = self._function_result(method, None, scope) if method else None
        if entered is None or entered.kind is not value.kind or not self._same_class(entered.model, value.model) \
                or not self._same_class(entered.cls, value.cls):
            return None
        return value

    def _same_class(self, one: str | None, other: str | None) -> bool:
        """Two names of one class (``pkg.models.Report`` re-exports ``pkg.models.progress.Report``)."""
        if one == other:
            return True
        if one is None or other is None:
            return False
        found, again = self.project.class_summary(one), self.project.class_summary(other)
        return found is not None and again is not None and found[0] == again[0]

    def _free_name(self, name: str, scope: FunctionInfo) -> Value | None:
        """A name this scope does not bind: an enclosing function's, a module global,
        an import or a builtin."""
        current = scope.parent
        while current is not None:
            enclosing = self.bindings(current)
            if enclosing.binds(name):
                binding = enclosing.only(name)
                return self._binding_value(binding, current) if binding is not None else None
            current = current.parent
        if name in ("self", "cls"):
            return None
        return self.module_global(name)

    def module_global(self, name: str) -> Value | None:
        """A module-level name of this module: bound once (or every binding agrees)."""
        module_scope = self.a.module_scope
        bindings = self.bindings(module_scope)
        found = bindings.by_name.get(name)
        if not found or name in bindings.opaque:
            imported = self.a.imports.get(name)  # an import inside a function, or none at all
            return self.qualified(imported) if imported is not None and not found else None
        values = [self._module_binding(name, b) for b in found]
        first = values[0]
        if first is not None and all(v == first for v in values[1:]):
            return first
        return None

    def _module_binding(self, name: str, binding: "Binding") -> Value | None:
        stmt = binding.stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in self.a.module_scope.children:
            return self.function_value(self.a.module_scope.children[name])
        if isinstance(stmt, ast.ClassDef):
            return self.qualified(self.a.full_name(name))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return self.qualified(self.a.imports.get(name))
        return self._source(binding.source, self.a.module_scope)

    def is_bridge(self, expr: ast.expr, scope: FunctionInfo) -> bool:
        """``expr`` is ``sync_to_async`` or kin: ``database_sync_to_async``, a subclass of
        ``SyncToAsync``, an alias, a ``functools.partial`` of one, a decorator factory call."""
        if isinstance(expr, (ast.Name, ast.Attribute)) and self.a.qualify(expr) in self.v.bridges:
            return True
        return self.may_be_bridge(expr) and self.kind(expr, scope) is Kind.BRIDGE

    def may_be_bridge(self, expr: ast.expr) -> bool:
        """Cheap gate: ``expr`` is named like a bridge or something built from one (a text
        scan of the project: aliases, subclasses, partials, decorator factories)."""
        if isinstance(expr, (ast.Name, ast.Attribute)) and self.a.qualify(expr) in self.v.bridges:
            return True
        name = _last_name(expr)
        if isinstance(expr, ast.Name):
            name = (self.a.qualify(expr) or expr.id).rsplit(".", 1)[-1]
        return name is not None and name in self.project.source_names().bridge_candidates

    def qualified(self, qual: str | None) -> Value | None:
        """What a fully qualified name (``pkg.mod.name``) is."""
        if not qual:
            return None
        if qual in self._qualified:
            return self._qualified[qual]
        self._qualified[qual] = None  # cycle guard
        result = self._qualified_uncached(qual)
        self._qualified[qual] = result
        return result

    def _qualified_uncached(self, qual: str) -> Value | None:
        v = self.v
        if qual in v.bridges:
            return Value(Kind.BRIDGE, function=qual)
        if qual in v.sync_bridges:
            return Value(Kind.SYNC_BRIDGE, function=qual)
        if qual in v.cache_objects:
            return Value(Kind.CACHE)
        if qual in v.signals:
            return Value(Kind.SIGNAL)
        local = self._local_definition(qual)
        if local is not None:
            return local
        if "." not in qual:
            return None
        project = self.project
        if project.module_path(qual) is not None:
            return None  # a module (``import services``): its attributes are looked up by name
        if qual.rsplit(".", 1)[-1][:1].isupper():  # classes by convention: do not look elsewhere
            if project.models.is_model(qual):
                return Value(Kind.MODEL, model=qual)
            klass = project.class_summary(qual)
            return self._class_value(klass[0]) if klass is not None else None
        if project.has_function(qual):
            return self._summary_function_value(qual)
        if project.has_global(qual):
            return self.dereference(Value(Kind.GLOBAL_OF, function=qual))
        return None

    def dereference(self, value: Value | None) -> Value | None:
        """A reference into another module: resolved when checking, kept when summarising."""
        if value is None or value.kind not in REFERENCES or not self.deep:
            return value
        return self.project.resolve(value)

    def _local_definition(self, qual: str) -> Value | None:
        """A def or class of this module by its qualified name."""
        prefix = self.a.module_prefix
        if not prefix or not qual.startswith(prefix):
            return None
        local = qual[len(prefix):]
        fn = self.a.local_function(qual)
        if fn is not None:
            return self.function_value(fn)
        cls = self.a.classes.get(local)
        if cls is not None:
            if self.project.models.is_model(qual):
                return Value(Kind.MODEL, model=qual)
            return self._class_value(qual)
        if "." not in local:
            return self.module_global(local) if local in self.bindings(self.a.module_scope).by_name else None
        return None

    def _class_value(self, qual: str) -> Value:
        """A non-model class: a bridge class (``SyncToAsync`` subclass) or a plain class."""
        v = self.v
        if self.a.derives(qual, v.bridges):
            return Value(Kind.BRIDGE, function=qual)
        if self.a.derives(qual, v.sync_bridges):
            return Value(Kind.SYNC_BRIDGE, function=qual)
        if self.a.derives(qual, v.signal_classes):
            return Value(Kind.CLASS, cls=qual, function="signal")
        return Value(Kind.CLASS, cls=qual)

    # -- parameters ---------------------------------------------------------------------
    def _parameter(self, param: Parameter, scope: FunctionInfo) -> Value | None:
        arg = param.arg
        if arg.annotation is not None:
            value = self.annotation(arg.annotation, scope)
            if value is not None:
                if value.kind is Kind.INSTANCE and value.origin is Origin.PARAM and value.model:
                    return self._loaded_by_callers(value, arg.arg, scope)
                return value
        if param.index == 0 and scope.cls is not None and not scope.is_static:
            if scope.is_classmethod:
                return self.qualified(self.a.full_name(scope.cls.qualname))
            return self._self_value(scope.cls)
        if arg.arg == "request" and arg.annotation is None and self._django_request_scope(scope):
            return Value(Kind.REQUEST)
        return None

    def _loaded_by_callers(self, value: Value, param: str, scope: FunctionInfo) -> Value:
        """A model-typed parameter of a helper all of whose calls are in sight: the
        relations every caller's instance loaded are loaded here too."""
        key = (id(scope), param)
        if key in self._callers:
            return self._callers[key] or value
        self._callers[key] = None  # a cycle of calls: the annotation alone
        sites = call_sites(self.a, scope)
        joined = None
        if sites is not None:
            joined = join_instances((self.of(argument(call, scope, param), caller) for call, caller in sites),
                                    value.model or "")
        result = replace(value, loaded=joined.loaded, loaded_all=joined.loaded_all) if joined is not None else None
        self._callers[key] = result
        return result or value

    def _django_request_scope(self, scope: FunctionInfo) -> bool:
        """A ``request`` parameter of a function in Django code (a module that imports a
        Django-ecosystem package): a view's ``HttpRequest``."""
        return self.a.imports_django

    def _self_value(self, cls: ClassInfo) -> Value | None:
        qual = self.a.full_name(cls.qualname)
        v = self.v
        if self.project.models.is_model(qual):
            return Value(Kind.INSTANCE, model=qual, loaded_all=True, origin=Origin.SELF)
        if self.a.derives(qual, v.queryset_bases):
            return Value(Kind.QUERYSET, cls=qual)
        if self.a.derives(qual, v.manager_bases):
            return Value(Kind.MANAGER, cls=qual)
        return Value(Kind.OBJECT, cls=qual)

    def annotation(self, ann: ast.expr, scope: FunctionInfo) -> Value | None:
        """The value an annotation promises (a model instance, a QuerySet, a request, ...)."""
        ann = strip_optional(ann)
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                parsed = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
            ann = strip_optional(parsed)
            if not isinstance(ann, (ast.Name, ast.Attribute, ast.Subscript)):
                return None
        if isinstance(ann, ast.Subscript):
            base = self.a.qualify(ann.value) or ""
            if base in self.v.queryset_types:
                return Value(Kind.QUERYSET, origin=Origin.PARAM)
            if base.rsplit(".", 1)[-1] in ("Tuple", "tuple", "List", "list", "Sequence", "Iterable"):
                inner = ann.slice
                first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
                item = self.annotation(first, scope) if isinstance(first, (ast.Name, ast.Attribute)) else None
                if item is not None and item.kind is Kind.INSTANCE:
                    return Value(Kind.SEQUENCE, item=item)
            return None
        if not isinstance(ann, (ast.Name, ast.Attribute)):
            return None
        qual = self.a.qualify(ann)
        if not qual:
            return None
        if qual in self.v.queryset_types:
            return Value(Kind.QUERYSET, origin=Origin.PARAM)
        if qual in self.v.request_types:
            return Value(Kind.REQUEST)
        if "." in qual and self.project.models.is_model(qual):
            return Value(Kind.INSTANCE, model=qual, origin=Origin.PARAM)
        return None

    # -- attributes ------------------------------------------------------------------------
    def _attribute(self, node: ast.Attribute, scope: FunctionInfo) -> Value | None:
        attr = node.attr
        if attr == "through" and isinstance(node.value, ast.Attribute) and self._many_to_many(node.value, scope):
            return Value(Kind.MODEL)  # the through model (auto-created or named: which one is not read)
        owner = self.of(node.value, scope)
        if owner is None:
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                return None
            return self._dotted(node, scope)
        kind = owner.kind
        if kind is Kind.MODEL:
            if attr in self.v.managers:
                return Value(Kind.MANAGER, model=owner.model, cls=self._manager_class(owner.model, attr))
            if owner.model:
                return self.project.models.manager(owner.model, attr)
            return None
        if kind is Kind.INSTANCE:
            return self._instance_attribute(owner, attr, scope)
        if kind in (Kind.OBJECT, Kind.CLASS) and owner.cls:
            found = self.class_attribute(owner.cls, attr)
            if found is None and attr == "request" and kind is Kind.OBJECT and self.a.derives(owner.cls, self.v.view_bases):
                return Value(Kind.REQUEST)  # ``self.request`` of a class-based view
            return found
        if kind is Kind.REQUEST and attr == "session":
            return None
        return None

    def _many_to_many(self, node: ast.Attribute, scope: FunctionInfo) -> bool:
        """``obj.tags`` / ``Model.tags`` is a many-to-many field of a known model, or the
        ``related_name`` of one pointing to it."""
        holder = self.of(node.value, scope)
        if holder is None or holder.kind not in (Kind.INSTANCE, Kind.MODEL) or not holder.model:
            return False
        models = self.project.models
        relation = models.fields(holder.model).get(node.attr)
        if relation is not None:
            return relation.kind == M2M
        is_manager, source = models.related_manager(holder.model, node.attr)
        return is_manager and source is not None and any(
            r.kind == M2M and r.related_name == node.attr and self._same_class(r.target, holder.model)
            for r in models.fields(source).values())

    def _dotted(self, node: ast.Attribute, scope: FunctionInfo) -> Value | None:
        """``models.Order``, ``signals.order_paid``: a dotted name through a module import."""
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or self.bindings(scope).binds(root.id):
            return None
        if root.id not in self.a.imports.names:
            return None
        return self.qualified(self.a.qualify(node))

    def _manager_class(self, model: str | None, attr: str) -> str | None:
        if not model:
            return None
        found = self.project.models.manager(model, attr)
        return found.cls if found is not None else None

    def _instance_attribute(self, owner: Value, attr: str, scope: FunctionInfo) -> Value | None:
        if not owner.model:
            return None
        models = self.project.models
        relation = models.fields(owner.model).get(attr)
        if relation is not None and relation.kind in ("fk", "o2o"):
            if not relation.target:
                return None
            prefix = attr + "__"
            return Value(
                Kind.INSTANCE, model=relation.target, origin=owner.origin,
                loaded=frozenset(p[len(prefix):] for p in owner.loaded if p.startswith(prefix)),
                loaded_all=owner.loaded_all,
            )
        is_manager, target = models.related_manager(owner.model, attr)
        if is_manager:
            # the query that made the instance prefetched this relation: ``.all()`` reads the cache
            return Value(Kind.RELATED, model=target, cached_rows=owner.loads(attr))
        if owner.origin is Origin.SELF:
            return self.class_attribute(owner.model, attr)
        return None

    def class_attribute(self, cls_qual: str, attr: str) -> Value | None:
        """``obj.attr`` for an object of class ``cls_qual``: set in the class body or as
        ``self.attr = ...`` in its methods (all agreeing), here or in a base."""
        key = (cls_qual, attr)
        if key in self._attrs:
            return self._attrs[key]
        self._attrs[key] = None  # cycle guard
        local = self.a.local_class(cls_qual)
        if local is not None:
            result = self.local_class_attributes(local).get(attr)
            if result is None:
                for base in local.bases:
                    result = self.class_attribute(base, attr)
                    if result is not None:
                        break
        elif self.project.class_summary(cls_qual) is not None:
            result = self.dereference(Value(Kind.ATTRIBUTE_OF, cls=cls_qual, function=attr))
        else:
            result = None
        self._attrs[key] = result
        return result

    def local_class_attributes(self, cls: ClassInfo) -> dict[str, Value]:
        """Attributes of a class of this module whose kind is known."""
        if cls.attributes is not None:
            return cls.attributes
        cls.attributes = {}  # cycle guard
        found: dict[str, list[Value | None]] = {}
        scope = self.a.scope_of_class(cls)
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found.setdefault(stmt.targets[0].id, []).append(self.of(stmt.value, scope))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                value = self.of(stmt.value, scope) if stmt.value is not None else self.annotation(stmt.annotation, scope)
                found.setdefault(stmt.target.id, []).append(value)
        for method in cls.methods.values():
            for target, value_expr in self.a.self_stores(method):
                found.setdefault(target, []).append(self.of(value_expr, method) if value_expr is not None else None)
        result = {}
        for name, values in found.items():
            first = values[0]
            if first is not None and all(v == first for v in values):
                result[name] = first.portable()
        cls.attributes = result
        return result

    # -- calls ---------------------------------------------------------------------------
    def _call(self, call: ast.Call, scope: FunctionInfo) -> Value | None:
        func = call.func
        if isinstance(func, ast.Attribute):
            owner = self.of(func.value, scope)
            if owner is not None:
                result = self._method(owner, func.attr, call, scope)
                if result is not None:
                    return result
        callee = self.of(func, scope)
        if callee is None:
            qual = self.a.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
            return self._known_call(qual, call, scope) if qual else None
        return self.call_result(callee, call, scope)

    def call_result(self, callee: Value, call: ast.Call | None, scope: FunctionInfo) -> Value | None:
        """What calling ``callee`` gives."""
        kind = callee.kind
        if kind is Kind.BRIDGE:
            if call is not None and not call.args and not any(k.arg == "func" for k in call.keywords):
                return callee  # ``sync_to_async(thread_sensitive=False)``: a decorator
            target = call.args[0] if call is not None and call.args else None
            if target is None and call is not None:
                target = next((k.value for k in call.keywords if k.arg == "func"), None)
            return Value(Kind.THREADED, function=self.callee_name(target, scope) if target is not None else None)
        if kind is Kind.THREADED:
            return Value(Kind.AWAITABLE, function=callee.function)
        if kind is Kind.MODEL:
            return Value(Kind.INSTANCE, model=callee.model, loaded_all=True, origin=Origin.NEW, producer=call)
        if kind is Kind.CLASS and callee.cls:
            if callee.function == "signal":
                return Value(Kind.SIGNAL)
            wrapping = self._queryset_wrapper(callee.cls, call, scope) if call is not None else None
            return wrapping or Value(Kind.OBJECT, cls=callee.cls)
        if kind is Kind.FUNCTION and callee.function:
            return self._function_result(callee.function, call, scope)
        return None

    def _function_result(self, qual: str, call: ast.Call | None, scope: FunctionInfo) -> Value | None:
        local = self.a.local_function(qual)
        if local is not None:
            facts = self.a.function_model.facts(local)
            if facts.awaitable:
                return Value(Kind.AWAITABLE, function=qual)
            if not facts.runs_body:
                return Value(Kind.ASYNC_ITERATOR if local.is_async else Kind.DEFERRED, function=qual)
            return self.a.function_model.returns(local)
        if not self.project.has_function(qual):
            return None
        return self.dereference(Value(Kind.RESULT_OF, function=qual))

    def _known_call(self, qual: str, call: ast.Call, scope: FunctionInfo) -> Value | None:
        """Calls of library functions the knowledge describes."""
        v = self.v
        if qual in v.loop_makers:
            return Value(Kind.LOOP, origin=Origin.NEW, producer=call)
        if qual in v.loop_getters:
            return Value(Kind.LOOP, producer=call)
        if qual in v.user_model_getters:
            return Value(Kind.MODEL)
        if qual in v.model_getters:
            return self._model_by_label(call, scope)
        if qual in v.queryset_wrappers:
            return self._queryset_wrapper(qual, call, scope)
        if qual in v.async_apis:
            return Value(Kind.AWAITABLE, function=qual)
        if qual in v.instance_shortcuts and call.args:  # get_object_or_404(Model | queryset, ...)
            source = self.of(call.args[0], scope)
            if source is not None and source.kind in (Kind.MODEL, *QUERY_SOURCES) and source.model:
                instance = Value(Kind.INSTANCE, model=source.model, loaded=source.loaded, loaded_all=source.loaded_all,
                                 origin=Origin.QUERY, producer=call)
                if v.instance_shortcuts[qual] == "awaitable":
                    return Value(Kind.AWAITABLE, model=source.model, function=qual, item=instance.portable())
                return instance
        if qual in v.signal_classes:
            return Value(Kind.SIGNAL)
        if qual == "functools.partial" and call.args:
            inner = self.of(call.args[0], scope)
            if inner is not None and inner.kind is Kind.BRIDGE:
                return inner
        if qual in ("list", "tuple", "sorted", "reversed") and len(call.args) == 1 and not call.keywords:
            item = self.iterated(call.args[0], scope, False)
            return Value(Kind.SEQUENCE, item=item) if item is not None else None
        return None

    def _queryset_wrapper(self, cls: str, call: ast.Call, scope: FunctionInfo) -> Value | None:
        """``Paginator(qs, 20)`` (knowledge: ``queryset_wrappers``) over a QuerySet of known
        kind: an object of that class whose ``item`` is the QuerySet. None over anything else
        (a list, a value of unknown kind, a parameter annotated ``QuerySet``: lists pass too)."""
        wrapper = self.v.queryset_wrappers.get(cls)
        if wrapper is None:
            return None
        if call.args:
            source: ast.expr | None = None if isinstance(call.args[0], ast.Starred) else call.args[0]
        else:
            source = next((k.value for k in call.keywords if k.arg == wrapper.argument), None)
        wrapped = self.of(source, scope)
        if wrapped is None or wrapped.origin is Origin.PARAM or wrapped.cached_rows:
            return None
        if wrapped.kind is Kind.QUERYSET or (wrapped.kind is Kind.RESULT_OF and wrapped.function):
            # (what another module's function returns, in a summary: a QuerySet or not, the index tells)
            return Value(Kind.OBJECT, cls=cls, item=wrapped.portable())
        return None

    def _model_by_label(self, call: ast.Call, scope: FunctionInfo) -> Value | None:
        """``apps.get_model("shop", "Order")`` on Django's app registry (imported: a
        migration's ``apps`` parameter gives historical models): the project's model."""
        label = model_label(call)
        if label is None or not self._imported_root(call.func, scope):
            return None
        models = self.project.models
        model = models.by_label(label)
        return Value(Kind.MODEL, model=model) if model and models.is_model(model) else None

    def _imported_root(self, expr: ast.expr, scope: FunctionInfo) -> bool:
        """The dotted name ``expr`` starts with a name only an import binds where it is used
        (not a parameter or a local of the same name)."""
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        name = root.id
        own = self.bindings(scope)
        if own.binds(name):
            binding = own.reaching(root)
            return binding is not None and isinstance(binding.source, Imported)
        current = scope.parent
        while current is not None and not self.bindings(current).binds(name):
            current = current.parent
        outer = self.bindings(current if current is not None else self.a.module_scope)
        found = outer.by_name.get(name) or []
        return bool(found) and name not in outer.opaque and all(isinstance(b.source, Imported) for b in found)

    def _method(self, owner: Value, method: str, call: ast.Call, scope: FunctionInfo) -> Value | None:
        kind = owner.kind
        v = self.v
        if kind in QUERY_SOURCES:
            if method in v.lazy_methods:
                loaded = owner if kind is Kind.QUERYSET else Value(Kind.QUERYSET, model=owner.model, cls=owner.cls,
                                                                    cached_rows=owner.cached_rows)
                # ``.all()`` of a prefetched relation reads the cache; any other method queries
                result = replace(loaded, kind=Kind.QUERYSET, producer=None,
                                 cached_rows=loaded.cached_rows and method == "all")
                if method in ("select_related", "prefetch_related"):
                    result = with_paths(result, call)
                elif method in v.row_methods:
                    result = replace(result, rows=False)
                if result.origin is not Origin.PARAM:
                    result = replace(result, origin=Origin.UNKNOWN)
                return result
            if method == "aiterator":
                return replace(owner, kind=Kind.ASYNC_ITERATOR, producer=None)
            if method in v.queryset_twins or (kind is Kind.RELATED and method in v.related_twins):
                return Value(Kind.AWAITABLE, model=owner.model, function=f"QuerySet.{method}", producer=call)
            if method in v.queryset_db or method in v.instance_db:
                return self._sync_query_result(owner, method, call)
            if owner.cls:
                return self._custom_method(owner, method, call, scope)
            return None
        if kind is Kind.MODEL and method in ("from_queryset",):
            return None
        if kind is Kind.CLASS and owner.cls and method == "as_manager":
            return Value(Kind.MANAGER, cls=owner.cls)
        if kind is Kind.INSTANCE and method in v.instance_twins:
            return Value(Kind.AWAITABLE, model=owner.model, function=f"Model.{method}", producer=call)
        if kind is Kind.CACHE and method in v.cache_twins:
            return Value(Kind.AWAITABLE, function=f"cache.{method}", producer=call)
        if kind is Kind.SIGNAL and method in v.signal_twins:
            return Value(Kind.AWAITABLE, function=f"Signal.{method}", producer=call)
        if kind is Kind.REQUEST and method == "auser":
            return Value(Kind.AWAITABLE, function="HttpRequest.auser", producer=call)
        if kind in (Kind.OBJECT, Kind.CLASS, Kind.INSTANCE, Kind.MODEL) and (owner.cls or owner.model):
            # the project's own method (a model's classmethod, an instance's method): what it returns
            qual = self.a.method_of(owner.cls or owner.model or "", method)
            if qual is not None:
                return self._function_result(qual, call, scope)
        return None

    def _sync_query_result(self, owner: Value, method: str, call: ast.Call) -> Value | None:
        """The (sync) result of a DB-hitting QuerySet method: an instance or a pair."""
        if not owner.rows and owner.kind is Kind.QUERYSET:
            return None
        twin = self.v.queryset_db.get(method, {})
        twin_name = twin.get("twin") if isinstance(twin, dict) else None
        if twin_name in self.v.instance_results:
            return Value(Kind.INSTANCE, model=owner.model, loaded=owner.loaded, loaded_all=owner.loaded_all,
                         origin=Origin.QUERY, producer=call)
        if twin_name in self.v.pair_results:
            return Value(Kind.PAIR, model=owner.model, loaded=owner.loaded, loaded_all=owner.loaded_all,
                         origin=Origin.QUERY, producer=call)
        return None

    def _custom_method(self, owner: Value, method: str, call: ast.Call, scope: FunctionInfo) -> Value | None:
        """A method of a project manager / QuerySet class: what it returns, with the model filled in."""
        assert owner.cls is not None
        qual = self.a.method_of(owner.cls, method)
        if qual is None:
            return None
        result = self._function_result(qual, call, scope)
        if result is not None and result.kind in (Kind.QUERYSET, Kind.INSTANCE, Kind.PAIR, Kind.MANAGER) \
                and result.model is None and owner.model is not None:
            result = replace(result, model=owner.model)
        return result

    def _await(self, node: ast.Await, scope: FunctionInfo) -> Value | None:
        inner = node.value
        awaited = self.of(inner, scope)
        if awaited is None or awaited.kind is not Kind.AWAITABLE:
            return None
        function = awaited.function or ""
        if function in self.v.instance_shortcuts and awaited.item is not None:
            return replace(awaited.item, producer=inner)
        if function.startswith("QuerySet.") and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            owner = self.of(inner.func.value, scope)
            if owner is None or owner.kind not in QUERY_SOURCES:
                return None
            if owner.kind is Kind.QUERYSET and not owner.rows:
                return None
            method = inner.func.attr
            base = dict(model=owner.model, loaded=owner.loaded if owner.kind is Kind.QUERYSET else frozenset(),
                        loaded_all=owner.loaded_all if owner.kind is Kind.QUERYSET else False,
                        origin=Origin.QUERY, producer=inner)
            if method in self.v.instance_results:
                return Value(Kind.INSTANCE, **base)  # type: ignore[arg-type]  # base: the fields' values of mixed types
            if method in self.v.pair_results:
                return Value(Kind.PAIR, **base)  # type: ignore[arg-type]  # base: the fields' values of mixed types
            return None
        if "." in function and not function.startswith(("Model.", "cache.", "Signal.", "HttpRequest.")):
            return self._awaited_function(function)
        return None

    def _awaited_function(self, qual: str) -> Value | None:
        """The result of awaiting a coroutine of a project function: what it returns."""
        local = self.a.local_function(qual)
        if local is not None:
            return self.a.function_model.returns(local)
        if not self.project.has_function(qual):
            return None
        return self.dereference(Value(Kind.AWAIT_OF, function=qual))

    def _subscript(self, node: ast.Subscript, scope: FunctionInfo) -> Value | None:
        if isinstance(node.value, (ast.Name, ast.Attribute)) and self.a.qualify(node.value) in self.v.cache_registries:
            return Value(Kind.CACHE)  # ``caches["default"]``
        inner = self.of(node.value, scope)
        if inner is None:
            return None
        if inner.kind is Kind.QUERYSET:
            if isinstance(node.slice, ast.Slice):
                return inner
            if int_constant(node.slice) is not None and inner.rows:
                return Value(Kind.INSTANCE, model=inner.model, loaded=inner.loaded, loaded_all=inner.loaded_all,
                             origin=Origin.QUERY, producer=node)
            return None
        if inner.kind is Kind.PAIR and int_constant(node.slice) == 0:
            return replace(inner, kind=Kind.INSTANCE)
        if inner.kind is Kind.SEQUENCE and int_constant(node.slice) is not None:
            return inner.item
        if inner.kind is Kind.SEQUENCE and isinstance(node.slice, ast.Slice) and inner.item is not None:
            return Value(Kind.SEQUENCE, item=inner.item)  # ``rows[i : i + 40]``: a list of the same items
        return None

    # -- functions ---------------------------------------------------------------------------
    def function_value(self, fn: FunctionInfo) -> Value | None:
        """What the name a ``def`` binds is, after its decorators."""
        return self.a.function_model.facts(fn).value

    def _summary_function_value(self, qual: str) -> Value | None:
        """Another module's function: plain when summarising; a bridged one when checking."""
        if not self.deep:
            return Value(Kind.FUNCTION, function=qual)
        shape = self.project.function_shape(qual)
        if shape is None:
            return None
        return Value(Kind.THREADED if shape.threaded else Kind.FUNCTION, function=qual)

    def callee_name(self, expr: ast.expr | None, scope: FunctionInfo) -> str | None:
        """The qualified name of the function ``expr`` refers to (``f``, ``self.m``,
        ``obj.m`` on an object of known class, ``Model.objects.custom``), or None."""
        if isinstance(expr, (ast.Name, ast.Attribute)):
            return self.a.resolve_callable(expr, scope)
        return None

def _last_name(expr: ast.AST) -> str | None:
    """``pkg.sync_to_async`` -> ``sync_to_async``; ``partial(sync_to_async, ...)`` and
    ``sync_to_async(thread_sensitive=False)`` -> ``sync_to_async``."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call):
        inner = _last_name(expr.func)
        if inner == "partial" and expr.args:
            return _last_name(expr.args[0])
        return inner
    return None
