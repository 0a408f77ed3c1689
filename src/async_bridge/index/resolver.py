"""Map files to module names and module names to files under the project root."""

from __future__ import annotations

import os
from pathlib import Path

SKIP_DIRS = frozenset(
    {".git", ".hg", ".tox", ".nox", ".venv", "venv", "env", "node_modules", "__pycache__",
     "site-packages", "build", "dist", ".mypy_cache", ".pytest_cache"}
)


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
        self._found: dict[str, Path | None] = {}
        self._module_of: dict[str, tuple[str | None, bool]] = {}

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
        try:
            return str(Path(filename).resolve().relative_to(self.root))
        except (ValueError, OSError):
            return filename

    def _within_root(self, folder: Path) -> bool:
        try:
            folder.relative_to(self.root)
        except ValueError:
            return False
        return True

    def find(self, module: str) -> Path | None:
        """The file of a project module, or None when it is not under a source root."""
        if module in self._found:
            return self._found[module]
        found = None
        rel = module.replace(".", os.sep)
        for root in self.source_roots:
            candidate = root / (rel + ".py")
            if candidate.is_file():
                found = candidate
                break
            candidate = root / rel / "__init__.py"
            if candidate.is_file():
                found = candidate
                break
        self._found[module] = found
        return found

    def python_files(self) -> list[Path]:
        """Every .py file under the project root (for reverse look-ups), once per process."""
        files = getattr(self, "_files", None)
        if files is None:
            files = []
            if self.exists:
                for folder, dirs, names in os.walk(self.root):
                    dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
                    files.extend(Path(folder) / n for n in names if n.endswith(".py"))
            self._files = files
        return files
