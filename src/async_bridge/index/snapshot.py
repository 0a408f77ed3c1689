"""Whether the project is still the one of the last refresh, without refreshing it.

``ProjectFiles.refresh`` saves, next to its tree, a compact copy of what it vouched
for: every walked folder's mtime and every file's stat (or, for a file modified too
recently to trust its stat, its content digest), with the project's generation. A
later process (an editor lint) asks ``current_generation``: it stats each folder
and file once, in a tight loop, and reads only the files whose stat vouches for
nothing. Any difference (a file edited, added, removed or renamed, a folder made or
listed differently, a snapshot missing or damaged) answers None, and the caller
refreshes the project as usual. So the answer is never a stale generation, and it
costs no JSON tree, no text scan and no import of the analysis.

A folder's mtime changes when an entry is added, removed or renamed in it, so equal
folder mtimes mean the same files; equal file stats mean the same bytes under the
rules ``project_files`` uses (size, mtime, ctime and inode; a stat taken within the
racy window is not trusted).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Mapping

from .cache import CacheStore, digest
from .resolver import MAX_FILE_BYTES

SNAPSHOT = "snapshot.json"
FORMAT = 1


def snapshot_data(tree: Mapping[str, list], generation: str) -> dict[str, Any] | None:
    """The snapshot of a ``ProjectFiles`` tree (folder -> [mtime, {name: record}, sub-folders]);
    None when a path cannot be written on one line (such a project is always refreshed)."""
    folders: list[str] = []
    files: list[str] = []
    sep = os.sep
    for folder, (mtime, records, _subfolders) in tree.items():
        if mtime == -1:
            return None  # listed within the racy window: the listing vouches for nothing yet
        folders.append(f"{folder}\t{mtime}")
        prefix = folder + sep if folder else ""
        for name, record in records.items():
            files.append(f"{prefix}{name}\t{record}")
    text_of = "\n".join
    if any("\n" in line or line.count("\t") != 1 for line in (*folders, *files)):
        return None
    return {"format": FORMAT, "generation": generation, "folders": text_of(folders), "files": text_of(files)}


def save(store: CacheStore, tree: Mapping[str, list], generation: str | None) -> None:
    """Save the snapshot of a refreshed tree. An older snapshot left in place is harmless:
    it names the generation of the stats it holds, which no longer match."""
    data = snapshot_data(tree, generation) if generation is not None else None
    if data is not None:
        store.write(SNAPSHOT, data)


def current_generation(store: CacheStore, root: str) -> str | None:
    """The generation of the last refresh if no folder or file changed since, else None."""
    data = store.read(SNAPSHOT)
    try:
        if data.get("format") != FORMAT:
            return None
        generation, folders, files = data["generation"], data["folders"], data["files"]
        if not (isinstance(generation, str) and isinstance(folders, str) and isinstance(files, str)) or not folders:
            return None
    except (AttributeError, KeyError, TypeError):
        return None
    try:
        with _Folder(root) as stat:
            unchanged = (_folders_unchanged(stat, folders.split("\n"))
                         and _files_unchanged(stat, root, files.split("\n") if files else ()))
    except (OSError, ValueError):
        return None  # a file or folder gone, the root unreadable, a line that is not ours
    return generation if unchanged else None


class _Folder:
    """``stat`` of paths relative to the project root: through a descriptor of the root where
    the platform allows it (the kernel then walks one name per file, not the whole path)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.fd: int | None = None

    def __enter__(self) -> Callable[[str], os.stat_result]:
        if os.stat in os.supports_dir_fd:
            self.fd = os.open(self.root, os.O_RDONLY)
            fd = self.fd
            return lambda rel: os.stat(rel or ".", dir_fd=fd)
        prefix = self.root + os.sep
        return lambda rel: os.stat(prefix + rel if rel else self.root)

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _folders_unchanged(stat: Callable[[str], os.stat_result], lines: Iterable[str]) -> bool:
    for line in lines:
        folder, _, mtime = line.partition("\t")
        if stat(folder).st_mtime_ns != int(mtime):
            return False
    return True


def _files_unchanged(stat: Callable[[str], os.stat_result], root: str, lines: Iterable[str]) -> bool:
    for line in lines:
        rel, _, record = line.partition("\t")
        st = stat(rel)
        if record.startswith(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"):
            continue
        # a stat that vouches for nothing (racy) or changed: the same bytes are the same file
        if st.st_size > MAX_FILE_BYTES or not _same_bytes(os.path.join(root, rel), record.rpartition(":")[2]):
            return False
    return True


def _same_bytes(path: str, key: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read()) == key
    except OSError:
        return False
