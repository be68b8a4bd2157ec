"""Sentence boundaries for evidence, in any script, without a model.

Alerts quote the sentences their mentions occur in; a rule-based split on sentence-final
punctuation of Latin, Devanagari (।), CJK (。！？), Arabic (؟) and line breaks is enough for that
and costs microseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_BOUNDARY = re.compile(r"(?<=[.!?।॥。！？؟])[\"'”’»)\]]*\s+|(?<=[。！？])|\n+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of ``text`` as trimmed character spans, in order."""
    sentences: list[Sentence] = []
    position = 0
    for boundary in _BOUNDARY.finditer(text):
        _append_trimmed(sentences, text, position, boundary.start())
        position = boundary.end()
    _append_trimmed(sentences, text, position, len(text))
    return sentences


def _append_trimmed(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end))


def sentence_index(sentences: list[Sentence], offset: int) -> int:
    """Index of the sentence containing character ``offset`` (the previous one in a gap)."""
    starts = [sentence.start for sentence in sentences]
    return max(0, bisect_right(starts, offset) - 1)
