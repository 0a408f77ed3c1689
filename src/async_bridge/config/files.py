"""The files settings come from: the project root, ``pyproject.toml`` and flake8's config.

flake8 reads its own config; ``check`` and ``fix`` read the same file here, found
and normalised the way flake8 7 does it (``options/config.py``): from the current
directory upward, stopping below the home directory, the first of ``setup.cfg``,
``tox.ini``, ``.flake8`` with a ``[flake8]`` section; comma-separated values split
on commas and spaces; a path value holding a ``/`` (or ``.``) made absolute from the
config file's folder, any other kept as written.
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path
from typing import Any, Callable

from .options import OPTIONS, string_list

PYPROJECT_SECTION = "tool.async-bridge"
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "manage.py")
FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")

Report = Callable[[str], None]


def _upward(start: Path, include_filesystem_root: bool) -> list[Path]:
    """``start`` and its parents, stopping below the home directory (as flake8 does)."""
    try:
        home = os.stat(os.path.expanduser("~"))
    except OSError:
        home = None
    folders = [start]
    current = start
    while current.parent != current:
        parent = current.parent
        try:
            is_home = home is not None and os.path.samestat(os.stat(parent), home)
        except OSError:
            break
        if is_home or (parent.parent == parent and not include_filesystem_root):
            break
        folders.append(parent)
        current = parent
    return folders


def find_project_root(start: str | os.PathLike | None = None) -> Path | None:
    """The nearest folder upward from ``start`` (default: the current directory) that
    holds ``pyproject.toml``, ``setup.cfg`` or ``manage.py``; None when there is none."""
    base = Path(start or os.getcwd()).absolute()
    for folder in _upward(base, include_filesystem_root=False):
        if folder.parent == folder:
            continue  # started at the filesystem root: never a project
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    return None


def read_pyproject(directory: str | os.PathLike | None, report: Report) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.async-bridge]`` table of ``directory/pyproject.toml`` and the file.

    A missing file or section gives ``{}``; an unreadable file or invalid TOML is
    reported (one line) and gives ``{}`` too.
    """
    path = Path(directory or os.getcwd()) / "pyproject.toml"
    if not path.is_file():
        return {}, None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        report(f"{path}: cannot read ({exc.strerror or exc}); [{PYPROJECT_SECTION}] ignored")
        return {}, path
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report(f"{path}: invalid TOML ({exc}); [{PYPROJECT_SECTION}] ignored")
        return {}, path
    table = data.get("tool", {})
    table = table.get("async-bridge", {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        report(f"{path}: [{PYPROJECT_SECTION}] must be a table, got {table!r}; ignored")
        return {}, path
    return table, path


def find_flake8_config(start: str | os.PathLike | None = None) -> Path | None:
    """The config file flake8 would read when run in ``start`` (default: the current directory)."""
    base = Path(start or os.getcwd()).absolute()
    try:
        folders = _upward(base, include_filesystem_root=True)
    except OSError:
        return None
    for folder in folders:
        for name in FLAKE8_FILES:
            path = folder / name
            if not path.is_file():
                continue
            parser = configparser.RawConfigParser()
            try:
                parser.read(path, encoding="UTF-8")
            except (UnicodeDecodeError, configparser.Error):
                continue  # flake8 ignores an unparseable file and goes on looking
            if parser.has_section("flake8") or parser.has_section("flake8:local-plugins"):
                return path
    return None


def _flake8_normalise_path(value: str, parent: Path) -> str:
    if value == "." or "/" in value or (os.path.altsep and os.path.altsep in value):
        value = os.path.abspath(os.path.join(parent, value))
    return value.rstrip("/" + (os.path.altsep or ""))


def read_flake8_section(path: Path, report: Report) -> dict[str, Any]:
    """Our ``abr-*`` keys of the ``[flake8]`` section of ``path``, normalised as flake8 does.

    Keys are the option keys without the prefix (``django-version``). An ``abr-`` key
    we do not know is reported (flake8 itself ignores unknown keys silently).
    """
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="UTF-8")
    except (UnicodeDecodeError, configparser.Error) as exc:
        report(f"{path}: cannot parse ({str(exc).splitlines()[0]}); ignored")
        return {}
    if not parser.has_section("flake8"):
        return {}
    by_name = {}
    for option in OPTIONS:
        if option.in_flake8:
            by_name[f"abr-{option.key}"] = option
            by_name[f"abr_{option.key.replace('-', '_')}"] = option
    values: dict[str, Any] = {}
    for name, raw in parser.items("flake8"):
        found = by_name.get(name)
        if found is None:
            if name.startswith(("abr-", "abr_")):
                report(f"{path} [flake8]: unknown key {name!r}; known keys: "
                       + ", ".join(f"abr-{o.key}" for o in OPTIONS if o.in_flake8))
            continue
        option = found
        value: Any = raw
        if option.is_list:
            value = string_list(raw)
        if option.is_path:
            parent = path.parent
            value = ([_flake8_normalise_path(v, parent) for v in value] if isinstance(value, list)
                     else _flake8_normalise_path(value, parent))
        values[option.key] = value
    return values
