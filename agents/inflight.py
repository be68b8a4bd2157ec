"""Deliveries in flight: an agent goes on with its next batch while the broker acknowledges the
outputs of the previous ones, and a source event becomes committable only after every output
made from it has been acknowledged.

Without this, the NLP thread sat idle while each batch's outputs made the round trip to the
broker, and the alert agent waited for each alert before folding the next match.

Faust acknowledges a taken event as soon as the agent asks for more, so each event gets one more
reference (``Message.incref``) while its delivery is in flight; the last acknowledgement, made
here, is the one that lets its offset commit. Outputs are handed to the producer in the order
the batches were taken, so the order of records per partition is the order of the source.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from agents.core.pipeline import Output

Acknowledged = Awaitable[Any]
# hands outputs to the producer, in order, and returns what completes once the broker has
# acknowledged all of them (raising if it refused one)
Publisher = Callable[[Sequence[Output]], Awaitable[Acknowledged]]


class InFlight:
    """At most ``limit`` deliveries of one agent in flight, oldest first."""

    def __init__(
        self,
        ack: Callable[[Any], Awaitable[object]],
        publish: Publisher,
        on_failure: Callable[[BaseException, int], None],
        limit: int,
    ) -> None:
        self._ack = ack  # the stream's ack: the agent's share of an event's references
        self._publish = publish
        self._on_failure = on_failure
        self._limit = limit
        self._deliveries: deque[asyncio.Task[None]] = deque()
        self._handed_over: asyncio.Future[None] | None = None  # the newest delivery's

    def __len__(self) -> int:
        return len(self._deliveries)

    async def room(self) -> None:
        """Wait until another delivery may start; re-raise the failure of one that failed."""
        while self._deliveries and (
            self._deliveries[0].done() or len(self._deliveries) >= self._limit
        ):
            await self._deliveries.popleft()

    def deliver(
        self,
        events: Sequence[Any],
        outputs: Awaitable[Sequence[Output]],
        delivered: Callable[[Sequence[Output]], None],
    ) -> None:
        """Publish ``outputs`` once they are ready and the previous delivery has handed its
        own to the producer; then wait for the broker and acknowledge ``events``."""
        for event in events:
            event.message.incref()
        previous = self._handed_over
        handed_over: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._handed_over = handed_over
        task = asyncio.ensure_future(
            self._deliver(events, outputs, previous, handed_over, delivered)
        )
        self._deliveries.append(task)

    async def _deliver(
        self,
        events: Sequence[Any],
        outputs: Awaitable[Sequence[Output]],
        previous: asyncio.Future[None] | None,
        handed_over: asyncio.Future[None],
        delivered: Callable[[Sequence[Output]], None],
    ) -> None:
        try:
            try:
                ready = await outputs
                if previous is not None:
                    await previous
                acknowledged = await self._publish(ready)
            finally:
                if not handed_over.done():
                    handed_over.set_result(None)
            await acknowledged
        except Exception as exc:
            # the events keep their extra reference: their offsets never commit
            self._on_failure(exc, len(events))
            raise
        for event in events:
            await self._ack(event)
        delivered(ready)

    async def drain(self, timeout: float) -> None:
        """On the way out: let the deliveries in flight finish, so their offsets can commit."""
        if self._deliveries:
            await asyncio.wait(list(self._deliveries), timeout=timeout)
        for task in self._deliveries:
            if task.done() and not task.cancelled():
                task.exception()  # seen: its failure was already reported
            else:
                task.cancel()
        self._deliveries.clear()


def ready(outputs: Sequence[Output]) -> asyncio.Future[Sequence[Output]]:
    """Outputs computed on the event loop, as the awaitable ``deliver`` takes."""
    future: asyncio.Future[Sequence[Output]] = asyncio.get_running_loop().create_future()
    future.set_result(outputs)
    return future
