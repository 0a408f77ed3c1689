"""The ASCII words of a text: what the relevance gate and the index of mentions match names against."""

from __future__ import annotations

_WORD_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
# every byte that cannot be part of an ASCII word becomes a space: the words are what
# ``split`` gives (a run that starts with a digit never names anything)
_TO_WORDS = bytes(c if c in _WORD_BYTES else 32 for c in range(256))


def ascii_words(data: bytes) -> frozenset[str]:
    """The ASCII word runs of a text's bytes. Every ASCII identifier in the text is one:
    no word character can touch an identifier, and a non-ASCII byte ends a run."""
    return frozenset(data.translate(_TO_WORDS).decode("ascii").split())


def ascii_word_bytes(data: bytes) -> frozenset[bytes]:
    """``ascii_words`` as bytes (for an index that stores them as bytes: no str per word)."""
    return frozenset(data.translate(_TO_WORDS).split())
