"""Word -> files that mention it, for the files one process indexed, held compactly.

A cold run indexes every word of every project file (hundreds of thousands of
postings in a large project). As a dict of word -> list of files that costs more
memory than the rest of the project's records together, at the very start of a run.
Here the postings wait per shard (the on-disk index's sharding) as one bytearray of
lines ``<file number> <word> <word> ...``: no object per word or per posting. A shard
becomes a dict only when a question needs one of its words.
"""

from __future__ import annotations

import zlib
from typing import Iterable, Iterator

SHARDS = 64
_NEWLINE = b"\n"
_SPACE = b" "


def shard_of_bytes(word: bytes) -> int:
    return zlib.crc32(word) % SHARDS


def shard_of(name: str) -> int:
    return shard_of_bytes(name.encode())


class Postings:
    def __init__(self) -> None:
        self._files: list[str] = []  # file number -> relative path
        self._numbers: dict[str, int] = {}
        self._waiting: list[bytearray] = [bytearray() for _ in range(SHARDS)]
        self._open: dict[int, dict[str, list[str]]] = {}  # shards a question decoded

    def add(self, words: Iterable[bytes], rel: str) -> None:
        """``rel`` mentions ``words`` (ASCII identifiers: no space or newline in one)."""
        number = self._numbers.get(rel)
        if number is None:
            number = self._numbers[rel] = len(self._files)
            self._files.append(rel)
        by_shard: dict[int, list[bytes]] = {}
        crc = zlib.crc32
        for word in words:
            shard = crc(word) % SHARDS
            found = by_shard.get(shard)
            if found is None:
                by_shard[shard] = [word]
            else:
                found.append(word)
        head = b"%d " % number
        for shard, found in by_shard.items():
            decoded = self._open.get(shard)
            if decoded is None:
                self._waiting[shard] += head + _SPACE.join(found) + _NEWLINE
            else:
                for word in found:
                    decoded.setdefault(word.decode("ascii"), []).append(rel)

    def get(self, name: str) -> list[str]:
        """The files noted as mentioning ``name`` (a file noted twice may appear twice)."""
        number = shard_of(name)
        decoded = self._open.get(number)
        if decoded is None:
            decoded = self._open[number] = self.shard(number)
            self._waiting[number] = bytearray()
        return decoded.get(name, [])

    def shard(self, number: int) -> dict[str, list[str]]:
        """The postings of one shard (a new dict, or the decoded one)."""
        decoded = self._open.get(number)
        if decoded is not None:
            return decoded
        found: dict[str, list[str]] = {}
        files = self._files
        for line in self._waiting[number].split(_NEWLINE):
            if not line:
                continue
            number_text, *words = line.split(_SPACE)
            rel = files[int(number_text)]
            for word in words:
                name = word.decode("ascii")
                postings = found.get(name)
                if postings is None:
                    found[name] = [rel]
                else:
                    postings.append(rel)
        return found

    def shards(self) -> Iterator[tuple[int, dict[str, list[str]]]]:
        """Every shard's postings, one in memory at a time."""
        for number in range(SHARDS):
            yield number, self.shard(number)

    def words_of(self, rels: set[str]) -> dict[str, set[str]]:
        """The words noted for each of ``rels``."""
        words: dict[str, set[str]] = {rel: set() for rel in rels}
        for _number, shard in self.shards():
            for word, postings in shard.items():
                for rel in postings:
                    if rel in words:
                        words[rel].add(word)
        return words
