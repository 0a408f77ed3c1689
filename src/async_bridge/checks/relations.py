"""ABR204 / ABR211: a forward FK / OneToOne read that lazy-loads inside ``async def``."""

from __future__ import annotations

import ast

from ..analysis import dataflow as df
from ..analysis.scopes import FunctionInfo
from ..index import models as model_index
from .base import Check, register

_FORWARD = (model_index.FK, model_index.O2O)


@register
class LazyRelationInAsync(Check):
    codes = ("ABR204", "ABR211")
    nodes = (ast.Attribute,)
    scopes = "async"

    def visit(self, node: ast.Attribute, scope: FunctionInfo):
        if not isinstance(node.ctx, ast.Load) or node.attr.endswith("_id"):
            return
        value = node.value
        if isinstance(value, ast.Name):
            yield from self._first_hop(node, value, scope)
        elif isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            yield from self._second_hop(node, value, scope)

    def _instance(self, name: ast.Name, scope: FunctionInfo) -> df.Value | None:
        inst = df.flow_of(self.analysis, scope).value_of(name)
        if inst is None or inst.kind != df.INSTANCE or not inst.model or inst.select is df.ALL:
            return None
        if inst.origin not in (df.QUERY, df.PARAM):
            return None
        return inst

    def _first_hop(self, node: ast.Attribute, name: ast.Name, scope: FunctionInfo):
        inst = self._instance(name, scope)
        if inst is None:
            return
        models = self.analysis.index.models
        relation = models.fields(inst.model).get(node.attr)
        if relation is None or relation.kind not in _FORWARD or node.attr in inst.select:
            return
        if _set_by_producer(inst, node.attr) or self._cached(node, name, scope):
            return
        yield from self._report(node, inst, relation, name.id, node.attr, scope)

    def _second_hop(self, node: ast.Attribute, inner: ast.Attribute, scope: FunctionInfo):
        """``obj.integration.credential`` with only ``select_related("integration")``."""
        inst = self._instance(inner.value, scope)
        if inst is None or inner.attr not in inst.select:
            return  # the first hop is the finding (or nothing is known)
        models = self.analysis.index.models
        first = models.fields(inst.model).get(inner.attr)
        if first is None or first.kind not in _FORWARD or not first.target:
            return
        relation = models.fields(first.target).get(node.attr)
        path = f"{inner.attr}__{node.attr}"
        if relation is None or relation.kind not in _FORWARD or path in inst.select:
            return
        if self._cached(node, inner.value, scope, prefix=inner.attr):
            return
        yield from self._report(node, inst, relation, f"{inner.value.id}.{inner.attr}", node.attr, scope, path)

    def _cached(self, node: ast.Attribute, name: ast.Name, scope: FunctionInfo, prefix: str | None = None) -> bool:
        """The attribute was assigned earlier in the function (``obj.user = u``)."""
        use = df.position(node)
        for other, other_scope in _stores(self.analysis):
            if other_scope is not scope or df.position(other) >= use:
                continue
            target = other.value
            if prefix is not None:
                if not (isinstance(target, ast.Attribute) and target.attr == prefix):
                    continue
                target = target.value
            if isinstance(target, ast.Name) and target.id == name.id and other.attr == node.attr:
                return True
        return False

    def _report(self, node, inst: df.Value, relation, owner_text: str, attr: str, scope: FunctionInfo,
                path: str | None = None):
        if df.suppressed(self.analysis, node, scope):
            return
        path = path or attr
        model = inst.model.rsplit(".", 1)[-1]
        if inst.origin == df.PARAM:
            yield self.finding(
                "ABR211", node, name=owner_text, attr=attr, model=model, function=scope.name,
                field=relation.name,
            )
        else:
            yield self.finding(
                "ABR204", node, name=owner_text, attr=attr, model=model, function=scope.name,
                path=path, field=relation.name,
            )


def _set_by_producer(inst: df.Value, attr: str) -> bool:
    """``await Order.objects.acreate(user=u)``: the relation was given, it is cached."""
    producer = inst.producer
    if not isinstance(producer, ast.Call):
        return False
    method = producer.func.attr if isinstance(producer.func, ast.Attribute) else ""
    if method in ("aget", "afirst", "alast", "alatest", "aearliest"):
        return False
    for kw in producer.keywords:
        if kw.arg == attr or kw.arg is None:
            return True
        if kw.arg in ("defaults", "create_defaults") and isinstance(kw.value, ast.Dict):
            if any(isinstance(k, ast.Constant) and k.value == attr for k in kw.value.keys):
                return True
            if any(k is None for k in kw.value.keys):
                return True
    return False


def _stores(analysis):
    """Attribute stores (``x.attr = ...``) of the module, gathered from the collected nodes."""
    cached = getattr(analysis, "_abr_attr_stores", None)
    if cached is None:
        cached = [(n, s) for n, s in analysis.nodes(ast.Attribute) if not isinstance(n.ctx, ast.Load)]
        analysis._abr_attr_stores = cached
    return cached
