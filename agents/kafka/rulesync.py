"""The rule set in force lives on a compacted one-partition topic: ``newsmon rules apply``
writes it, every worker reads it from the beginning and follows it.

Each worker follows the topic with its own group-less consumer (every worker must see every
version, which a consumer group would not give). A version that does not parse on a worker
(say, its entity file lacks a name the rules use) is logged and the worker keeps the rules it
has: a bad apply can never leave a worker without rules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from agents.core.clock import now_iso
from agents.core.rules import RuleSet
from agents.errors import NewsmonError
from agents.kafka.security import client_options

log = logging.getLogger(__name__)
RULES_KEY = b"rules"
RULESET_SCHEMA = "ruleset.v1"


def ensure_rules_topic(bootstrap: str, topic: str) -> None:
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=15000, **client_options()
    )
    try:
        if topic in set(admin.list_topics()):
            return
        config = {"cleanup.policy": "compact", "min.compaction.lag.ms": "0"}
        with suppress(TopicAlreadyExistsError):
            admin.create_topics([NewTopic(topic, 1, 1, topic_configs=config)])
    finally:
        admin.close()


def publish_rules(bootstrap: str, topic: str, rules: RuleSet) -> dict[str, Any]:
    """Write ``rules`` (already validated) as the rule set in force; return the record."""
    ensure_rules_topic(bootstrap, topic)
    record = {
        "schema": RULESET_SCHEMA,
        "version": rules.version,
        "source": rules.source,
        "applied_at": now_iso(),
        "rules": len(rules.rules),
        "text": rules.text,
    }
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **client_options())
    try:
        producer.send(topic, key=RULES_KEY, value=orjson.dumps(record)).get(timeout=30)
    finally:
        producer.close()
    return record


def latest_rules(bootstrap: str, topic: str) -> dict[str, Any] | None:
    """The last applied rule-set record, or None if rules were never applied."""
    record, _ = latest_rules_at(bootstrap, topic)
    return record


def latest_rules_at(bootstrap: str, topic: str) -> tuple[dict[str, Any] | None, int]:
    """The last applied rule-set record (or None) and the offset to follow the topic from.

    Until the broker compacts the topic, older versions are still in it: only the last one
    counts, so a restarting worker never runs an outdated rule set, not even briefly."""
    ensure_rules_topic(bootstrap, topic)
    consumer = _reader(bootstrap, topic, 0)
    partition = TopicPartition(topic, 0)
    try:
        end = consumer.end_offsets([partition])[partition]
        latest = None
        while consumer.position(partition) < end:
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    if record.key == RULES_KEY and record.value:
                        latest = orjson.loads(record.value)
        return latest, end
    finally:
        consumer.close()


def _reader(bootstrap: str, topic: str, offset: int) -> KafkaConsumer:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **client_options()
    )
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    if offset == 0:  # the topic's start may have been compacted away
        consumer.seek_to_beginning(partition)
    else:
        consumer.seek(partition, offset)
    return consumer


class RuleFollower(threading.Thread):
    """Applies each new rule-set record to the worker through ``apply`` (which parses and
    swaps it in, raising NewsmonError if it is unusable here)."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        apply: Callable[[str, str], None],
        offset: int = 0,
        applied: str | None = None,
    ) -> None:
        super().__init__(name="newsmon-rules", daemon=True)
        self.bootstrap = bootstrap
        self.topic = topic
        self.apply = apply
        self.offset = offset  # the next record to read
        self.stopping = threading.Event()
        self.applied = applied

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._follow()
            except KafkaError as exc:  # broker away: try again, keep the current rules
                log.warning("rule topic unavailable (%s); retrying", exc)
                self.stopping.wait(2.0)

    def _follow(self) -> None:
        ensure_rules_topic(self.bootstrap, self.topic)
        consumer = _reader(self.bootstrap, self.topic, self.offset)
        try:
            while not self.stopping.is_set():
                for records in consumer.poll(timeout_ms=500).values():
                    for record in records:
                        self.consider(record.offset, record.key, record.value)
                        self.offset = record.offset + 1
        finally:
            consumer.close()

    def consider(self, offset: int, key: bytes | None, value: bytes | None) -> None:
        if key != RULES_KEY or not value:
            return
        try:
            record = orjson.loads(value)
            version, text = record["version"], record["text"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            log.error("rule topic offset %d is not a rule set: %s", offset, exc)
            return
        if version == self.applied:
            return
        try:
            self.apply(f"{self.topic}@{offset}", text)
        except NewsmonError as exc:
            log.error("rules version %s not applied, keeping %s:\n%s", version, self.applied, exc)
            return
        self.applied = version
        log.info("rules applied version=%s from %s@%d", version, self.topic, offset)

    def stop(self) -> None:
        self.stopping.set()
