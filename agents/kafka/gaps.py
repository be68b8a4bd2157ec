"""Reading a partition's skipped records straight from the broker (see agents/core/offsets.py
for why Faust's own consumer cannot be trusted to deliver them after a seek)."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from agents.core.deadletter import SourceRecord
from agents.kafka.admin import TOPIC_MAX_MESSAGE_BYTES
from agents.kafka.security import client_options


class GapNotRead(RuntimeError):
    """The broker did not hand over the skipped records in time."""


def read_range(
    bootstrap: str, topic: str, partition: int, start: int, end: int, timeout: float = 30.0
) -> list[SourceRecord]:
    """The records of ``topic[partition]`` from ``start`` up to ``end`` (excluded), as far as
    the broker still has them (retention may have removed the head). Blocking: call it from a
    thread."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=TOPIC_MAX_MESSAGE_BYTES,
        fetch_max_bytes=TOPIC_MAX_MESSAGE_BYTES,
        bootstrap_timeout_ms=int(timeout * 1000),
        **client_options(),
    )
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        first = consumer.beginning_offsets([tp])[tp]
        consumer.seek(tp, max(start, first))
        records: list[SourceRecord] = []
        deadline = time.monotonic() + timeout
        while consumer.position(tp) < end:
            if time.monotonic() > deadline:
                raise GapNotRead(
                    f"{topic}[{partition}]: read {len(records)} of the records {start}..{end - 1}"
                    f" in {timeout:.0f} s"
                )
            for record in consumer.poll(timeout_ms=500).get(tp, []):
                if start <= record.offset < end:
                    records.append(
                        SourceRecord(
                            topic,
                            partition,
                            record.offset,
                            record.value or b"",
                            record.key,
                            record.timestamp or None,
                        )
                    )
        return records
    finally:
        consumer.close()
