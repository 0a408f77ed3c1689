"""ABR205: ``request.user`` / ``request.session[...]`` read in an async view.

The receiver must be a Django request (the value model: a ``request`` parameter in
Django code, a parameter annotated with a Django request type, ``self.request`` in a
class-based view); a FastAPI/Starlette ``Request`` is not. Twins come from
``rules/knowledge/django_apis.yaml``.
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis.contexts import decorator_target
from ..analysis.text import short
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..records.fix_hints import Replacement
from ..records.values import Kind
from ._django_common import NESTED_SYNC
from .base import Check, register

_Places = tuple[list[tuple[int, int]], list[tuple[int, int]]]  # (user resolved at, session loaded at)


@register
class RequestUserInAsync(Check):
    codes = ("ABR205",)
    nodes = (ast.Attribute,)
    scopes = "async"

    def __init__(self, analysis, settings) -> None:
        super().__init__(analysis, settings)
        self._places: dict[int, _Places] = {}

    def visit(self, node: ast.Attribute, scope: FunctionInfo):
        if node.attr not in ("user", "session") or not isinstance(node.ctx, ast.Load):
            return
        a = self.analysis
        if a.values.kind(node.value, scope) is not Kind.REQUEST or self._user_preloaded(scope):
            return
        if self._bridge_argument(node, scope):
            return
        owner = short(node.value, 30)
        resolved, session_loaded = self._scan(scope)
        where = (node.lineno, node.col_offset)
        k = self.knowledge
        if node.attr == "user":
            if any(place < where for place in resolved):
                return  # request.user was replaced, or resolved in a thread, before
            has_auser = django_version.has_twin(self.settings, k.mapping("request_user_twin").get("since"))
            instead = f"`await {owner}.auser()`" if has_auser else \
                f"`sync_to_async(get_user)({owner})` (auser() needs Django 5.0)"
            yield self.finding("ABR205", node, fix=Replacement(f"(await {owner}.auser())") if has_auser else None,
                               expr=f"{owner}.user", function=scope.name, instead=instead)
            return
        shown = self._session_read(node)
        if shown is None or any(place < where for place in session_loaded):
            return
        has_aget = django_version.has_twin(self.settings, k.mapping("request_session_twin").get("since"))
        instead = f"`await {owner}.session.aget(key)`" if has_aget else \
            f"`await sync_to_async({owner}.session.get)(key)` (`aget()` needs Django 5.1)"
        yield self.finding("ABR205", node, expr=shown.replace("request", owner, 1), function=scope.name,
                           instead=instead)

    def _user_preloaded(self, scope: FunctionInfo) -> bool:
        """adrf views resolve ``request.user`` in a thread before the handler runs."""
        a, k = self.analysis, self.knowledge
        node = scope.node
        for dec in getattr(node, "decorator_list", ()):
            if a.qualify(decorator_target(dec)) in k.names("user_preloading_view_decorators"):
                return True
        cls = scope.cls
        return cls is not None and a.class_derives(cls, k.names("user_preloading_view_bases"))

    def _bridge_argument(self, node: ast.AST, scope: FunctionInfo) -> bool:
        """``sync_to_async(f)(..., request.user, ...)``: the value is handed to a worker thread."""
        parent = parent_of(node)
        if isinstance(parent, ast.keyword):
            parent = parent_of(parent)
        if not isinstance(parent, ast.Call) or parent.func is node:
            return False
        wrapper = parent.func
        return isinstance(wrapper, ast.Call) and self.analysis.values.is_bridge(wrapper.func, scope)

    @staticmethod
    def _session_read(node: ast.Attribute) -> str | None:
        parent = parent_of(node)
        if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load):
            return "request.session[...]"
        if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr == "get":
            grand = parent_of(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                return "request.session.get()"
        return None

    def _scan(self, scope: FunctionInfo) -> _Places:
        """Where, in this body, ``request.user`` is replaced or resolved and the session loaded."""
        found = self._places.get(id(scope))
        if found is not None:
            return found
        resolved: list[tuple[int, int]] = []
        loaded: list[tuple[int, int]] = []
        for store in self.analysis.attribute_stores(scope):
            if store.attr == "user":
                resolved.append((store.lineno, store.col_offset))
        stack = list(getattr(scope.node, "body", ()))
        while stack:
            node = stack.pop()
            if isinstance(node, NESTED_SYNC):
                if not isinstance(node, ast.ClassDef):
                    self._nested_use(node, resolved, loaded)
                continue
            if isinstance(node, ast.AsyncFunctionDef):
                continue
            if isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.ctx, ast.Load):
                parent = parent_of(node)
                grand = parent_of(parent) if parent is not None else None
                if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr.startswith("a") \
                        and isinstance(grand, ast.Call) and isinstance(parent_of(grand), ast.Await):
                    loaded.append((node.lineno, node.col_offset))  # await request.session.aget(...)
                elif isinstance(parent, ast.Attribute) and isinstance(grand, ast.Call) and parent in grand.args \
                        and self.analysis.values.is_bridge(grand.func, scope):
                    loaded.append((node.lineno, node.col_offset))  # sync_to_async(request.session.get)
            stack.extend(ast.iter_child_nodes(node))
        found = self._places[id(scope)] = (resolved, loaded)
        return found

    @staticmethod
    def _nested_use(nested: ast.AST, user_resolved: list, session_loaded: list) -> None:
        """A nested sync def/lambda (run in a thread) that evaluates request.user or reads the session.

        ``await sync_to_async(lambda: request.user.is_authenticated)()`` resolves the lazy user, so
        later reads in the loop are served from its cache; the same for a session loaded there.
        """
        where = (nested.lineno, nested.col_offset)  # type: ignore[attr-defined]  # a def or lambda
        for node in ast.walk(nested):
            if type(node) is ast.Attribute and isinstance(node.value, (ast.Name, ast.Attribute)) \
                    and short(node.value) in ("request", "self.request"):
                if node.attr == "user":
                    parent = parent_of(node)
                    if isinstance(parent, ast.Attribute) or (
                        isinstance(parent, ast.Call) and node in parent.args
                        and isinstance(parent.func, ast.Name) and parent.func.id in ("bool", "str")
                    ):
                        user_resolved.append(where)
                elif node.attr == "session":
                    session_loaded.append(where)
