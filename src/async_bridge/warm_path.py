"""A checked file's findings straight from the project cache, with nothing else loaded.

The first thing the flake8 plugin tries for a file (an editor lints one file per new
process): when the file's findings record is valid in the project as it is now
(``index.findings_lookup``), its findings are returned without loading the knowledge,
the checks, the analysis or the project's files. Anything else (no cache, no record,
a project that changed) answers None and the engine runs, as it always did.
"""

from __future__ import annotations

from typing import NamedTuple

from . import django_version
from .config import Settings, project_store
from .index.findings_lookup import settings_key, warm_findings


class CachedFinding(NamedTuple):
    line: int
    col: int
    code: str
    message: str


def findings_key(settings: Settings) -> str:
    """What of the settings a file's findings depend on (``findings_lookup.settings_key``)."""
    return settings_key(settings.enable, django_version.target(settings))


def cached_findings(settings: Settings, filename: str, text: str) -> list[CachedFinding] | None:
    """The file's findings from a record valid now, or None (the engine must run)."""
    root, store = project_store(settings.project_root, settings.extra_knowledge, settings.cache_dir,
                                settings.no_cache)
    if store is None:
        return None
    data = warm_findings(store, root, filename, text, findings_key(settings))
    if data is None:
        return None
    try:
        return [CachedFinding(int(f[0]), int(f[1]), str(f[2]), str(f[3])) for f in data]
    except (TypeError, ValueError, IndexError):
        return None  # not a list of findings: the engine runs (and writes the record again)
