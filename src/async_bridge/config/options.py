"""The options: one table, one validator each, shared by every place a value comes from.

A value reaches a validator as written by the user: a TOML value from
``[tool.async-bridge]``, a string from flake8's config or the command line, or
the list flake8 already split. A validator returns the value ``Settings`` holds,
or raises :class:`ConfigError` (whose ``partial`` is the usable part, if any).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable


class ConfigError(ValueError):
    """A setting that cannot be used (wholly, or ``partial`` is the usable part)."""

    def __init__(self, message: str, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?(?:\.\d+)*\s*$")
_LIST_SEPARATOR = re.compile(r"[,\s]+")


def check_django_version(value: Any, base: Path | None = None) -> tuple[int, int] | None:
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        raise ConfigError(f"expected a version string like \"4.2\", got {value!r} (quote it: "
                          "as a number 4.10 would read as 4.1)")
    if isinstance(value, int):
        return (value, 0)
    match = _VERSION.match(value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"expected a version like 4.2, got {value!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def string_list(value: Any) -> list[str]:
    """A comma/space separated string, or a list of strings, as a list of non-empty items."""
    if isinstance(value, str):
        return [item for item in _LIST_SEPARATOR.split(value) if item]
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise ConfigError(f"expected a list of strings, got {value!r}")
        return [item.strip() for item in value if item.strip()]
    raise ConfigError(f"expected a list of strings, got {value!r}")


def check_codes(value: Any, base: Path | None = None) -> frozenset[str]:
    codes = [item.upper() for item in string_list(value)]
    from .. import knowledge as knowledge_mod  # the rule catalogue: read only when codes are given

    known = knowledge_mod.builtin().rules
    bad = [code for code in codes if code not in known]
    if bad:
        good = frozenset(code for code in codes if code in known)
        raise ConfigError(f"unknown rule code {', '.join(repr(c) for c in bad)} "
                          "(`async-bridge rules` lists them)", partial=good or None)
    return frozenset(codes)


def _path(value: Any, base: Path | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"expected a path string, got {value!r}")
    path = Path(os.path.expanduser(value.strip()))
    if base is not None and not path.is_absolute():
        path = base / path
    return os.path.normpath(path)


def check_root(value: Any, base: Path | None = None) -> str | None:
    if value is None:
        return None
    if value == "":
        # flake8 normalises '/' to '' (it strips trailing separators)
        raise ConfigError("the filesystem root (or an empty path) cannot be the project root")
    path = _path(value, base)
    if not Path(path).is_dir():
        raise ConfigError(f"{path!r} is not a directory")
    if Path(path).resolve().parent == Path(path).resolve():
        raise ConfigError(f"{path!r} is the filesystem root; give the project's own directory "
                          "(reverse look-ups read every Python file under the project root)")
    return path


def check_knowledge(value: Any, base: Path | None = None) -> tuple[str, ...]:
    paths = tuple(_path(item, base) for item in string_list(value))
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        found = tuple(p for p in paths if p not in missing)
        raise ConfigError(f"no such file: {', '.join(missing)}", partial=found or None)
    return paths


def check_docs_url(value: Any, base: Path | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"expected a URL string (or \"none\"), got {value!r}")
    return value.strip()


def check_path(value: Any, base: Path | None = None) -> str:
    return _path(value, base)


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def check_flag(value: Any, base: Path | None = None) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"expected true or false, got {value!r}")


def check_patterns(value: Any, base: Path | None = None) -> tuple[str, ...]:
    """File patterns: a bare name (``migrations``, ``*_pb2.py``) matches a file or folder
    name anywhere below the project; a pattern with ``/`` is a path relative to where
    it was written (made absolute here)."""
    patterns = []
    for item in string_list(value):
        item = item.rstrip("/") or item
        if "/" in item:
            item = _path(item, base)
        patterns.append(item)
    return tuple(patterns)


@dataclass(frozen=True)
class Option:
    key: str  # [tool.async-bridge] key; flake8 spells it --abr-<key> / abr-<key>
    attr: str  # Settings field
    check: Callable[[Any, Path | None], Any]
    help: str
    metavar: str
    is_list: bool = False  # comma-separated in flake8 and on the command line
    is_path: bool = False  # flake8 makes ``./x`` relative to its config file
    in_flake8: bool = True  # also a flake8 option (--abr-<key>)
    is_flag: bool = False  # given without a value on the command line (store_true)

    @property
    def flake8_flag(self) -> str:
        return f"--abr-{self.key}"

    @property
    def flag(self) -> str:
        return f"--{self.key}"


OPTIONS: tuple[Option, ...] = (
    Option("project-root", "project_root", check_root, is_path=True, metavar="DIR",
           help="Directory imports are resolved from, where [tool.async-bridge] in pyproject.toml is read "
                "(default: flake8's current directory; for async-bridge check/fix/server the nearest "
                "folder upward holding pyproject.toml, setup.cfg or manage.py, else the current directory)."),
    Option("django-version", "django_version", check_django_version, metavar="X.Y",
           help="Django version the suggestions target, e.g. 4.2 (default: from the project's pins)."),
    Option("extra-knowledge", "extra_knowledge", check_knowledge, is_list=True, is_path=True, metavar="FILES",
           help="YAML files adding runners, task decorators, loop-bound types, ... (comma-separated)."),
    Option("enable", "enable", check_codes, is_list=True, metavar="CODES",
           help="Off-by-default ABR rules to switch on, e.g. ABR106."),
    Option("docs-url", "docs_url", check_docs_url, metavar="URL",
           help="Where rule pages are linked from in messages: a URL prefix, or a template with {code}; "
                "'none' drops the link."),
    Option("cache-dir", "cache_dir", check_path, is_path=True, metavar="DIR",
           help="Where the project cache lives (default: .async_bridge_cache in the project root)."),
    Option("no-cache", "no_cache", check_flag, is_flag=True, metavar="",
           help="Neither read nor write the project cache."),
    Option("exclude", "exclude", check_patterns, is_list=True, in_flake8=False, metavar="PATTERNS",
           help="File or folder patterns to skip, replacing the default ones (.git, virtualenvs, "
                "node_modules, build, dist, caches)."),
    Option("extend-exclude", "extend_exclude", check_patterns, is_list=True, in_flake8=False, metavar="PATTERNS",
           help="File or folder patterns to skip, in addition to the default ones."),
)
BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}


# --select / --ignore (command line only: flake8 has its own) ---------------------------
def split_codes(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    if not isinstance(value, str):
        value = ",".join(value)
    return [part.upper() for part in _LIST_SEPARATOR.split(value) if part]


def select_codes(known: Iterable[str], select: Any, ignore: Any) -> list[str]:
    """Codes chosen by --select / --ignore (codes or prefixes, as in flake8).

    Raises ConfigError naming an unknown code or prefix.
    """
    known = sorted(known)
    chosen, dropped = split_codes(select), split_codes(ignore)
    for item in (*chosen, *dropped):
        if not any(code.startswith(item) for code in known):
            raise ConfigError(f"unknown code or prefix {item!r} (`async-bridge rules` lists them)")
    return [
        code for code in known
        if (not chosen or any(code.startswith(p) for p in chosen)) and not any(code.startswith(p) for p in dropped)
    ]
