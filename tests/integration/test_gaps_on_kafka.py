"""Reading a skipped range straight from the broker: exactly the records asked for, in order,
with their keys, values and offsets."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaProducer

from agents.kafka.admin import ensure_topics
from agents.kafka.broker import LocalBroker
from agents.kafka.gaps import GapNotRead, read_range

pytestmark = pytest.mark.integration


def _topic_with(broker: LocalBroker, count: int) -> str:
    topic = f"gaps-{uuid.uuid4().hex[:8]}"
    ensure_topics(broker.bootstrap, [topic], 2)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for n in range(count):
        producer.send(topic, key=b"k%d" % n, value=b"v%d" % n, partition=1)
    producer.flush()
    producer.close()
    return topic


def test_a_skipped_range_is_read_exactly(broker: LocalBroker) -> None:
    topic = _topic_with(broker, 12)
    records = read_range(broker.bootstrap, topic, 1, 3, 7)
    assert [(r.offset, r.key, r.value) for r in records] == [
        (n, b"k%d" % n, b"v%d" % n) for n in range(3, 7)
    ]
    assert {(r.topic, r.partition) for r in records} == {(topic, 1)}
    assert all(r.timestamp_ms for r in records)
    assert read_range(broker.bootstrap, topic, 1, 5, 5) == []


def test_a_range_the_broker_does_not_have_fails_loudly(broker: LocalBroker) -> None:
    topic = _topic_with(broker, 3)
    with pytest.raises(GapNotRead, match=r"read 1 of the records 2\.\.9"):
        read_range(broker.bootstrap, topic, 1, 2, 10, timeout=2)
