"""Django models of the project: which classes are models, their relation fields.

Per module, ``extract_fields`` records the raw ``name = SomeField(target, ...)``
assignments of every class body (direct statements only, no walk) while the module
is summarised. ``ModelIndex`` answers the questions lazily, through the project
index: is this class a model (directly or through project/abstract bases, any
import alias), what are its forward relations and their target models, which
attribute of an instance is a related manager. Unknown answers are None.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.module import ModuleAnalysis
    from .project import ProjectIndex

FK = "fk"
O2O = "o2o"
M2M = "m2m"

# A target string ``"app_label.Model"`` is stored as ``LABEL + "app_label.Model"``.
LABEL = "label:"
MAX_DEPTH = 8


@dataclass(frozen=True)
class RawField:
    """``name = callee(target, related_name=...)`` in a class body, unresolved."""

    name: str
    callee: str  # qualified name of the field class
    target: str | None  # qualified model name, LABEL + "app.Model", or None (unknown)
    related_name: str | None
    line: int


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # FK, O2O or M2M
    target: str | None  # qualified name of the related model, None when unknown
    related_name: str | None
    owner: str  # qualified name of the model declaring it


def extract_fields(analysis: "ModuleAnalysis") -> dict[str, tuple[RawField, ...]]:
    """Raw field assignments of every class of a module (cheap: class bodies only)."""
    found: dict[str, tuple[RawField, ...]] = {}
    for qualname, cls in analysis.classes.items():
        fields = []
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
                continue
            to = value.args[0] if value.args else None
            related_name = None
            for kw in value.keywords:
                if kw.arg == "to":
                    to = kw.value
                elif kw.arg == "related_name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    related_name = kw.value.value
            if to is None:
                continue
            callee = analysis.qualify(value.func)
            if callee is None:
                continue
            fields.append(RawField(target.id, callee, _target_of(analysis, to, qualname), related_name, stmt.lineno))
        if fields:
            found[qualname] = tuple(fields)
    return found


def _target_of(analysis: "ModuleAnalysis", expr: ast.expr, owner_local: str) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        text = expr.value
        if text == "self":
            return analysis.full_name(owner_local)
        if re.fullmatch(r"[A-Za-z_]\w*", text):
            return analysis.full_name(text)
        if re.fullmatch(r"[A-Za-z_]\w*\.[A-Za-z_]\w*", text):
            return LABEL + text
        return None
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = analysis.qualify(expr)
        if qual is None or qual.endswith("AUTH_USER_MODEL"):
            return None
        if "." not in qual:
            return None  # a name bound by something else than a class or import
        return qual
    return None


class ModelIndex:
    """Model questions answered through the project index, memoised per process."""

    def __init__(self, index: "ProjectIndex") -> None:
        self.index = index
        k = index.knowledge
        self.model_bases = k.names("model_bases")
        self.known_models = k.names("django_models")
        self.not_models = k.names("not_model_bases")
        self.other_orms = k.names("non_django_orm_packages")
        self.fk_types = k.names("relation_fields")
        self.o2o_types = k.names("one_to_one_fields")
        self.m2m_types = k.names("many_to_many_fields")
        self._is_model: dict[str, bool | None] = {}
        self._fields: dict[str, dict[str, Relation]] = {}
        self._labels: dict[str, str | None] = {}
        self._field_kind: dict[str, str | None] = {}
        self._reverse: dict[tuple[str, str], tuple[bool, str | None]] = {}

    # -- classes ---------------------------------------------------------------
    def _class(self, qualname: str, depth: int = 0):
        """(summary, local qualname) of a project class, following re-exports."""
        if depth > MAX_DEPTH:
            return None
        split = self.index._split(qualname)
        if split is None:
            return None
        summary, local = split
        if local in summary.classes:
            return summary, local
        head, _, rest = local.partition(".")
        if head in summary.names:
            target = summary.names[head] + (f".{rest}" if rest else "")
            if target != qualname:
                return self._class(target, depth + 1)
        return None

    def is_model(self, qualname: str | None) -> bool | None:
        """True: a Django model class; False: a project class that is not; None: unknown."""
        if not qualname:
            return None
        if qualname in self._is_model:
            return self._is_model[qualname]
        self._is_model[qualname] = None  # cycle guard
        result = self._compute_is_model(qualname, 0)
        self._is_model[qualname] = result
        return result

    def _compute_is_model(self, qualname: str, depth: int) -> bool | None:
        if qualname in self.model_bases or qualname in self.known_models:
            return True
        if qualname in self.not_models or depth > MAX_DEPTH:
            return False
        found = self._class(qualname)
        if found is None:
            if qualname.split(".", 1)[0] in self.other_orms:
                return False
            return _looks_like_third_party_model(qualname) or None
        summary, local = found
        unknown = False
        for base in summary.classes[local]:
            if base.startswith("<attr>:"):
                unknown = True
                continue
            answer = self.is_model(base)
            if answer:
                return True
            if answer is None:
                unknown = True
        return None if unknown else False

    def model_name(self, qualname: str) -> str:
        return qualname.rsplit(".", 1)[-1]

    # -- fields ----------------------------------------------------------------
    def fields(self, model: str | None) -> dict[str, Relation]:
        """Forward relations of a project model, inherited ones included."""
        if not model:
            return {}
        if model in self._fields:
            return self._fields[model]
        self._fields[model] = {}  # cycle guard
        result: dict[str, Relation] = {}
        found = self._class(model)
        if found is not None:
            summary, local = found
            full = f"{summary.module}.{local}" if summary.module else local
            for base in reversed(summary.classes[local]):
                if not base.startswith("<attr>:") and self.is_model(base):
                    result.update(self.fields(base))
            for raw in getattr(summary, "model_fields", {}).get(local, ()):
                kind = self.field_kind(raw.callee)
                if kind is None:
                    result.pop(raw.name, None)
                    continue
                result[raw.name] = Relation(raw.name, kind, self.resolve_target(raw.target), raw.related_name, full)
        self._fields[model] = result
        return result

    def field_kind(self, callee: str) -> str | None:
        if callee in self._field_kind:
            return self._field_kind[callee]
        self._field_kind[callee] = None
        if callee in self.o2o_types:
            kind = O2O
        elif callee in self.fk_types:
            kind = FK
        elif callee in self.m2m_types:
            kind = M2M
        else:
            kind = None
            found = self._class(callee)
            if found is not None:  # a project subclass of a relation field
                summary, local = found
                for base in summary.classes[local]:
                    if not base.startswith("<attr>:"):
                        kind = self.field_kind(base)
                        if kind:
                            break
        self._field_kind[callee] = kind
        return kind

    def resolve_target(self, target: str | None) -> str | None:
        if target is None:
            return None
        if target.startswith(LABEL):
            return self._by_label(target[len(LABEL):])
        found = self._class(target)
        if found is not None:
            summary, local = found
            return f"{summary.module}.{local}" if summary.module else local
        return target if self.is_model(target) else None

    def _by_label(self, label: str) -> str | None:
        if label in self._labels:
            return self._labels[label]
        self._labels[label] = None
        app, _, name = label.partition(".")
        result = None
        resolver = self.index.resolver
        candidates = [f"{app}.models"]
        if resolver.find(candidates[0]) is None:
            for path in resolver.python_files():
                parts = path.parts
                if (parts[-1] == "models.py" and len(parts) > 1 and parts[-2] == app) or (
                    parts[-1] == "__init__.py" and len(parts) > 2 and parts[-2] == "models" and parts[-3] == app
                ):
                    module, _ = resolver.module_of(str(path))
                    if module:
                        candidates.append(module)
        for module in candidates:
            found = self._class(f"{module}.{name}")
            if found is not None:
                summary, local = found
                result = f"{summary.module}.{local}"
                break
        self._labels[label] = result
        return result

    # -- related managers --------------------------------------------------------
    def related_manager(self, model: str | None, attr: str) -> tuple[bool, str | None]:
        """Whether ``instance.<attr>`` of ``model`` is a related manager, and the model it
        manages (None when unknown). Forward many-to-many fields, ``<model>_set``
        accessors and ``related_name`` of a foreign key / many-to-many pointing here."""
        if not model:
            return False, None
        key = (model, attr)
        if key in self._reverse:
            return self._reverse[key]
        self._reverse[key] = (False, None)
        result: tuple[bool, str | None] = (False, None)
        relation = self.fields(model).get(attr)
        if relation is not None:
            result = (relation.kind == M2M, relation.target if relation.kind == M2M else None)
        elif attr.endswith("_set") and len(attr) > 4:
            result = (True, None)
        elif self._class(model) is not None:
            result = self._by_related_name(model, attr)
        self._reverse[key] = result
        return result

    def _by_related_name(self, model: str, attr: str) -> tuple[bool, str | None]:
        needle = re.compile(rb"related_name\s*=\s*['\"]" + re.escape(attr.encode()) + rb"['\"]")
        for path in self.index.resolver.python_files():
            try:
                if path.stat().st_size > 2_000_000:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if not needle.search(data):
                continue
            module, _ = self.index.resolver.module_of(str(path))
            summary = self.index.summary(module) if module else None
            if summary is None:
                continue
            for local, raws in getattr(summary, "model_fields", {}).items():
                for raw in raws:
                    if raw.related_name != attr:
                        continue
                    kind = self.field_kind(raw.callee)
                    target = self.resolve_target(raw.target)
                    if kind in (FK, M2M) and target == model:
                        owner = f"{summary.module}.{local}"
                        return True, owner if self.is_model(owner) else None
        return False, None


def _looks_like_third_party_model(qualname: str) -> bool:
    """``allauth.account.models.EmailAddress``: a class from a (non-project) ``models``
    module of a Django app. Django's own ``django.db.models`` namespace excluded."""
    if qualname.startswith("django.db."):
        return False
    parts = qualname.split(".")
    return len(parts) >= 3 and "models" in parts[:-1] and parts[-1][:1].isupper()
