"""One settings path for flake8, ``check`` and ``fix``: where each value comes from.

Weakest first:

1. ``[tool.async-bridge]`` in the project root's ``pyproject.toml``;
2. flake8's config (``[flake8]`` in ``setup.cfg`` / ``tox.ini`` / ``.flake8``, keys
   ``abr-<key>``): flake8 reads it itself; ``check`` and ``fix`` read the same file
   (``files.find_flake8_config``);
3. the command line (``--abr-<key>`` for flake8, ``--<key>`` for ``check``/``fix``).

The project root is the one given (command line, flake8's config), else (``check``,
``fix``, the server) the nearest folder upward holding ``pyproject.toml``,
``setup.cfg`` or ``manage.py``, else the current directory (flake8: always the folder
it runs in, as SPEC.md says); ``project-root`` in ``pyproject.toml`` may then move it (a
``src`` layout). A bad value is one problem line naming where it was written, and
that key keeps its default: nothing here raises for the user's input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .caches import load_knowledge
from .files import PYPROJECT_SECTION, find_flake8_config, find_project_root, read_flake8_section, read_pyproject
from .options import BY_KEY, OPTIONS, ConfigError, Option
from .settings import Settings


@dataclass(frozen=True)
class Layer:
    """Values from one place: option key -> raw value (None or absent: not set there)."""

    values: Mapping[str, Any]
    where: Callable[[Option], str]  # how messages name the place, per option
    base: Path  # relative paths are relative to this folder


@dataclass
class Resolved:
    settings: Settings
    problems: list[str] = field(default_factory=list)
    project_root: Path = field(default_factory=Path.cwd)  # absolute: given, found or the cwd
    files: list[Path] = field(default_factory=list)  # the config files that were read


def command_line_layer(values: Mapping[str, Any], cwd: Path, flake8: bool = False) -> Layer:
    """The command line's values (``flake8``: flake8's options, which already merged its config)."""
    return Layer(values, (lambda o: o.flake8_flag) if flake8 else (lambda o: o.flag), cwd)


def flake8_config_layer(cwd: Path, problems: list[str], files: list[Path]) -> Layer | None:
    path = find_flake8_config(cwd)
    if path is None:
        return None
    files.append(path)
    values = read_flake8_section(path, problems.append)
    return Layer(values, lambda o: f"{path} [flake8] abr-{o.key}", cwd)


def _suggest(key: str) -> str:
    plain = str(key).lower().replace("_", "-")
    if plain.startswith("abr-"):
        plain = plain[4:]
    return f" (did you mean '{plain}'?)" if plain in BY_KEY and plain != key else ""


def resolve(
    command_line: Layer | None,
    *,
    read_flake8_config: bool,
    cwd: str | os.PathLike | None = None,
    isolated: bool = False,
    discover_root: bool = True,
    preload_knowledge: bool = True,
) -> Resolved:
    """Settings from the command line, flake8's config and ``pyproject.toml``.

    ``read_flake8_config``: False under flake8 (it read its config into the
    command-line layer already). ``isolated``: read no config file at all.
    ``discover_root``: without a given root, look upward for the project's marker files
    (``check``, ``fix``, the server); flake8 takes the folder it runs in (SPEC.md).
    ``preload_knowledge``: load the knowledge now (for workers to inherit); False when
    the run may well never need it (a one-file flake8 run answered from the cache).
    """
    base = Path(cwd).absolute() if cwd is not None else Path.cwd()
    problems: list[str] = []
    files: list[Path] = []
    layers = [command_line] if command_line is not None else []
    if read_flake8_config and not isolated:
        config_layer = flake8_config_layer(base, problems, files)
        if config_layer is not None:
            layers.append(config_layer)

    def check(option: Option, layer: Layer) -> Any:
        try:
            return option.check(layer.values[option.key], layer.base)
        except ConfigError as exc:
            what = "that" if exc.partial is not None else "it"
            problems.append(f"{layer.where(option)}: {exc}; ignoring {what}")
            return exc.partial

    # the project root: given, else found; pyproject.toml is read there
    given_root: str | None = None
    root_option = BY_KEY["project-root"]
    for layer in layers:
        if layer.values.get("project-root") is not None:
            given_root = check(root_option, layer)
            break
    found = find_project_root(base) if discover_root and given_root is None else None
    table_dir = Path(given_root) if given_root else found if discover_root else base
    table: dict[str, Any] = {}
    pyproject = None
    if table_dir is not None and not isolated:
        table, pyproject = read_pyproject(table_dir, problems.append)
        if pyproject is not None:
            files.insert(0, pyproject)
    if table:
        assert pyproject is not None
        for key in table:
            if key not in BY_KEY:
                problems.append(f"{pyproject} [{PYPROJECT_SECTION}]: unknown key {key!r}{_suggest(key)}; "
                                f"known keys: {', '.join(BY_KEY)}")
        where = pyproject
        layers.append(Layer(table, lambda o: f"{where} [{PYPROJECT_SECTION}] {o.key}", pyproject.parent))

    values: dict[str, Any] = {}
    for option in OPTIONS:
        if option is root_option:
            continue
        for layer in layers:
            if layer.values.get(option.key) is not None:
                values[option.attr] = check(option, layer)
                break
    root = given_root
    if root is None and table.get("project-root") is not None:
        root = check(root_option, layers[-1])  # pyproject.toml moves it (a src layout)
    values["project_root"] = root or (str(found) if found else None)
    extra = tuple(values.get("extra_knowledge") or ())
    if extra:
        from .. import knowledge as knowledge_mod

        try:
            knowledge_mod.with_extra(extra)
        except knowledge_mod.KnowledgeError as exc:
            origin = next(layer.where(BY_KEY["extra-knowledge"]) for layer in layers
                          if layer.values.get("extra-knowledge") is not None)
            problems.append(f"{origin}: {exc}; using the built-in knowledge only")
            extra = ()
    if preload_knowledge:
        load_knowledge(extra)  # once here: forked workers inherit it instead of each loading it
    settings = Settings(
        project_root=values.get("project_root"),
        django_version=values.get("django_version"),
        extra_knowledge=extra,
        enable=values.get("enable") or frozenset(),
        docs_url=values.get("docs_url"),
        exclude=values.get("exclude"),
        extend_exclude=values.get("extend_exclude") or (),
        cache_dir=values.get("cache_dir"),
        no_cache=bool(values.get("no_cache")),
    )
    project_root = Path(settings.project_root).absolute() if settings.project_root else base
    return Resolved(settings, problems, project_root, files)
