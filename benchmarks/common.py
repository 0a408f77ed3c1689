"""Shared helpers of the benchmark and evaluation scripts (stdlib only).

The corpus is the directory ``shared/corpus/fetch.sh`` builds: one folder per
package release (``<name>-<version>/``) and a ``MANIFEST.tsv``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("ABR_CORPUS", Path.home() / ".cache" / "abr-corpus"))
CACHE_DIR = Path(os.environ.get("ABR_BENCH_CACHE", Path.home() / ".cache" / "abr-bench"))
SKIP_DIRS = {".downloads", ".git", "__pycache__"}
FLAKE8_FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
# the plugin's project cache for every run the benchmark starts without --abr-cache-dir
CACHE_ENV = "ABR_CACHE_DIR"


def ensure_importable() -> None:
    """Make ``async_bridge`` importable from this checkout when it is not installed."""
    try:
        import async_bridge  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(REPO / "src"))


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: int
    lines: int

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


def read_manifest(corpus: Path) -> list[Package]:
    """Packages of the corpus from MANIFEST.tsv; without it, from the folder names."""
    manifest = corpus / "MANIFEST.tsv"
    packages: list[Package] = []
    if manifest.is_file():
        rows = manifest.read_text(encoding="utf-8").splitlines()
        for row in rows[1:]:
            parts = row.split("\t")
            if len(parts) >= 4 and parts[0]:
                packages.append(Package(parts[0], parts[1], int(parts[2]), int(parts[3])))
        return [p for p in packages if (corpus / p.folder).is_dir()]
    for folder in sorted(corpus.iterdir()):
        if folder.is_dir() and folder.name not in SKIP_DIRS and not folder.name.startswith("."):
            name, _, version = folder.name.rpartition("-")
            files = python_files(folder)
            lines = sum(count_lines(f) for f in files)
            packages.append(Package(name or folder.name, version, len(files), lines))
    return packages


def python_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        found.extend(Path(root) / n for n in sorted(names) if n.endswith(".py"))
    return found


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def parses(path: Path) -> bool:
    """Whether this interpreter can parse the file (flake8 reports E999 and checks nothing
    in one it cannot: newer syntax, Python 2, templates)."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes(), str(path))
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return False
    return True


def corpus_files(corpus: Path, packages: list[str] | None = None) -> list[Path]:
    """Every .py file of the corpus (optionally of some packages only), sorted."""
    result = []
    for pkg in read_manifest(corpus):
        if packages and pkg.name not in packages:
            continue
        result.extend(python_files(corpus / pkg.folder))
    return result


def sample(files: list[Path], fraction: float, base: Path) -> list[Path]:
    """A deterministic sample: files ordered by a hash of their corpus-relative path.

    Samples are nested (the 25% sample is inside the 50% one), so a scaling series
    adds files rather than swapping them. Returned in path order.
    """
    if fraction >= 1.0:
        return list(files)
    keyed = sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(base)).encode()).hexdigest())
    count = max(1, round(len(files) * fraction))
    chosen = set(keyed[:count])
    return [f for f in files if f in chosen]


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except (OSError, ValueError):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": _dt.date.today().isoformat(),
    }


# -- measured child processes -------------------------------------------------------

MEASURE_SNIPPET = r"""
import json, resource, subprocess, sys, time
jobs = json.loads(sys.argv[1])
wall = 0.0
rcs = []
stderr = []
for cwd, cmd in jobs:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall += time.perf_counter() - start
    rcs.append(proc.returncode)
    if proc.stderr:
        stderr.append(proc.stderr.decode("utf-8", "replace")[-1000:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"wall": wall, "maxrss_kb": usage.ru_maxrss, "user": usage.ru_utime, "sys": usage.ru_stime,
           "rc": max(rcs, key=lambda rc: (rc not in (0, 1), rc)) if rcs else 0,
           "stderr": "\n".join(stderr)[-2000:]}, sys.stdout)
"""


def measure(cmd: list[str], cwd: Path, nice: int = 0) -> dict:
    """Run ``cmd`` in ``cwd`` under a tiny Python parent: wall time and peak RSS of that run alone."""
    return measure_jobs([(cwd, cmd)], nice)


def measure_jobs(jobs: list[tuple[Path, list[str]]], nice: int = 0) -> dict:
    """Run the commands one after the other (each in its folder) under a tiny Python
    parent: summed wall time, and the largest peak RSS of any of them.

    ``RUSAGE_CHILDREN`` of a fresh parent covers exactly these commands (and the
    processes they waited for), so runs do not see each other's peaks.
    """
    payload = json.dumps([[str(cwd), [str(c) for c in cmd]] for cwd, cmd in jobs])
    wrapper = [sys.executable, "-c", MEASURE_SNIPPET, payload]
    if nice:
        wrapper = ["nice", "-n", str(nice), *wrapper]
    out = subprocess.run(wrapper, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return float("nan")
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# -- linting a folder with the plugin ---------------------------------------------------

@dataclass(frozen=True)
class Finding:
    package: str  # corpus package or application name
    path: str  # relative to the package folder (corpus) or to the repository root (applications), with /
    line: int
    col: int
    code: str
    message: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.package, self.path, self.line, self.code)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def flake8_command(spec: str | None) -> list[str]:
    return shlex.split(spec) if spec else [sys.executable, "-m", "flake8"]


def check_plugin(flake8: list[str]) -> str:
    """The flake8 version line; exits when that flake8 does not load this plugin."""
    out = subprocess.run([*flake8, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if "flake8-async-bridge" not in out.stdout:
        raise SystemExit(f"{' '.join(flake8)} does not load flake8-async-bridge:\n{out.stdout}")
    return "flake8 " + " ".join(out.stdout.split())


def lint_folder(flake8: list[str], folder: Path, package: str, jobs: int, prefix: str = "") -> tuple[list[Finding], str]:
    """Every ABR finding in ``folder`` (which is also the project root), and flake8's stderr.

    Paths are relative to ``folder``, with ``prefix`` (a folder, with /) put in front.
    """
    # --abr-no-cache: findings never depend on the cache, and the linted folders stay as they are
    cmd = [*flake8, "--isolated", f"-j{jobs}", "--select=ABR", "--abr-enable=ABR106", "--abr-no-cache",
           "--abr-project-root", ".", f"--format={FLAKE8_FORMAT}", "."]
    proc = subprocess.run(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"flake8 failed in {folder} (rc {proc.returncode}):\n{proc.stderr[-3000:]}")
    findings = []
    for row in proc.stdout.splitlines():
        parts = row.split("\t", 4)
        if len(parts) != 5:
            continue
        path, line, col, code, text = parts
        path = os.path.normpath(path).replace(os.sep, "/")
        if prefix.strip("/."):
            path = f"{prefix.strip('/')}/{path}"
        findings.append(Finding(package, path, int(line), int(col), code, text))
    return findings, proc.stderr
