"""What an expression is: the kinds of the semantic model (SPEC.md, "What the analysis
knows about values"). A value of unknown kind is ``None`` and is never reported."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


class Kind(str, Enum):
    LOOP = "loop"  # an asyncio event loop
    MODEL = "model"  # a Django model class
    MANAGER = "manager"  # ``Model.objects``, a custom manager
    RELATED = "related"  # a related manager: ``order.items``, ``user.groups``
    QUERYSET = "queryset"
    INSTANCE = "instance"  # a model instance
    PAIR = "pair"  # ``(instance, created)`` of ``aget_or_create``
    SEQUENCE = "sequence"  # a list/tuple whose items are ``Value.item``
    AWAITABLE = "awaitable"  # a coroutine or other awaitable (``function``: whose)
    ASYNC_ITERATOR = "async_iterator"  # ``qs.aiterator()``, an async generator's object
    DEFERRED = "deferred"  # a generator / context manager object: its body runs later
    BRIDGE = "bridge"  # ``sync_to_async`` and kin: wraps a sync callable for async code
    SYNC_BRIDGE = "sync_bridge"  # ``async_to_sync`` and kin
    THREADED = "threaded"  # ``sync_to_async(f)``: calling it gives an awaitable, ``f`` runs in a thread
    FUNCTION = "function"  # a known function (``function``: its qualified name)
    CLASS = "class"  # a known non-model class (``cls``)
    OBJECT = "object"  # an instance of a known non-model class (``cls``)
    CACHE = "cache"  # Django's cache
    SIGNAL = "signal"  # a ``django.dispatch.Signal``
    REQUEST = "request"  # a Django ``HttpRequest``
    # References into other modules, kept in summaries and resolved by the project index
    # when a question needs them (so summarising a module never summarises another):
    RESULT_OF = "result_of"  # what calling ``function`` gives
    AWAIT_OF = "await_of"  # what awaiting ``function``'s coroutine gives
    GLOBAL_OF = "global_of"  # the module-level name ``function``
    ATTRIBUTE_OF = "attribute_of"  # attribute ``function`` of an object of class ``cls``


class Origin(str, Enum):
    """Where a model instance (or QuerySet) came from: decides what its relations hold."""

    UNKNOWN = ""
    QUERY = "query"  # fetched by a query in this function
    PARAM = "param"  # a parameter annotated with a model type
    NEW = "new"  # built by the model constructor: nothing to lazy-load
    SELF = "self"  # ``self`` in a model method
    RETURNED = "returned"  # returned by another function


REFERENCES = frozenset({Kind.RESULT_OF, Kind.AWAIT_OF, Kind.GLOBAL_OF, Kind.ATTRIBUTE_OF})

# The ORM kinds that build queries.
QUERY_SOURCES = frozenset({Kind.MANAGER, Kind.RELATED, Kind.QUERYSET})


@dataclass(frozen=True)
class Value:
    kind: Kind
    model: str | None = None  # the model's qualified name, when known
    cls: str | None = None  # the project class behind it: a custom manager/QuerySet, an object's class
    function: str | None = None  # the function an awaitable/deferred/threaded/function value belongs to
    loaded: frozenset[str] = frozenset()  # relation paths a query loaded (``select_related``)
    loaded_all: bool = False  # every relation may be loaded (``select_related()``, a constructor, self)
    rows: bool = True  # a QuerySet whose rows are model instances (not ``values()``)
    origin: Origin = Origin.UNKNOWN
    # RELATED, and the QuerySet its ``.all()`` gives: the rows are already in memory (the
    # query that made the instance prefetched the relation), so evaluating it runs no query
    cached_rows: bool = False
    item: "Value | None" = None  # SEQUENCE: what each item is; OBJECT of a QuerySet wrapper: its QuerySet
    items: "tuple[Value | None, ...]" = ()  # SEQUENCE of a tuple literal: what each position is
    # the node that produced it in this module (a query call): never stored in a summary
    producer: ast.AST | None = field(default=None, compare=False, hash=False, repr=False)

    def is_(self, *kinds: Kind) -> bool:
        return self.kind in kinds

    def loads(self, path: str) -> bool:
        """Whether the query that produced this instance loaded relation ``path``."""
        return self.loaded_all or path in self.loaded

    def portable(self) -> "Value":
        """This value without its AST producer, as stored in a summary."""
        item = self.item.portable() if self.item is not None else None
        items = tuple(i.portable() if i is not None else None for i in self.items)
        return replace(self, producer=None, item=item, items=items)

    # -- (de)serialisation for the on-disk cache --------------------------------
    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        for name in ("model", "cls", "function"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.loaded:
            data["loaded"] = sorted(self.loaded)
        if self.loaded_all:
            data["loaded_all"] = True
        if not self.rows:
            data["rows"] = False
        if self.origin is not Origin.UNKNOWN:
            data["origin"] = self.origin.value
        if self.cached_rows:
            data["cached_rows"] = True
        if self.item is not None:
            data["item"] = self.item.to_data()
        if self.items:
            data["items"] = [i.to_data() if i is not None else None for i in self.items]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Value":
        item = data.get("item")
        return cls(
            kind=Kind(data["kind"]),
            model=data.get("model"),
            cls=data.get("cls"),
            function=data.get("function"),
            loaded=frozenset(data.get("loaded", ())),
            loaded_all=bool(data.get("loaded_all", False)),
            rows=bool(data.get("rows", True)),
            origin=Origin(data.get("origin", "")),
            cached_rows=bool(data.get("cached_rows", False)),
            item=cls.from_data(item) if item is not None else None,
            items=tuple(cls.from_data(i) if i is not None else None for i in data.get("items", ())),
        )
