"""Prometheus metrics (``news_*``), counted by the agents from what the core returns.

Labels stay low-cardinality: agent, stage, reason, language (≤ 46), entity type, top-level
topic (17), rule id and severity (as many as the rule file has), topic and partition for lag.
Series that belong to partitions a worker no longer owns are removed at each rebalance, so a
dashboard never shows a stale lag (the trap of Faust's own Prometheus monitor, faust #72).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import (
    PLATFORM_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
)

from agents.core.pipeline import ALERTS, DEAD_LETTERS, ENRICHED, MATCHES, Output

AGENTS = ("enrich", "alert", "webhook")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60)


def new_registry() -> CollectorRegistry:
    """A registry per app (tests build several), with the process and platform collectors."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    registry.register(PLATFORM_COLLECTOR)
    return registry


def _seconds_since(iso: str | None, now: float) -> float | None:
    if not iso:
        return None
    try:
        return now - datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.consumed = Counter(
            "news_articles_in", "Records consumed, per agent", ["agent"], registry=registry
        )
        self.enriched = Counter(
            "news_articles_out", "Articles enriched, per language", ["lang"], registry=registry
        )
        self.entities = Counter(
            "news_entities", "Entities found, per type", ["type"], registry=registry
        )
        self.topics = Counter(
            "news_topics", "Articles tagged, per top-level subject", ["subject"], registry=registry
        )
        self.matches = Counter(
            "news_rule_matches",
            "Articles matching a rule (the watched pairs' co-occurrences)",
            ["rule"],
            registry=registry,
        )
        self.alerts = Counter(
            "news_alerts",
            "Alerts published: new ones and story updates",
            ["rule", "severity", "status"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "news_dead_letters", "Records dead-lettered", ["stage", "reason"], registry=registry
        )
        self.errors = Counter(
            "news_errors", "Unexpected errors in an agent's batch", ["agent"], registry=registry
        )
        self.to_enriched = Histogram(
            "news_ingest_to_enriched_seconds",
            "From the raw record's timestamp to its enriched article being published",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.to_alert = Histogram(
            "news_ingest_to_alert_seconds",
            "From the raw record's timestamp to its new alert being published",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.lag = Gauge(
            "news_consumer_lag",
            "Records not yet processed, per owned partition (high watermark - committed)",
            ["topic", "partition"],
            registry=registry,
        )
        self.rebalances = Counter(
            "news_rebalances", "Partition assignments this worker took part in", registry=registry
        )
        self.stalls = Counter(
            "news_stalls",
            "Times the stall watch found records waiting and no progress (then the worker "
            "restarts in place)",
            registry=registry,
        )
        self.skipped = Counter(
            "news_offsets_skipped",
            "Records a consumer skipped and the worker read in itself",
            ["topic"],
            registry=registry,
        )
        self.restarts = Gauge(
            "news_worker_restarts_in_place",
            "Times this worker process restarted itself after a failed stage or a stall",
            registry=registry,
        )
        self.table_keys = Gauge(
            "news_table_keys", "Keys held in a Faust table", ["table"], registry=registry
        )
        self.rules_version = Gauge(
            "news_rules_info",
            "The rule set in force (value 1, version as a label)",
            ["version"],
            registry=registry,
        )
        self.resident = Gauge(
            "news_process_resident_memory_bytes",
            "Resident memory of this worker process",
            registry=registry,
        )
        self.webhooks = Counter(
            "news_webhook_deliveries",
            "Webhook deliveries, by result",
            ["result"],
            registry=registry,
        )
        self.up = Gauge("news_worker_up", "1 while this worker runs its agents", registry=registry)
        # series that must exist before the first event, so that a panel shows a zero
        for agent in AGENTS:
            self.errors.labels(agent)
            self.consumed.labels(agent)
        for result in ("delivered", "failed"):
            self.webhooks.labels(result)

    def count(self, agent: str, consumed: int, outputs: Sequence[Output]) -> None:
        """Everything a batch of an agent tells: what came in, what went where."""
        now = time.time()
        self.consumed.labels(agent).inc(consumed)
        for out in outputs:
            document = out.document
            if out.destination == ENRICHED:
                self._enriched(document, now)
            elif out.destination == MATCHES:
                self.matches.labels(document["rule_id"]).inc()
            elif out.destination == ALERTS:
                self._alert(document, now)
            elif out.destination == DEAD_LETTERS:
                self.dead_letters.labels(document["stage"], document["reason"]).inc()

    def _enriched(self, article: dict[str, Any], now: float) -> None:
        self.enriched.labels(article.get("lang") or "xx").inc()
        for entity in article.get("entities") or ():
            self.entities.labels(entity["type"]).inc()
        for tag in article.get("topics") or ():
            if tag.get("level") == 1:
                self.topics.labels(tag["label"]).inc()
        latency = _seconds_since(article.get("ingested_at"), now)
        if latency is not None and latency >= 0:
            self.to_enriched.observe(latency)

    def _alert(self, alert: dict[str, Any], now: float) -> None:
        rule = alert["rule"]
        self.alerts.labels(rule["id"], rule["severity"], alert["status"]).inc()
        if alert["status"] == "new":
            latency = _seconds_since(alert["timestamps"].get("ingested_at"), now)
            if latency is not None and latency >= 0:
                self.to_alert.observe(latency)

    def set_lag(self, lags: Iterable[tuple[str, int, int]]) -> None:
        """Replace all lag series by those of the partitions owned now."""
        self.lag.clear()
        for topic, partition, lag in lags:
            self.lag.labels(topic, str(partition)).set(max(0, lag))

    def prepare_rules(self, rules: Iterable[Any]) -> None:
        """Zero series for every active rule: a counter that appears at its first increment
        hides that increment from increase() and rate()."""
        for rule in rules:
            self.matches.labels(rule.id)
            for status in ("new", "update"):
                self.alerts.labels(rule.id, rule.severity, status)

    def set_rules_version(self, version: str) -> None:
        self.rules_version.clear()
        self.rules_version.labels(version).set(1)

    def set_resident_memory(self) -> None:
        try:
            with open("/proc/self/statm") as statm:
                pages = int(statm.read().split()[1])
        except (OSError, ValueError, IndexError):
            return
        import resource

        self.resident.set(pages * resource.getpagesize())
