"""Which Django the suggestions target: --abr-django-version, else the project's pins."""

from __future__ import annotations

import functools
import re
from pathlib import Path

_PIN = re.compile(r"""(?ix)^\s*["']?django\s*(?:\[[^\]]*\])?\s*(?P<op>==|~=|>=|<=|>|<|===)?\s*(?P<ver>\d+(?:\.\d+)?)""")


@functools.lru_cache(maxsize=16)
def detect(project_root: str | None) -> tuple[int, int] | None:
    """The Django version pinned in pyproject.toml / requirements*.txt / setup.cfg, if any.

    The lowest version the pins admit is taken (``>=4.2`` -> 4.2), so a suggestion
    never needs a newer Django than the project promises to support.
    """
    root = Path(project_root) if project_root else Path.cwd()
    candidates = [root / "pyproject.toml", root / "setup.cfg", *sorted(root.glob("requirements*.txt")),
                  *sorted(root.glob("requirements/*.txt"))]
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            match = _PIN.match(line.strip().lstrip("-").strip())
            if match and match.group("op") in ("==", "~=", ">=", "==="):
                major, _, minor = match.group("ver").partition(".")
                return int(major), int(minor or 0)
    return None


def target(settings) -> tuple[int, int] | None:
    return settings.django_version or detect(settings.project_root)


def has_twin(settings, since: str | None) -> bool:
    """Whether the targeted Django has an async twin added in ``since`` (unknown: yes)."""
    if not since:
        return True
    version = target(settings)
    if version is None:
        return True
    major, _, minor = since.partition(".")
    return version >= (int(major), int(minor or 0))
