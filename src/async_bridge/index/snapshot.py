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
from typing import Any, Iterable, Mapping

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
        if not (isinstance(generation, str) and isinstance(folders, str) and isinstance(files, str)):
            return None
    except (AttributeError, KeyError, TypeError):
        return None
    if not folders or not _folders_unchanged(root, folders.split("\n")):
        return None
    return generation if _files_unchanged(root, files.split("\n") if files else ()) else None


def _folders_unchanged(root: str, lines: Iterable[str]) -> bool:
    stat, sep = os.stat, os.sep
    for line in lines:
        folder, _, mtime = line.partition("\t")
        try:
            if stat(root + sep + folder if folder else root).st_mtime_ns != int(mtime):
                return False
        except (OSError, ValueError):
            return False
    return True


def _files_unchanged(root: str, lines: Iterable[str]) -> bool:
    stat, sep = os.stat, os.sep
    prefix = root + sep
    for line in lines:
        rel, _, record = line.partition("\t")
        try:
            st = stat(prefix + rel)
        except OSError:
            return False
        if record.startswith(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"):
            continue
        # a stat that vouches for nothing (racy) or changed: the same bytes are the same file
        if st.st_size > MAX_FILE_BYTES or not _same_bytes(prefix + rel, record.rpartition(":")[2]):
            return False
    return True


def _same_bytes(path: str, key: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read()) == key
    except OSError:
        return False
