"""ABR210: ``DJANGO_ALLOW_ASYNC_UNSAFE`` written to the environment from code.

Variable names and environ objects come from ``rules/knowledge/django_apis.yaml``.
"""

from __future__ import annotations

import ast

from ..analysis.relevance import Anchors
from ..analysis.scopes import FunctionInfo
from .base import Check, register

_ENV_METHODS = frozenset({"setdefault", "update", "__setitem__", "putenv", "setenv"})


@register
class AsyncUnsafeGuardDisabled(Check):
    """DJANGO_ALLOW_ASYNC_UNSAFE written to the environment from code."""

    codes = ("ABR210",)
    nodes = (ast.Assign, ast.AugAssign, ast.Call)

    @classmethod
    def anchors(cls, words: Anchors) -> frozenset[str]:
        return words.unsafe_env

    def visit(self, node: ast.AST, scope: FunctionInfo):
        # a plain function returning () on the common path: this sees every call and assignment
        if self.analysis.is_test_file:
            return ()  # test setups (Playwright, async test clients) set it by design
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Attribute) or func.attr not in _ENV_METHODS:
                return ()
            return self._call(node, func)
        if isinstance(node, ast.Assign):
            if not any(type(t) is ast.Subscript for t in node.targets) or _empty(node.value):
                return ()  # an empty value leaves the guard on
            names = self.knowledge.names("async_unsafe_env_var")
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _const_in(target.slice, names) and self._environ(target.value):
                    return (self._finding(node),)
            return ()
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.BitOr) \
                and self._environ(node.target):  # os.environ |= {...}
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
