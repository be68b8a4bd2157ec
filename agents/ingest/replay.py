"""Replaying a raw-article JSONL file into the raw topic: checked line by line, optionally paced.

Each line goes through the same decode and schema check as the worker's, so a bad line is
reported here (with its number) instead of becoming a dead letter there.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.ingest.sink import Message, Sink

EXAMPLES = 5  # rejected lines shown in the summary
BATCH = 500  # messages per acknowledged send when unthrottled


class Pacer:
    """Spaces calls ``rate`` per second on a fixed grid (no drift: a slow send is caught up)."""

    def __init__(
        self,
        rate: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self._start: float | None = None
        self._count = 0

    def wait(self) -> None:
        if self.rate is None:
            return
        if self._start is None:
            self._start = self.clock()
        delay = self._start + self._count / self.rate - self.clock()
        self._count += 1
        if delay > 0:
            self.sleep(delay)

    def batch_size(self) -> int:
        """About ten acknowledged sends a second when paced; large batches when not."""
        return BATCH if self.rate is None else max(1, math.ceil(self.rate / 10))


@dataclass
class ReplaySummary:
    lines: int = 0  # non-blank lines read
    sent: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, Rejection]] = field(default_factory=list)

    def reject(self, number: int, rejection: Rejection) -> None:
        self.rejected[rejection.reason] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append((number, rejection))

    def report(self, name: str, topic: str) -> str:
        total = sum(self.rejected.values())
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.rejected.most_common())
        head = f"{name}: read {self.lines} lines, sent {self.sent} to {topic}, rejected {total}"
        lines = [head + (f" ({reasons})" if reasons else "")]
        lines += [f"  line {n}: {r.reason}: {r.message}" for n, r in self.examples]
        if total > len(self.examples):
            lines.append(f"  ... and {total - len(self.examples)} more")
        return "\n".join(lines)


def replay(
    lines: Iterable[bytes],
    sink: Sink,
    pacer: Pacer,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[], None] = lambda: None,
) -> ReplaySummary:
    summary = ReplaySummary()
    batch: list[Message] = []
    size = pacer.batch_size()
    for number, raw in enumerate(lines, 1):
        progress()
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        summary.lines += 1
        checked = decode_article(line, max_bytes=max_bytes)
        if isinstance(checked, Rejection):
            summary.reject(number, checked)
            continue
        pacer.wait()
        batch.append((str(checked["id"]).encode(), line))
        if len(batch) >= size:
            summary.sent += _flush(sink, batch)
    summary.sent += _flush(sink, batch)
    return summary


def _flush(sink: Sink, batch: list[Message]) -> int:
    if batch:
        sink.send(batch)
    count = len(batch)
    batch.clear()
    return count
