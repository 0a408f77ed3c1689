"""Sets derived from the knowledge files, computed once per knowledge (not per file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..knowledge import Knowledge


def _twins(mapping: dict) -> dict[str, str]:
    """method -> its async twin, for the entries that have one."""
    return {m: v["twin"] for m, v in mapping.items() if isinstance(v, dict) and isinstance(v.get("twin"), str)}


@dataclass(frozen=True)
class QuerysetWrapper:
    """A class built over a QuerySet (``Paginator``) whose ``reads`` and ``calls`` evaluate it."""

    argument: str  # the keyword that passes the QuerySet (else it is the first positional argument)
    reads: frozenset[str]
    calls: frozenset[str]


def _strings(value: Any) -> frozenset[str]:
    return frozenset(item for item in value if isinstance(item, str)) if isinstance(value, list) else frozenset()


def _wrappers(mapping: dict) -> dict[str, QuerysetWrapper]:
    """``queryset_wrappers`` entries (a user's malformed fields read as empty)."""
    return {cls: QuerysetWrapper(str(entry.get("argument") or ""), _strings(entry.get("reads")),
                                 _strings(entry.get("calls")))
            for cls, entry in mapping.items() if isinstance(entry, dict)}


class Vocabulary:
    """Names the semantic model and the rules look up, derived once from ``Knowledge``."""

    def __init__(self, knowledge: "Knowledge") -> None:
        self.k = knowledge

    # -- asyncio ------------------------------------------------------------------------
    @cached_property
    def loop_makers(self) -> frozenset[str]:
        return self.k.names("loop_factories")

    @cached_property
    def running_loop_getters(self) -> frozenset[str]:
        return self.k.names("running_loop_getters")

    @cached_property
    def loop_getters(self) -> frozenset[str]:
        """Calls that give the thread's (or the running) loop."""
        return self.k.names("loop_getters") | self.running_loop_getters

    @cached_property
    def new_loop_runners(self) -> frozenset[str]:
        return self.k.names("new_loop_runners")

    @cached_property
    def bridges(self) -> frozenset[str]:
        """sync -> async: ``sync_to_async``, ``database_sync_to_async`` and their classes."""
        return self.k.names("sync_to_async")

    @cached_property
    def sync_bridges(self) -> frozenset[str]:
        return self.k.names("async_to_sync")

    # -- the ORM --------------------------------------------------------------------------
    @cached_property
    def queryset_db(self) -> dict:
        """DB-hitting QuerySet / manager methods: name -> knowledge entry (twin, since)."""
        return {**{m: {} for m in self.k.names("manager_db_methods")}, **self.k.mapping("queryset_db_methods")}

    @cached_property
    def sync_db_apis(self) -> frozenset[str]:
        return self.k.names("sync_db_apis")

    @cached_property
    def instance_db(self) -> dict:
        return self.k.mapping("instance_db_methods")

    @cached_property
    def related_db(self) -> dict:
        return self.k.mapping("related_manager_db_methods")

    @cached_property
    def queryset_twins(self) -> frozenset[str]:
        return frozenset(_twins(self.queryset_db).values())

    @cached_property
    def instance_twins(self) -> frozenset[str]:
        return frozenset(_twins(self.instance_db).values())

    @cached_property
    def related_twins(self) -> frozenset[str]:
        return frozenset(_twins(self.related_db).values()) | self.queryset_twins

    @cached_property
    def orm_methods(self) -> frozenset[str]:
        """Every method name an ORM rule may care about (a cheap first filter)."""
        return frozenset(self.queryset_db) | frozenset(self.instance_db) | frozenset(self.related_db)

    @cached_property
    def django_only_async_methods(self) -> frozenset[str]:
        return self.k.names("django_only_async_methods")

    @cached_property
    def lazy_methods(self) -> frozenset[str]:
        return self.k.names("queryset_lazy_methods")

    @cached_property
    def row_methods(self) -> frozenset[str]:
        return self.k.names("queryset_row_methods")

    @cached_property
    def managers(self) -> frozenset[str]:
        return self.k.names("manager_attributes")

    @cached_property
    def instance_results(self) -> frozenset[str]:
        return self.k.names("instance_twins")

    @cached_property
    def pair_results(self) -> frozenset[str]:
        return self.k.names("instance_pair_twins")

    @cached_property
    def queryset_types(self) -> frozenset[str]:
        return self.k.names("queryset_types")

    @cached_property
    def manager_bases(self) -> frozenset[str]:
        return self.k.names("manager_bases")

    @cached_property
    def queryset_bases(self) -> frozenset[str]:
        return self.k.names("queryset_bases")

    @cached_property
    def user_model_getters(self) -> frozenset[str]:
        return self.k.names("user_model_getters")

    @cached_property
    def queryset_wrappers(self) -> dict[str, QuerysetWrapper]:
        """Classes built over a QuerySet whose listed members evaluate it: class -> what."""
        return _wrappers(self.k.mapping("queryset_wrappers"))

    @cached_property
    def wrapper_reads(self) -> frozenset[str]:
        """Every attribute of a QuerySet wrapper whose read evaluates it (a cheap first filter)."""
        return frozenset(name for w in self.queryset_wrappers.values() for name in w.reads)

    @cached_property
    def wrapper_calls(self) -> frozenset[str]:
        return frozenset(name for w in self.queryset_wrappers.values() for name in w.calls)

    @cached_property
    def model_getters(self) -> frozenset[str]:
        """``apps.get_model``: a model class by app label and class name."""
        return self.k.names("model_getters")

    # -- other Django APIs ------------------------------------------------------------------
    @cached_property
    def cache_objects(self) -> frozenset[str]:
        return self.k.names("django_cache_objects")

    @cached_property
    def cache_registries(self) -> frozenset[str]:
        return self.k.names("django_cache_registries")

    @cached_property
    def cache_twins(self) -> frozenset[str]:
        return frozenset(_twins(self.k.mapping("django_cache_methods")).values())

    @cached_property
    def signal_classes(self) -> frozenset[str]:
        return self.k.names("django_signal_classes")

    @cached_property
    def signals(self) -> frozenset[str]:
        return self.k.names("django_signals")

    @cached_property
    def signal_twins(self) -> frozenset[str]:
        return frozenset(_twins(self.k.mapping("django_signal_methods")).values())

    @cached_property
    def sync_functions(self) -> dict:
        return self.k.mapping("django_sync_functions")

    @cached_property
    def instance_shortcuts(self) -> dict:
        """Shortcuts that fetch one instance of their first argument's model: name -> "sync" / "awaitable"."""
        return self.k.mapping("model_instance_shortcuts")

    @cached_property
    def request_types(self) -> frozenset[str]:
        return self.k.names("django_request_types")

    @cached_property
    def foreign_request_types(self) -> frozenset[str]:
        return self.k.names("non_django_request_types")

    @cached_property
    def django_packages(self) -> frozenset[str]:
        return self.k.names("django_ecosystem_packages")

    @cached_property
    def view_bases(self) -> frozenset[str]:
        return self.k.names("view_bases")

    # -- functions ---------------------------------------------------------------------------
    @cached_property
    def transparent_decorators(self) -> frozenset[str]:
        """Decorators that leave what a function is unchanged (a coroutine function stays one)."""
        return self.k.names("awaitable_preserving_decorators")

    @cached_property
    def deferring_decorators(self) -> frozenset[str]:
        """``@contextmanager`` and kin: calling the function runs nothing yet."""
        return self.k.names("deferring_decorators")

    @cached_property
    def property_decorators(self) -> frozenset[str]:
        """``@property`` and kin: reading the attribute on an instance calls the getter."""
        return self.k.names("property_decorators")

    @cached_property
    def async_apis(self) -> frozenset[str]:
        """Functions of libraries known to return an awaitable (``asyncio.sleep``)."""
        return self.k.names("async_apis")

    @cached_property
    def coroutine_consumers(self) -> frozenset[str]:
        return self.k.names("coroutine_consumers")


_CACHE: dict[int, tuple["Knowledge", Vocabulary]] = {}


def vocabulary(knowledge: "Knowledge") -> Vocabulary:
    """The vocabulary of ``knowledge``, built once per knowledge object."""
    hit = _CACHE.get(id(knowledge))
    if hit is None or hit[0] is not knowledge:
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[id(knowledge)] = (knowledge, Vocabulary(knowledge))
    return hit[1]
