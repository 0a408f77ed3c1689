"""Settings shared by the flake8 plugin and the CLI.

Where settings come from, strongest first:

1. flake8's own options: the command line and the ``[flake8]`` section of
   ``.flake8`` / ``setup.cfg`` / ``tox.ini`` (``abr-enable = ABR106``; flake8 reads
   those itself because every option is ``parse_from_config``);
2. ``[tool.async-bridge]`` in ``pyproject.toml`` (same names without the ``abr-``
   prefix), looked up in the project root given to flake8, else the current
   directory.

A key set in both places takes flake8's value. A bad value or an unknown key is
reported as one ``flake8-async-bridge: ...`` line on stderr and ignored; linting
goes on with the rest.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import knowledge as knowledge_mod
from .index import cache
from .index.project import ProjectIndex

#: Where the rule pages (docs/rules/ABRnnn.md) are published. Every finding's
#: message ends with a link built from it; ``--abr-docs-url`` (or ``docs-url`` in
#: ``[tool.async-bridge]``) overrides it, ``none`` drops the link.
DOCS_BASE_URL = "https://github.com/flake8-async-bridge/flake8-async-bridge/blob/main/docs/rules/"

PYPROJECT_SECTION = "tool.async-bridge"
#: pyproject key -> flake8 option it mirrors
PYPROJECT_KEYS = {
    "project-root": "--abr-project-root",
    "django-version": "--abr-django-version",
    "extra-knowledge": "--abr-extra-knowledge",
    "enable": "--abr-enable",
    "docs-url": "--abr-docs-url",
    "cache-dir": "--abr-cache-dir",
    "no-cache": "--abr-no-cache",
}
_NO_LINK = ("", "none", "off", "false", "no")


def rule_doc_url(code: str, base: str | None = None) -> str | None:
    """The documentation page of rule ``code``.

    ``base`` is a URL prefix (``.../docs/rules/`` -> ``.../docs/rules/ABR101.md``) or
    a template containing ``{code}``; None means :data:`DOCS_BASE_URL`; ``none``
    (or an empty string) means no link.
    """
    if base is None:
        base = DOCS_BASE_URL
    base = base.strip()
    if base.lower() in _NO_LINK:
        return None
    if "{code}" in base:
        return base.replace("{code}", code)
    return f"{base.rstrip('/')}/{code}.md"


@dataclass(frozen=True)
class Settings:
    project_root: str | None = None
    django_version: tuple[int, int] | None = None
    extra_knowledge: tuple[str, ...] = ()
    enable: frozenset[str] = field(default_factory=frozenset)
    docs_url: str | None = None  # None: DOCS_BASE_URL
    cache_dir: str | None = None  # None: <project root>/.async_bridge_cache
    no_cache: bool = False

    @property
    def knowledge(self) -> knowledge_mod.Knowledge:
        return load_knowledge(self.extra_knowledge)

    @property
    def index(self) -> ProjectIndex:
        return project_index(self.project_root, self.extra_knowledge, self.cache_dir, self.no_cache)

    def enabled(self, code: str) -> bool:
        rule = self.knowledge.rules.get(code)
        if rule is None:
            return False
        return rule.default_on or code in self.enable

    def doc_url(self, code: str) -> str | None:
        return rule_doc_url(code, self.docs_url)

    def with_doc_link(self, message: str, code: str) -> str:
        """``message`` followed by `` (docs: URL)`` for rule ``code`` (unchanged without a URL)."""
        url = self.doc_url(code)
        return f"{message} (docs: {url})" if url else message


def warn(message: str) -> None:
    print(f"flake8-async-bridge: {message}", file=sys.stderr)


@functools.lru_cache(maxsize=None)
def load_knowledge(extra: tuple[str, ...]) -> knowledge_mod.Knowledge:
    """Builtin + user knowledge; a broken user file is reported once and skipped."""
    try:
        return knowledge_mod.with_extra(extra)
    except knowledge_mod.KnowledgeError as exc:
        warn(f"--abr-extra-knowledge: {exc}; using the built-in knowledge only")
        return knowledge_mod.builtin()


@functools.lru_cache(maxsize=8)
def project_index(root: str | None, extra: tuple[str, ...], cache_dir: str | None = None,
                  no_cache: bool = False) -> ProjectIndex:
    knowledge = load_knowledge(extra)
    resolver_root = Path(root) if root else Path.cwd()
    try:
        resolver_root = resolver_root.resolve()
    except OSError:
        resolver_root = resolver_root.absolute()
    store = cache.open_store(resolver_root, extra, cache_dir, enabled=not no_cache and resolver_root.is_dir())
    index = ProjectIndex(root, knowledge, store)
    if root and not index.resolver.exists:
        warn(f"--abr-project-root {root!r} is not a directory; cross-module facts are unknown")
    cache.flush_at_exit(index)
    return index


def parse_django_version(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    parts = str(value).strip().split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        raise ValueError(f"--abr-django-version: expected a version like 4.2, got {value!r}") from None
    return (major, minor)


def parse_codes(values) -> frozenset[str]:
    if not values:
        return frozenset()
    if isinstance(values, str):
        values = values.split(",")
    return frozenset(v.strip().upper() for v in values if v and v.strip())


# --------------------------------------------------------------------------------
# reading and checking option values from flake8 and pyproject.toml

class ConfigError(ValueError):
    """A setting that cannot be used (wholly, or ``partial`` is the usable part)."""

    def __init__(self, message: str, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?(?:\.\d+)*\s*$")


def _check_django_version(value: Any) -> tuple[int, int] | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ConfigError(f"expected a version string like \"4.2\", got {value!r} (quote it: "
                          "as a number 4.10 would read as 4.1)")
    if isinstance(value, int):
        return (value, 0)
    match = _VERSION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"expected a version like 4.2, got {value!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in re.split(r"[,\s]+", value) if item.strip()]
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise ConfigError(f"expected a list of strings, got {value!r}")
        return [item.strip() for item in value if item.strip()]
    raise ConfigError(f"expected a list of strings, got {value!r}")


def _check_codes(value: Any) -> frozenset[str]:
    codes = [item.upper() for item in _string_list(value)]
    known = knowledge_mod.builtin().rules
    bad = [code for code in codes if code not in known]
    if bad:
        good = frozenset(code for code in codes if code in known)
        raise ConfigError(f"unknown rule code {', '.join(repr(c) for c in bad)} "
                          "(`async-bridge rules` lists them)", partial=good or None)
    return frozenset(codes)


def _check_path(value: Any, base: Path | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"expected a path string, got {value!r}")
    path = Path(os.path.expanduser(value.strip()))
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def _check_root(value: Any, base: Path | None) -> str | None:
    if value is None or value == "":
        return None
    path = _check_path(value, base)
    if not Path(path).is_dir():
        raise ConfigError(f"{path!r} is not a directory")
    return path


def _check_knowledge(value: Any, base: Path | None) -> tuple[str, ...]:
    paths = tuple(_check_path(item, base) for item in _string_list(value))
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        found = tuple(p for p in paths if p not in missing)
        raise ConfigError(f"no such file: {', '.join(missing)}", partial=found or None)
    return paths


def _check_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise ConfigError(f"expected true or false, got {value!r}")


def _check_docs_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"expected a URL string (or \"none\"), got {value!r}")
    return value.strip()


def read_pyproject(directory: str | os.PathLike | None, report=None) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.async-bridge]`` table of ``directory/pyproject.toml`` and the file.

    A missing file or section gives ``{}``; an unreadable file or invalid TOML is
    reported (one line) and gives ``{}`` too.
    """
    warn = report or globals()["warn"]
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
        warn(f"{path}: cannot read ({exc.strerror or exc}); [{PYPROJECT_SECTION}] ignored")
        return {}, path
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        warn(f"{path}: invalid TOML ({exc}); [{PYPROJECT_SECTION}] ignored")
        return {}, path
    table = data.get("tool", {})
    table = table.get("async-bridge", {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        warn(f"{path}: [{PYPROJECT_SECTION}] must be a table, got {table!r}; ignored")
        return {}, path
    return table, path


def _suggest(key: str) -> str:
    plain = str(key).lower().replace("_", "-")
    if plain.startswith("abr-"):
        plain = plain[4:]
    return f" (did you mean '{plain}'?)" if plain in PYPROJECT_KEYS and plain != key else ""


def resolve_settings(
    project_root: str | None = None,
    django_version: Any = None,
    extra_knowledge: Iterable[str] | str | None = None,
    enable: Iterable[str] | str | None = None,
    docs_url: str | None = None,
    cwd: str | os.PathLike | None = None,
    report=None,
    cache_dir: str | None = None,
    no_cache: Any = None,
) -> Settings:
    """Settings from flake8's option values (None: not given) and pyproject.toml.

    Never raises for a bad value: each problem is one stderr line naming the key,
    and that key falls back to its default. ``report`` receives those lines
    (default: :func:`warn`, i.e. stderr).
    """
    warn = report or globals()["warn"]
    base_dir = Path(cwd) if cwd is not None else Path.cwd()
    flake8_values = {
        "project-root": project_root or None,
        "django-version": django_version or None,
        "extra-knowledge": extra_knowledge if extra_knowledge else None,
        "enable": enable if enable else None,
        "docs-url": docs_url,
        "cache-dir": cache_dir or None,
        "no-cache": no_cache or None,  # flake8's store_true: False/None is "not given"
    }
    # the project root given to flake8 says where pyproject.toml is
    flake8_root = None
    if flake8_values["project-root"] is not None:
        try:
            flake8_root = _check_root(flake8_values["project-root"], base_dir)
        except ConfigError as exc:
            warn(f"--abr-project-root: {exc}; using the current directory")
            flake8_values["project-root"] = None
    table, pyproject = read_pyproject(flake8_root or base_dir, warn)
    table_dir = pyproject.parent if pyproject is not None else base_dir

    for key in table:
        if key not in PYPROJECT_KEYS:
            warn(f"{pyproject} [{PYPROJECT_SECTION}]: unknown key {key!r}{_suggest(key)}; "
                 f"known keys: {', '.join(PYPROJECT_KEYS)}")

    def pick(key: str, check) -> Any:
        """flake8's value when given, else pyproject's; checked, default on error."""
        if flake8_values[key] is not None:
            where, value, rel = PYPROJECT_KEYS[key], flake8_values[key], base_dir
        elif key in table:
            where, value, rel = f"{pyproject} [{PYPROJECT_SECTION}] {key}", table[key], table_dir
        else:
            return None
        try:
            return check(value, rel)
        except ConfigError as exc:
            warn(f"{where}: {exc}; ignoring {'that' if exc.partial is not None else 'it'}")
            return exc.partial

    root = flake8_root or pick("project-root", _check_root)
    version = pick("django-version", lambda v, _rel: _check_django_version(v))
    extra = pick("extra-knowledge", _check_knowledge)
    codes = pick("enable", lambda v, _rel: _check_codes(v))
    url = pick("docs-url", lambda v, _rel: _check_docs_url(v))
    cache_dir = pick("cache-dir", _check_path)
    no_cache = pick("no-cache", lambda v, _rel: _check_flag(v))
    return Settings(
        project_root=root,
        django_version=version,
        extra_knowledge=extra or (),
        enable=codes or frozenset(),
        docs_url=url,
        cache_dir=cache_dir,
        no_cache=bool(no_cache),
    )


def settings_from_options(options: Any, cwd: str | os.PathLike | None = None, report=None) -> Settings:
    """Settings from a flake8 (or argparse) namespace with ``abr_*`` attributes."""
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
    )
