"""Which files ``check`` and ``fix`` lint: the PATH arguments, folders walked for ``*.py``.

A walk skips the usual folders (version control, virtualenvs, caches, ``build``,
``dist``, ``node_modules``; ``exclude`` replaces that list, ``extend-exclude`` adds
to it); a folder holding ``pyvenv.cfg`` is a virtualenv and always skipped. The
user's patterns also apply to files named on the command line, as in flake8.

A pattern without ``/`` matches a file or folder name below the project root
(``migrations``, ``*_pb2.py``); one with ``/`` is an absolute path pattern
(``config.options`` makes the ones written in a config file absolute from it).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

#: Folder (or file) names a walk skips unless ``exclude`` replaces them.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pytest_cache", ".ruff_cache", ".svn", ".tox", ".venv", "CVS", "__pycache__", "__pypackages__",
    "_build", "build", "dist", "node_modules", "site-packages", "venv", "*.egg", "*.egg-info",
)


def _split(patterns: Iterable[str]) -> tuple[list[str], list[str]]:
    names: list[str] = []
    paths: list[str] = []
    for pattern in patterns:
        (paths if "/" in pattern else names).append(pattern)
    return names, paths


def matches(filename: str | os.PathLike, patterns: Iterable[str], root: str | os.PathLike | None = None) -> bool:
    """Whether a pattern matches the file or a folder above it (below ``root``, default the cwd)."""
    names, paths = _split(patterns)
    path = Path(os.path.abspath(filename))
    parts: tuple[str, ...] = (path.name,)
    for anchor in (root, os.getcwd()):
        if anchor is None:
            continue
        try:
            parts = path.relative_to(os.path.abspath(anchor)).parts
            break
        except ValueError:
            continue
    if any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in names):
        return True
    return any(fnmatch.fnmatch(str(p), pattern) for p in (path, *path.parents) for pattern in paths)


def is_virtualenv(folder: str | os.PathLike) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # PATH arguments that do not exist


def python_files(
    paths: Iterable[str | os.PathLike],
    exclude: tuple[str, ...] | None = None,
    extend_exclude: tuple[str, ...] = (),
    root: str | os.PathLike | None = None,
) -> Discovered:
    """Files to lint, in a stable order (arguments in order, each folder sorted), each once.

    ``exclude`` None keeps :data:`DEFAULT_EXCLUDES`; ``root`` anchors name patterns.
    """
    user = (*(exclude or ()), *extend_exclude)
    walk_names, walk_paths = _split((*(DEFAULT_EXCLUDES if exclude is None else ()), *user))
    found = Discovered()
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    def skipped(folder: str, name: str) -> bool:
        full = os.path.join(folder, name)
        return (any(fnmatch.fnmatch(name, p) for p in walk_names)
                or any(fnmatch.fnmatch(os.path.abspath(full), p) for p in walk_paths))

    for given in paths:
        path = Path(given)
        if not path.exists():
            found.missing.append(str(given))
            continue
        if user and matches(path, user, root):
            continue
        if not path.is_dir():
            add(path)
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not skipped(folder, d) and not is_virtualenv(os.path.join(folder, d)))
            for name in sorted(names):
                if name.endswith(".py") and not skipped(folder, name):
                    add(Path(folder, name))
    return found
