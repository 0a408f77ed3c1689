"""Constant values a guard compares a parameter with, and a call passes, as short keys.

``if search_type == SEARCH_TYPES.PARENTHETICAL: <db work>`` runs no database work
for a call passing ``SEARCH_TYPES.OPINION``. The keys that say so:

- ``="pa"``: a literal (the ``repr`` of a str, bytes, number, bool or None);
- ``@cl.search.models.SEARCH_TYPES.PARENTHETICAL``: a project name, resolved to a
  literal by the project index (``ProjectIndex.constant``) when a question needs it;
- ``$search_type:1``: in a call edge, the caller's own parameter (name and position
  among the arguments its callers write; -1 keyword-only), filled in from what the
  caller was given;
- ``?``: in a call edge, a slot its calls fill with different values.

Two values are known to differ only when both are literals that compare unequal.
"""

from __future__ import annotations

import ast
from typing import Callable, Mapping

LITERAL = "="
NAME = "@"
PARAM = "$"
UNKNOWN = "?"  # given, with values that differ between the calls an edge stands for

_LITERAL_TYPES = (str, bytes, int, float, complex, bool, type(None))


def literal_key(value: object) -> str | None:
    if not isinstance(value, _LITERAL_TYPES):
        return None
    return LITERAL + repr(value)


def param_key(name: str, position: int) -> str:
    return f"{PARAM}{name}:{position}"


def _literal(key: str) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(key[len(LITERAL):])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, None


def differ(a: str, b: str) -> bool:
    """Whether two resolved keys are literals known to compare unequal."""
    if not (a.startswith(LITERAL) and b.startswith(LITERAL)):
        return False
    ok_a, left = _literal(a)
    ok_b, right = _literal(b)
    return ok_a and ok_b and left != right


def falsy(key: str) -> bool:
    """Whether a resolved key is a literal known to be false."""
    if not key.startswith(LITERAL):
        return False
    ok, value = _literal(key)
    return ok and not value


# The arguments one call passes, by slot: ``"0"``, ``"1"``... by position, a keyword by
# its name. Stored in an edge as ``"slot=key"`` strings.
Slots = Mapping[str, str]


def encode(slots: Slots) -> tuple[str, ...]:
    return tuple(sorted(f"{slot}={key}" for slot, key in slots.items()))


def decode(items: tuple[str, ...] | frozenset[str]) -> dict[str, str]:
    found = {}
    for item in items:
        slot, sep, key = item.partition("=")
        if sep:
            found[slot] = key
    return found


def merged(first: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """One edge's arguments for two calls: a slot they fill differently is unknown."""
    a, b = decode(first), decode(other)
    return encode({slot: a[slot] if a.get(slot) == b.get(slot) else UNKNOWN for slot in {*a, *b}})


def argument(slots: Slots, name: str, position: int) -> str | None:
    """What a call gives the parameter ``name`` at ``position`` (-1: keyword-only), if a known key."""
    if name in slots:
        return slots[name]
    return slots.get(str(position)) if position >= 0 else None


def passed_on(edge_slots: Slots, given: Slots) -> dict[str, str]:
    """The slots a callee gets: an edge's keys, its caller's parameters filled in from what
    the caller was given (dropped when unknown)."""
    found = {}
    for slot, key in edge_slots.items():
        if key.startswith(PARAM):
            name, _, position = key[len(PARAM):].rpartition(":")
            value = argument(given, name, int(position)) if position.lstrip("-").isdigit() else None
            if value is not None:
                found[slot] = value
        else:
            found[slot] = key
    return found


Resolver = Callable[[str], "str | None"]  # a project name (no prefix) to its literal key (None: unknown)
