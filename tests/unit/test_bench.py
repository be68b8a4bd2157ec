"""The throughput benchmark's arithmetic: percentiles, latencies, which article an alert is for."""

from __future__ import annotations

import math

import orjson

from agents.evaluation.bench import (
    Latency,
    alerted_article,
    latencies_ms,
    messages,
    percentile,
    rate,
)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # order of the input does not matter


def test_percentile_of_nothing_is_undefined() -> None:
    assert math.isnan(percentile([], 50))
    assert Latency.of([]).count == 0


def test_latency_summary() -> None:
    summary = Latency.of([10.0] * 98 + [400.0, 900.0])
    assert (summary.count, summary.p50, summary.p95, summary.max) == (100, 10.0, 10.0, 900.0)
    assert summary.p99 == 400.0


def test_latencies_only_for_articles_with_an_alert() -> None:
    sent = {"a": 1_000, "b": 2_000, "c": 3_000}
    alerted = {"a": 1_250, "c": 3_100, "z": 9_999}
    assert sorted(latencies_ms(sent, alerted)) == [100.0, 250.0]


def test_rate_of_zero_seconds_is_zero() -> None:
    assert rate(10, 2.0) == 5.0
    assert rate(10, 0.0) == 0.0


def test_an_alert_is_for_the_story_latest_article() -> None:
    new = {"article": {"id": "x-1"}, "story": {"latest_article_id": "x-1"}}
    update = {"article": {"id": "x-1"}, "story": {"latest_article_id": "x-7"}}
    threshold = {"article": {"id": "x-3"}, "trigger": {"kind": "threshold"}}
    assert alerted_article(new) == "x-1"
    assert alerted_article(update) == "x-7"
    assert alerted_article(threshold) == "x-3"
    assert alerted_article({}) is None


def test_messages_cycle_the_articles_under_new_ids() -> None:
    articles = [
        {"id": "one", "text": "Uno.", "lang": "es"},
        {"id": "two", "text": "Dva.", "lang": "cs"},
    ]
    found = messages(articles, "run", 5)
    assert [article_id for article_id, _, _ in found] == [f"run-{n}" for n in range(5)]
    assert found[2][1] == b"run-2"
    value = orjson.loads(found[3][2])
    assert value == {"id": "run-3", "text": "Dva.", "lang": "cs", "source": "bench"}


def test_fold_costs_measure_copies_and_new_stories_at_the_cap(
    enricher, detector, hindi_article
) -> None:
    """A new story of a rule at its cap writes its story and a chunk or two of the directory,
    not the directory's 1,000 ids (about 37 KB as JSON)."""
    from agents.core.pipeline import AlertStage
    from agents.evaluation.bench import fold_costs

    article = enricher.enrich(hindi_article)
    matches = [
        orjson.dumps(m) for m in detector.matches_for(article) if m["rule_id"] == "china-russia"
    ]
    copies, news = fold_costs(AlertStage(detector.book), matches, count=50)
    assert (copies.matches, news.matches) == (50, 50)
    assert "copy" in copies.label and "new story" in news.label
    assert 0 < copies.bytes_per_match < 2 * len(matches[0])  # the story, rewritten
    # the new story, the directory's last chunk, its first (the capped story) and its header
    assert copies.bytes_per_match < news.bytes_per_match < copies.bytes_per_match + 6_000
    assert copies.ms_per_match > 0 and news.ms_per_match > 0
