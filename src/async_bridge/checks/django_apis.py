"""ABR205-ABR208, ABR210: sync-only Django APIs (other than the ORM) used from async code.

ABR205 ``request.user`` / ``request.session[...]`` in an async view,
ABR206 ``sync_to_async(f(x))`` (the call already ran), ABR207 ``transaction.atomic``
on or in an ``async def``, ABR208 shortcuts/auth/cache/signal calls with async twins,
ABR210 ``DJANGO_ALLOW_ASYNC_UNSAFE`` written from code. Names, twins and versions
come from ``rules/knowledge/django_apis.yaml``; the sentences from the rule YAML.
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis import facts
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from .base import Check, register

_NESTED_SYNC = (ast.FunctionDef, ast.Lambda, ast.ClassDef)


def _source(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_request(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _bridge_argument(analysis, node: ast.AST) -> bool:
    """``sync_to_async(f)(..., node, ...)``: the value is handed to a worker thread."""
    parent = parent_of(node)
    if isinstance(parent, ast.keyword):
        parent = parent_of(parent)
    if not isinstance(parent, ast.Call) or parent.func is node:
        return False
    wrapper = parent.func
    return isinstance(wrapper, ast.Call) and facts.is_bridge(analysis, wrapper.func)


# -- ABR205 ---------------------------------------------------------------------------

@register
class RequestUserInAsync(Check):
    """``request.user`` and ``request.session[...]`` reads in an ``async def`` taking ``request``."""

    codes = ("ABR205",)
    nodes = (ast.AsyncFunctionDef,)

    def visit(self, node: ast.AsyncFunctionDef, scope: FunctionInfo):
        fn = self.analysis.function_at(node)
        if fn is None or "request" not in fn.params() or not self._django_request(fn):
            return
        user_reads, session_reads, user_stores, session_loaded = self._scan(node)
        if user_reads is None:
            return  # ``request`` rebound in the body: unknown
        k = self.knowledge
        texts = k.mapping("abr205_texts")
        user_twin = k.mapping("request_user_twin")
        has_auser = django_version.has_twin(self.settings, user_twin.get("since"))
        for attr in user_reads:
            if any(store < (attr.lineno, attr.col_offset) for store in user_stores):
                continue  # request.user was replaced by a resolved user first
            if _bridge_argument(self.analysis, attr):
                continue
            yield self.finding(
                "ABR205", attr,
                fix={"replacement": "(await request.auser())"} if has_auser else None,
                expr="request.user", function=node.name, why=texts.get("user_why", ""),
                instead=texts.get("user_twin" if has_auser else "user_bridge", ""),
            )
        session_twin = k.mapping("request_session_twin")
        has_aget = django_version.has_twin(self.settings, session_twin.get("since"))
        for attr, shown in session_reads:
            if any(load < (attr.lineno, attr.col_offset) for load in session_loaded):
                continue  # the session was loaded asynchronously before: reads hit its cache
            if _bridge_argument(self.analysis, attr):
                continue
            yield self.finding(
                "ABR205", attr, expr=shown, function=node.name, why=texts.get("session_why", ""),
                instead=texts.get("session_twin" if has_aget else "session_bridge", ""),
            )

    def _django_request(self, fn: FunctionInfo) -> bool:
        a, k = self.analysis, self.knowledge
        annotation = fn.param_annotation("request")
        if annotation is not None:
            target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
            if a.qualify(target) in k.names("non_django_request_types"):
                return False
        for dec in fn.node.decorator_list:
            if a.qualify(decorator_target(dec)) in k.names("user_preloading_view_decorators"):
                return False
        if fn.cls is not None and a.class_derives(fn.cls, k.names("user_preloading_view_bases")):
            return False
        packages = k.names("django_ecosystem_packages")
        return any(m.split(".", 1)[0] in packages for m in a.imports.modules)

    def _scan(self, fn_node: ast.AsyncFunctionDef):
        """Reads of request.user / request.session in this async body (nested sync defs excluded)."""
        user_reads: list[ast.Attribute] = []
        session_reads: list[tuple[ast.Attribute, str]] = []
        user_stores: list[tuple[int, int]] = []
        session_loaded: list[tuple[int, int]] = []
        stack = list(reversed(fn_node.body))
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind in _NESTED_SYNC:
                if kind is not ast.ClassDef:
                    self._nested_use(node, user_stores, session_loaded)
                continue
            if kind is ast.AsyncFunctionDef:
                args = node.args
                if any(a.arg == "request" for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
                    continue  # its own candidate
            elif kind is ast.Name:
                if node.id == "request" and not isinstance(node.ctx, ast.Load):
                    return None, None, None, None
                continue
            elif kind is ast.Attribute and _is_request(node.value, "request"):
                if node.attr == "user":
                    if isinstance(node.ctx, ast.Load):
                        user_reads.append(node)
                    else:
                        user_stores.append((node.lineno, node.col_offset))
                    continue
                if node.attr == "session" and isinstance(node.ctx, ast.Load):
                    parent = parent_of(node)
                    if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load):
                        session_reads.append((node, "request.session[...]"))
                    elif isinstance(parent, ast.Attribute) and parent.value is node:
                        grand = parent_of(parent)
                        if parent.attr == "get" and isinstance(grand, ast.Call) and grand.func is parent:
                            session_reads.append((node, "request.session.get()"))
                        elif parent.attr.startswith("a") and isinstance(grand, ast.Call) and isinstance(
                            parent_of(grand), ast.Await
                        ):
                            session_loaded.append((node.lineno, node.col_offset))
                        elif isinstance(grand, ast.Call) and parent in grand.args and facts.is_bridge(
                            self.analysis, grand.func
                        ):
                            session_loaded.append((node.lineno, node.col_offset))  # sync_to_async(request.session.get)
                    continue
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
        return user_reads, session_reads, user_stores, session_loaded

    @staticmethod
    def _nested_use(nested: ast.AST, user_resolved: list, session_loaded: list) -> None:
        """A nested sync def/lambda (run in a thread) that evaluates request.user or reads the session.

        ``await sync_to_async(lambda: request.user.is_authenticated)()`` resolves the lazy user, so
        later reads in the loop are served from its cache; the same for a session loaded there.
        """
        where = (nested.lineno, nested.col_offset)
        for node in ast.walk(nested):
            if type(node) is ast.Attribute and _is_request(node.value, "request"):
                if node.attr == "user":
                    parent = parent_of(node)
                    if isinstance(parent, ast.Attribute) or (
                        isinstance(parent, ast.Call) and node in parent.args
                        and isinstance(parent.func, ast.Name) and parent.func.id in ("bool", "str")
                    ):
                        user_resolved.append(where)
                elif node.attr == "session":
                    session_loaded.append(where)


# -- ABR206 ---------------------------------------------------------------------------

@register
class EagerSyncToAsync(Check):
    """``sync_to_async(f(x))``: the call runs here and its (non-callable) result is wrapped."""

    codes = ("ABR206",)
    nodes = (ast.Call,)

    def visit(self, call: ast.Call, scope: FunctionInfo):
        # plain function, () on the common path: this sees every call of the module
        args = call.args
        if args:
            inner = args[0]
            if type(inner) is not ast.Call:
                return ()
        else:
            if not call.keywords:
                return ()
            inner = next((kw.value for kw in call.keywords if kw.arg == "func"), None)
            if type(inner) is not ast.Call:
                return ()
        if not facts.is_bridge(self.analysis, call.func):
            return ()
        return self._report(call, inner, scope)

    def _report(self, call: ast.Call, inner: ast.Call, scope: FunctionInfo):
        result = self._result_kind(inner, scope)
        if result is None:
            return
        callee = _source(inner.func, 40)
        arguments = ", ".join(_source(a, 30) for a in [*inner.args, *inner.keywords])
        bridge = _source(call.func, 30)
        texts = self.knowledge.mapping("abr206_texts")
        yield self.finding(
            "ABR206", inner, fix={"kind": "uncall"},
            bridge=bridge, call=f"{callee}(...)", result=texts.get(result, ""),
            where=texts.get("where_async" if scope.is_async else "where_sync", ""),
            suggestion=f"{bridge}({callee})({arguments})",
        )

    def _result_kind(self, inner: ast.Call, scope: FunctionInfo) -> str | None:
        """'value' / 'coroutine' when the call's result is known not to be callable, else None."""
        a, k = self.analysis, self.knowledge
        func = inner.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        qual = a.qualify(func)
        if qual in k.names("callable_factories"):
            return None
        if qual in k.names("non_callable_results") or qual in k.mapping("django_sync_functions"):
            if isinstance(func, ast.Name) and _locally_bound(func.id, scope):
                return None
            return "value"
        if isinstance(func, ast.Attribute):
            method = func.attr
            chain = facts.attr_chain(func.value)
            managers = k.names("manager_attributes")
            if any(name in managers for name in chain[1:]) and (
                method in k.mapping("queryset_db_methods") or method in k.names("queryset_lazy_methods")
            ):
                return "value"
            if method in k.names("non_callable_methods"):
                return "value"
            if _django_api_call(a, k, inner, {}) is not None:
                return "value"
        target = a.resolve_callable(func, scope)
        if target is None:
            return None
        local = a.local_function(target)
        if local is not None:
            return _local_result_kind(a, local)
        summary = a.index.function(target) if "." in target else None
        if summary is not None and summary.is_async:
            return "coroutine"
        return None


def _locally_bound(name: str, scope: FunctionInfo) -> bool:
    current: FunctionInfo | None = scope
    while current is not None:
        if name in current.params():
            return True
        current = current.parent
    return False


def _local_result_kind(analysis, fn: FunctionInfo) -> str | None:
    """What calling a function of this module returns: 'coroutine', 'value' (never callable) or None."""
    cached = getattr(fn, "_abr_result_kind", False)
    if cached is not False:
        return cached
    result = None
    node = fn.node
    if fn.is_lambda or node is None:
        result = None
    elif node.decorator_list:
        if any(facts.is_bridge(analysis, decorator_target(d)) for d in node.decorator_list):
            result = "coroutine"  # @sync_to_async def f(): calling it makes a coroutine
    elif fn.is_async:
        result = "coroutine"
    elif _returns_plain_values(node):
        result = "value"
    fn._abr_result_kind = result
    return result


_PLAIN_VALUES = (
    ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp,
    ast.DictComp, ast.SetComp, ast.Compare, ast.UnaryOp,
)


def _returns_plain_values(fn_node: ast.FunctionDef) -> bool:
    """Every ``return`` in its own body returns nothing or a literal-like value (or it is a generator)."""
    stack = list(fn_node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*_NESTED_SYNC, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True  # a generator object is not callable
        if isinstance(node, ast.Return):
            if node.value is not None and not isinstance(node.value, _PLAIN_VALUES):
                return False
        stack.extend(ast.iter_child_nodes(node))
    return True


# -- ABR207 ---------------------------------------------------------------------------

@register
class AtomicInAsync(Check):
    """``transaction.atomic`` as a decorator of, or a ``with`` item in, an ``async def``."""

    codes = ("ABR207",)
    nodes = (ast.AsyncFunctionDef, ast.With, ast.AsyncWith)

    def visit(self, node: ast.AST, scope: FunctionInfo):
        atomic = self.knowledge.names("django_atomic")
        texts = self.knowledge.mapping("abr207_texts")
        q = self.analysis.qualify
        if isinstance(node, ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                if q(decorator_target(dec)) in atomic:
                    yield self.finding("ABR207", dec, how=texts.get("decorator", ""), function=node.name,
                                       detail=texts.get("decorator_detail", ""))
            return
        if isinstance(node, ast.With) and not scope.is_async:
            return
        for item in node.items:
            expr = item.context_expr
            target = expr.func if isinstance(expr, ast.Call) else expr
            if isinstance(target, (ast.Name, ast.Attribute)) and q(target) in atomic:
                how = "async_with" if isinstance(node, ast.AsyncWith) else "with"
                yield self.finding("ABR207", expr, how=texts.get(how, ""), function=scope.name,
                                   detail=texts.get(how + "_detail", ""))


# -- ABR208 ---------------------------------------------------------------------------

def _django_api_call(analysis, k, call: ast.Call, signals: dict) -> tuple[str, dict, str] | None:
    """(kind, twin info, owner text) when ``call`` is a sync-only Django API with a twin."""
    func = call.func
    if isinstance(func, ast.Name):
        info = k.mapping("django_sync_functions").get(analysis.qualify(func))
        return ("function", info, "") if isinstance(info, dict) else None
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    owner = func.value
    cache_info = k.mapping("django_cache_methods").get(method)
    if isinstance(cache_info, dict):
        if isinstance(owner, ast.Subscript):
            if analysis.qualify(owner.value) in k.names("django_cache_registries"):
                return "cache", cache_info, _source(owner, 40)
        elif analysis.qualify(owner) in k.names("django_cache_objects"):
            return "cache", cache_info, _source(owner, 40)
    signal_info = k.mapping("django_signal_methods").get(method)
    if isinstance(signal_info, dict):
        if analysis.qualify(owner) in k.names("django_signals") or (
            isinstance(owner, ast.Name) and owner.id in signals
        ):
            return "signal", signal_info, _source(owner, 40)
    info = k.mapping("django_sync_functions").get(analysis.qualify(func))
    if isinstance(info, dict):
        return "function", info, ""
    return None


@register
class SyncDjangoApiInAsync(Check):
    """get_object_or_404, authenticate/login/logout, cache and Signal.send in ``async def``."""

    codes = ("ABR208",)
    nodes = (ast.Call,)
    scopes = "async"

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._signals: dict | None = None

    def visit(self, call: ast.Call, scope: FunctionInfo):
        if not scope.is_async or not isinstance(call.func, (ast.Name, ast.Attribute)):
            return ()
        return self._report(call, scope)

    def _report(self, call: ast.Call, scope: FunctionInfo):
        func = call.func
        a, k = self.analysis, self.knowledge
        found = _django_api_call(a, k, call, self._module_signals())
        if found is None:
            return
        parent = parent_of(call)
        if isinstance(parent, ast.Call) and call in parent.args and facts.is_bridge(a, parent.func):
            return  # sync_to_async(get_object_or_404(...)): ABR206 reports it
        kind, info, owner = found
        texts = k.mapping("abr208_texts")
        api = _source(func, 50)
        twin = info.get("twin", "")
        since = info.get("since")
        if django_version.has_twin(self.settings, since):
            if kind == "function":
                instead = f"`await {twin}(...)` (from {info.get('module', 'django')}, Django {since}+)"
                fix = {"twin": twin, "module": info.get("module")}
            else:
                instead = f"`await {owner}.{twin}(...)` (Django {since}+)"
                fix = {"twin": twin}
        else:
            instead = f"`await sync_to_async({api})(...)` (the {twin}() twin needs Django {since})"
            fix = None
        why = texts.get(info.get("why") or kind, "")
        yield self.finding("ABR208", call, fix=fix, api=f"{api}()", function=scope.name, why=why, instead=instead)

    def _module_signals(self) -> dict:
        """Module-level names bound to ``Signal()``: ``order_paid = Signal()``."""
        if self._signals is None:
            signals: dict = {}
            classes = self.knowledge.names("django_signal_classes")
            for node, scope in self.analysis.nodes(ast.Assign):
                if not scope.is_module or not isinstance(node.value, ast.Call):
                    continue
                if self.analysis.qualify(node.value.func) in classes:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            signals[target.id] = node.lineno
            self._signals = signals
        return self._signals


# -- ABR210 ---------------------------------------------------------------------------

_ENV_METHODS = frozenset({"setdefault", "update", "__setitem__", "putenv", "setenv"})


@register
class AsyncUnsafeGuardDisabled(Check):
    """DJANGO_ALLOW_ASYNC_UNSAFE written to the environment from code."""

    codes = ("ABR210",)
    nodes = (ast.Assign, ast.AugAssign, ast.Call)

    def visit(self, node: ast.AST, scope: FunctionInfo):
        # a plain function returning () on the common path: this sees every call and assignment
        kind = type(node)
        if kind is ast.Call:
            func = node.func
            if type(func) is not ast.Attribute or func.attr not in _ENV_METHODS:
                return ()
            return self._call(node, func)
        if kind is ast.Assign:
            if not any(type(t) is ast.Subscript for t in node.targets) or _empty(node.value):
                return ()  # an empty value leaves the guard on
            names = self.knowledge.names("async_unsafe_env_var")
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _const_in(target.slice, names) and self._environ(target.value):
                    return (self._finding(node),)
            return ()
        if isinstance(node.op, ast.BitOr) and self._environ(node.target):  # os.environ |= {...}
            if _dict_sets(node.value, self.knowledge.names("async_unsafe_env_var")):
                return (self._finding(node),)
        return ()

    def _call(self, node: ast.Call, func: ast.Attribute):
        k = self.knowledge
        names = k.names("async_unsafe_env_var")
        first = node.args[0] if node.args else None
        if len(node.args) > 1 and _empty(node.args[1]):
            return ()  # setdefault/putenv/setenv(NAME, ""): an empty value leaves the guard on
        method = func.attr
        if method == "update":
            hit = self._environ(func.value) and (
                _dict_sets(first, names) or any(kw.arg in names and not _empty(kw.value) for kw in node.keywords)
            )
        elif not _const_in(first, names):
            hit = False
        elif method == "putenv":
            hit = self.analysis.qualify(func) in k.names("environ_setters")
        elif method == "setenv":
            # pytest's monkeypatch.setenv writes os.environ too
            owner = func.value
            hit = isinstance(owner, ast.Name) and owner.id.endswith("monkeypatch")
        else:
            hit = self._environ(func.value)
        return (self._finding(node),) if hit else ()

    def _environ(self, expr: ast.expr) -> bool:
        return self.analysis.qualify(expr) in self.knowledge.names("environ_objects")

    def _finding(self, node: ast.AST):
        return self.finding("ABR210", node)


def _const_in(node: ast.AST | None, names: frozenset[str]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names


def _empty(node: ast.AST | None) -> bool:
    """Django checks the variable's truthiness: ``""`` does not disable the guard."""
    return isinstance(node, ast.Constant) and node.value == ""


def _dict_sets(node: ast.AST | None, names: frozenset[str]) -> bool:
    if isinstance(node, ast.Dict):
        return any(_const_in(key, names) and not _empty(value) for key, value in zip(node.keys, node.values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return any(kw.arg in names and not _empty(kw.value) for kw in node.keywords)
    return False
