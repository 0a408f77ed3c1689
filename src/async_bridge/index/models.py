"""Django models of the project (and Django's own): which classes are models, their
relation fields, their managers.

Answers come lazily from class summaries through the project index (any import
alias, abstract and project bases, re-exports). Django's built-in models are known
from ``rules/knowledge/django_orm.yaml`` even where Django is not installed.
Unknown answers are None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records.summaries import FK, LABEL, M2M, O2O, UNRESOLVED_ATTR, Relation
from ..records.values import Kind, Value

if TYPE_CHECKING:
    from .project import ProjectIndex

MAX_DEPTH = 8


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
        self.builtin_relations = k.mapping("django_model_relations")
        self.manager_bases = k.names("manager_bases") | k.names("queryset_bases")
        self._is_model: dict[str, bool | None] = {}
        self._fields: dict[str, dict[str, Relation]] = {}
        self._labels: dict[str, str | None] = {}
        self._field_kind: dict[str, str | None] = {}
        self._reverse: dict[tuple[str, str], tuple[bool, str | None]] = {}

    # -- classes ---------------------------------------------------------------
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
        found = self.index.class_summary(qualname)
        if found is None:
            if qualname.split(".", 1)[0] in self.other_orms:
                return False
            return _looks_like_third_party_model(qualname) or None
        unknown = False
        for base in found[1].bases:
            if base.startswith(UNRESOLVED_ATTR):
                unknown = True
                continue
            answer = self.is_model(base)
            if answer:
                return True
            if answer is None:
                unknown = True
        return None if unknown else False

    # -- fields ----------------------------------------------------------------
    def fields(self, model: str | None) -> dict[str, Relation]:
        """Relations of a model (forward FK/O2O/M2M), inherited ones included."""
        if not model:
            return {}
        if model in self._fields:
            return self._fields[model]
        self._fields[model] = {}  # cycle guard
        result: dict[str, Relation] = {}
        builtin = self.builtin_relations.get(model)
        if isinstance(builtin, dict):
            for name, entry in builtin.items():
                if isinstance(entry, dict) and entry.get("kind") in (FK, O2O, M2M):
                    result[name] = Relation(name, entry["kind"], entry.get("target"), entry.get("related_name"), model)
        found = self.index.class_summary(model)
        if found is not None:
            full, summary = found
            for base in reversed(summary.bases):
                if not base.startswith(UNRESOLVED_ATTR) and self.is_model(base):
                    result.update(self.fields(base))
            for raw in summary.fields:
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
            kind: str | None = O2O
        elif callee in self.fk_types:
            kind = FK
        elif callee in self.m2m_types:
            kind = M2M
        else:
            kind = None
            found = self.index.class_summary(callee)
            if found is not None:  # a project subclass of a relation field
                for base in found[1].bases:
                    if not base.startswith(UNRESOLVED_ATTR):
                        kind = self.field_kind(base)
                        if kind:
                            break
        self._field_kind[callee] = kind
        return kind

    def resolve_target(self, target: str | None) -> str | None:
        if target is None:
            return None
        if target.startswith(LABEL):
            return self.by_label(target[len(LABEL):])
        found = self.index.class_summary(target)
        if found is not None:
            return found[0]
        return target if self.is_model(target) else None

    def by_label(self, label: str) -> str | None:
        """The class ``"app_label.ClassName"`` names: ``ClassName`` of the app's ``models``
        module (``<app_label>/models.py`` or a ``models`` package), if found."""
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
            found = self.index.class_summary(f"{module}.{name}")
            # defined in the app (a ``models`` package re-exports its submodules' classes);
            # a class the module imports from another app has that app's label
            if found is not None and found[0].startswith(module[: -len("models")]):
                result = found[0]
                break
        self._labels[label] = result
        return result

    # -- managers ------------------------------------------------------------------
    def manager(self, model: str, attr: str) -> Value | None:
        """``Model.<attr>`` when it is a manager: the default one, or a custom manager
        (``objects = OrderManager()``, ``OrderQuerySet.as_manager()``, ``from_queryset``)."""
        value = self.index.resolve(self.index.class_attribute(model, attr))
        if value is None:
            return None
        if value.kind is Kind.MANAGER:
            return Value(Kind.MANAGER, model=model, cls=value.cls)
        if value.kind is Kind.OBJECT and value.cls and self.index.class_derives(value.cls, self.manager_bases, frozenset()):
            return Value(Kind.MANAGER, model=model, cls=value.cls)
        return None

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
        elif attr.endswith("_set") and len(attr) > 4 and self.is_model(model):
            result = (True, None)
        elif self.index.class_summary(model) is not None:
            result = self._by_related_name(model, attr)
        self._reverse[key] = result
        return result

    def _by_related_name(self, model: str, attr: str) -> tuple[bool, str | None]:
        resolver = self.index.resolver
        for path in self.index.source_names().related_names.get(attr, ()):
            module, _ = resolver.module_of(str(path))
            summary = self.index.summary(module) if module else None
            if summary is None:
                continue
            for local, cls in summary.classes.items():
                for raw in cls.fields:
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
    return len(parts) >= 2 and "models" in parts[:-1] and parts[-1][:1].isupper()
