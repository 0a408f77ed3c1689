"""The persistent project cache: where it lives, its version, and safe reads and writes.

Everything the index learns about a file is keyed by that file's content, so the
cache is shared by every process that lints the project (flake8 workers under any
start method, repeated runs, ``async-bridge check``/``fix``/``server``). This module
owns the directory and the file format; ``project_files`` (text scans),
``mentions`` (which files mention a name) and ``entries`` (module summaries and a
file's findings) keep their records in it.

Layout::

    .async_bridge_cache/            (``--abr-cache-dir``; ``.gitignore`` holds ``*``)
        CACHEDIR.TAG
        v1-<key>/                   one folder per version: format, plugin code, knowledge, root
            meta.json               what the key was made of (``async-bridge cache info``)
            files.json              every project file: stat, content digest, text scan
            mentions/...            identifier -> files that mention it
            summaries/<xx>/<id>.json, findings/<xx>/<id>.json

Safety: JSON only (a cache in a cloned repository never runs code); every write
goes to a temporary file then ``os.replace`` (readers see an old or a new file,
never half of one, whatever other processes do); a missing, truncated, corrupted or
foreign file reads as absent and is rebuilt; a write that fails (read-only folder,
full disk, folder deleted mid-run) switches writing off for the rest of the process
with one warning line from the main process. Nothing here ever raises to the linter.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from .. import __version__
from ..records.blake import blake2b


FORMAT = 1  # bump when a record's shape changes
DEFAULT_DIRNAME = ".async_bridge_cache"
ENV_DIR = "ABR_CACHE_DIR"  # a cache folder for every project (CI, the test suite)
ENV_OFF = "ABR_NO_CACHE"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# flake8-async-bridge cache: safe to delete\n"
_KEEP_VERSIONS = 3  # versions kept per project root when a new one is made


def digest(data: bytes) -> str:
    """The content key of a file (or any bytes)."""
    return blake2b(data, digest_size=12).hexdigest()


def text_digest(text: str) -> str:
    return digest(text.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The plugin's own code: its version and the size and mtime of its modules, so an
    edited checkout or a reinstall never reads a cache written by other code."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    parts = [__version__]
    folders = [""]
    while folders:  # os.scandir, not Path.rglob: this runs at the start of every editor lint
        folder = folders.pop()
        try:
            with os.scandir(os.path.join(package, folder)) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            rel = os.path.join(folder, entry.name)
            try:
                if entry.name.endswith(".py") and entry.is_file():
                    stat = entry.stat()
                    parts.append(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}")
                elif entry.is_dir() and entry.name != "__pycache__":
                    folders.append(rel)
            except OSError:
                continue
    return digest("\n".join([parts[0], *sorted(parts[1:])]).encode())


def knowledge_digest(extra: Iterable[str]) -> str:
    """The knowledge in effect: the bytes of the built-in rule and knowledge files and of
    the user's extra files."""
    from ..rule_files import rules_dir

    base = rules_dir()
    paths = [*sorted(base.glob("ABR*.yaml")), *sorted((base / "knowledge").glob("*.yaml")), *map(Path, extra)]
    hasher = blake2b(digest_size=12)
    for path in paths:
        hasher.update(str(path.name).encode() + b"\0")
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"<unreadable>")
        hasher.update(b"\0")
    return hasher.hexdigest()


def default_location(project_root: Path) -> Path:
    configured = os.environ.get(ENV_DIR)
    return Path(configured).expanduser() if configured else project_root / DEFAULT_DIRNAME


def disabled_by_environment() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no", "off")


def is_worker() -> bool:
    """A child process (a flake8 ``-j`` worker): the main process speaks for the run."""
    return multiprocessing.parent_process() is not None


_warned = False


def warn_once(message: str) -> None:
    """One cache warning per run: from the main process only, once."""
    global _warned
    if _warned or is_worker():
        return
    _warned = True
    print(f"flake8-async-bridge: {message}", file=sys.stderr)


class CacheKey(NamedTuple):
    """What a cache version is made of; any change starts a fresh folder."""

    root: str
    knowledge: str
    code: str = ""
    format: int = FORMAT

    @property
    def name(self) -> str:
        text = json.dumps([self.format, self.code or code_digest(), self.knowledge, self.root])
        return f"v{self.format}-{digest(text.encode())}"


class CacheStore:
    """One version folder of the cache: JSON records read and written safely."""

    def __init__(self, base: Path, key: CacheKey) -> None:
        self.base = base
        self.key = key
        self.folder = base / key.name
        self.writable = True
        self._ready = False
        self._made: set[Path] = set()  # record folders known to exist
        self.reads = 0  # records read (tests and ``cache info`` count them)
        self.writes = 0

    # -- reading ---------------------------------------------------------------------
    def read(self, name: str) -> Any:
        """A record, or None when it is missing or unreadable (never an exception)."""
        try:
            with open(self.folder / name, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        self.reads += 1
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None  # truncated, corrupted or foreign: rebuilt by whoever needs it

    def exists(self, name: str) -> bool:
        return os.path.exists(self.folder / name)

    # -- writing ---------------------------------------------------------------------
    def write(self, name: str, record: Any) -> bool:
        """Write a record atomically (temporary file, then ``os.replace``)."""
        if not self.writable:
            return False
        try:
            text = json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            return False  # not plain data: not cached (a bug to report, never a crash)
        target = self.folder / name
        for attempt in (1, 2):
            try:
                if not self._ready or attempt == 2:
                    self._prepare()
                self._folder_of(target)
                self._replace(target, text.encode("utf-8"))
                self.writes += 1
                return True
            except FileNotFoundError:
                self._ready = False  # the folder was deleted mid-run: make it again, once
                self._made.clear()
                continue
            except OSError as exc:
                self._give_up(exc)
                return False
        return False

    def _folder_of(self, target: Path) -> None:
        """Make the folders of a record below the version folder, never the version folder
        itself (gone means deleted mid-run: ``_prepare`` makes it again, markers and all)."""
        parent = target.parent
        if parent == self.folder or parent in self._made:
            return
        below = parent.relative_to(self.folder).parts
        current = self.folder
        for part in below:
            current = current / part
            if current not in self._made:
                current.mkdir(exist_ok=True)
                self._made.add(current)

    def _replace(self, target: Path, data: bytes) -> None:
        import tempfile

        fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the cache from a CI's other user
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise

    def _prepare(self) -> None:
        """Make the cache folder (with its ``.gitignore`` and ``CACHEDIR.TAG``) and this
        version's folder; remove the oldest other versions."""
        fresh = not self.base.is_dir()
        self.base.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG)):
            marker = self.base / name
            if not marker.exists():
                self._replace(marker, text.encode())
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
            meta = {"format": FORMAT, "plugin": __version__, "code": self.key.code or code_digest(),
                    "knowledge": self.key.knowledge, "root": self.key.root, "created": int(time.time())}
            self._replace(self.folder / "meta.json", json.dumps(meta).encode())
            if not fresh:
                self._prune()
        self._ready = True

    def _prune(self) -> None:
        """Keep the most recently used versions of this project root (another plugin
        version, other knowledge); versions of other roots sharing the folder stay."""
        mine = []
        for folder in self.base.iterdir():
            if folder.is_dir() and folder.name.startswith("v") and folder != self.folder:
                try:
                    root = json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("root")
                except (OSError, ValueError, AttributeError):
                    root = None
                if root in (None, self.key.root):
                    mine.append(folder)
        if len(mine) < _KEEP_VERSIONS:
            return
        mine.sort(key=_mtime)
        import shutil

        for old in mine[: len(mine) - _KEEP_VERSIONS + 1]:
            shutil.rmtree(old, ignore_errors=True)

    def _give_up(self, exc: OSError) -> None:
        self.writable = False
        reason = exc.strerror or type(exc).__name__
        warn_once(f"cache not written ({reason}: {self.base}); linting goes on without it "
                  "(--abr-cache-dir moves it, --abr-no-cache turns it off)")

    def touch(self) -> None:
        """Mark this version as used (pruning keeps the most recently used)."""
        try:
            os.utime(self.folder)
        except OSError:
            pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def flush_at_exit(index: Any) -> None:
    """Write what ``index`` learnt when the process ends: the main process (atexit, via
    multiprocessing's exit hook) and pool workers, which leave without running atexit."""
    if index.store is None:
        return
    from multiprocessing import util

    util.Finalize(None, _flush_quietly, args=(weakref.ref(index),), exitpriority=10)


def _flush_quietly(ref: Any) -> None:
    index = ref()
    if index is not None:
        try:
            index.flush()
        except Exception:  # never a traceback at exit
            pass


def open_store(project_root: Path, extra_knowledge: Iterable[str] = (), cache_dir: str | None = None,
               enabled: bool = True) -> CacheStore | None:
    """The cache of a project, or None when switched off (option or ``ABR_NO_CACHE``)."""
    if not enabled or disabled_by_environment():
        return None
    base = Path(cache_dir).expanduser() if cache_dir else default_location(project_root)
    try:
        base = base.resolve()
    except OSError:
        base = base.absolute()
    key = CacheKey(root=str(project_root), knowledge=knowledge_digest(extra_knowledge))
    return CacheStore(base, key)


# -- ``async-bridge cache info`` / ``clear`` ------------------------------------------------

class VersionInfo(NamedTuple):
    name: str
    files: int
    bytes: int
    summaries: int
    findings: int
    meta: dict


def describe(base: Path) -> list[VersionInfo]:
    """Every version folder under a cache folder, with its size and record counts."""
    found: list[VersionInfo] = []
    if not base.is_dir():
        return found
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name.startswith("v")):
        files = size = summaries = findings = 0
        for path in folder.rglob("*.json"):
            try:
                size += path.stat().st_size
            except OSError:
                continue
            files += 1
            top = path.relative_to(folder).parts[0]
            summaries += top == "summaries"
            findings += top == "findings"
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        found.append(VersionInfo(folder.name, files, size, summaries, findings, meta if isinstance(meta, dict) else {}))
    return found


def clear(base: Path) -> int:
    """Remove a cache folder made by this tool; the number of version folders removed.
    A folder without the cache's ``CACHEDIR.TAG`` is left alone (never delete by mistake)."""
    if not base.is_dir():
        return 0
    tag = base / "CACHEDIR.TAG"
    try:
        if "flake8-async-bridge" not in tag.read_text(encoding="utf-8"):
            raise ValueError(f"{base} does not look like this tool's cache (no CACHEDIR.TAG of ours)")
    except OSError:
        raise ValueError(f"{base} does not look like this tool's cache (no CACHEDIR.TAG)") from None
    import shutil

    versions = [p for p in base.iterdir() if p.is_dir() and p.name.startswith("v")]
    shutil.rmtree(base)
    return len(versions)
