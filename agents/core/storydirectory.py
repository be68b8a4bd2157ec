"""A rule's story directory (its open story ids, in the order they were opened), stored so that
opening a story rewrites about a kilobyte, not the whole list.

The state store is a Kafka-backed table: every write of a key is a changelog record, and in the
worker each one also costs a trip through Faust's changelog machinery on the event loop. Kept as
one list, the directory of a rule at its cap of 1,000 stories was a 37 KB value, written again
for every new story and every expiry.

Now the ids live in full chunks of ``CHUNK`` under their own keys, and a header holds the chunk
numbers, the newest ids (the tail, fewer than ``CHUNK``), how many ids of the first chunk are
already gone (``skip``), and a count of its own writes (the version the story mirror checks).
A new story at the cap appends to the tail and drops the oldest id by counting it in ``skip``:
one write, of the header. A chunk is written when the tail fills one (every ``CHUNK`` new
stories) or when an id leaves it from anywhere but the front (an expiry out of order), and
deleted once all its ids are gone.

The layout written before this one, one list under the header's key, is still read; the next
write of that rule's directory replaces it.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

CHUNK = 32  # story ids per chunk: about 1.2 KB as JSON


class StoryDirectory:
    """The story ids of one rule, read from and written to ``store``."""

    def __init__(self, store: MutableMapping[str, Any], rule_id: str) -> None:
        self.store = store
        self.key = f"{rule_id}|stories"

    def chunk_key(self, number: int) -> str:
        return f"{self.key}|{number}"

    def version(self) -> object:
        """A value that changes whenever the directory is written (the header, which counts its
        writes; in the layout before chunks, the list itself): the story mirror compares it,
        and reads the chunks only when it changed."""
        return self.store.get(self.key)

    def read(self) -> list[str]:
        header = self.store.get(self.key)
        if header is None:
            return []
        if isinstance(header, list):  # the layout before chunks
            return list(header)
        ids: list[str] = []
        for position, number in enumerate(header["chunks"]):
            content = self.store.get(self.chunk_key(number), ())
            ids.extend(content[header.get("skip", 0) :] if position == 0 else content)
        ids.extend(header.get("tail", ()))
        return ids

    def write(self, ids: Sequence[str]) -> None:
        """Store ``ids``, writing as little as it can when ``ids`` is the directory as read with
        some ids left out and new ones appended (every change the alert folder makes); any
        other list is stored correctly too."""
        header = self.store.get(self.key)
        if header is None or isinstance(header, list):
            self._rewrite(ids, 0)
            return
        numbers: list[int] = header["chunks"]
        skip: int = header.get("skip", 0)
        kept_numbers: list[int] = []
        wrote = False  # a chunk written or deleted: the header must count a write too
        taken = 0  # ids[:taken] are in the chunks walked so far
        for position, number in enumerate(numbers):
            stored = self.store.get(self.chunk_key(number), [])
            content = stored[skip:] if position == 0 else stored
            if content and ids[taken : taken + len(content)] == content:  # most chunks
                taken += len(content)
                kept_numbers.append(number)
                continue
            staying, taken = _follow(content, ids, taken)
            if not staying:
                self.store.pop(self.chunk_key(number), None)
                wrote = True
                if position == 0:
                    skip = 0
                continue
            if position == 0 and staying == content[len(content) - len(staying) :]:
                skip += len(content) - len(staying)  # only the oldest ids went: count them
            else:
                self.store[self.chunk_key(number)] = staying
                wrote = True
                if position == 0:
                    skip = 0
            kept_numbers.append(number)
        old_tail: list[str] = header.get("tail", [])
        staying, taken = _follow(old_tail, ids, taken)
        tail = staying + list(ids[taken:])  # what stays of the tail, then the ids appended
        following = max(numbers, default=-1) + 1
        while len(tail) >= CHUNK:  # a full tail becomes a chunk of its own
            self.store[self.chunk_key(following)] = tail[:CHUNK]
            wrote = True
            kept_numbers.append(following)
            tail = tail[CHUNK:]
            following += 1
        if wrote or (kept_numbers, skip, tail) != (numbers, header.get("skip", 0), old_tail):
            self.store[self.key] = _header(kept_numbers, skip, tail, header.get("writes", 0) + 1)

    def _rewrite(self, ids: Sequence[str], writes: int) -> None:
        """The first write, or the first since the layout before chunks."""
        full = len(ids) - len(ids) % CHUNK
        numbers = []
        for number, first in enumerate(range(0, full, CHUNK)):
            self.store[self.chunk_key(number)] = list(ids[first : first + CHUNK])
            numbers.append(number)
        self.store[self.key] = _header(numbers, 0, list(ids[full:]), writes)


def _follow(content: Sequence[str], ids: Sequence[str], taken: int) -> tuple[list[str], int]:
    """The ids of ``content`` that ``ids`` goes on with from ``ids[taken]`` (in order, each as
    early as it can), and where ``ids`` goes on after them."""
    staying = []
    for story_id in content:
        if taken < len(ids) and ids[taken] == story_id:
            staying.append(story_id)
            taken += 1
    return staying, taken


def _header(chunks: list[int], skip: int, tail: list[str], writes: int) -> dict[str, Any]:
    return {"chunks": chunks, "skip": skip, "tail": tail, "writes": writes}
