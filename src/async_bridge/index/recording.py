"""The questions a module's analysis asks about the rest of the project, and their answers.

A module's summary (or a checked file's findings) depends on its own text and on the
answers the project index gave its analysis: is ``app.models.Order`` a model, what
does ``services.sync_orders`` reach, is ``db`` a bridge candidate. Each analysis talks
to the index through a ``RecordingProject``, which notes every question with a
fingerprint of its answer. A cached record is then trusted when its file's content is
the same and either nothing in the project changed since it was written (same
generation) or every question it asked gets the same answer now (asked again, from
other records where they hold). So an edit that does not change an answer keeps the
records that depend on it, and one that does is never missed, however indirect.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..records.summaries import ClassSummary, FunctionSummary
from ..records.values import Value
from .cache import blake2b

if TYPE_CHECKING:
    from .project import ProjectIndex

Key = tuple  # (question, *arguments)


def fingerprint(answer: Any) -> Any:
    """A small, JSON-safe stand-in for an answer: scalars as they are, anything else as
    a digest of its plain form. Equal answers have equal fingerprints."""
    if answer is None or isinstance(answer, (bool, int, str)):
        return answer
    text = json.dumps(_plain(answer), sort_keys=True, separators=(",", ":"))
    return [blake2b(text.encode(), digest_size=10).hexdigest()]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Value):
        return ["V", value.to_data()]
    if isinstance(value, FunctionSummary):
        return ["F", value.to_data()]
    if isinstance(value, ClassSummary):  # structure only: its lazy attributes are asked separately
        return ["C", list(value.bases), list(value.methods), [list(f.__dict__.values()) for f in value.fields]]
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if is_dataclass(value):
        return [type(value).__name__, *(_plain(getattr(value, f.name)) for f in fields(value))]
    raise TypeError(f"no plain form for {type(value).__name__}")


def encode_key(key: Key) -> list[Any]:
    return [_encode_argument(a) for a in key]


def decode_key(data: Any) -> Key:
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise ValueError("a question is a list starting with its name")
    return tuple(_decode_argument(a) for a in data)


def _encode_argument(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, frozenset):
        return {"set": sorted(value)}
    if isinstance(value, Value):
        return {"value": value.to_data()}
    raise TypeError(f"cannot record an argument of type {type(value).__name__}")


def _decode_argument(value: Any) -> Any:
    if isinstance(value, dict):
        if "set" in value:
            return frozenset(str(v) for v in value["set"])
        if "value" in value:
            return Value.from_data(value["value"])
        raise ValueError("unknown argument")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise ValueError("unknown argument")


class Recorder:
    """The questions asked for one record (a module's summary or a file's findings).

    Questions read from a record stay in their saved form until they are needed (to be
    asked again, or saved with new ones): a record used as it is never decodes them."""

    __slots__ = ("_answers", "_saved", "_load")

    def __init__(self, answers: dict[Key, Any] | None = None, saved: list | None = None,
                 load: Callable[[], Any] | None = None) -> None:
        lazy = saved is not None or load is not None
        self._answers: dict[Key, Any] | None = answers if answers is not None else (None if lazy else {})
        self._saved = saved
        self._load = load  # reads the saved questions when they are first needed

    @property
    def answers(self) -> dict[Key, Any]:
        if self._answers is None:
            saved = self._saved
            if saved is None and self._load is not None:
                saved = self._load()
                if not isinstance(saved, list):
                    raise ValueError("the record's questions are missing")
            self._answers = {decode_key(key): answer for key, answer in saved or ()}
            self._saved = self._load = None
        return self._answers

    def note(self, key: Key, answer: Any) -> None:
        answers = self.answers
        if key not in answers:
            answers[key] = fingerprint(answer)

    def to_data(self) -> list[list[Any]]:
        if self._answers is None and self._saved is not None:
            return list(self._saved)
        return [[encode_key(key), answer] for key, answer in self.answers.items()]

    @classmethod
    def from_data(cls, data: Any) -> "Recorder":
        if not isinstance(data, list) or not all(isinstance(item, list) and len(item) == 2 for item in data):
            raise ValueError("expected a list of questions")
        return cls(saved=data)

    def holds(self, index: "ProjectIndex") -> bool:
        """Whether every question gets the same answer from the project as it is now."""
        try:
            answers = self.answers
        except (TypeError, ValueError, KeyError, AttributeError):
            return False
        for key, answer in answers.items():
            try:
                now = fingerprint(ask(index, key))
            except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
                return False
            if now != answer:
                return False
        return True


def ask(index: "ProjectIndex", key: Key) -> Any:
    """Ask ``index`` a recorded question again."""
    name, *args = key
    if name == "gate":
        field, word = args
        return word in getattr(index.source_names(), field)
    if name == "gate-all":
        return sorted(getattr(index.source_names(), args[0]))
    if name == "sources":
        return index.source_listing(*args)
    if name.startswith("models."):
        return getattr(index.models, name[len("models."):])(*args)
    if name not in QUESTIONS:
        raise ValueError(f"unknown question {name!r}")
    return getattr(index, name)(*args)


# The Project protocol's questions (``records.project.Project``), recorded as asked.
QUESTIONS = frozenset({
    "module_of", "module_path", "function", "has_function", "has_global", "resolve", "class_summary",
    "find_method", "class_derives", "global_value", "constant", "runner_param", "db_reach", "sync_db_reach",
    "reached_from_worker", "reached_from_async", "is_getter",
})
MODEL_QUESTIONS = frozenset({"is_model", "fields", "related_manager", "manager"})
GATES = ("awaitable", "runner_candidates", "bridge_candidates", "properties")


class RecordingProject:
    """The project as one analysis sees it: the index's answers, each one noted."""

    def __init__(self, index: "ProjectIndex", recorder: Recorder) -> None:
        self._index = index
        self.recorder = recorder
        self.models = _RecordingModels(index, recorder)
        self._gate: _RecordingGate | None = None

    def __getattr__(self, name: str) -> Any:
        if name not in QUESTIONS:
            return getattr(self._index, name)  # anything else (``relative``) is not a question
        method = getattr(self._index, name)
        note = self.recorder.note

        def asked(*args: Any, **keywords: Any) -> Any:
            if keywords:  # recorded by position, as it is asked again
                args = _by_position(method, args, keywords)
            answer = method(*args)
            note((name, *args), answer)
            return answer

        setattr(self, name, asked)  # made once per analysis
        return asked

    def source_names(self) -> "_RecordingGate":
        names = self._index.source_names()
        gate = self._gate
        if gate is None or gate.names is not names:  # made again only after the index forgot the scan
            gate = self._gate = _RecordingGate(names, self.recorder)
        return gate

    def sources(self, mentioning: str | None = None, with_any: Iterable[str] = ()) -> Iterator[Any]:
        """Project files (those mentioning a name); the files seen are the answer."""
        seen: list[tuple[str, str | None]] = []
        words = frozenset(with_any)
        exhausted = False
        try:
            for rel, digest, item in self._index.sources_with_keys(mentioning, words):
                seen.append((rel, digest))
                yield item
            exhausted = True
        finally:
            self.recorder.note(("sources", mentioning, words, len(seen) if not exhausted else -1),
                               [list(s) for s in seen])


class _RecordingModels:
    def __init__(self, index: "ProjectIndex", recorder: Recorder) -> None:
        self._index = index
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._index.models, name)
        if name not in MODEL_QUESTIONS:
            return method
        note = self._recorder.note
        key = "models." + name

        def asked(*args: Any, **keywords: Any) -> Any:
            if keywords:
                args = _by_position(method, args, keywords)
            answer = method(*args)
            note((key, *args), answer)
            return answer

        return asked


class _RecordingGate:
    """``source_names()`` whose membership tests are noted."""

    def __init__(self, names: Any, recorder: Recorder) -> None:
        self.names = names
        for gate in GATES:
            setattr(self, gate, _RecordingSet(getattr(names, gate), gate, recorder))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.names, name)


class _RecordingSet:
    __slots__ = ("_names", "_gate", "_recorder")

    def __init__(self, names: frozenset[str], gate: str, recorder: Recorder) -> None:
        self._names = names
        self._gate = gate
        self._recorder = recorder

    def __contains__(self, name: object) -> bool:
        found = name in self._names
        if isinstance(name, str):
            self._recorder.note(("gate", self._gate, name), found)
        return found

    def __iter__(self) -> Iterator[str]:  # a whole gate: every name is an answer
        self._recorder.note(("gate-all", self._gate), sorted(self._names))
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _by_position(method: Callable[..., Any], args: tuple, keywords: dict[str, Any]) -> tuple:
    import inspect

    return tuple(inspect.signature(method).bind(*args, **keywords).arguments.values())


def holds_all(recorders: Iterable[Recorder], index: "ProjectIndex") -> bool:
    return all(r.holds(index) for r in recorders)
