"""flake8 entry point: options and ``Plugin.run``; the work happens in ``engine``."""

from __future__ import annotations

import ast
import os
from typing import Any, Iterator

from . import __version__
from .config import Settings, parse_codes, parse_django_version, warn
from .engine import check_tree


class Plugin:
    name = "flake8-async-bridge"
    version = __version__
    settings = Settings()

    def __init__(self, tree: ast.AST, filename: str) -> None:
        self.tree = tree
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--abr-project-root", parse_from_config=True, default=None,
            help="Directory imports are resolved from (default: the current directory).",
        )
        manager.add_option(
            "--abr-django-version", parse_from_config=True, default=None,
            help="Django version the suggestions target, e.g. 4.2 (default: from the project's pins).",
        )
        manager.add_option(
            "--abr-extra-knowledge", parse_from_config=True, comma_separated_list=True, default=[],
            help="YAML files adding runners, task decorators, loop-bound types, ... (comma-separated).",
        )
        manager.add_option(
            "--abr-enable", parse_from_config=True, comma_separated_list=True, default=[],
            help="Off-by-default ABR rules to switch on, e.g. ABR106.",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            django_version = parse_django_version(getattr(options, "abr_django_version", None))
        except ValueError as exc:
            warn(f"{exc}; ignoring it")
            django_version = None
        cls.settings = Settings(
            project_root=getattr(options, "abr_project_root", None),
            django_version=django_version,
            extra_knowledge=tuple(getattr(options, "abr_extra_knowledge", None) or ()),
            enable=parse_codes(getattr(options, "abr_enable", None)),
        )

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            findings = check_tree(self.tree, self.filename, self.settings)
        except Exception as exc:  # never take flake8 down with us
            if os.environ.get("ABR_DEBUG"):
                raise
            warn(f"{self.filename}: internal error, file skipped ({type(exc).__name__}: {exc})")
            return
        for finding in findings:
            yield finding.line, finding.col, finding.message, type(self)
