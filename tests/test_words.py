"""The word scan the relevance gate and the index of mentions share: every identifier of
a text is one of its words, whatever surrounds it."""

from __future__ import annotations

import io
import tokenize

from async_bridge.analysis.relevance import words_of
from async_bridge.records.words import ascii_words

TEXT = '''\
import asyncio as aio
x = 1 if flag else 0x1F
async def héllo(get_it):
    await aio.sleep(0)  # sync_to_async in a comment
    return "run_until_complete", get_it.aget()
'''


def _identifiers(text: str) -> set[str]:
    return {tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.NAME and tok.string.isascii()}


def test_every_ascii_identifier_is_a_word() -> None:
    words = words_of(TEXT, ascii_only=True)
    assert _identifiers(TEXT) <= words
    assert {"sync_to_async", "run_until_complete", "comment"} <= words  # comments and strings too


def test_a_non_ascii_letter_ends_a_word_and_digits_lead_none() -> None:
    # only ``and else for if in is not or`` may touch a number; no anchor is among them
    assert ascii_words("héllo 1if 0x1F _a9".encode()) == {"h", "llo", "1if", "0x1F", "_a9"}
    assert words_of("héllo", ascii_only=False) == {"héllo"}
