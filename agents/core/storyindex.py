"""An in-memory mirror of one rule's open stories, so that a match finds its story without
reading every story of the rule.

Folding a match used to read all open stories of its rule from the state store (up to 1,000),
to drop the expired ones, look for a replayed article id and compare MinHash signatures one by
one: linear in the stories, on the event loop. The mirror keeps what that needs (signature,
last seen, remembered article ids) with an inverted index of signature values, and gives the
same answer:

- two signatures are one story at a similarity of 0.5 or more, i.e. when at least half of their
  positions hold the same value; such a pair shares at least one (position, value), so the
  stories listed under the match's 64 (position, value) pairs are all the candidates, and the
  counts there are the similarities themselves;
- the mirror is checked against the version of the rule's story directory on every use and
  rebuilt from the store when they differ, and dropped when the worker's partitions change
  (another worker may have written the state meanwhile).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Loader = Callable[[str], dict[str, Any] | None]  # story id -> the stored story, if any
VALUES = 1 << 33  # MinHash values are below the prime 2**32 + 15


def _keys(signature: Sequence[int]) -> list[int]:
    """One int per (position, value): smaller and faster in a dict than a tuple."""
    return [position * VALUES + value for position, value in enumerate(signature)]


@dataclass
class StoryMirror:
    directory: list[str]  # the story ids in directory order, as last read or written
    signatures: dict[str, array[int]] = field(default_factory=dict)
    last_seen: dict[str, float] = field(default_factory=dict)
    articles: dict[str, list[str]] = field(default_factory=dict)  # remembered ids, in order
    owner: dict[str, str] = field(default_factory=dict)  # article id -> its story id
    # (position, value) -> the story holding it, or a set when several do (rare but possible)
    postings: dict[int, str | set[str]] = field(default_factory=dict)
    # no story was last seen before this: a lower bound, lowered whenever a story is added or
    # counted earlier or removed, so that most folds need not scan every story for expired ones
    earliest: float = -math.inf
    version: object = None  # the directory's version (StoryDirectory.version) it was built on

    @classmethod
    def build(cls, directory: list[str], load: Loader) -> StoryMirror:
        mirror = cls(list(directory))
        for story_id in directory:
            story = load(story_id)
            if story is None:  # listed but gone: expired at the next fold, as in the store
                mirror._add(story_id, [], -math.inf, [])
            else:
                mirror._add(
                    story_id,
                    list(story["signature"]),
                    float(story["last_seen"]),
                    list(story["article_ids"]),
                )
        return mirror

    def expired(self, oldest: float) -> list[str]:
        """Story ids last seen before ``oldest``, in directory order."""
        if oldest <= self.earliest:
            return []
        seen = [self.last_seen.get(s, -math.inf) for s in self.directory]
        self.earliest = min(seen, default=math.inf)
        return [s for s, last in zip(self.directory, seen, strict=True) if last < oldest]

    def story_of(self, article_id: str) -> str | None:
        return self.owner.get(article_id)

    def similar(self, signature: list[int], at_least: float) -> list[tuple[float, str]]:
        """(similarity, story id) of every story at ``at_least`` or more, in directory order;
        the similarity is exactly ``stories.similarity`` of the two signatures."""
        counts: dict[str, int] = {}
        for key in _keys(signature):
            holders = self.postings.get(key)
            if holders is None:
                continue
            for story_id in (holders,) if isinstance(holders, str) else holders:
                counts[story_id] = counts.get(story_id, 0) + 1
        found = []
        for story_id, equal in counts.items():
            if len(self.signatures[story_id]) != len(signature):
                continue
            score = equal / len(signature)
            if score >= at_least:
                found.append((self.directory.index(story_id), score, story_id))
        return [(score, story_id) for _, score, story_id in sorted(found)]

    # -- keeping it in step with the store ---------------------------------------------------
    def opened(self, story_id: str, signature: list[int], seen: float, article_id: str) -> None:
        if story_id in self.signatures:  # an id reopened (its first article replayed, edited)
            self.removed([story_id])
        self._add(story_id, list(signature), seen, [article_id])

    def counted(self, story_id: str, seen: float, article_ids: list[str]) -> None:
        """A copy counted into a story: its new last-seen time and remembered ids."""
        for dropped in set(self.articles[story_id]) - set(article_ids):
            if self.owner.get(dropped) == story_id:
                del self.owner[dropped]
        self.last_seen[story_id] = seen
        self.earliest = min(self.earliest, seen)
        self.articles[story_id] = list(article_ids)
        for article_id in article_ids:
            self.owner[article_id] = story_id

    def removed(self, story_ids: Iterable[str], still_listed: bool = False) -> None:
        """Stories dropped from the store. Dropped from the directory too, they can only raise
        the oldest last-seen time, so the bound stays; ``still_listed`` (a replay drops only the
        expired stories before its own and leaves the directory as it is), they read as never
        seen, as expired, and the bound must fall."""
        for story_id in story_ids:
            if still_listed:
                self.earliest = -math.inf
            for key in _keys(self.signatures.pop(story_id, ())):
                holders = self.postings.get(key)
                if holders == story_id:
                    del self.postings[key]
                elif isinstance(holders, set):
                    holders.discard(story_id)
                    if len(holders) == 1:
                        self.postings[key] = holders.pop()
            for article_id in self.articles.pop(story_id, ()):
                if self.owner.get(article_id) == story_id:
                    del self.owner[article_id]
            self.last_seen.pop(story_id, None)

    def _add(
        self, story_id: str, signature: list[int], seen: float, article_ids: list[str]
    ) -> None:
        self.signatures[story_id] = array("Q", signature)
        self.last_seen[story_id] = seen
        self.earliest = min(self.earliest, seen)
        self.articles[story_id] = article_ids
        for article_id in article_ids:
            self.owner[article_id] = story_id
        for key in _keys(signature):
            holders = self.postings.get(key)
            if holders is None:
                self.postings[key] = story_id
            elif isinstance(holders, set):
                holders.add(story_id)
            elif holders != story_id:
                self.postings[key] = {holders, story_id}


class StoryMirrors:
    """One mirror per rule, valid while the rule's directory in the store is the one it knows."""

    def __init__(self) -> None:
        self._mirrors: dict[str, StoryMirror] = {}

    def of(
        self, rule_id: str, version: object, directory: Callable[[], list[str]], load: Loader
    ) -> StoryMirror:
        """The rule's mirror, rebuilt from ``directory()`` and ``load`` when the directory's
        ``version`` is not the one it was built on or last wrote."""
        mirror = self._mirrors.get(rule_id)
        if mirror is None or mirror.version != version:
            mirror = self._mirrors[rule_id] = StoryMirror.build(directory(), load)
            mirror.version = version
        return mirror

    def forget(self) -> None:
        """After a rebalance: the store may have been written elsewhere; rebuild on next use."""
        self._mirrors.clear()
