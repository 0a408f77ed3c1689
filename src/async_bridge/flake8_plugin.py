"""flake8 entry point: options and ``Plugin.run``; the work happens in ``engine``.

The options are ``config.OPTIONS`` (``--abr-<key>``). flake8 reads them from its
command line and its config files (``[flake8]`` in ``.flake8``, ``setup.cfg``,
``tox.ini``); ``config.resolve`` adds ``[tool.async-bridge]`` from ``pyproject.toml``
underneath, the same path ``async-bridge check`` and ``fix`` take.

This module is imported by every flake8 run, so it imports little: a file whose
findings are cached and still valid (``warm_path``) is answered without the
knowledge, the checks or the analysis, which ``run`` imports only when it needs them.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
from typing import Any, Iterator

from . import __version__
from .debug_mode import debugging
from .config import DOCS_BASE_URL, OPTIONS, Settings, settings_from_options, warn
from .gc_tuning import tune_collector
from .warm_path import CachedFinding, cached_findings


class Plugin:
    name = "flake8-async-bridge"
    version = __version__
    settings = Settings()
    prepared = False  # the project index was refreshed by parse_options (a run with workers)
    inherited: str | None = None  # a spawned worker: the generation its main process refreshed to

    def __init__(self, tree: ast.AST, filename: str, lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines  # the text flake8 parsed: the key of the file's cached findings

    @classmethod
    def add_options(cls, manager: Any) -> None:
        # default None everywhere: "not given", so pyproject.toml can fill it in
        for option in OPTIONS:
            if not option.in_flake8:
                continue
            help_text = option.help
            if option.key == "docs-url":
                help_text += f" (default: {DOCS_BASE_URL})"
            if option.is_flag:
                manager.add_option(option.flake8_flag, parse_from_config=True, action="store_true", default=None,
                                   help=help_text)
                continue
            manager.add_option(
                option.flake8_flag, parse_from_config=True, default=None, help=help_text,
                comma_separated_list=option.is_list, normalize_paths=option.is_path,
            )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        # Problems are printed by the main process only (config.report): flake8's
        # workers either inherit these settings (fork) or resolve them again, quietly
        # (spawn, forkserver).
        worker = multiprocessing.parent_process() is not None  # spawn/forkserver: flake8's _mp_init
        parallel = runs_in_workers(options) and not worker
        try:
            cls.settings = settings_from_options(options, preload_knowledge=parallel)
        except Exception as exc:  # a config problem must never take flake8 down
            if debugging():
                raise
            warn(f"cannot read the settings ({type(exc).__name__}: {exc}); using the defaults")
            cls.settings = Settings()
        cls.prepared = False
        cls.inherited = inherited_generation(cls.settings) if worker else None
        if parallel:
            try:
                # before the workers start: under fork they inherit the project's names, under
                # spawn/forkserver they find them in the cache, written here, and the
                # generation it was refreshed to in their environment. A run in this process
                # validates the project when (if) a file needs it.
                cls.settings.index.prepare()
                cls.prepared = True
                share_generation(cls.settings, cls.settings.index.files.generation)
            except Exception:
                if debugging():
                    raise
        # What is alive now lives for the whole run (flake8's setup, the knowledge, the
        # project's files and names): frozen, and collections made rarer (gc_tuning.py).
        tune_collector()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.settings.excluded(self.filename):  # [tool.async-bridge] exclude, as `check` skips it
            return
        settings = self.settings
        text = "".join(self.lines) if self.lines is not None else None
        cached = self._cached(text) if text is not None else None
        if cached is not None:
            for line, col, code, message in cached:
                yield line, col, settings.with_doc_link(message, code), type(self)
            return
        from .checks.base import InternalError, node_in_traceback, warn_internal_error
        from .engine import check_tree

        # a check that raises is isolated by run_checks (only its findings are lost);
        # what is left is the analysis every check shares: never take flake8 down with us
        try:
            findings = check_tree(self.tree, self.filename, settings, text)
        except Exception as exc:
            if debugging():
                raise
            warn_internal_error(InternalError(
                filename=self.filename, where="the analysis", node=node_in_traceback(exc.__traceback__),
                error=exc, consequence="file skipped",
            ))
            return
        for finding in findings:
            yield finding.line, finding.col, settings.with_doc_link(finding.message, finding.code), type(self)

    def _cached(self, text: str) -> list[CachedFinding] | None:
        try:
            settings = self.settings
            inherited = self.inherited
            current = (lambda: settings.index.files.generation) if self.prepared else \
                (lambda: inherited) if inherited is not None else None
            return cached_findings(settings, self.filename, text, current)
        except Exception:  # the cache is an optimisation: any surprise, and the engine decides
            if debugging():
                raise
            return None


# The project generation the main process refreshed to, for workers started by spawn or
# forkserver (which parse the options again instead of inheriting the index): "root, cache
# folder, generation" on one line, so a worker of another project ignores it.
GENERATION_ENV = "ASYNC_BRIDGE_FLAKE8_GENERATION"


def _generation_owner(settings: Settings) -> str:
    return f"{settings.project_root}\t{settings.cache_dir}\t{settings.no_cache}"


def share_generation(settings: Settings, generation: str | None) -> None:
    if generation is None:
        os.environ.pop(GENERATION_ENV, None)
    else:
        os.environ[GENERATION_ENV] = f"{_generation_owner(settings)}\t{generation}"


def inherited_generation(settings: Settings) -> str | None:
    owner, _, generation = os.environ.get(GENERATION_ENV, "").rpartition("\t")
    return generation if generation and owner == _generation_owner(settings) else None


def runs_in_workers(options: Any) -> bool:
    """Whether flake8 may check files in worker processes (``Manager.run``: more than one
    job and more than one file), which then share what the main process prepares."""
    jobs = getattr(options, "jobs", None)
    if jobs is not None and not getattr(jobs, "is_auto", True) and getattr(jobs, "n_jobs", 2) <= 1:
        return False
    names = getattr(options, "filenames", None) or ["."]
    if len(names) != 1:
        return True
    name = names[0]
    return name != "-" and not os.path.isfile(name)
