"""Which project files mention a name: an inverted index of identifiers, kept in the cache.

Reverse questions ("which functions call ``sync_orders``", "which module hands
``send_report`` to a worker") used to read every project file for every question.
They now ask this index: identifier -> files whose text contains it as a word
(comments and strings included, as the text search did), built on the first reverse
question and then updated for the files that changed only.

On disk: a *base* (postings sharded by identifier, never modified once written, and
the content digest of every file it covers) and a small *delta* (the words of the
files indexed since). A file counts as indexed only while its current digest is the
one the base or the delta recorded; any other file (changed, new, or lost to a
concurrent writer) is read and tokenised before a question is answered. Postings of
a file may name words it no longer has: a candidate file is always checked
afterwards, so a superset is harmless, and a missing file never happens.
"""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING, Any

from ..records.words import ascii_word_bytes
from .cache import CacheStore, digest
from .postings import SHARDS, Postings, shard_of

if TYPE_CHECKING:
    from .project_files import ProjectFiles

_ASCII_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
POINTER = "mentions/current.json"
_DELTA_LIMIT = 200  # files in the delta before a new base is written


class MentionIndex:
    def __init__(self, files: "ProjectFiles", store: CacheStore | None) -> None:
        self.files = files
        self.store = store
        self._loaded = False
        self._base: str | None = None
        self._base_files: list[str] = []  # file number -> relative path
        self._base_digests: dict[str, str] = {}  # relative path -> digest the base indexed
        # postings are tuples once complete: the garbage collector stops tracking a tuple of
        # strings or ints, and then the dict holding them, so a large project's index costs
        # no time in the collections of a long run
        self._shards: dict[int, dict[str, tuple[int, ...]]] = {}
        # files indexed outside the base (the saved delta, and this process): postings and digests
        self._extra = Postings()
        self._extra_digests: dict[str, str] = {}
        self._fresh: set[str] = set()  # indexed by this process, not saved yet
        self._checked = False  # every file is indexed at its current content

    # -- questions ---------------------------------------------------------------------
    def files_mentioning(self, name: str) -> list[str]:
        """Relative paths of the project files whose text has ``name`` as a word, sorted."""
        self._load()
        if not _ASCII_NAME.fullmatch(name):
            return self._search(name)  # not one identifier to the tokeniser: read the files
        self._index_missing()
        found = {rel for rel in self._extra.get(name) if self._extra_covers(rel)}
        if self._base is not None:
            files = self._base_files
            for number in self._shard(shard_of(name)).get(name, ()):
                rel = files[number] if 0 <= number < len(files) else None
                if rel is not None and not self._extra_covers(rel) and self._base_covers(rel):
                    found.add(rel)
            if self._base is None:  # a shard was lost while answering: no base, ask again
                return self.files_mentioning(name)
        return sorted(found)

    def files_mentioning_any(self, names: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for name in names:
            found.update(self.files_mentioning(name))
        return found

    def _extra_covers(self, rel: str) -> bool:
        key = self._extra_digests.get(rel)
        return key is not None and key == self.files.digest_of(rel)

    def _base_covers(self, rel: str) -> bool:
        key = self._base_digests.get(rel)
        return key is not None and key == self.files.digest_of(rel)

    def _index_missing(self) -> None:
        """Read and tokenise the files neither the base nor the delta indexed as they are."""
        if self._checked:
            return
        for rel in [*self.files.records, *self.files.overlaid]:
            if not self._extra_covers(rel) and not self._base_covers(rel):
                self._index_file(rel)
        self._checked = True

    def _index_file(self, rel: str) -> None:
        path = self.files.paths.get(rel)
        data = self.files.read(path) if path is not None else None
        if data is not None:
            self.note(rel, digest(data), data)

    def note(self, rel: str, key: str, data: bytes) -> None:
        """Index a file's text (the project's files call this for every file they read)."""
        if self._extra_digests.get(rel) == key:
            return
        self._extra.add(ascii_word_bytes(data), rel)
        self._extra_digests[rel] = key
        if rel not in self.files.overlaid:
            self._fresh.add(rel)

    def _search(self, name: str) -> list[str]:
        pattern = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])")
        return sorted(self.files.relative(path) for path, data in self.files.sources() if pattern.search(data))

    # -- loading -----------------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        pointer = self.store.read(POINTER) if self.store is not None else None
        if not isinstance(pointer, dict):
            return
        try:
            for rel, (key, words) in pointer["delta"].items():
                if rel in self._extra_digests:
                    continue  # read by this process: newer
                self._extra_digests[str(rel)] = str(key)
                self._extra.add([word.encode() for word in words if _ASCII_NAME.fullmatch(word)], str(rel))
            base = pointer.get("base")
            if base is not None and self.store is not None:
                meta = self.store.read(f"mentions/{base}/files.json")
                self._base_files = [str(rel) for rel, _key in meta]
                self._base_digests = {str(rel): str(key) for rel, key in meta}
                self._base = str(base)
        except (KeyError, TypeError, ValueError, AttributeError):
            self._base, self._base_files, self._base_digests = None, [], {}
            self._extra, self._extra_digests = Postings(), {}

    def _shard(self, number: int) -> dict[str, tuple[int, ...]]:
        shard = self._shards.get(number)
        if shard is None:
            data = self.store.read(f"mentions/{self._base}/{number:02d}.json") if self.store is not None else None
            if not isinstance(data, dict):
                # removed by a newer base, or damaged: this base vouches for nothing
                self._base, self._base_files, self._base_digests, self._shards = None, [], {}, {}
                self._checked = False
                return {}
            shard = self._shards[number] = {str(word): tuple(postings) for word, postings in data.items()}
        return shard

    # -- saving ------------------------------------------------------------------------
    def flush(self) -> None:
        """Save the files this process indexed: into the delta, or into a new base when
        there is none yet or the delta has grown."""
        if not self._fresh or self.store is None or not self.store.writable:
            return
        self._load()
        fresh = {rel for rel in self._fresh if self._extra_covers(rel) and rel not in self.files.overlaid}
        self._fresh = set()
        if self._base is None or len(fresh) + len(self._extra_digests) > _DELTA_LIMIT:
            self._write_base()
            return
        words = self._extra.words_of(fresh)
        delta: dict[str, Any] = {}
        pointer = self.store.read(POINTER)
        if isinstance(pointer, dict) and pointer.get("base") == self._base and isinstance(pointer.get("delta"), dict):
            delta.update(pointer["delta"])  # what other processes added to this base: kept
        for rel in fresh:
            delta[rel] = [self._extra_digests[rel], sorted(words[rel])]
        self.store.write(POINTER, {"base": self._base, "delta": delta})

    def _write_base(self) -> None:
        """A new base: the old one's still valid postings plus everything indexed since."""
        assert self.store is not None
        self._index_missing()
        rels = sorted(self.files.records)
        numbers = {rel: n for n, rel in enumerate(rels)}
        from_extra = {rel: numbers[rel] for rel in rels if self._extra_covers(rel)}
        from_base = {rel: numbers[rel] for rel in rels if rel not in from_extra and self._base_covers(rel)}
        renumber: dict[int, int] = {}
        if self._base is not None and from_base:
            renumber = {old: from_base[rel] for old, rel in enumerate(self._base_files) if rel in from_base}
        digests = {**{rel: self._base_digests[rel] for rel in from_base},
                   **{rel: self._extra_digests[rel] for rel in from_extra}}
        files = [[rel, digests.get(rel, "")] for rel in rels]
        base = f"base-{digest(repr(sorted(digests.items())).encode())}"
        for number in range(SHARDS):  # one shard in memory at a time
            shard: dict[str, list[int]] = {}
            if renumber:
                for word, postings in self._shard(number).items():
                    kept = [renumber[old] for old in postings if old in renumber]
                    if kept:
                        shard[word] = kept
                if self._base is None:
                    return  # the old base vanished under us: leave it to the next run
                self._shards.pop(number, None)
            for word, noted in self._extra.shard(number).items():
                found = sorted({from_extra[rel] for rel in noted if rel in from_extra})
                if found:
                    shard.setdefault(word, []).extend(found)
            if not self.store.write(f"mentions/{base}/{number:02d}.json", shard):
                return
        if not self.store.write(f"mentions/{base}/files.json", files):
            return
        if self.store.write(POINTER, {"base": base, "delta": {}}):
            self._remove_bases(keep=base)
            self._base, self._base_files = base, rels
            self._base_digests = {rel: key for rel, key in files if key}
            self._shards = {}  # read back when a question needs one: the postings leave memory
            self._extra, self._extra_digests = Postings(), {}
            self._checked = False  # unsaved buffers are indexed again on the next question

    def _remove_bases(self, keep: str) -> None:
        folder = self.store.folder / "mentions" if self.store is not None else None
        try:
            for entry in folder.iterdir() if folder is not None else ():
                if entry.is_dir() and entry.name != keep:
                    shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass
