"""ABR204 / ABR211: a forward FK / OneToOne read that lazy-loads inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import guards, orm
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..records.values import Origin
from .base import Check, register


@register
class LazyRelationInAsync(Check):
    codes = ("ABR204", "ABR211")
    nodes = (ast.Attribute,)
    scopes = "async"

    def visit(self, node: ast.Attribute, scope: FunctionInfo):
        read = orm.lazy_relation(self.analysis, node, scope)
        if read is None or guards.deliberate_or_elsewhere(self.analysis, node, scope):
            return
        model = (read.instance.model or "").rsplit(".", 1)[-1]
        if read.instance.origin is Origin.PARAM:
            parent = parent_of(node)
            if isinstance(parent, ast.Attribute) and parent.attr in ("id", "pk") and isinstance(parent.ctx, ast.Load):
                instead = f"read `{read.owner_text}.{node.attr}_id`"
            else:
                instead = f"`select_related(\"{read.path}\")` in the caller"
            yield self.finding("ABR211", node, name=read.owner_text, attr=node.attr, model=model,
                               function=scope.name, field=read.relation.name, instead=instead)
        else:
            instead = f"use `select_related(\"{read.path}\")`"
            if "__" not in read.path:
                instead = f"`select_related(\"{read.path}\")` or `{read.owner_text}.{node.attr}_id`"
            yield self.finding("ABR204", node, name=read.owner_text, attr=node.attr, model=model,
                               function=scope.name, path=read.path, field=read.relation.name, instead=instead)
