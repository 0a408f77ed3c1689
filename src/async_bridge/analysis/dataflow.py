"""Local dataflow for the Django ORM rules: what a name holds inside one function.

Computed lazily, per function, only when a check asks (``flow_of``). A name holds a
model class, a manager, a QuerySet (with its ``select_related`` paths), a related
manager, or a model instance (from ``aget``/``afirst``/``acreate``/...,
``aget_or_create`` unpacked, ``async for`` targets, async comprehension targets,
a model constructor, a parameter annotated with a model, ``self`` in a model's
method). Only straight-line bindings are followed: a name bound in a branch the
use does not sit in, re-bound inside a loop around the use, or bound by anything
else (``with``, ``except``, ``global``, augmented assignment, ...) is unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .scopes import FunctionInfo
from .walker import parent_of

if TYPE_CHECKING:
    from .module import ModuleAnalysis

MODEL = "model"  # the model class itself
MANAGER = "manager"
QUERYSET = "queryset"
RELATED = "related_manager"
INSTANCE = "instance"
PAIR = "pair"  # (instance, created)

# origins of an instance
QUERY = "query"
PARAM = "param"
NEW = "new"
SELF = "self"

ALL = None  # select paths: everything may be loaded (select_related() without args)

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


@dataclass(frozen=True)
class Value:
    kind: str
    model: str | None = None  # qualified model name, None when unknown
    select: frozenset[str] | None = frozenset()  # loaded relation paths; ALL = unknown/everything
    origin: str = ""
    producer: ast.AST | None = None  # the query call that produced an instance
    rows: bool = True  # a QuerySet whose rows are model instances (not values())


@dataclass(eq=False)
class Binding:
    name: str
    pos: tuple[int, int]  # where the binding takes effect
    stmt: ast.AST | None  # statement that binds (None: parameter)
    value: object  # an expression to evaluate, a Value, or None (unknown)
    loop_target: bool = False  # bound as a for / async for target


def position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def end_position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def flow_of(analysis: "ModuleAnalysis", fn: FunctionInfo) -> "FunctionFlow":
    flow = getattr(fn, "_abr_flow", None)
    if flow is None:
        flow = FunctionFlow(analysis, fn)
        fn._abr_flow = flow
    return flow


class FunctionFlow:
    def __init__(self, analysis: "ModuleAnalysis", fn: FunctionInfo) -> None:
        self.a = analysis
        self.fn = fn
        self.k = analysis.knowledge
        self.models = analysis.index.models
        self.bindings: dict[str, list[Binding]] = {}
        self.opaque: set[str] = set()  # global / nonlocal: never followed
        self._memo: dict[int, Value | None] = {}
        self._depth = 0
        if fn.node is not None:
            self._collect()

    # -- bindings ----------------------------------------------------------------
    def _add(self, name: str, pos, stmt, value, loop_target: bool = False) -> None:
        self.bindings.setdefault(name, []).append(Binding(name, pos, stmt, value, loop_target))

    def _collect(self) -> None:
        node = self.fn.node
        if isinstance(node, ast.Lambda):
            self._params(node)
            return
        self._params(node)
        stack = list(reversed(node.body))
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                self._add(current.name, end_position(current), current, None)
                for dec in current.decorator_list:
                    stack.append(dec)
                continue
            if kind is ast.Lambda:
                continue
            if kind in _COMPS:
                # comprehension targets are local to it; walrus inside binds here
                for gen in current.generators:
                    stack.append(gen.iter)
                    stack.extend(gen.ifs)
                stack.extend(
                    [current.key, current.value] if kind is ast.DictComp else [current.elt]
                )
                continue
            if kind is ast.Assign:
                for target in current.targets:
                    self._bind_target(target, current, current.value)
            elif kind is ast.AnnAssign:
                if current.value is not None:
                    self._bind_target(current.target, current, current.value)
            elif kind is ast.NamedExpr:
                current.target._abr_bound = True
                self._add(current.target.id, end_position(current), _statement_of(current), current.value)
            elif kind in (ast.For, ast.AsyncFor):
                self._bind_loop(current)
            elif kind in (ast.Global, ast.Nonlocal):
                self.opaque.update(current.names)
            elif kind is ast.ExceptHandler and current.name:
                self._add(current.name, position(current), current, None)
            elif kind in (ast.Import, ast.ImportFrom):
                for alias in current.names:
                    self._add((alias.asname or alias.name).split(".")[0], end_position(current), current, None)
            elif kind is ast.Name and type(current.ctx) is not ast.Load:
                # any other store/del (augmented assignment, with-as, del, ...) is unknown
                if not getattr(current, "_abr_bound", False):
                    self._add(current.id, position(current), _statement_of(current), None)
            elif kind in (ast.MatchAs, ast.MatchStar) and current.name:
                self._add(current.name, position(current), current, None)
            elif kind is ast.MatchMapping and current.rest:
                self._add(current.rest, position(current), current, None)
            stack.extend(reversed(list(ast.iter_child_nodes(current))))

    def _params(self, node) -> None:
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            self._add(args.vararg.arg, (0, 0), None, None)
        if args.kwarg:
            self._add(args.kwarg.arg, (0, 0), None, None)
        for number, arg in enumerate(every):
            value = None
            if arg.annotation is not None:
                value = self._annotation_value(arg.annotation)
            elif number == 0 and arg.arg == "self" and self.fn.cls is not None:
                model = self.a.full_name(self.fn.cls.qualname)
                if self.models.is_model(model):
                    value = Value(INSTANCE, model=model, select=ALL, origin=SELF)
            self._add(arg.arg, (0, 0), None, value)

    def _annotation_value(self, ann: ast.expr) -> Value | None:
        ann = _strip_optional(ann)
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
            ann = _strip_optional(ann)
            if not isinstance(ann, (ast.Name, ast.Attribute)):
                return None
        if isinstance(ann, ast.Subscript):
            base = ann.value
            if self.a.qualify(base) in self.k.names("queryset_types"):
                return Value(QUERYSET, select=frozenset(), origin=PARAM)
            return None
        if not isinstance(ann, (ast.Name, ast.Attribute)):
            return None
        qual = self.a.qualify(ann)
        if qual in self.k.names("queryset_types"):
            return Value(QUERYSET, select=frozenset(), origin=PARAM)
        if qual and "." in qual and self.models.is_model(qual):
            return Value(INSTANCE, model=qual, select=frozenset(), origin=PARAM)
        return None

    def _bind_target(self, target: ast.expr, stmt: ast.AST, value: ast.expr) -> None:
        pos = end_position(stmt)
        if isinstance(target, ast.Name):
            target._abr_bound = True
            self._add(target.id, pos, stmt, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for number, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name):
                    elt._abr_bound = True
                    self._add(elt.id, pos, stmt, ("item", number, value) if len(target.elts) == 2 else None)

    def _bind_loop(self, loop) -> None:
        target = loop.target
        pos = end_position(loop.iter)
        if isinstance(target, ast.Name):
            target._abr_bound = True
            value = ("iter", loop.iter) if isinstance(loop, ast.AsyncFor) else None
            self._add(target.id, pos, loop, value, loop_target=True)

    # -- lookups -----------------------------------------------------------------
    def value_of(self, expr: ast.expr) -> Value | None:
        key = id(expr)
        if key in self._memo:
            return self._memo[key]
        if self._depth > 40:
            return None
        self._memo[key] = None  # cycle guard
        self._depth += 1
        try:
            result = self._evaluate(expr)
        finally:
            self._depth -= 1
        self._memo[key] = result
        return result

    def _evaluate(self, expr: ast.expr) -> Value | None:
        if isinstance(expr, ast.Name):
            return self._name(expr)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr)
        if isinstance(expr, ast.Call):
            return self._call(expr)
        if isinstance(expr, ast.Await):
            return self._await(expr.value)
        if isinstance(expr, ast.Subscript):
            inner = self.value_of(expr.value)
            if inner is not None and inner.kind == QUERYSET and isinstance(expr.slice, ast.Slice):
                return inner
            if inner is not None and inner.kind == PAIR and _int_constant(expr.slice) == 0:
                return replace(inner, kind=INSTANCE)
            return None
        return None

    def _name(self, node: ast.Name) -> Value | None:
        name = node.id
        comp = self._comprehension_binding(node)
        if comp is not None:
            return comp if isinstance(comp, Value) else None
        if name in self.opaque:
            return None
        bindings = self.bindings.get(name)
        if not bindings:
            return self._global_name(node)
        use = position(node)
        before = [b for b in bindings if b.pos <= use]
        if not before:
            return None
        chosen = max(before, key=lambda b: b.pos)
        if not self._dominates(chosen, node):
            return None
        if any(b is not chosen and chosen.pos < b.pos <= use for b in bindings):
            return None
        if self._rebound_in_loop(bindings, node, use, chosen):
            return None
        return self._binding_value(chosen)

    def _global_name(self, node: ast.Name) -> Value | None:
        if node.id in ("self", "cls"):
            return None
        qual = self.a.qualify(node)
        if qual is None:
            return None
        if "." not in qual:
            getter = self._module_assigned_model(node.id)
            return getter
        if self.models.is_model(qual):
            return Value(MODEL, model=qual)
        return None

    def _module_assigned_model(self, name: str) -> Value | None:
        """``User = get_user_model()`` at module level."""
        cache = getattr(self.a, "_abr_user_models", None)
        if cache is None:
            cache = set()
            getters = self.k.names("user_model_getters")
            for node, scope in self.a.nodes(ast.Assign):
                if scope.is_module and isinstance(node.value, ast.Call) and self.a.qualify(node.value.func) in getters:
                    cache.update(t.id for t in node.targets if isinstance(t, ast.Name))
            self.a._abr_user_models = cache
        return Value(MODEL, model=None) if name in cache else None

    def _binding_value(self, binding: Binding) -> Value | None:
        value = binding.value
        if value is None or isinstance(value, Value):
            return value
        if isinstance(value, tuple):
            if value[0] == "item":
                _, number, expr = value
                inner = self.value_of(expr)
                if inner is not None and inner.kind == PAIR and number == 0:
                    return replace(inner, kind=INSTANCE)
                return None
            if value[0] == "iter":
                return self.iterated(value[1], asynchronous=True)
            return None
        return self.value_of(value)

    def iterated(self, expr: ast.expr, asynchronous: bool) -> Value | None:
        """The value of one row of ``async for x in expr``."""
        if not asynchronous:
            return None
        source = self.value_of(expr)
        if source is None or source.kind not in (QUERYSET, MANAGER, RELATED) or not source.rows:
            return None
        if source.kind != QUERYSET:
            return None  # a manager is not iterable
        return Value(INSTANCE, model=source.model, select=source.select, origin=QUERY, producer=expr)

    def _comprehension_binding(self, node: ast.Name):
        """The value of a comprehension variable (False: bound there but unknown)."""
        child: ast.AST = node
        current = parent_of(node)
        while current is not None and current is not self.fn.node:
            if isinstance(current, _COMPS):
                for gen in current.generators:
                    if child is gen.iter and gen is current.generators[0]:
                        continue  # the first iterable runs in the enclosing scope
                    if _binds(gen.target, node.id):
                        if isinstance(gen.target, ast.Name):
                            value = self.iterated(gen.iter, bool(gen.is_async))
                            return value if value is not None else False
                        return False
            if isinstance(current, ast.comprehension):
                child = current
                current = parent_of(current)
                continue
            child = current
            current = parent_of(current)
        return None

    def _dominates(self, binding: Binding, use: ast.AST) -> bool:
        stmt = binding.stmt
        if stmt is None:
            return True
        holder = parent_of(stmt)
        block = _block_containing(holder, stmt)
        if block is None:
            return False
        # ``try: x = ... except E: return`` binds x for the code after the try
        while isinstance(holder, ast.Try) and block is holder.body and not _inside(use, holder.body) \
                and all(h.body and isinstance(h.body[-1], _EXITS) for h in holder.handlers):
            stmt = holder
            holder = parent_of(stmt)
            block = _block_containing(holder, stmt)
            if block is None:
                return False
        node: ast.AST | None = use
        while node is not None and node is not self.fn.node:
            if node is stmt:
                if binding.loop_target:
                    return _inside(use, stmt.body)
                return False
            if parent_of(node) is holder:
                return node in block and block.index(node) > block.index(stmt)
            node = parent_of(node)
        return False

    def _rebound_in_loop(self, bindings, use_node: ast.AST, use, chosen: Binding) -> bool:
        loops = []
        node = parent_of(use_node)
        while node is not None and node is not self.fn.node:
            if isinstance(node, _LOOPS):
                loops.append(node)
            node = parent_of(node)
        if not loops:
            return False
        for b in bindings:
            if b is chosen or b.stmt is None or b.pos <= use:
                continue
            for loop in loops:
                if position(loop) <= b.pos <= end_position(loop):
                    return True
        return False

    # -- expressions ---------------------------------------------------------------
    def _attribute(self, node: ast.Attribute) -> Value | None:
        attr = node.attr
        managers = self.k.names("manager_attributes")
        if attr in ("_default_manager", "_base_manager"):
            owner = self.value_of(node.value)
            model = owner.model if owner is not None and owner.kind == MODEL else None
            return Value(MANAGER, model=model)
        owner = self.value_of(node.value)
        if owner is None:
            if isinstance(node.value, (ast.Name, ast.Attribute)) and attr[:1].isupper():
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in self.a.imports.names and root.id not in self.bindings:
                    qual = self.a.qualify(node)  # ``models.Order`` through a module import
                    if qual and self.models.is_model(qual):
                        return Value(MODEL, model=qual)
            return None
        if owner.kind == MODEL and attr in managers:
            return Value(MANAGER, model=owner.model)
        if owner.kind == INSTANCE and owner.model:
            is_manager, target = self.models.related_manager(owner.model, attr)
            if is_manager:
                return Value(RELATED, model=target)
        return None

    def _call(self, call: ast.Call) -> Value | None:
        func = call.func
        if isinstance(func, ast.Attribute):
            owner = self.value_of(func.value)
            if owner is not None and owner.kind in (MANAGER, QUERYSET, RELATED):
                return self._queryset_method(owner, func.attr, call)
            if owner is None or owner.kind != MODEL:
                return self._constructor(call)
            return None
        if isinstance(func, ast.Name):
            if self.a.qualify(func) in self.k.names("user_model_getters"):
                return Value(MODEL, model=None)
            return self._constructor(call)
        return None

    def _constructor(self, call: ast.Call) -> Value | None:
        cls = self.value_of(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else None
        if cls is not None and cls.kind == MODEL:
            return Value(INSTANCE, model=cls.model, select=ALL, origin=NEW, producer=call)
        return None

    def _queryset_method(self, owner: Value, method: str, call: ast.Call) -> Value | None:
        if method not in self.k.names("queryset_lazy_methods"):
            return None
        select = owner.select if owner.kind == QUERYSET else frozenset()
        rows = owner.rows if owner.kind == QUERYSET else True
        if method in ("select_related", "prefetch_related"):
            select = _with_paths(select, call)
        elif method in self.k.names("queryset_row_methods"):
            rows = False
        return Value(QUERYSET, model=owner.model, select=select, rows=rows)

    def _await(self, inner: ast.expr) -> Value | None:
        if not isinstance(inner, ast.Call) or not isinstance(inner.func, ast.Attribute):
            return None
        owner = self.value_of(inner.func.value)
        if owner is None or owner.kind not in (MANAGER, QUERYSET, RELATED):
            return None
        if owner.kind == QUERYSET and not owner.rows:
            return None
        method = inner.func.attr
        select = owner.select if owner.kind == QUERYSET else frozenset()
        if method in self.k.names("instance_twins"):
            return Value(INSTANCE, model=owner.model, select=select, origin=QUERY, producer=inner)
        if method in self.k.names("instance_pair_twins"):
            return Value(PAIR, model=owner.model, select=select, origin=QUERY, producer=inner)
        return None


def _with_paths(select: frozenset[str] | None, call: ast.Call) -> frozenset[str] | None:
    if select is ALL:
        return ALL
    if not call.args:
        return ALL if not call.keywords else select
    paths = set(select)
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            parts = arg.value.split("__")
            for cut in range(1, len(parts) + 1):
                paths.add("__".join(parts[:cut]))
        else:
            return ALL  # Prefetch(...) objects, variables: cannot tell
    return frozenset(paths)


def _strip_optional(ann: ast.expr) -> ast.expr:
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


def _int_constant(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_constant(node.operand)
        return -inner if inner is not None else None
    return None


def is_integer_index(node: ast.AST) -> bool:
    return _int_constant(node) is not None


def _binds(target: ast.AST, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_binds(elt, name) for elt in target.elts)
    if isinstance(target, ast.Starred):
        return _binds(target.value, name)
    return False


def _statement_of(node: ast.AST) -> ast.AST | None:
    current = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parent_of(current)
    return current


def _block_containing(holder: ast.AST | None, stmt: ast.AST) -> list | None:
    if holder is None:
        return None
    for _name, value in ast.iter_fields(holder):
        if isinstance(value, list) and any(item is stmt for item in value):
            return value
    return None


def _inside(node: ast.AST, block: list) -> bool:
    current = node
    while current is not None:
        if any(current is item for item in block):
            return True
        current = parent_of(current)
    return False


# -- guards shared by the ORM rules ---------------------------------------------------

def in_bridge_argument(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    """``node`` sits in the arguments of ``sync_to_async(...)`` /
    ``database_sync_to_async(...)`` (or a declared alias): it is handed to a thread."""
    bridges = analysis.knowledge.names("sync_to_async")
    child = node
    current = parent_of(node)
    while current is not None and current is not scope.node:
        if isinstance(current, ast.Call) and child is not current.func and analysis.qualify(current.func) in bridges:
            return True
        if isinstance(current, ast.stmt):
            break
        child = current
        current = parent_of(current)
    return False


def expects_sync_error(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    """Inside ``with self.assertRaises(SynchronousOnlyOperation):`` / ``pytest.raises(...)``:
    the code provokes Django's guard on purpose."""
    errors = analysis.knowledge.names("sync_only_errors")
    current = parent_of(node)
    while current is not None and current is not scope.node:
        if isinstance(current, (ast.With, ast.AsyncWith)):
            for item in current.items:
                ctx = item.context_expr
                if isinstance(ctx, ast.Call) and any(_names_error(arg, errors) for arg in ctx.args):
                    return True
        current = parent_of(current)
    return False


def _names_error(expr: ast.expr, errors: frozenset[str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in errors
    if isinstance(expr, ast.Attribute):
        return expr.attr in errors
    if isinstance(expr, ast.Tuple):
        return any(_names_error(e, errors) for e in expr.elts)
    return False


def suppressed(analysis: "ModuleAnalysis", node: ast.AST, scope: FunctionInfo) -> bool:
    return in_bridge_argument(analysis, node, scope) or expects_sync_error(analysis, node, scope)
