"""ABR204 / ABR211: a forward FK / OneToOne read that lazy-loads inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import guards, orm
from ..analysis.scopes import FunctionInfo
from ..analysis.walker import parent_of
from ..analysis.text import short
from ..records.summaries import FK, O2O
from ..records.values import Kind, Origin
from .base import Check, Related, register


@register
class LazyRelationInAsync(Check):
    codes = ("ABR204", "ABR211")
    nodes = (ast.Attribute, ast.Call)
    scopes = "async"

    def visit(self, node: ast.AST, scope: FunctionInfo):
        if isinstance(node, ast.Call):
            yield from self._passed(node, scope)
            return
        assert isinstance(node, ast.Attribute)
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
            yield self.finding("ABR204", node, what=f"`{read.owner_text}.{node.attr}`",
                               function=scope.name, field=read.relation.name, instead=instead)

    def _passed(self, call: ast.Call, scope: FunctionInfo):
        """A query-made instance handed to a sync function that reads its relation."""
        a = self.analysis
        if not call.args or not isinstance(call.func, (ast.Name, ast.Attribute)) or guards.awaited(call):
            return
        if not any(isinstance(arg, ast.Name) for arg in call.args):
            return
        target = a.values.callee_name(call.func, scope)
        summary = a.project.function(target) if target else None
        if summary is None or not summary.param_reads or summary.is_async or summary.threaded:
            return
        for position, arg in enumerate(call.args):
            if not isinstance(arg, ast.Name):
                continue
            instance = a.values.of(arg, scope)
            if instance is None or instance.kind is not Kind.INSTANCE or instance.origin is not Origin.QUERY \
                    or not instance.model or instance.loaded_all:
                continue
            fields = a.project.models.fields(instance.model)
            for index, attr in summary.param_reads:
                relation = fields.get(attr)
                if index != position or relation is None or relation.kind not in (FK, O2O) or instance.loads(attr):
                    continue
                if guards.deliberate_or_elsewhere(a, call, scope):
                    return
                callee = short(call.func, 30)
                site = Related(summary.path, summary.line, summary.col, f"'{summary.qualname.rsplit('.', 1)[-1]}' reads `.{attr}`")
                yield self.finding("ABR204", call, related=(site,), what=f"`{callee}({arg.id})` (reads `.{attr}`)",
                                   function=scope.name, field=attr,
                                   instead=f"`select_related(\"{attr}\")` where '{arg.id}' is fetched")
                return
