"""What the agents count, from the outputs of the core (no broker, a private registry)."""

from __future__ import annotations

from prometheus_client import generate_latest

from agents.core.alerting import LocalAlerts
from agents.core.pipeline import ALERTS, DEAD_LETTERS, ENRICHED, MATCHES, Output
from agents.metrics import PipelineMetrics, new_registry
from agents.report import legend_for


def _value(metrics: PipelineMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels or None)
    return 0.0 if value is None else value


def test_batches_are_counted_by_destination(enricher, detector, hindi_article) -> None:
    metrics = PipelineMetrics(new_registry())
    enriched = enricher.enrich(hindi_article, "2026-11-29T10:00:00Z")
    matches = detector.matches_for(enriched)
    [alert, *_] = LocalAlerts(detector).alerts_for(enriched)
    letter = {"stage": "enrich", "reason": "not_json"}
    outputs = [
        Output(ENRICHED, b"k", b"", enriched),
        *(Output(MATCHES, b"r", b"", match) for match in matches),
        Output(ALERTS, b"a", b"", alert),
        Output(DEAD_LETTERS, b"", b"", letter),
    ]
    metrics.count("enrich", 2, outputs)
    assert _value(metrics, "news_articles_in_total", agent="enrich") == 2
    assert _value(metrics, "news_articles_out_total", lang="hi") == 1
    assert _value(metrics, "news_entities_total", type="country") >= 4
    assert _value(metrics, "news_topics_total", subject="politics") == 1
    assert _value(metrics, "news_rule_matches_total", rule="china-russia") == 1
    rule = alert["rule"]
    assert (
        _value(
            metrics, "news_alerts_total", rule=rule["id"], severity=rule["severity"], status="new"
        )
        == 1
    )
    assert _value(metrics, "news_dead_letters_total", stage="enrich", reason="not_json") == 1
    assert _value(metrics, "news_ingest_to_enriched_seconds_count") == 1
    assert _value(metrics, "news_ingest_to_alert_seconds_count") == 1


def test_series_exist_before_the_first_event_and_lag_drops_old_partitions(default_rules):
    metrics = PipelineMetrics(new_registry())
    metrics.prepare_rules(default_rules.active())
    text = generate_latest(metrics.registry).decode()
    assert 'news_errors_total{agent="webhook"} 0.0' in text
    assert 'news_alerts_total{rule="china-russia",severity="high",status="new"} 0.0' in text
    metrics.set_lag([("raw", 0, 5), ("raw", 1, 0)])
    metrics.set_lag([("raw", 1, 2)])  # partition 0 went to another worker
    text = generate_latest(metrics.registry).decode()
    assert 'news_consumer_lag{partition="0"' not in text
    assert 'news_consumer_lag{partition="1",topic="raw"} 2.0' in text


def test_report_legends_fill_grafana_placeholders() -> None:
    assert legend_for("{{stage}} {{ reason }}", {"stage": "enrich", "reason": "empty"}) == (
        "enrich empty"
    )
