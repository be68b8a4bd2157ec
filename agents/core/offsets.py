"""Noticing records the consumer skipped, so the worker can read them in before going on.

Seen in the hung-agent scenario: after a rebalance, Faust's fetcher can deliver the first
uncommitted record of a partition before the seek to the committed offsets, the flow-control
reset then drops it from the stream's queue, the re-fetched copy is dropped as already read, and
Faust's commit check lets one missing head record through (it treats the committed offset as the
last processed one, while it holds the next one to read). The record is then never processed.

Seeking Faust's consumer back did not cure it reliably: records it had already prefetched move
its read position forward again and the re-fetched ones are dropped once more (seen once in
the scenario). So the worker reads the skipped range itself (agents/kafka/gaps.py) and processes
it ahead of the record that revealed it.

A record whose offset is past the one expected (the committed offset for the first record
after an assignment, else the last one seen plus one) means records were skipped. Pure: the
worker feeds it offsets and does the reading.
"""

from __future__ import annotations

Partition = tuple[str, int]


class OffsetGuard:
    def __init__(self) -> None:
        self._next: dict[Partition, int] = {}

    def forget(self) -> None:
        """On a new assignment: positions start again from the committed offsets."""
        self._next.clear()

    def check(self, partition: Partition, offset: int, committed: int | None) -> int | None:
        """The first skipped offset when records before ``offset`` were skipped (the caller
        reads that range in), else None. A record at or before the expected one (a redelivery)
        passes."""
        expected = self._next.get(partition, committed)
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)
        if expected is None or offset <= expected:
            return None
        return expected
