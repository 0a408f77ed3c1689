"""Import and alias resolution: local names -> fully qualified names."""

from __future__ import annotations

import ast


def resolve_relative(module: str | None, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute module of ``from <level dots><target> import ...``."""
    if level == 0:
        return target
    if not module:
        return None
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if target:
        base.append(target)
    return ".".join(base) or None


class ImportMap:
    """Maps names bound by import statements to the qualified names they refer to.

    ``import asyncio as aio`` binds ``aio`` -> ``asyncio``;
    ``from asyncio import run as go`` binds ``go`` -> ``asyncio.run``;
    ``import a.b`` binds ``a`` -> ``a`` (attribute access then spells ``a.b``).
    Imports anywhere in the module count (function-level imports included).
    """

    def __init__(self, module: str | None, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.names: dict[str, str] = {}
        self.modules: set[str] = set()

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    self.names[head] = head
                self.modules.add(alias.name)
            return
        base = resolve_relative(self.module, self.is_package, node.level, node.module)
        if base is None:
            return
        self.modules.add(base)
        for alias in node.names:
            if alias.name == "*":
                continue
            self.names[alias.asname or alias.name] = f"{base}.{alias.name}"

    def get(self, name: str) -> str | None:
        return self.names.get(name)
