"""When to poll a feed next: its interval after a success, exponential back-off after failures.

Pure (the caller passes the clock), so the schedule unit-tests without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass


def backoff_delay(interval: float, failures: int, cap: float) -> float:
    """Seconds to wait after ``failures`` consecutive failures: the interval doubled per failure,
    never more than ``cap`` (nor less than the interval). A feed that is down is asked less and
    less often, and one that comes back is polled at its own pace again after one success."""
    if failures <= 0:
        return interval
    return max(interval, min(cap, interval * 2.0**failures))


@dataclass
class Schedule:
    interval: float
    cap: float
    failures: int = 0
    due: float = 0.0  # clock time of the next poll; 0 = now

    def succeeded(self, now: float) -> float:
        self.failures = 0
        self.due = now + self.interval
        return self.due

    def failed(self, now: float) -> float:
        self.failures += 1
        self.due = now + backoff_delay(self.interval, self.failures, self.cap)
        return self.due
