"""Which project a file belongs to, its settings, and linting one buffer.

A file's project root is the nearest folder upward holding ``pyproject.toml``,
``setup.cfg`` or ``manage.py`` (as ``async-bridge check`` finds it), else the
workspace folder holding the file, else the file's folder. Its settings come from
``config.resolve_settings`` (the settings path flake8 and the commands share), with
the editor's options in the place of command-line flags. Every project index reads
the open buffers through its ``overlay``.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types

from ..checks.base import Finding
from ..config import Settings, find_project_root, resolve_settings
from ..engine import check_source
from ..index.project import ProjectIndex
from ..sources import SourceError, read_source, split_lines
from .diagnostics import to_diagnostic

# files whose change can change settings
CONFIG_FILES = frozenset({"pyproject.toml", "setup.cfg", "tox.ini", ".flake8"})
# where a client's settings may keep ours
SECTIONS = ("async-bridge", "async_bridge", "asyncBridge")
# arguments of resolve_settings that are not settings
_NOT_SETTINGS = frozenset({"cwd", "report"})


def setting_names() -> frozenset[str]:
    """The settings an editor may give: the keyword arguments of ``resolve_settings``."""
    return frozenset(inspect.signature(resolve_settings).parameters) - _NOT_SETTINGS


def normalise_options(raw: object) -> tuple[dict[str, Any], list[str]]:
    """Editor options as ``resolve_settings`` arguments, and one line per problem.

    Keys are the ``[tool.async-bridge]`` names (``django-version``), also accepted in
    snake or camel case; the options may sit under an ``async-bridge`` key.
    """
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [f"settings must be an object, got {raw!r}; ignored"]
    section = our_section(raw)
    if section is not None:
        raw = section
    known = setting_names()
    options: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        name = _snake(str(key))
        if name in known:
            options[name] = value
        else:
            names = ", ".join(sorted(n.replace("_", "-") for n in known))
            problems.append(f"unknown setting {key!r} ignored; known settings: {names}")
    return options, problems


def our_section(raw: object) -> dict[str, Any] | None:
    """The ``async-bridge`` object of a client's settings, if it has one."""
    if isinstance(raw, dict):
        for name in SECTIONS:
            section = raw.get(name)
            if isinstance(section, dict):
                return section
    return None


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower().replace("-", "_")


def resolved(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path).absolute()


def project_root(path: Path, folders: list[Path]) -> Path:
    """The project a file belongs to (see the module docstring). The search goes above
    the workspace folder: an editor may open a package of the project as its folder."""
    found = find_project_root(path.parent)
    if found is not None:
        return found
    inside = [f for f in folders if f in path.parents]
    return max(inside, key=lambda f: len(f.parts)) if inside else path.parent


@dataclass
class Projects:
    """Settings per project root, resolved once until the configuration changes."""

    report: Callable[[str], None]
    folders: list[Path] = dataclasses.field(default_factory=list)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    # resolved path -> text of every open buffer, shared with each project index
    overlay: dict[str, str] = dataclasses.field(default_factory=dict)
    _settings: dict[Path, Settings] = dataclasses.field(default_factory=dict)

    def settings_for(self, path: Path) -> Settings:
        root = project_root(path, self.folders)
        settings = self._settings.get(root)
        if settings is None:
            settings = resolve_settings(**self.options, cwd=root, report=self.report)
            if settings.project_root is None:
                settings = dataclasses.replace(settings, project_root=str(root))
            self._settings[root] = settings
        settings.index.overlay = self.overlay
        return settings

    def reset(self) -> None:
        """Settings are read again on next use (a config file or the options changed)."""
        self._settings.clear()

    def indexes(self) -> list[ProjectIndex]:
        return list({id(s.index): s.index for s in self._settings.values()}.values())

    def forget(self, listing: bool = False) -> None:
        """Every project index drops what it learnt (a file or a buffer changed)."""
        for index in self.indexes():
            index.forget(listing)

    def lines_of(self, path: str) -> list[str] | None:
        """The lines of a file as the editor has it (open buffer, else disk)."""
        key = str(resolved(path))
        text = self.overlay.get(key)
        if text is None:
            try:
                text, _ = read_source(Path(key))
            except SourceError:
                return None
        return split_lines(text)


@dataclass
class LintResult:
    version: int | None
    text: str
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]


def lint(text: str, path: str, version: int | None, settings: Settings, encoding: str,
         lines_of: Callable[[str], list[str] | None]) -> LintResult:
    """Check a buffer; raises SyntaxError / ValueError when it does not parse."""
    findings = check_source(text, path, settings)
    lines = split_lines(text)
    diagnostics = [to_diagnostic(f, lines, encoding, settings, lines_of) for f in findings]
    return LintResult(version=version, text=text, findings=findings, diagnostics=diagnostics)
