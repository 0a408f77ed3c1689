"""Virtualenvs the benchmark compares: plain flake8, flake8 + this project, flake8 + the peer.

They live under the cache dir (``$ABR_BENCH_CACHE``, default ``~/.cache/abr-bench``)
and are reused; this project is reinstalled from the checkout on every run (``pip
install .``, not editable, so the benchmark measures the built wheel). All three
get the same flake8 version.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import common

PEER = "flake8-async"


def _run(cmd: list, quiet: bool = True) -> str:
    result = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stdout[-3000:]}")
    return result.stdout


class Env:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.python = folder / "bin" / "python"
        self.flake8 = folder / "bin" / "flake8"
        self.bin = folder / "bin"

    def exists(self) -> bool:
        return self.python.is_file() and self.flake8.is_file()

    def create(self, requirements: list[str]) -> None:
        if not self.python.is_file():
            _run([sys.executable, "-m", "venv", self.folder])
            _run([self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--upgrade", "pip"])
        _run([self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements])

    def version_of(self, dist: str) -> str | None:
        out = subprocess.run(
            [str(self.python), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        return out.stdout.strip() or None


def flake8_version_default() -> str:
    """The newest flake8 the peer accepts is not knowable offline: use the one installed here."""
    try:
        import importlib.metadata as metadata

        return metadata.version("flake8")
    except Exception:
        return "7.3.0"


def prepare(flake8_version: str, with_peer: bool, log=print, with_ruff: bool = True) -> dict[str, Env]:
    base = common.CACHE_DIR / "venvs"
    base.mkdir(parents=True, exist_ok=True)
    pin = f"flake8=={flake8_version}"
    envs = {
        "plain": Env(base / f"plain-flake8-{flake8_version}"),
        "plugin": Env(base / f"plugin-flake8-{flake8_version}"),
    }
    if with_peer:
        envs["peer"] = Env(base / f"peer-flake8-{flake8_version}")
    log(f"virtualenvs under {base}")
    if not envs["plain"].exists():
        envs["plain"].create([pin])
    if not envs["plugin"].exists():
        envs["plugin"].create([pin, str(common.REPO)])
    # always measure the checkout as it is now, built as a wheel
    envs["plugin"].create(["--force-reinstall", "--no-deps", "--no-cache-dir", str(common.REPO)])
    envs["plugin"].create([pin])  # keep flake8 pinned if the reinstall moved anything
    if with_peer and not envs["peer"].exists():
        envs["peer"].create([pin, PEER])
    if with_ruff:
        envs["ruff"] = Env(base / "ruff")
        if not envs["ruff"].exists():
            envs["ruff"].create(["ruff"])
    for name, env in envs.items():
        if name == "ruff":
            continue
        got = env.version_of("flake8")
        if got != flake8_version:
            raise RuntimeError(f"{name} env has flake8 {got}, expected {flake8_version}")
    if envs["plain"].version_of("flake8-async-bridge") or envs["plain"].version_of(PEER):
        raise RuntimeError("the plain env must hold flake8 alone")
    return envs
