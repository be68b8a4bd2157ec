"""kafka-python helpers for the CLI and tests: probing, creating topics, producing, tailing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import suppress

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from agents.kafka.security import client_options

log = logging.getLogger(__name__)


def broker_answers(bootstrap: str) -> bool:
    """True once the broker serves metadata (a listening socket alone is not enough)."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=3000, **client_options()
        )
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


# Per-topic record size limit. A broker's own default is 1 MB, too small for a long article's
# enriched record or for the dead letter of an oversized one (base64: 4/3 of the original).
TOPIC_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int) -> list[str]:
    """Create the topics that do not exist yet, each allowing records up to
    TOPIC_MAX_MESSAGE_BYTES; return the names created."""
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=15000, **client_options()
    )
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            topics = [
                NewTopic(
                    name,
                    num_partitions=partitions,
                    replication_factor=1,
                    topic_configs={"max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES)},
                )
                for name in missing
            ]
            with suppress(TopicAlreadyExistsError):  # another process created it meanwhile
                admin.create_topics(topics)
        return missing
    finally:
        admin.close()


def produce(bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]]) -> int:
    """Send (key, value) pairs and wait until every one is acknowledged; return the count."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=5,
        max_request_size=25_000_000,
        **client_options(),
    )
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in messages]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
        return len(futures)
    finally:
        producer.close()


def consume(
    bootstrap: str,
    topic: str,
    from_beginning: bool,
    idle_timeout_ms: int | None = None,
    group: str | None = None,
) -> Iterator[tuple[int, int, bytes | None, bytes]]:
    """Yield (partition, offset, key, value); stop after ``idle_timeout_ms`` without a message."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group is not None,
        consumer_timeout_ms=idle_timeout_ms if idle_timeout_ms is not None else float("inf"),
        **client_options(),
    )
    try:
        for record in consumer:
            yield record.partition, record.offset, record.key, record.value
    finally:
        consumer.close()
