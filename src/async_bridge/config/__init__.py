"""Settings shared by the flake8 plugin, ``async-bridge check`` and ``async-bridge fix``.

Where to look:

- ``settings.py``: the ``Settings`` record the engine reads;
- ``options.py``: every option with its one validator;
- ``files.py``: finding the project root, ``pyproject.toml`` and flake8's config file;
- ``resolve.py``: which value wins (``pyproject.toml``, then flake8's config, then
  the command line) and the problems found on the way;
- ``doc_urls.py``: rule page links; ``caches.py``: per-process knowledge and index;
- ``report.py``: configuration messages, printed by the main process only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable

from .caches import load_knowledge, project_index, project_store
from .doc_urls import DOCS_BASE_URL, rule_doc_url
from .files import PYPROJECT_SECTION, find_flake8_config, find_project_root, read_pyproject
from .options import BY_KEY, OPTIONS, ConfigError, check_django_version, select_codes, split_codes
from .report import warn
from .resolve import Resolved, command_line_layer, resolve
from .settings import Settings

__all__ = [
    "BY_KEY", "ConfigError", "DOCS_BASE_URL", "OPTIONS", "PYPROJECT_SECTION", "Resolved", "Settings",
    "command_line_layer", "find_flake8_config", "find_project_root", "load_knowledge", "parse_codes",
    "parse_django_version", "project_index", "project_store", "read_pyproject", "resolve", "resolve_settings",
    "rule_doc_url", "select_codes", "settings_from_options", "split_codes", "warn",
]

Report = Callable[[str], None]


def resolve_settings(
    project_root: str | None = None,
    django_version: Any = None,
    extra_knowledge: Iterable[str] | str | None = None,
    enable: Iterable[str] | str | None = None,
    docs_url: str | None = None,
    cwd: str | os.PathLike | None = None,
    report: Report | None = None,
    cache_dir: str | None = None,
    no_cache: Any = None,
    preload_knowledge: bool = True,
) -> Settings:
    """Settings from flake8's option values (None: not given) and ``pyproject.toml``.

    Never raises for a bad value: each problem goes to ``report`` (default:
    :func:`warn`, one stderr line from the main process) and that key keeps its default.
    """
    values = {
        "project-root": project_root,
        "django-version": django_version or None,
        "extra-knowledge": extra_knowledge or None,
        "enable": enable or None,
        "docs-url": docs_url,
        "cache-dir": cache_dir or None,
        "no-cache": no_cache or None,  # flake8's store_true: False/None is "not given"
    }
    base = Path(cwd).absolute() if cwd is not None else Path.cwd()
    resolved = resolve(command_line_layer(values, base, flake8=True), read_flake8_config=False, cwd=base,
                       discover_root=False, preload_knowledge=preload_knowledge)
    for problem in resolved.problems:
        (report or warn)(problem)
    return resolved.settings


def settings_from_options(options: Any, cwd: str | os.PathLike | None = None, report: Report | None = None,
                          preload_knowledge: bool = True) -> Settings:
    """Settings from a flake8 namespace with ``abr_*`` attributes (``preload_knowledge``: see ``resolve``)."""
    return resolve_settings(
        project_root=getattr(options, "abr_project_root", None),
        django_version=getattr(options, "abr_django_version", None),
        extra_knowledge=getattr(options, "abr_extra_knowledge", None),
        enable=getattr(options, "abr_enable", None),
        docs_url=getattr(options, "abr_docs_url", None),
        cwd=cwd,
        report=report,
        cache_dir=getattr(options, "abr_cache_dir", None),
        no_cache=getattr(options, "abr_no_cache", None),
        preload_knowledge=preload_knowledge,
    )


def parse_django_version(value: str | None) -> tuple[int, int] | None:
    """``"4.2"`` -> (4, 2); ValueError naming the option for anything else."""
    try:
        return check_django_version(value)
    except ConfigError as exc:
        raise ValueError(f"--django-version: {exc}") from None


def parse_codes(values: Iterable[str] | str | None) -> frozenset[str]:
    return frozenset(split_codes(values))
