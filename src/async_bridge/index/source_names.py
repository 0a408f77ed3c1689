"""Names found by a text scan of every project file (no parsing): cheap gates.

A look-up that cannot succeed is skipped before any module is parsed: a call can
only be a runner if some def of that name sits in a file that mentions a loop API;
a discarded call can only be a coroutine if an ``async def`` (or a def decorated by
a bridge) of that name exists; an expression can only be a bridge if its name is
``sync_to_async`` and kin, or is defined next to them (a subclass, an alias, a
partial, a decorator), or is an alias of one of those.

Each file is scanned on its own (``scan_file``, kept in the cache by the file's
content), and the project's names are assembled from the files' scans; only the
second level of bridge aliases needs other files' text, and only of the files that
mention a first-level alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

_HEADER = re.compile(rb"^([ \t]*)(?:(async[ \t]+)?def|(class))[ \t]+(\w+)", re.MULTILINE)
# what binds a name to ``asyncio`` (or ``asyncio.runners``) or to its ``run``: the names a
# call of ``asyncio.run`` can be spelled with in a file
_CONTINUED = rb"[^\n#;\\]*(?:\\\r?\n[^\n#;\\]*)*"  # a statement's rest, backslash continuations included
_IMPORT_MODULE = re.compile(rb"^[ \t]*import[ \t]+(" + _CONTINUED + rb")", re.MULTILINE)
_FROM_ASYNCIO = re.compile(rb"^[ \t]*from[ \t]+asyncio(\.runners)?[ \t]+import[ \t]+(\([^)]*\)|" + _CONTINUED + rb")",
                           re.MULTILINE)
_BINDING = re.compile(rb"([\w.*]+)(?:\s+as\s+(\w+))?")
_ASYNC_DEF = re.compile(rb"\basync\s+def\s+(\w+)")
_DECORATED_DEF = re.compile(rb"@\s*(?:[\w.]+\.)?(\w+)\b[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*def\s+(\w+)")
_PROPERTY_DEF = re.compile(rb"@\s*(?:[\w.]+\.)?(?:property|cached_property)[ \t\r]*(?:#[^\n]*)?\n(?:[ \t]*@[^\n]*\n)*[ \t]*def\s+(\w+)")
_RELATED_NAME = re.compile(rb"related_name\s*=\s*['\"](\w+)['\"]")
_BRIDGE_WORDS = (b"sync_to_async", b"SyncToAsync")
BRIDGE_NAMES = frozenset({"sync_to_async", "SyncToAsync", "database_sync_to_async", "DatabaseSyncToAsync"})
_LINES_BEFORE = 16  # a decorator factory's ``return`` is at most this far below its ``def``


def _names_from(words: Iterable[bytes]) -> re.Pattern[bytes]:
    """Definitions that are built from one of ``words`` on their own line (an alias, a
    subclass, a partial) or return one (a decorator factory). An assignment of an
    awaited value (``x = await sync_to_async(f)()``) is a result, never a bridge."""
    alternatives = b"|".join(re.escape(w) for w in sorted(words))
    return re.compile(
        rb"^[ \t]*(?:class\s+(\w+)\s*\([^)\n]*\b(?:" + alternatives + rb")\b"
        rb"|(\w+)\s*(?::[^=\n]*)?=(?![^\n]*\bawait\b)[^=\n][^\n]*\b(?:" + alternatives + rb")\b"
        rb"|def\s+(\w+)[^\n]*\n(?:[^\n]*\n){0,15}?[ \t]*return\s+(?:[\w.]+\.)?(?:" + alternatives + rb")\b)",
        re.MULTILINE,
    )


@lru_cache(maxsize=1)
def _first_level() -> re.Pattern[bytes]:
    return _names_from(n.encode() for n in BRIDGE_NAMES)


@dataclass(frozen=True)
class FileScan:
    """What the text scan finds in one file."""

    async_defs: tuple[str, ...] = ()
    runners: tuple[str, ...] = ()  # defs whose text (nested defs included) runs a loop
    bridges: tuple[str, ...] = ()  # definitions built from a known bridge name (first level)
    decorated: tuple[tuple[str, str], ...] = ()  # (last name of a decorator, the def it decorates)
    related: tuple[str, ...] = ()  # related_name="x" declared here
    properties: tuple[str, ...] = ()  # defs decorated ``@property`` / ``@cached_property``

    def to_data(self) -> dict[str, Any]:
        return {k: [list(p) for p in v] if k == "decorated" else list(v)
                for k, v in self.__dict__.items() if v}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "FileScan":
        return cls(
            async_defs=_strings(data.get("async_defs")), runners=_strings(data.get("runners")),
            bridges=_strings(data.get("bridges")), related=_strings(data.get("related")),
            properties=_strings(data.get("properties")),
            decorated=tuple((str(a), str(b)) for a, b in data.get("decorated") or ()),
        )


def _strings(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of names")
    return tuple(value)


def _decode(names: Iterable[bytes]) -> tuple[str, ...]:
    return tuple(sorted({n.decode("ascii", "replace") for n in names}))


def scan_file(data: bytes) -> FileScan:
    """The text scan of one file's bytes."""
    async_defs: tuple[str, ...] = ()
    runners: tuple[str, ...] = ()
    bridges: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    decorated: tuple[tuple[str, str], ...] = ()
    properties: tuple[str, ...] = ()
    if b"related_name" in data:
        related = _decode(_RELATED_NAME.findall(data))
    if b"async" in data:
        async_defs = _decode(_ASYNC_DEF.findall(data))
    if b"@" in data:
        decorated = tuple(sorted({(d.decode("ascii", "replace"), n.decode("ascii", "replace"))
                                  for d, n in _DECORATED_DEF.findall(data)}))
        if b"property" in data:
            properties = _decode(_PROPERTY_DEF.findall(data))
    if b"run_until_complete" in data or (b"asyncio" in data and b"run" in data):
        runners = _decode(_loop_running_defs(data, _loop_run_pattern(data)))
    if any(word in data for word in _BRIDGE_WORDS):
        bridges = _decode(g for groups in _first_level().findall(data) for g in groups if g)
    return FileScan(async_defs, runners, tuple(b for b in bridges if b not in BRIDGE_NAMES), decorated, related,
                    properties)


def _loop_run_pattern(data: bytes) -> re.Pattern[bytes]:
    """A call that runs a loop in this file: ``run_until_complete``, or ``asyncio.run``
    however the file's imports spell it (``asyncio.run(``, ``aio.run(``, ``runners.run(``,
    ``run(`` / ``go(`` from ``from asyncio import run [as go]``); a ``run(`` of anything
    else (``subprocess.run``, ``session.run``) is none."""
    modules = {b"asyncio"}  # names for the asyncio package, then for asyncio.runners
    runners: set[bytes] = set()
    functions: set[bytes] = set()
    for m in _IMPORT_MODULE.finditer(data):
        for name, alias in _BINDING.findall(m.group(1)):
            if name == b"asyncio" and alias:
                modules.add(alias)
            elif name == b"asyncio.runners" and alias:
                runners.add(alias)
    for m in _FROM_ASYNCIO.finditer(data):
        for name, alias in _BINDING.findall(m.group(2)):
            if name == b"*":
                functions.add(b"run")
            elif name == b"run":
                functions.add(alias or name)
            elif name == b"runners" and m.group(1) is None:
                runners.add(alias or name)
    spellings = [rb"run_until_complete",
                 rb"\b(?:" + b"|".join(map(re.escape, sorted(modules))) + rb")\s*\.\s*(?:runners\s*\.\s*)?run\s*\("]
    if runners:
        spellings.append(rb"\b(?:" + b"|".join(map(re.escape, sorted(runners))) + rb")\s*\.\s*run\s*\(")
    if functions:
        spellings.append(rb"(?<![\w.])(?:" + b"|".join(map(re.escape, sorted(functions))) + rb")\s*\(")
    return re.compile(b"|".join(spellings))


def _loop_running_defs(data: bytes, loop_run: re.Pattern[bytes]) -> list[bytes]:
    """The defs whose text, up to the next def or class as far out as them, holds a loop
    run (``loop_run``): a runner's body, or a def around one."""
    found: list[bytes] = []
    open_defs: list[tuple[int, int, bytes]] = []  # (start, indent, name), innermost last

    def close(until: int, indent: int) -> None:
        while open_defs and open_defs[-1][1] >= indent:
            start, _, name = open_defs.pop()
            text = data[start:until]
            if loop_run.search(text):
                found.append(name)

    for m in _HEADER.finditer(data):
        indent = len(m.group(1).expandtabs())
        close(m.start(), indent)
        if m.group(3) is None:
            open_defs.append((m.start(), indent, m.group(4)))
    close(len(data), -1)
    return found


def second_level(data: bytes, derived: frozenset[str]) -> tuple[str, ...]:
    """Definitions in ``data`` built from one of the ``derived`` aliases (an alias of an
    alias). Only the lines around a mention of an alias are matched, so a file pays for
    its mentions, not for its length."""
    if not derived:
        return ()
    words = [w.encode() for w in derived]
    if not any(w in data for w in words):
        return ()
    mention = re.compile(rb"\b(?:" + b"|".join(re.escape(w) for w in sorted(words)) + rb")\b")
    pattern = _names_from(words)
    found: set[bytes] = set()
    last_line = -1
    for hit in mention.finditer(data):
        line_end = data.find(b"\n", hit.end())
        line_end = len(data) if line_end < 0 else line_end
        if line_end == last_line:
            continue  # another mention on the same line
        last_line = line_end
        start = hit.start()
        for _ in range(_LINES_BEFORE + 1):
            start = data.rfind(b"\n", 0, start)
            if start < 0:
                break
        for groups in pattern.findall(data, start + 1, line_end + 1):
            found.update(g for g in groups if g)
    return _decode(found)


@dataclass(frozen=True)
class SourceNames:
    awaitable: frozenset[str]
    runner_candidates: frozenset[str]
    bridge_candidates: frozenset[str]
    related_names: Mapping[str, tuple[Path, ...]]  # related_name="x" -> the files declaring it
    properties: frozenset[str] = frozenset()  # names of ``@property`` / ``@cached_property`` defs

    @classmethod
    def scan(cls, sources: Iterable[tuple[Path, bytes]]) -> "SourceNames":
        """One pass over ``sources`` (the texts are kept for the second level of aliases)."""
        texts: dict[Path, bytes] = {}
        scans: dict[Path, FileScan] = {}
        for path, data in sources:
            scans[path] = scan_file(data)
            texts[path] = data
        derived = derived_aliases(scans.values())
        second = {path: second_level(data, derived) for path, data in texts.items()} if derived else {}
        return cls.assemble(scans.items(), second)

    @classmethod
    def assemble(cls, scans: Iterable[tuple[Path | str, FileScan]],
                 second: Mapping[Path, Iterable[str]] | Mapping[str, Iterable[str]]) -> "SourceNames":
        """The project's names from each file's scan and second-level aliases (files named
        by path or path string)."""
        async_defs: set[str] = set()
        runners: set[str] = set()
        bridges: set[str] = set(BRIDGE_NAMES)
        by_decorator: dict[str, set[str]] = {}
        related: dict[str, list[Path]] = {}
        properties: set[str] = set()
        for path, scan in scans:
            properties.update(scan.properties)
            async_defs.update(scan.async_defs)
            runners.update(scan.runners)
            bridges.update(scan.bridges)
            for decorator, name in scan.decorated:
                by_decorator.setdefault(decorator, set()).add(name)
            for name in scan.related:
                related.setdefault(name, []).append(Path(path))
        for names in second.values():
            bridges.update(names)
        awaitable = set(async_defs)
        for decorator in bridges & by_decorator.keys():
            awaitable |= by_decorator[decorator]
        return cls(
            awaitable=frozenset(awaitable), runner_candidates=frozenset(runners), bridge_candidates=frozenset(bridges),
            related_names={k: tuple(sorted(v)) for k, v in related.items()}, properties=frozenset(properties),
        )


def derived_aliases(scans: Iterable[FileScan]) -> frozenset[str]:
    """First-level aliases of the project (whose own aliases the second level looks for)."""
    return frozenset(name for scan in scans for name in scan.bridges)


SecondLevel = Callable[[frozenset[str]], Mapping[Path, Iterable[str]]]
