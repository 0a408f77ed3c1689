"""Which Django the suggestions target: --abr-django-version, else the project's pins.

Pins are read, without importing any TOML or packaging library, from
``pyproject.toml`` (PEP 621 ``dependencies`` / optional dependencies, one per line
or several on one line, and Poetry's ``django = "^4.2"`` /
``django = {version = "^4.2"}``), ``setup.cfg`` (``install_requires``), ``setup.py``,
``Pipfile`` and ``requirements*.txt`` / ``requirements*.in`` /
``requirements/*.txt``. The lowest version the pins admit is taken (``>=4.2`` ->
4.2), so a suggestion never needs a newer Django than the project supports.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

# A PEP 508 requirement on Django: name, optional extras, then the specifier.
_REQUIREMENT = re.compile(r"(?i)^\s*django\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^][^;#]*)?)(?:[;#].*)?$")
# Poetry / Pipfile table entries: ``django = "^4.2"`` or ``Django = {version = ">=4.2", ...}``.
_TABLE_ENTRY = re.compile(
    r"""(?im)^\s*["']?django["']?\s*=\s*(?:(?P<q>["'])(?P<spec>[^"'\n]*)(?P=q)|\{[^}\n]*?\bversion\s*=\s*["'](?P<tspec>[^"'\n]*)["'])"""
)
_QUOTED = re.compile(r"""["']([^"'\n]*)["']""")
_CLAUSE = re.compile(r"^\s*(?P<op>===|==|~=|>=|<=|!=|>|<|\^|~)?\s*(?P<ver>\d+(?:\.\d+)*)(?P<star>\.\*)?\s*$")
_LOWER_OPS = frozenset({None, "==", "===", "~=", ">=", ">", "^", "~"})


def lower_bound(spec: str) -> tuple[int, int] | None:
    """The lowest (major, minor) a version specifier admits; None when it has no lower bound.

    ``>=4.2,<5`` -> (4, 2); ``==4.2.7`` -> (4, 2); ``^5.0`` -> (5, 0); ``<5`` / ``*`` -> None.
    """
    best: tuple[int, int] | None = None
    for clause in spec.split(","):
        clause = clause.strip()
        if not clause or clause == "*":
            continue
        match = _CLAUSE.match(clause)
        if match is None:
            continue
        if match.group("op") not in _LOWER_OPS:
            continue
        parts = match.group("ver").split(".")
        version = (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
        if best is None or version > best:
            best = version  # ``>=4.0,>=4.2`` admits 4.2 and up
    return best


def _requirement_bound(text: str) -> tuple[int, int] | None:
    match = _REQUIREMENT.match(text)
    if match is None:
        return None
    return lower_bound(match.group("spec"))


def pins_in(text: str, kind: str) -> list[tuple[int, int]]:
    """Lower bounds of every Django pin in one file's text. ``kind``: requirements / toml / cfg / py."""
    found: list[tuple[int, int]] = []

    def add(bound):
        if bound is not None:
            found.append(bound)

    if kind == "requirements":
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("-"):
                continue  # -r / -e / --index-url ...
            add(_requirement_bound(line))
        return found
    for match in _TABLE_ENTRY.finditer(text):
        spec = match.group("spec") if match.group("spec") is not None else match.group("tspec")
        spec = spec.strip()
        if spec and spec[0].isdigit() and not spec.endswith("*") and "," not in spec:
            spec = "==" + spec  # Poetry: a bare version means exactly that version
        add(lower_bound(spec.replace(".*", "")))
    for match in _QUOTED.finditer(text):
        add(_requirement_bound(match.group(1)))
    if kind == "cfg":
        for line in text.splitlines():
            # ``install_requires =\n    Django>=4.2`` and ``install_requires = Django>=4.2``
            value = line.split("=", 1)[1] if re.match(r"\s*install_requires\s*=", line) else line
            add(_requirement_bound(value.strip()))
    return found


def _candidates(root: Path) -> list[tuple[Path, str]]:
    files = [
        (root / "pyproject.toml", "toml"),
        (root / "setup.cfg", "cfg"),
        (root / "setup.py", "py"),
        (root / "Pipfile", "toml"),
    ]
    for pattern in ("requirements*.txt", "requirements*.in", "requirements/*.txt", "requirements/*.in"):
        files.extend((path, "requirements") for path in sorted(root.glob(pattern)))
    return files


@functools.lru_cache(maxsize=16)
def detect(project_root: str | None) -> tuple[int, int] | None:
    """The lowest Django version the project's dependency pins admit, if any pin says."""
    root = Path(project_root) if project_root else Path.cwd()
    bounds: list[tuple[int, int]] = []
    for path, kind in _candidates(root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "django" not in text.lower():
            continue
        bounds.extend(pins_in(text, kind))
    return min(bounds) if bounds else None


def target(settings) -> tuple[int, int] | None:
    return settings.django_version or detect(settings.project_root)


def has_twin(settings, since: str | None) -> bool:
    """Whether the targeted Django has an async twin added in ``since`` (unknown: yes)."""
    if not since:
        return True
    version = target(settings)
    if version is None:
        return True
    major, _, minor = str(since).partition(".")
    return version >= (int(major), int(minor or 0))
