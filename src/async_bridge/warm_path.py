"""A checked file's findings straight from the project cache, with nothing else loaded.

The first thing the flake8 plugin tries for a file (an editor lints one file per new
process): when the file's findings record (``index.findings_lookup``) was valid in the
project as it is now (``index.snapshot``), its findings are returned without loading
the knowledge, the checks, the analysis or the project's files. Anything else (no
cache, no record, a project that changed) answers None and the engine runs, as it
always did.

The project is compared with its snapshot once per run (per ``Settings`` object, which
flake8's ``parse_options`` makes once): a many-file run pays it once, as it pays the
engine's own refresh once.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from . import django_version
from .config import Settings, project_store
from .index import snapshot
from .index.cache import CacheStore
from .index.findings_lookup import settings_key, stored_findings


class CachedFinding(NamedTuple):
    line: int
    col: int
    code: str
    message: str


def findings_key(settings: Settings) -> str:
    """What of the settings a file's findings depend on (``findings_lookup.settings_key``)."""
    return settings_key(settings.enable, django_version.target(settings))


class _Run:
    """What the warm path learnt in this run: the cache, and the project's generation."""

    def __init__(self, settings: Settings) -> None:
        self.root, self.store = project_store(settings.project_root, settings.extra_knowledge,
                                              settings.cache_dir, settings.no_cache)
        self.key = findings_key(settings)
        self._generation: str | None = None
        self._compared = False

    def generation(self, store: CacheStore) -> str | None:
        """The project's generation if it is unchanged since its snapshot (None: changed)."""
        if not self._compared:
            self._generation = snapshot.current_generation(store, str(self.root))
            self._compared = True
        return self._generation

    @property
    def project_changed(self) -> bool:
        return self._compared and self._generation is None


_run: tuple[Settings, _Run] | None = None


def _this_run(settings: Settings) -> _Run:
    global _run
    if _run is None or _run[0] is not settings:
        _run = (settings, _Run(settings))
    return _run[1]


def cached_findings(settings: Settings, filename: str, text: str,
                    current: Callable[[], str | None] | None = None) -> list[CachedFinding] | None:
    """The file's findings from a record valid now, or None (the engine must run).
    ``current``: the project's generation when this process has refreshed it already
    (a flake8 worker whose main process prepared the index), instead of its snapshot."""
    run = _this_run(settings)
    store = run.store
    if store is None or run.project_changed:
        return None
    found = stored_findings(store, run.root, filename, text, run.key)
    if found is None:
        return None
    data, generation = found
    if (current() if current is not None else run.generation(store)) != generation:
        return None
    try:
        return [CachedFinding(int(f[0]), int(f[1]), str(f[2]), str(f[3])) for f in data]
    except (TypeError, ValueError, IndexError):
        return None  # not a list of findings: the engine runs (and writes the record again)


def forget() -> None:
    """Start afresh (a new run in this process: tests)."""
    global _run
    _run = None
