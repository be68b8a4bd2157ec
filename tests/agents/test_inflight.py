"""Deliveries in flight: events are acknowledged only after the broker acknowledged their
outputs, outputs reach the producer in the order the batches were taken, and a refusal is
reported and leaves its events unacknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from faust.types.tuples import Message

from agents.core.pipeline import ENRICHED, Output
from agents.inflight import Acknowledged, InFlight, ready


class Event:
    def __init__(self, offset: int) -> None:
        self.message = Message("raw", 0, offset, 0.0, 0, None, b"", b"", None)
        self.message.incref()  # the stream's own reference, as Faust takes it


class Broker:
    """Records what was handed over; acknowledges when the test says so."""

    def __init__(self) -> None:
        self.handed: list[bytes] = []
        self.pending: list[asyncio.Future[None]] = []

    async def __call__(self, outputs: Sequence[Output]) -> Acknowledged:
        self.handed.extend(out.value for out in outputs)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append(ack)
        return ack


def out(value: bytes) -> Output:
    return Output(ENRICHED, b"k", value, {})


async def _ack(event: Any) -> bool:
    return bool(event.message.decref() == 0)


def _in_flight(broker: Broker, failures: list[str], limit: int = 2) -> InFlight:
    return InFlight(_ack, broker, lambda exc, n: failures.append(f"{exc} ({n})"), limit)


def _stream_acks(events: Sequence[Event]) -> None:
    for event in events:
        event.message.decref()  # Faust acks a taken event when the agent asks for more


def test_events_wait_for_the_broker_and_outputs_keep_batch_order() -> None:
    async def scenario() -> None:
        broker, failures, counted = Broker(), [], []
        flight = _in_flight(broker, failures)
        first, second = [Event(0), Event(1)], [Event(2)]
        slow: asyncio.Future[Sequence[Output]] = asyncio.get_running_loop().create_future()
        flight.deliver(first, slow, counted.append)
        flight.deliver(second, ready([out(b"second")]), counted.append)
        _stream_acks(first + second)
        await asyncio.sleep(0.01)
        assert broker.handed == []  # the second batch waits for the first to be handed over
        slow.set_result([out(b"first-a"), out(b"first-b")])
        await asyncio.sleep(0.01)
        assert broker.handed == [b"first-a", b"first-b", b"second"]
        assert all(e.message.refcount == 1 for e in first + second)  # not committable yet
        broker.pending[1].set_result(None)
        await asyncio.sleep(0.01)
        assert [e.message.refcount for e in first + second] == [1, 1, 0]
        assert len(counted) == 1
        broker.pending[0].set_result(None)
        await flight.room()
        assert [e.message.refcount for e in first + second] == [0, 0, 0]
        assert len(counted) == 2 and len(flight) == 0 and failures == []

    asyncio.run(scenario())


def test_room_waits_for_the_oldest_delivery_at_the_limit() -> None:
    async def scenario() -> None:
        broker, failures = Broker(), []
        flight = _in_flight(broker, failures, limit=2)
        for offset in range(2):
            flight.deliver([Event(offset)], ready([out(b"%d" % offset)]), lambda _: None)
        waiting = asyncio.ensure_future(flight.room())
        await asyncio.sleep(0.01)
        assert not waiting.done()
        broker.pending[0].set_result(None)
        await asyncio.wait_for(waiting, 1)
        assert len(flight) == 1

    asyncio.run(scenario())


def test_a_refused_delivery_is_reported_and_its_events_never_commit() -> None:
    async def scenario() -> None:
        broker, failures = Broker(), []
        flight = _in_flight(broker, failures)
        events = [Event(0), Event(1)]
        flight.deliver(events, ready([out(b"x")]), lambda _: None)
        _stream_acks(events)
        await asyncio.sleep(0.01)
        broker.pending[0].set_exception(RuntimeError("refused"))
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError, match="refused"):
            await flight.room()
        assert failures == ["refused (2)"]
        assert [e.message.refcount for e in events] == [1, 1]

    asyncio.run(scenario())


def test_drain_lets_deliveries_in_flight_finish() -> None:
    async def scenario() -> None:
        broker, failures = Broker(), []
        flight = _in_flight(broker, failures)
        event = Event(0)
        flight.deliver([event], ready([out(b"x")]), lambda _: None)
        _stream_acks([event])
        await asyncio.sleep(0.01)
        asyncio.get_running_loop().call_later(0.05, broker.pending[0].set_result, None)
        await flight.drain(timeout=5)
        assert event.message.refcount == 0 and len(flight) == 0

    asyncio.run(scenario())
