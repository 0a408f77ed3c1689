"""flake8 entry point: options and ``Plugin.run``; the work happens in ``engine``.

The options are ``config.OPTIONS`` (``--abr-<key>``). flake8 reads them from its
command line and its config files (``[flake8]`` in ``.flake8``, ``setup.cfg``,
``tox.ini``); ``config.resolve`` adds ``[tool.async-bridge]`` from ``pyproject.toml``
underneath, the same path ``async-bridge check`` and ``fix`` take.
"""

from __future__ import annotations

import ast
from typing import Any, Iterator

from . import __version__
from .checks.base import InternalError, debugging, node_in_traceback, warn_internal_error
from .config import DOCS_BASE_URL, OPTIONS, Settings, settings_from_options, warn
from .engine import check_tree
from .gc_tuning import tune_collector


class Plugin:
    name = "flake8-async-bridge"
    version = __version__
    settings = Settings()

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
        try:
            cls.settings = settings_from_options(options)
        except Exception as exc:  # a config problem must never take flake8 down
            if debugging():
                raise
            warn(f"cannot read the settings ({type(exc).__name__}: {exc}); using the defaults")
            cls.settings = Settings()
        try:
            # before the workers start: under fork they inherit the project's names, under
            # spawn/forkserver they find them in the cache, written here
            cls.settings.index.prepare()
        except Exception:
            if debugging():
                raise
        # What is alive now lives for the whole run (flake8's setup, the knowledge, the
        # project's files and names): frozen, and collections made rarer (gc_tuning.py).
        tune_collector()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.settings.excluded(self.filename):  # [tool.async-bridge] exclude, as `check` skips it
            return
        # a check that raises is isolated by run_checks (only its findings are lost);
        # what is left is the analysis every check shares: never take flake8 down with us
        try:
            text = "".join(self.lines) if self.lines is not None else None
            findings = check_tree(self.tree, self.filename, self.settings, text)
        except Exception as exc:
            if debugging():
                raise
            warn_internal_error(InternalError(
                filename=self.filename, where="the analysis", node=node_in_traceback(exc.__traceback__),
                error=exc, consequence="file skipped",
            ))
            return
        settings = self.settings
        for finding in findings:
            yield finding.line, finding.col, settings.with_doc_link(finding.message, finding.code), type(self)
