"""Noticing records the consumer skipped, so the worker can seek back and read them.

Seen in the hung-agent scenario: after a rebalance, Faust's fetcher can deliver the first
uncommitted record of a partition before the seek to the committed offsets, the flow-control
reset then drops it from the stream's queue, the re-fetched copy is dropped as already read, and
Faust's commit check lets one missing head record through (it treats the committed offset as the
last processed one, while it holds the next one to read). The record is then never processed.

A record whose offset is past the one expected (the committed offset for the first record
after an assignment, else the last one seen plus one) means records were skipped. Pure: the
worker feeds it offsets and does the seeking.
"""

from __future__ import annotations

Partition = tuple[str, int]


class OffsetGuard:
    def __init__(self) -> None:
        self._next: dict[Partition, int] = {}
        self._sought: dict[Partition, int] = {}

    def forget(self) -> None:
        """On a new assignment: positions start again from the committed offsets."""
        self._next.clear()
        self._sought.clear()

    def check(self, partition: Partition, offset: int, committed: int | None) -> int | None:
        """The offset to seek back to when records before ``offset`` were skipped, else None.
        Seeks back to one place once only: if the hole is real (records removed by retention),
        the next record past it is accepted."""
        expected = self._next.get(partition, committed)
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)
        if expected is None or offset <= expected:
            return None
        if self._sought.get(partition) == expected:
            return None
        self._sought[partition] = expected
        self._next[partition] = expected
        return expected
