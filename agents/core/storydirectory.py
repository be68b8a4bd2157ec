"""A rule's story directory (its open story ids, in the order they were opened), stored in
chunks so that opening a story rewrites one short chunk, not the whole list.

The state store is a Kafka-backed table: every write of a key is a changelog record. Kept as one
list, the directory of a rule at its cap of 1,000 stories was a 37 KB value, written again (and
encoded again, on the event loop) for every new story and every expiry. In chunks of ``CHUNK``
ids, a new story rewrites the last chunk, an expiry or the cap the first one or two, and the
header (the chunk numbers in order and a count of the directory's writes: a few hundred bytes) with
every change.

The layout written before chunks, one list under the header's key, is still read; the next write
of that rule's directory replaces it with chunks.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

CHUNK = 32  # story ids per chunk: about 1.2 KB as JSON


class StoryDirectory:
    """The story ids of one rule, read from and written to ``store`` in chunks."""

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
        for number in header["chunks"]:
            ids.extend(self.store.get(self.chunk_key(number), ()))
        return ids

    def write(self, ids: Sequence[str]) -> None:
        """Store ``ids``, rewriting only the chunks whose content changes. Fast when ``ids`` is
        the directory as read with some ids left out and new ones appended (every change the
        alert folder makes); any other list is stored correctly too."""
        header = self.store.get(self.key)
        if header is None or isinstance(header, list):
            self._rewrite(ids, 0)
            return
        numbers: list[int] = list(header["chunks"])
        kept_numbers: list[int] = []
        changed = False
        taken = 0  # ids[:taken] are in the chunks walked so far
        for number in numbers:
            content = list(self.store.get(self.chunk_key(number), ()))
            if content and ids[taken : taken + len(content)] == content:  # most chunks
                taken += len(content)
                kept_numbers.append(number)
                continue
            staying = []
            for story_id in content:
                if taken < len(ids) and ids[taken] == story_id:
                    staying.append(story_id)
                    taken += 1
            if staying != content:
                changed = True
                if staying:
                    self.store[self.chunk_key(number)] = staying
                else:
                    self.store.pop(self.chunk_key(number), None)
            if staying:
                kept_numbers.append(number)
        rest = list(ids[taken:])
        if rest and kept_numbers:
            last = self.chunk_key(kept_numbers[-1])
            content = list(self.store.get(last, ()))
            room = CHUNK - len(content)
            if room > 0:
                self.store[last] = content + rest[:room]
                rest = rest[room:]
                changed = True
        following = max(numbers, default=-1) + 1
        for first in range(0, len(rest), CHUNK):
            self.store[self.chunk_key(following)] = rest[first : first + CHUNK]
            kept_numbers.append(following)
            following += 1
            changed = True
        if changed:
            self.store[self.key] = {"chunks": kept_numbers, "writes": header.get("writes", 0) + 1}

    def _rewrite(self, ids: Sequence[str], writes: int) -> None:
        """The first write, or the first since the layout before chunks."""
        numbers = []
        for number, first in enumerate(range(0, len(ids), CHUNK)):
            self.store[self.chunk_key(number)] = list(ids[first : first + CHUNK])
            numbers.append(number)
        self.store[self.key] = {"chunks": numbers, "writes": writes}
