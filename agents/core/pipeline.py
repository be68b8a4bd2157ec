"""The stream stages as plain functions of consumed records -> records to produce.

The Faust agents only decode Kafka events into SourceRecords, call a stage, and send what it
returns; the same stages run in the tests and benchmarks without a broker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from agents.core.alerting import AlertFolder, Store
from agents.core.deadletter import SourceRecord, dead_letter
from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.core.detect import Detector, RuleBook
from agents.core.enrich import Enricher
from agents.core.storyindex import StoryMirrors

log = logging.getLogger(__name__)

ENRICHED, MATCHES, ALERTS, DEAD_LETTERS = "enriched", "matches", "alerts", "dead_letters"
WEBHOOKS = "webhooks"  # alerts to deliver to a rule's webhook (an outbox the webhook agent reads)
DETECT = "detect"  # the stage named in the dead letter of an article whose rules failed
MAX_MATCH_BYTES = 50_000_000  # a match quotes evidence, never more than its article
TOPIC_PREFIX = "topic:"  # a destination naming a topic itself (a rule's own alert topic)


@dataclass(frozen=True)
class Output:
    """A record to produce: ``destination`` is a role that the caller maps to a topic name."""

    destination: str
    key: bytes
    value: bytes
    document: dict[str, Any]


def _dead(record: SourceRecord, stage: str, reason: str, message: str) -> Output:
    log.warning(
        "dead letter stage=%s reason=%s topic=%s partition=%d offset=%d",
        stage,
        reason,
        record.topic,
        record.partition,
        record.offset,
    )
    letter = dead_letter(record, stage, reason, message)
    return Output(DEAD_LETTERS, record.key or b"", orjson.dumps(letter), letter)


class EnrichStage:
    """Raw article -> its enriched article, and one rule-match record per matching rule (keyed
    by rule id, so that each rule's state lives in one partition of the alert stage).

    Rules run here, on the enriched article still in memory, rather than in a stage of its own
    reading the enriched topic back: that would consume, decode and schema-check every 7 KB
    article a second time for a rule evaluation that costs a fraction of that."""

    name = "enrich"

    def __init__(
        self,
        enricher: Enricher,
        detector: Detector | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.enricher = enricher
        self.detector = detector
        self.max_bytes = max_bytes

    def process(self, records: Sequence[SourceRecord]) -> list[Output]:
        decoded = [decode_article(r.value, "raw_article.v1", self.max_bytes) for r in records]
        good = [
            (r, d) for r, d in zip(records, decoded, strict=True) if not isinstance(d, Rejection)
        ]
        enriched = self._enrich_isolated(good)
        outputs: list[Output] = []
        for record, document in zip(records, decoded, strict=True):
            if isinstance(document, Rejection):
                outputs.append(_dead(record, self.name, document.reason, document.message))
            elif isinstance(result := enriched[id(document)], Exception):
                outputs.append(_dead(record, self.name, "processing_error", repr(result)[:500]))
            else:
                outputs.append(
                    Output(ENRICHED, result["id"].encode(), orjson.dumps(result), result)
                )
                outputs.extend(self._matches(record, result))
        return outputs

    def _matches(self, record: SourceRecord, article: dict[str, Any]) -> list[Output]:
        """The article's rule matches; if evaluating the rules fails, a dead letter of the raw
        record (stage ``detect``): the enriched article itself is still published."""
        if self.detector is None:
            return []
        try:
            matches = self.detector.matches_for(article)
        except Exception as exc:
            log.exception("rule evaluation failed article_id=%s", article.get("id"))
            return [_dead(record, DETECT, "processing_error", repr(exc)[:500])]
        return [
            Output(MATCHES, match["rule_id"].encode(), orjson.dumps(match), match)
            for match in matches
        ]

    def _enrich_isolated(
        self, good: list[tuple[SourceRecord, dict[str, Any]]]
    ) -> dict[int, dict[str, Any] | Exception]:
        """Enrich the batch at once; if that fails, article by article so one bad apple is
        dead-lettered and the rest go through."""
        articles = [document for _, document in good]
        times = [record.timestamp_iso for record, _ in good]
        try:
            results: list[dict[str, Any] | Exception] = list(
                self.enricher.enrich_many(articles, times)
            )
        except Exception:
            log.exception("batch enrichment failed; retrying article by article")
            results = []
            for article, ingested in zip(articles, times, strict=True):
                try:
                    results.append(self.enricher.enrich(article, ingested))
                except Exception as exc:
                    results.append(exc)
        return {id(article): result for article, result in zip(articles, results, strict=True)}


class AlertStage:
    """Rule matches -> alerts, with the per-rule state in ``store`` (a Faust table in the
    worker). Cheap: it runs on the event loop, one record after another; the worker has every
    state change written to the changelog partition of the record that caused it."""

    name = "alert"

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self.mirrors = StoryMirrors()  # kept across records; forget() after a rebalance

    def process(self, record: SourceRecord, store: Store) -> list[Output]:
        match = decode_article(record.value, "rule_match.v1", MAX_MATCH_BYTES)
        if isinstance(match, Rejection):
            return [_dead(record, self.name, match.reason, match.message)]
        rule_id = match["rule_id"]
        rule = self.book.current.get(rule_id)
        if rule is None or not rule.enabled:
            log.info("match dropped: rule %s is no longer active", rule_id)
            return []
        try:
            alerts = AlertFolder(store, self.mirrors).fold(match, rule)
        except Exception as exc:
            log.exception("alert folding failed rule=%s", rule_id)
            return [_dead(record, self.name, "processing_error", repr(exc)[:500])]
        outputs = []
        for alert in alerts:
            value = orjson.dumps(alert)
            outputs.append(Output(ALERTS, alert["alert_id"].encode(), value, alert))
            key = alert["alert_id"].encode()
            if rule.delivery.topic:
                outputs.append(Output(TOPIC_PREFIX + rule.delivery.topic, key, value, alert))
            if rule.delivery.webhook:
                outputs.append(Output(WEBHOOKS, key, value, alert))
        return outputs
