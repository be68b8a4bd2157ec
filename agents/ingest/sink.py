"""Where ingested articles go: the raw topic (kafka-python), or a list in tests and dry runs.

``send`` returns only once the broker has acknowledged every message, so callers may then
remember the articles as delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from kafka import KafkaProducer

from agents.kafka.security import client_options

Message = tuple[bytes, bytes]  # (key, value)


class Sink(Protocol):
    def send(self, messages: Sequence[Message]) -> None: ...


class KafkaSink:
    def __init__(self, bootstrap: str, topic: str, max_request_bytes: int = 25_000_000) -> None:
        self.topic = topic
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            linger_ms=5,
            max_request_size=max_request_bytes,
            **client_options(),  # NEWSMON_KAFKA_* (SASL, SSL), as every kafka-python client
        )

    def submit(self, key: bytes, value: bytes) -> Any:
        """Queue one message; the returned future resolves on acknowledgement."""
        return self._producer.send(self.topic, key=key, value=value)

    def send(self, messages: Sequence[Message]) -> None:
        futures = [self.submit(key, value) for key, value in messages]
        self._producer.flush()
        for future in futures:
            future.get(timeout=30)

    def close(self) -> None:
        self._producer.close()


class ListSink:
    """Keeps what it is sent: for tests and ``--dry-run``."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, messages: Sequence[Message]) -> None:
        self.messages.extend(messages)
