"""Every project file, validated as mypy and git do, with its text scan, kept in the cache.

A file is known by its stat (size, mtime, ctime, inode) and the digest of its bytes.
When the stat is unchanged the recorded digest and scan are used without reading the
file; otherwise it is read, hashed, and scanned again only if its bytes changed. The
ctime (which ``os.utime`` cannot set back) catches an edit that kept the size and
forced the old mtime, and a file modified within the last seconds is hashed again
next time (an edit in the same clock tick as our stat would look unchanged).

The record is a tree: per folder its mtime, its Python files and its sub-folders. A
folder whose mtime is unchanged has the same entries, so it is not listed again: a
run where nothing changed stats each folder and file once and reads two records.
The project's names (``SourceNames``) are saved with it; the files' own scans are in
a record of their own, read only when a file changed.

An editor's unsaved buffer (the overlay) is read instead of its file and never
written to the cache; while one differs from its file the project has no
*generation*, so no cached answer is trusted without checking it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from . import snapshot
from .cache import CacheStore, blake2b, digest
from .resolver import MAX_FILE_BYTES, SKIP_DIRS, ModuleResolver
from .source_names import FileScan, SourceNames, derived_aliases, scan_file, second_level

RECORD = "files.json"
SCANS = "scans.json"
_RACY_NS = 2_000_000_000  # a file or folder modified this recently is looked at again next time
_EMPTY = FileScan()
_KEEP_BYTES = 500_000  # changed files kept in memory for the second level of aliases

# A file's record: "size:mtime:ctime:inode:digest" (size -1: its stat vouches for nothing)
# A folder's record: [mtime (-1: list it again), {file name: file record}, [sub-folder names]]


class ProjectFiles:
    """The project's files (relative path -> digest) and the names scanned from them."""

    def __init__(self, resolver: ModuleResolver, store: CacheStore | None, overlay: Mapping[str, str]) -> None:
        self.resolver = resolver
        resolver.known_files = self.known_files
        self.store = store
        self.overlay = overlay
        self._digests: dict[str, str] | None = {}  # relative path -> content digest (as on disk)
        self._paths: dict[str, str] | None = {}  # relative path -> absolute path
        self.scans: dict[str, Any] = {}  # files whose scan found something: FileScan data
        self.second: dict[str, tuple[str, ...]] = {}  # second-level aliases found per file
        self.derived: frozenset[str] | None = None
        self.names = SourceNames(frozenset(), frozenset(), frozenset(), {})
        self.generation: str | None = None
        self.overlaid: dict[str, str] = {}  # relative path -> digest of an overlay that differs from the file
        self.files_read = 0  # files read (tests count them)
        self.on_read: Callable[[str, str, bytes], None] | None = None  # (rel, digest, bytes) of a changed file
        # the files whose text has one of these words (the index of mentions), if known
        self.files_with: Callable[[frozenset[str]], Iterable[str]] | None = None
        self._tree: dict[str, list] = {}
        self._texts: dict[str, bytes] = {}  # changed files' bytes during a refresh (up to _KEEP_BYTES)
        self._loaded = False
        self._from_store = False  # the state came from the cache (its scans are read when needed)
        self._scans_loaded = False
        self._scans_key: str | None = None  # which saved scans go with the saved tree
        self._scans_dirty = False  # the scans changed since they were saved
        self._names_current = False  # ``names`` are those of the files as last refreshed
        self._unsaved = False  # changes not saved yet (an unsaved buffer was in the names)

    @property
    def records(self) -> dict[str, str]:
        return self.digests

    @property
    def digests(self) -> dict[str, str]:
        """Relative path -> content digest of every project file (made from the tree when
        first asked: a run whose answers all come from the cache never needs it)."""
        if self._digests is None:
            self._digests = {rel: record.rpartition(":")[2] for rel, record in self._records()}
        return self._digests

    @property
    def paths(self) -> dict[str, str]:
        """Relative path -> absolute path of every project file."""
        if self._paths is None:
            root, sep = str(self.resolver.root), os.sep
            self._paths = {rel: root + sep + rel for rel, _record in self._records()}
        return self._paths

    def _records(self) -> Iterator[tuple[str, str]]:
        sep = os.sep
        for folder, (_mtime, files, _subfolders) in self._tree.items():
            prefix = folder + sep if folder else ""
            for name, record in files.items():
                yield prefix + name, record

    # -- queries -------------------------------------------------------------------------
    def known_files(self) -> list[Path] | None:
        return [Path(p) for p in self.paths.values()] if self._loaded else None

    def relative(self, path: Path | str) -> str:
        return os.path.relpath(path, self.resolver.root)

    def digest_of(self, rel: str) -> str | None:
        """The current content digest of a project file (its overlay's when one differs)."""
        if rel in self.overlaid:
            return self.overlaid[rel]
        return self.digests.get(rel)

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
        """Stat the project against the cached records, read and scan only the changed
        files, assemble the names, and save what changed."""
        self._load()
        old_tree = self._tree
        old_digests = self._digests  # None: never asked (then nothing is known to have changed yet)
        now = time.time_ns()
        changed: list[str] = []  # content changed (or new): scanned again
        kept = 0
        self._texts = {}
        scanned: dict[str, Any] = {}
        tree: dict[str, list] = {}
        removed: set[str] = set()
        touched = self._walk(tree, now, removed)
        self._tree = tree
        dirty = bool(touched) or bool(removed) or tree.keys() != old_tree.keys() or any(
            tree[d][0] != old_tree[d][0] or tree[d][2] != old_tree[d][2] for d in tree)
        for rel, path, old_record, st in touched:
            folder, _, name = rel.rpartition(os.sep)
            data = self.read(path, disk=True)  # the record is the file's, whatever a buffer holds
            if data is None:
                tree[folder][1].pop(name, None)
                removed.add(rel)
                continue
            size, mtime, ctime, inode = st
            key = digest(data)
            trusted = now - max(mtime, ctime) > _RACY_NS
            tree[folder][1][name] = f"{size}:{mtime}:{ctime}:{inode}:{key}" if trusted else f"-1:0:0:0:{key}"
            if old_record.rpartition(":")[2] == key:
                continue
            changed.append(rel)
            if self.on_read is not None:
                self.on_read(rel, key, data)
            if kept + len(data) <= _KEEP_BYTES:
                self._texts[rel] = data
                kept += len(data)
            scan = scan_file(data)
            scanned[rel] = scan.to_data() if scan != _EMPTY else None
        if dirty or old_digests is None:
            self._digests = self._paths = None  # made again from the tree when asked
        was_overlaid = set(self.overlaid)
        overlay_scans = self._apply_overlay()
        if changed or removed or overlay_scans or was_overlaid or not self._names_current:
            if not self._load_scans():
                # a tree saved without its scans (damaged, or from a crashed writer): start afresh
                self._reset()
                self.refresh()
                return
            if overlay_scans or was_overlaid or not self._names_current or not self._same_names(scanned, removed):
                for rel in removed:
                    self.scans.pop(rel, None)
                for rel, data in scanned.items():
                    if data is None:
                        self.scans.pop(rel, None)
                    else:
                        self.scans[rel] = data
                self._assemble(overlay_scans, changed, removed, was_overlaid)
                self._scans_dirty = True
            dirty = True
        self._texts = {}
        if self.overlaid:
            self.generation = None
        elif dirty or self.generation is None:
            self.generation = _generation(self.digests)
        self._loaded = True
        self._unsaved = self._unsaved or dirty
        if self._unsaved and not self.overlaid:
            self._save()  # only while the names are the files' own (no unsaved buffer in them)
            self._unsaved = False
        elif self.store is not None and not self.overlaid and not self.store.exists(snapshot.SNAPSHOT):
            snapshot.save(self.store, self._tree, self.generation)  # a cache made before snapshots, or damaged

    def _walk(self, tree: dict[str, list], now: int, removed: set[str]) -> list[tuple[str, str, str, tuple]]:
        """Stat every folder and file against the recorded tree; ``tree`` receives the
        folders as they are now (files whose stat matches keep their record). Returns the
        files to read: (rel, path, old record or "", stat); ``removed`` gets the files gone."""
        touched: list[tuple[str, str, str, tuple]] = []
        if not self.resolver.exists:
            return touched
        known = self._tree
        root = str(self.resolver.root)
        sep = os.sep
        stat = os.stat
        stack = [""]
        while stack:
            folder = stack.pop()
            where = root + sep + folder if folder else root
            prefix = folder + sep if folder else ""
            try:
                mtime = stat(where).st_mtime_ns
            except OSError:
                continue
            old = known.get(folder)
            old_files: dict[str, str] = old[1] if old is not None else {}
            files: dict[str, str] = {}
            tree[folder] = [mtime if now - mtime > _RACY_NS else -1, files, None]
            if old is not None and old[0] == mtime:
                subfolders = old[2]
                for name, record in old_files.items():
                    path = where + sep + name
                    try:
                        st = stat(path)
                    except OSError:
                        removed.add(prefix + name)
                        continue
                    if record.startswith(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"):
                        files[name] = record
                    elif st.st_size <= MAX_FILE_BYTES:
                        files[name] = record
                        touched.append((prefix + name, path, record, (st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                                                      st.st_ino)))
                    else:
                        removed.add(prefix + name)
            else:
                names, subfolders = self._list(where)
                for name, listed in names:
                    record = old_files.get(name, "")
                    if listed[0] > MAX_FILE_BYTES:
                        continue
                    files[name] = record
                    if not record.startswith(f"{listed[0]}:{listed[1]}:{listed[2]}:{listed[3]}:") or not record:
                        touched.append((prefix + name, where + sep + name, record, listed))
                removed.update(prefix + name for name in old_files.keys() - files.keys())
            tree[folder][2] = subfolders
            stack.extend(prefix + sub for sub in reversed(subfolders))
        for folder in known.keys() - tree.keys():  # folders gone (or now skipped)
            prefix = folder + sep if folder else ""
            removed.update(prefix + name for name in known[folder][1])
        return touched

    def _list(self, where: str) -> tuple[list[tuple[str, tuple]], list[str]]:
        """A folder's Python files (with their stats) and sub-folders, as the project's walk
        (``ModuleResolver.python_file_stats``) sees them."""
        names: list[tuple[str, tuple]] = []
        subfolders: list[str] = []
        try:
            with os.scandir(where) as entries:
                listed = sorted(entries, key=_entry_name)
        except OSError:
            return names, subfolders
        for entry in listed:
            name = entry.name
            try:
                if entry.is_dir():
                    if name not in SKIP_DIRS and not name.startswith(".") and not entry.is_symlink():
                        subfolders.append(name)
                elif name.endswith(".py") and entry.is_file():
                    st = entry.stat()
                    names.append((name, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)))
            except OSError:
                continue
        return names, subfolders

    def _apply_overlay(self) -> dict[str, Any]:
        """Scans of unsaved buffers that differ from their files (never saved)."""
        self.overlaid = {}
        scans: dict[str, Any] = {}
        for name, text in (self.overlay or {}).items():
            rel = self.relative(name)
            if rel not in self.digests:
                continue
            data = text.encode("utf-8")
            key = digest(data)
            if key != self.digests[rel]:
                self.overlaid[rel] = key
                scans[rel] = scan_file(data).to_data()
        return scans

    def _same_names(self, scanned: Mapping[str, Any], removed: set[str]) -> bool:
        """Whether the edits leave every file's scan and second-level aliases as they were
        (the usual edit: a body, a comment), so the project's names stand as assembled."""
        if any(rel in self.scans or rel in self.second for rel in removed):
            return False
        if any(self.scans.get(rel) != data for rel, data in scanned.items()):
            return False
        derived = self.derived
        if not derived:
            return not any(rel in self.second for rel in scanned)  # no alias to look for: nothing to read
        for rel in scanned:
            data = self._texts.get(rel)
            if data is None:
                path = self.paths.get(rel)
                data = self.read(path, disk=True) if path is not None else None
            if data is None or second_level(data, derived) != self.second.get(rel, ()):
                return False
        return True

    def _assemble(self, overlay_scans: dict[str, Any], changed: list[str], removed: set[str],
                  was_overlaid: set[str]) -> None:
        effective = {**self.scans, **overlay_scans} if overlay_scans else self.scans
        # the scans are read from their data twice rather than held as objects for every
        # file at once: this runs at the memory peak of a cold run
        derived = derived_aliases(FileScan.from_data(data) for data in effective.values())
        if derived != self.derived:
            self._all_second_level(derived)
        else:
            for rel in removed:
                self.second.pop(rel, None)
            self._second_level([*changed, *was_overlaid, *self.overlaid], derived)
        self.derived = derived
        paths = self.paths
        self.names = SourceNames.assemble(
            ((paths[rel], FileScan.from_data(data)) for rel, data in effective.items() if rel in paths),
            {paths[rel]: names for rel, names in self.second.items() if rel in paths},
        )
        self._names_current = True

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

    # -- the records in the cache --------------------------------------------------------
    def _load(self) -> None:
        """The stored tree and names (nothing when absent, unreadable or of another shape);
        in a later refresh of the same process, those in memory."""
        if self._loaded:
            return
        record = self.store.read(RECORD) if self.store is not None else None
        if not isinstance(record, dict):
            return
        try:
            tree = record["tree"]
            for folder, entry in tree.items():
                if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int)
                        and isinstance(entry[1], dict) and isinstance(entry[2], list)):
                    return
                if not all(isinstance(r, str) for r in entry[1].values()):
                    return
            names = record["names"]
            generation = record["generation"]
            scans_key = record.get("scans_key")
            source_names = SourceNames(
                awaitable=frozenset(names["awaitable"]), runner_candidates=frozenset(names["runners"]),
                bridge_candidates=frozenset(names["bridges"]),
                related_names=RelatedNames(self.resolver.root, names["related"]),
                properties=frozenset(names["properties"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return
        self._tree, self.names = tree, source_names
        self._digests = self._paths = None
        self.generation = generation if isinstance(generation, str) else None
        self._scans_key = scans_key if isinstance(scans_key, str) else None
        self._names_current = self._from_store = True

    def _load_scans(self) -> bool:
        """The files' scans and second-level aliases, needed only to assemble the names again
        (False: the saved ones are missing or do not go with the saved tree)."""
        if self._scans_loaded or not self._from_store:
            self._scans_loaded = True
            return True
        record = self.store.read(SCANS) if self.store is not None else None
        if not isinstance(record, dict):
            return False
        try:
            scans = record["scans"]
            second = {rel: tuple(str(n) for n in names) for rel, names in record["second"].items()}
            derived = frozenset(str(n) for n in record["derived"])
            if not isinstance(scans, dict) or self._scans_key is None or record.get("key") != self._scans_key:
                return False
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        self.scans, self.second, self.derived = scans, second, derived
        self._scans_loaded = True
        return True

    def _reset(self) -> None:
        """Forget the saved state: the next refresh reads and scans every file."""
        self._tree, self.scans, self.second, self.derived = {}, {}, {}, None
        self._digests, self._paths = {}, {}
        self._names_current = self._from_store = False
        self._scans_loaded = self._loaded = True
        self._scans_dirty = True

    def _save(self) -> None:
        if self.store is None:
            return
        names, root = self.names, self.resolver.root
        # the scans first: a tree is saved only with the scans of the same files, named by a
        # key the tree records. Scans that did not change (only stats, or edits that left
        # every file's names as they were) are the saved ones: not written again
        if self._scans_dirty or self._scans_key is None:
            if self._from_store and not self._scans_loaded:
                return  # never read here: the tree is left as saved, refreshed again next time
            key = self.generation or ""
            if not self.store.write(SCANS, {"key": key, "scans": self.scans,
                                            "second": {rel: list(n) for rel, n in self.second.items()},
                                            "derived": sorted(self.derived or ())}):
                return
            self._scans_key, self._scans_dirty = key, False
        self.store.write(RECORD, {
            "tree": self._tree,
            "generation": self.generation,
            "scans_key": self._scans_key,
            "names": {
                "awaitable": sorted(names.awaitable), "runners": sorted(names.runner_candidates),
                "bridges": sorted(names.bridge_candidates), "properties": sorted(names.properties),
                "related": {k: sorted(os.path.relpath(p, root) for p in v) for k, v in names.related_names.items()},
            },
        })
        snapshot.save(self.store, self._tree, self.generation)  # what an editor lint checks instead of refreshing


def _entry_name(entry: os.DirEntry) -> str:
    return entry.name


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


def _generation(digests: Mapping[str, str]) -> str:
    """A digest of every file's path and content: equal generations, equal projects."""
    hasher = blake2b(digest_size=12)
    for rel in sorted(digests):
        hasher.update(f"{rel}\0{digests[rel]}\n".encode())
    return hasher.hexdigest()
