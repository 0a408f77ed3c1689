"""flake8 entry point: options and ``Plugin.run``; the work happens in ``engine``.

Every option is also read from flake8's config files (``[flake8]`` in ``.flake8``,
``setup.cfg``, ``tox.ini``) and, without the ``abr-`` prefix, from
``[tool.async-bridge]`` in ``pyproject.toml`` (see ``config.resolve_settings``).
"""

from __future__ import annotations

import ast
import multiprocessing
import os
from typing import Any, Iterator

from . import __version__
from .config import DOCS_BASE_URL, Settings, settings_from_options, warn
from .engine import check_tree


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
        manager.add_option(
            "--abr-project-root", parse_from_config=True, normalize_paths=True, default=None,
            help="Directory imports are resolved from (default: the current directory). "
                 "Also where [tool.async-bridge] in pyproject.toml is looked up.",
        )
        manager.add_option(
            "--abr-django-version", parse_from_config=True, default=None,
            help="Django version the suggestions target, e.g. 4.2 (default: from the project's pins).",
        )
        manager.add_option(
            "--abr-extra-knowledge", parse_from_config=True, comma_separated_list=True,
            normalize_paths=True, default=None,
            help="YAML files adding runners, task decorators, loop-bound types, ... (comma-separated).",
        )
        manager.add_option(
            "--abr-enable", parse_from_config=True, comma_separated_list=True, default=None,
            help="Off-by-default ABR rules to switch on, e.g. ABR106.",
        )
        manager.add_option(
            "--abr-docs-url", parse_from_config=True, default=None,
            help=f"Where rule pages are linked from in messages: a URL prefix, or a template with "
                 f"{{code}}; 'none' drops the link (default: {DOCS_BASE_URL}).",
        )
        manager.add_option(
            "--abr-cache-dir", parse_from_config=True, normalize_paths=True, default=None,
            help="Where the project cache lives (default: .async_bridge_cache in the project root).",
        )
        manager.add_option(
            "--abr-no-cache", parse_from_config=True, action="store_true", default=None,
            help="Neither read nor write the project cache.",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        # flake8 workers started with spawn/forkserver parse the options again:
        # the main process has already reported any problem, stay quiet there
        quiet = multiprocessing.parent_process() is not None
        try:
            cls.settings = settings_from_options(options, report=(lambda _msg: None) if quiet else None)
        except Exception as exc:  # a config problem must never take flake8 down
            if os.environ.get("ABR_DEBUG"):
                raise
            warn(f"cannot read the settings ({type(exc).__name__}: {exc}); using the defaults")
            cls.settings = Settings()
        try:
            # before the workers start: under fork they inherit the project's names, under
            # spawn/forkserver they find them in the cache, written here
            cls.settings.index.prepare()
        except Exception:
            if os.environ.get("ABR_DEBUG"):
                raise

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            text = "".join(self.lines) if self.lines is not None else None
            findings = check_tree(self.tree, self.filename, self.settings, text)
        except Exception as exc:  # never take flake8 down with us
            if os.environ.get("ABR_DEBUG"):
                raise
            warn(f"{self.filename}: internal error, file skipped ({type(exc).__name__}: {exc})")
            return
        settings = self.settings
        for finding in findings:
            yield finding.line, finding.col, settings.with_doc_link(finding.message, finding.code), type(self)
