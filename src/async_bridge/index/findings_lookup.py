"""A checked file's findings record: its name, and the warm path that trusts it cheaply.

A file's findings are cached under its path, the digest of its text and the settings
its findings depend on (``settings_key``); the cache version folder already stands
for the plugin's code, the knowledge and the project root. A record also holds the
project generation it is known valid in, which checks ran (``checks``: the relevance
gate's pick, None for all) and the name of the questions its checks asked
(``entries.StoredFindings``).

``stored_findings`` reads a record with nothing else loaded (no knowledge, checks or
analysis): ``warm_path`` trusts it when the project is the one the record was valid in
(``snapshot.current_generation``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from .cache import CacheStore, digest, text_digest

FORMAT = 6  # the findings record's shape (``entries.StoredFindings``)
_NO_FILE = ("-", "stdin", "<stdin>", "")


def settings_key(enable: Iterable[str], django_target: tuple[int, int] | None) -> str:
    """What of the settings a file's findings depend on beyond its text, the knowledge and
    the project (which the cache version folder and the generation stand for): the rules
    enabled on top of the defaults and the Django version targeted."""
    return json.dumps([sorted(enable), list(django_target) if django_target else None])


def findings_name(rel: str, text_key: str, settings: str) -> str:
    key = digest(repr(("findings", rel, text_key, settings)).encode())
    return f"findings/{key[:2]}/{key}.json"


def relative(root: Path | str, filename: str) -> str | None:
    """A checked file's path relative to the project root, None outside it (or stdin)."""
    if filename in _NO_FILE:
        return None
    try:
        rel = os.path.relpath(os.path.abspath(filename), root)
        if rel.startswith(".."):
            rel = os.path.relpath(os.path.realpath(filename), root)
    except (OSError, ValueError):
        return None
    return None if rel.startswith("..") else rel


def valid_data(data: Any) -> dict[str, Any] | None:
    """A findings record of this format (the findings a list), else None."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("findings"), list):
        return None
    return data


def stored_findings(store: CacheStore, root: Path | str, filename: str, text: str,
                    settings: str) -> tuple[list[Any], str] | None:
    """A file's cached findings (plain data) and the generation they are known valid in,
    or None; the caller decides whether that generation is the project's now."""
    rel = relative(root, filename)
    if rel is None:
        return None
    data = valid_data(store.read(findings_name(rel, text_digest(text), settings)))
    if data is None or not isinstance(data.get("generation"), str):
        return None
    return data["findings"], data["generation"]
