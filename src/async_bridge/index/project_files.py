"""Every project file, validated as mypy and git do, with its text scan, kept in the cache.

A file is known by its stat (size, mtime, ctime, inode) and the digest of its bytes.
When the stat is unchanged the recorded digest and scan are used without reading the
file; otherwise it is read, hashed, and scanned again only if its bytes changed. The
ctime (which ``os.utime`` cannot set back) catches an edit that kept the size and
forced the old mtime, and a file modified within the last seconds is hashed again
next time (an edit in the same clock tick as our stat would look unchanged).

The project's names (``SourceNames``) are assembled from the files' scans and saved
with them, so a run where nothing changed reads one record and stats the tree.

An editor's unsaved buffer (the overlay) is read instead of its file and never
written to the cache; while one differs from its file the project has no
*generation*, so no cached answer is trusted without checking it.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .cache import CacheStore, digest
from .resolver import MAX_FILE_BYTES, ModuleResolver
from .source_names import FileScan, SourceNames, derived_aliases, scan_file, second_level

RECORD = "files.json"
_RACY_NS = 2_000_000_000  # a file modified this recently is hashed again next time
_UNTRUSTED = -1  # the size saved for such a file: matches no stat
_EMPTY = FileScan()
_KEEP_BYTES = 4_000_000  # changed files kept in memory for the second level of aliases

# A file's record: [size, mtime_ns, ctime_ns, inode, digest]
Stat = list


class ProjectFiles:
    """The project's files (relative path -> record) and the names scanned from them."""

    def __init__(self, resolver: ModuleResolver, store: CacheStore | None, overlay: Mapping[str, str]) -> None:
        self.resolver = resolver
        self.store = store
        self.overlay = overlay
        self.records: dict[str, Stat] = {}
        self.scans: dict[str, Any] = {}  # files whose scan found something: FileScan data
        self.paths: dict[str, str] = {}  # relative path -> absolute path
        self.second: dict[str, tuple[str, ...]] = {}  # second-level aliases found per file
        self.derived: frozenset[str] | None = None
        self.names = SourceNames(frozenset(), frozenset(), frozenset(), {})
        self.generation: str | None = None
        self.overlaid: dict[str, str] = {}  # relative path -> digest of an overlay that differs from the file
        self.files_read = 0  # files read (tests count them)
        self.on_read: Callable[[str, str, bytes], None] | None = None  # (rel, digest, bytes) of a changed file
        # the files whose text has one of these words (the index of mentions), if known
        self.files_with: Callable[[frozenset[str]], Iterable[str]] | None = None
        self._texts: dict[str, bytes] = {}  # changed files' bytes during a refresh (up to _KEEP_BYTES)
        self._loaded = False
        self._names_loaded = False  # ``names`` are those of ``records`` (loaded or assembled)
        self._unsaved = False  # changes not saved yet (an unsaved buffer was in the names)

    # -- queries -------------------------------------------------------------------------
    def relative(self, path: Path | str) -> str:
        return os.path.relpath(path, self.resolver.root)

    def digest_of(self, rel: str) -> str | None:
        """The current content digest of a project file (its overlay's when one differs)."""
        if rel in self.overlaid:
            return self.overlaid[rel]
        record = self.records.get(rel)
        return record[4] if record is not None else None

    def sources(self, rels: Any = None) -> Iterator[tuple[Path, bytes]]:
        """(path, bytes) of project files (all, or those of ``rels``), an overlay's text in
        place of its file's."""
        for rel in (self.paths if rels is None else rels):
            path = self.paths.get(rel)
            if path is None:
                continue
            data = self.read(path)
            if data is not None:
                yield Path(path), data

    def read(self, path: str, disk: bool = False) -> bytes | None:
        """A file's bytes: its unsaved buffer's text if it has one (unless ``disk``)."""
        text = self.overlay.get(path) if self.overlay and not disk else None
        if text is not None:
            return text.encode("utf-8")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        self.files_read += 1
        return data

    # -- building ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Walk the project, validate every file against the cached records, read and
        scan only the changed ones, assemble the names, and save what changed."""
        stored, stored_scans = self._load()
        now = time.time_ns()
        records: dict[str, Stat] = {}
        scans: dict[str, Any] = {}
        paths: dict[str, str] = {}
        changed: list[str] = []  # content changed (or new): scanned again
        dirty = False
        kept = 0
        self._texts = {}
        root = str(self.resolver.root)
        prefix = root.rstrip(os.sep) + os.sep
        cut = len(prefix)
        for path, size, mtime, ctime, inode in self.resolver.python_file_stats():
            if size > MAX_FILE_BYTES:
                continue
            rel = path[cut:] if path.startswith(prefix) else os.path.relpath(path, root)
            paths[rel] = path
            old = stored.get(rel)
            if old is not None and old[0] == size and old[1] == mtime and old[2] == ctime and old[3] == inode:
                records[rel] = old
                if rel in stored_scans:
                    scans[rel] = stored_scans[rel]
                continue
            data = self.read(path, disk=True)  # the record is the file's, whatever a buffer holds
            if data is None:
                continue
            key = digest(data)
            trusted = now - max(mtime, ctime) > _RACY_NS
            records[rel] = [size, mtime, ctime, inode, key] if trusted else [_UNTRUSTED, 0, 0, 0, key]
            dirty = True
            if old is not None and old[4] == key:
                if rel in stored_scans:
                    scans[rel] = stored_scans[rel]
                continue
            changed.append(rel)
            if self.on_read is not None:
                self.on_read(rel, key, data)
            if kept + len(data) <= _KEEP_BYTES:
                self._texts[rel] = data
                kept += len(data)
            scan = scan_file(data)
            if scan != _EMPTY:
                scans[rel] = scan.to_data()
        removed = stored.keys() - records.keys()
        dirty = dirty or bool(removed)
        self.records, self.scans, self.paths = records, scans, paths
        was_overlaid = set(self.overlaid)
        overlay_scans = self._apply_overlay()
        effective = {**scans, **overlay_scans} if overlay_scans else scans
        if dirty or overlay_scans or was_overlaid or not self._names_loaded:
            typed = {rel: FileScan.from_data(data) for rel, data in effective.items()}
            derived = derived_aliases(typed.values())
            if derived != self.derived:
                dirty = True
                self._all_second_level(derived)
            else:
                for rel in removed:
                    self.second.pop(rel, None)
                self._second_level([*changed, *was_overlaid, *self.overlaid], derived)
            self.derived = derived
            self.names = SourceNames.assemble(
                {Path(paths[rel]): scan for rel, scan in typed.items()},
                {Path(paths[rel]): names for rel, names in self.second.items() if rel in paths},
            )
            self._names_loaded = True
        self._texts = {}
        if self.overlaid:
            self.generation = None
        elif dirty or self.generation is None:
            self.generation = _generation(records)
        self._loaded = True
        self._unsaved = self._unsaved or dirty
        if self._unsaved and not self.overlaid:
            self._save()  # only while the names are the files' own (no unsaved buffer in them)
            self._unsaved = False

    def _apply_overlay(self) -> dict[str, Any]:
        """Scans of unsaved buffers that differ from their files (never saved)."""
        self.overlaid = {}
        scans: dict[str, Any] = {}
        for name, text in (self.overlay or {}).items():
            rel = self.relative(name)
            if rel not in self.records:
                continue
            data = text.encode("utf-8")
            key = digest(data)
            if key != self.records[rel][4]:
                self.overlaid[rel] = key
                scans[rel] = scan_file(data).to_data()
        return scans

    def _second_level(self, rels: Iterable[str], derived: frozenset[str]) -> None:
        for rel in dict.fromkeys(rels):
            path = self.paths.get(rel)
            data = self._texts.get(rel) if rel not in self.overlaid else None
            if data is None and path is not None:
                data = self.read(path)
            found = second_level(data, derived) if data is not None else ()
            if found:
                self.second[rel] = found
            else:
                self.second.pop(rel, None)

    def _all_second_level(self, derived: frozenset[str]) -> None:
        """The first-level aliases changed: every file mentioning one is matched again."""
        self.second = {}
        if derived:
            rels = self.files_with(derived) if self.files_with is not None else self.paths
            self._second_level(rels, derived)

    # -- the record in the cache ---------------------------------------------------------
    def _load(self) -> tuple[dict[str, Stat], dict[str, Any]]:
        """The stored records (empty when absent, unreadable or of another shape); in a
        later refresh of the same process, the records in memory."""
        if self._loaded:
            return self.records, self.scans
        record = self.store.read(RECORD) if self.store is not None else None
        if not isinstance(record, dict):
            return {}, {}
        try:
            files = record["files"]
            if not isinstance(files, dict) or not all(isinstance(v, list) and len(v) == 5 for v in files.values()):
                return {}, {}
            scans = record["scans"]
            if not isinstance(scans, dict):
                return {}, {}
            second = {rel: tuple(str(n) for n in names) for rel, names in record["second"].items()}
            derived = frozenset(str(n) for n in record["derived"])
            names = record["names"]
            generation = record["generation"]
            source_names = SourceNames(
                awaitable=frozenset(names["awaitable"]), runner_candidates=frozenset(names["runners"]),
                bridge_candidates=frozenset(names["bridges"]),
                related_names=RelatedNames(self.resolver.root, names["related"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return {}, {}
        self.second, self.derived, self.names = second, derived, source_names
        self._names_loaded = True
        self.generation = generation if isinstance(generation, str) else None
        return files, scans

    def _save(self) -> None:
        if self.store is None:
            return
        names, root = self.names, self.resolver.root
        self.store.write(RECORD, {
            "files": self.records,
            "scans": self.scans,
            "derived": sorted(self.derived or ()),
            "second": {rel: list(n) for rel, n in self.second.items()},
            "generation": self.generation,
            "names": {
                "awaitable": sorted(names.awaitable), "runners": sorted(names.runner_candidates),
                "bridges": sorted(names.bridge_candidates),
                "related": {k: sorted(os.path.relpath(p, root) for p in v) for k, v in names.related_names.items()},
            },
        })


class RelatedNames(Mapping[str, tuple[Path, ...]]):
    """``related_name`` -> the files declaring it, as saved (paths made on first use)."""

    def __init__(self, root: Path, saved: Mapping[str, list[str]]) -> None:
        self._root = root
        self._saved = saved
        self._made: dict[str, tuple[Path, ...]] = {}

    def __getitem__(self, name: str) -> tuple[Path, ...]:
        if name not in self._made:
            self._made[name] = tuple(Path(self._root, rel) for rel in self._saved[name])
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._saved)

    def __len__(self) -> int:
        return len(self._saved)


def _generation(records: Mapping[str, Stat]) -> str:
    """A digest of every file's path and content: equal generations, equal projects."""
    hasher = hashlib.blake2b(digest_size=12)
    for rel in sorted(records):
        hasher.update(f"{rel}\0{records[rel][4]}\n".encode())
    return hasher.hexdigest()
