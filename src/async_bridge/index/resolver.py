"""Map files to module names and module names to files under the project root."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable

MAX_FILE_BYTES = 2_000_000  # larger files are not parsed for the index

SKIP_DIRS = frozenset(
    {".git", ".hg", ".tox", ".nox", ".venv", "venv", "env", "node_modules", "__pycache__",
     "site-packages", "build", "dist", ".mypy_cache", ".pytest_cache"}
)


@functools.lru_cache(maxsize=1)
def installed_roots() -> tuple[Path, ...]:
    """Folders of the interpreter's import path that hold installed packages: site-packages,
    and folders added by ``.pth`` files (editable installs, a monorepo's sibling packages);
    not the standard library, zip files or the current directory."""
    import sysconfig  # not at import: an editor lint answered from the cache never needs it

    stdlib = {os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}
    found: list[Path] = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real in stdlib or any(real.startswith(s + os.sep) and "site-packages" not in real for s in stdlib):
            continue
        if real == os.path.realpath(os.getcwd()):
            continue
        path = Path(real)
        if path not in found:
            found.append(path)
    return tuple(found)


class ModuleResolver:
    def __init__(self, project_root: str | os.PathLike | None) -> None:
        root = Path(project_root) if project_root else Path.cwd()
        try:
            self.root = root.resolve()
        except OSError:
            self.root = root.absolute()
        self.exists = self.root.is_dir()
        self.source_roots: list[Path] = []
        if self.exists:
            self.source_roots.append(self.root)
            if (self.root / "src").is_dir():
                self.source_roots.append(self.root / "src")
            # a root that is itself a package (a manage.py folder often is) imports
            # itself absolutely: ``import myapp.services`` from inside ``myapp/``
            top = self.root
            while (top / "__init__.py").is_file() and top.parent != top:
                top = top.parent
            if top != self.root:
                self.source_roots.append(top)
        self._found: dict[str, Path | None] = {}
        self._module_of: dict[str, tuple[str | None, bool]] = {}
        self._relative: dict[str, str] = {}  # resolving a path costs a stat per folder of it
        self._listings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def module_of(self, filename: str) -> tuple[str | None, bool]:
        """(dotted module name, is a package ``__init__``) of a file; name None for stdin."""
        cached = self._module_of.get(filename)
        if cached is not None:
            return cached
        result: tuple[str | None, bool] = (None, False)
        if filename not in ("-", "stdin", "<stdin>", ""):
            path = Path(filename)
            try:
                path = path.resolve()
            except OSError:
                path = path.absolute()
            is_package = path.name == "__init__.py"
            parts = [] if is_package else [path.stem]
            folder = path.parent
            while (folder / "__init__.py").is_file() and folder.parent != folder:
                parts.insert(0, folder.name)
                folder = folder.parent
            if folder not in self.source_roots and self._within_root(folder):
                self.source_roots.append(folder)
                self._found = {k: v for k, v in self._found.items() if v is not None}
            if parts:
                result = (".".join(parts), is_package)
        self._module_of[filename] = result
        return result

    def relative(self, filename: str) -> str:
        """The file's path relative to the project root when under it, else as given."""
        found = self._relative.get(filename)
        if found is None:
            try:
                found = str(Path(filename).resolve().relative_to(self.root))
            except (ValueError, OSError):
                found = filename
            self._relative[filename] = found
        return found

    def _within_root(self, folder: Path) -> bool:
        try:
            folder.relative_to(self.root)
        except ValueError:
            return False
        return True

    def find(self, module: str) -> Path | None:
        """The file of a module under a source root of the project or, after them, on the
        interpreter's import path (installed packages, never the standard library)."""
        if module in self._found:
            return self._found[module]
        found = None
        parts = module.split(".")
        last = parts[-1]
        roots = self.source_roots
        if parts[0] not in sys.stdlib_module_names:
            roots = [*roots, *installed_roots()]
        for root in roots:
            folder: str | None = str(root)
            for part in parts[:-1]:
                assert folder is not None
                if part not in self._listing(folder)[1]:
                    folder = None
                    break
                folder = os.path.join(folder, part)
            if folder is None:
                continue
            files, dirs = self._listing(folder)
            if last + ".py" in files:
                found = Path(folder, last + ".py")
                break
            if last in dirs and "__init__.py" in self._listing(os.path.join(folder, last))[0]:
                found = Path(folder, last, "__init__.py")
                break
        self._found[module] = found
        return found

    def _listing(self, folder: str) -> tuple[frozenset[str], frozenset[str]]:
        """(file names, folder names) of a directory, read once per resolver: a miss
        over many source roots costs dictionary look-ups, not ``stat`` calls."""
        cache = self._listings
        listing = cache.get(folder)
        if listing is None:
            files, dirs = set(), set()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.add(entry.name)
                            elif entry.is_dir():
                                dirs.add(entry.name)
                        except OSError:
                            continue
            except OSError:
                pass
            listing = cache[folder] = (frozenset(files), frozenset(dirs))
        return listing

    def python_sources(self, max_bytes: int):
        """(path, bytes) of every project .py file up to ``max_bytes``, read on demand."""
        for path in self.python_files():
            try:
                if path.stat().st_size > max_bytes:
                    continue
                yield path, path.read_bytes()
            except OSError:
                continue

    def python_files(self) -> list[Path]:
        """Every .py file under the project root (for reverse look-ups), once per process."""
        files = getattr(self, "_files", None)
        if files is None:
            known = self.known_files() if self.known_files is not None else None
            files = known if known is not None else [Path(entry[0]) for entry in self.python_file_stats()]
            self._files = files
        return files

    # the project's files as the cache last saw them (saves a walk of the tree)
    known_files: "Callable[[], list[Path] | None] | None" = None

    def python_file_stats(self) -> list[tuple[str, int, int, int, int]]:
        """(path, size, mtime, ctime, inode) of every .py file under the project root, from
        one walk of the tree (the cache validates files by these before reading any)."""
        found: list[tuple[str, int, int, int, int]] = []
        if not self.exists:
            return found
        stack = [str(self.root)]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as entries:
                    listed = list(entries)
            except OSError:
                continue
            below = []
            for entry in listed:
                name = entry.name
                try:
                    if entry.is_dir():
                        if name not in SKIP_DIRS and not name.startswith(".") and not entry.is_symlink():
                            below.append(entry.path)
                    elif name.endswith(".py") and entry.is_file():
                        st = entry.stat()
                        found.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                except OSError:
                    continue
            stack.extend(reversed(below))
        return found

