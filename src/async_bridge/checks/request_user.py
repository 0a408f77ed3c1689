"""ABR205: ``request.user`` / ``request.session[...]`` read in an async view.

Names and twins come from ``rules/knowledge/django_apis.yaml``; the sentences from the rule YAML.
"""

from __future__ import annotations

import ast

from .. import django_version
from ..analysis import facts
from ..analysis.contexts import decorator_target
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ._django_common import NESTED_SYNC
from .base import Check, register


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
            if kind in NESTED_SYNC:
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
