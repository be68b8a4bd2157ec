"""Noticing a consumer that has stopped making progress (faust-streaming #594, #629, and an agent
whose crashed batch is never redelivered): work is waiting on a partition, yet its committed
offset has not moved for ``limit`` seconds.

Pure: the worker feeds it what it samples every few seconds and decides what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Partition = tuple[str, int]


@dataclass
class _Seen:
    committed: int | None
    since: float


class StallWatch:
    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._seen: dict[Partition, _Seen] = {}

    def reset(self) -> None:
        """After a rebalance: partitions just assigned get a fresh grace period."""
        self._seen.clear()

    def observe(
        self, now: float, positions: Iterable[tuple[str, int, int | None, int]]
    ) -> list[tuple[Partition, float]]:
        """``positions``: (topic, partition, committed offset or None, lag). Returns the
        partitions stalled longer than the limit, with how long they have been stuck."""
        stalled = []
        current: dict[Partition, _Seen] = {}
        for topic, partition, committed, lag in positions:
            key = (topic, partition)
            before = self._seen.get(key)
            if lag <= 0 or before is None or before.committed != committed:
                current[key] = _Seen(committed, now)  # caught up, new, or moving: reset
                continue
            current[key] = before
            if now - before.since >= self.limit:
                stalled.append((key, now - before.since))
        self._seen = current
        return stalled
