"""Names found by a text scan of every project file (no parsing): cheap gates.

A look-up that cannot succeed is skipped before any module is parsed: a call can
only be a runner if some def of that name sits in a file that mentions a loop API;
a discarded call can only be a coroutine if an ``async def`` (or a def decorated by
a bridge) of that name exists; an expression can only be a bridge if its name is
``sync_to_async`` and kin, or is defined next to them (a subclass, an alias, a
partial, a decorator), or is an alias of one of those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

_DEF = re.compile(rb"\bdef\s+(\w+)")
_ASYNC_DEF = re.compile(rb"\basync\s+def\s+(\w+)")
_DECORATED_DEF = re.compile(rb"@\s*(?:[\w.]+\.)?(\w+)\b[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*def\s+(\w+)")
_RELATED_NAME = re.compile(rb"related_name\s*=\s*['\"](\w+)['\"]")
_BRIDGE_WORDS = (b"sync_to_async", b"SyncToAsync")
BRIDGE_NAMES = frozenset({"sync_to_async", "SyncToAsync", "database_sync_to_async", "DatabaseSyncToAsync"})


def _names_from(words: set[bytes]) -> re.Pattern[bytes]:
    """Definitions that are built from one of ``words`` on their own line (an alias, a
    subclass, a partial) or return one (a decorator factory)."""
    alternatives = b"|".join(re.escape(w) for w in sorted(words))
    return re.compile(
        rb"^[ \t]*(?:class\s+(\w+)\s*\([^)\n]*\b(?:" + alternatives + rb")\b"
        rb"|(\w+)\s*(?::[^=\n]*)?=[^=\n][^\n]*\b(?:" + alternatives + rb")\b"
        rb"|def\s+(\w+)[^\n]*\n(?:[^\n]*\n){0,15}?[ \t]*return\s+(?:[\w.]+\.)?(?:" + alternatives + rb")\b)",
        re.MULTILINE,
    )


@dataclass(frozen=True)
class SourceNames:
    awaitable: frozenset[str]
    runner_candidates: frozenset[str]
    bridge_candidates: frozenset[str]
    related_names: dict[str, tuple[Path, ...]]  # related_name="x" -> the files declaring it

    @classmethod
    def scan(cls, sources: Iterable[tuple[Path, bytes]]) -> "SourceNames":
        async_defs: set[bytes] = set()
        decorated: list[tuple[bytes, bytes]] = []  # (decorator name, def name)
        runners: set[bytes] = set()
        bridges: set[bytes] = {n.encode() for n in BRIDGE_NAMES}
        first = _names_from(bridges)
        texts: list[bytes] = []  # every file, for second-level aliases
        related: dict[bytes, list[Path]] = {}
        for path, data in sources:
            if b"related_name" in data:
                for name in set(_RELATED_NAME.findall(data)):
                    related.setdefault(name, []).append(path)
            if b"async" in data:
                async_defs.update(_ASYNC_DEF.findall(data))
            if b"@" in data:
                decorated.extend(_DECORATED_DEF.findall(data))
            if b"run_until_complete" in data or (b"asyncio" in data and b"run(" in data):
                runners.update(_DEF.findall(data))
            if any(word in data for word in _BRIDGE_WORDS):
                for groups in first.findall(data):
                    bridges.update(g for g in groups if g)
            texts.append(data)
        derived = bridges - {n.encode() for n in BRIDGE_NAMES}
        if derived:
            second = _names_from(derived)
            needles = tuple(derived)
            for data in texts:
                if any(n in data for n in needles):
                    for groups in second.findall(data):
                        bridges.update(g for g in groups if g)
        awaitable = async_defs | {name for decorator, name in decorated if decorator in bridges}

        def decode(names: Iterable[bytes]) -> frozenset[str]:
            return frozenset(n.decode("ascii", "replace") for n in names)

        return cls(
            awaitable=decode(awaitable), runner_candidates=decode(runners), bridge_candidates=decode(bridges),
            related_names={k.decode("ascii", "replace"): tuple(v) for k, v in related.items()},
        )
