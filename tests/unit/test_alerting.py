"""One alert per story, thresholds and spikes: the state machines on real wire stories."""

from __future__ import annotations

import orjson
import pytest

from agents.core.alerting import AlertFolder, LocalAlerts
from agents.core.clock import iso_from_millis
from agents.core.detect import Detector
from agents.core.rules import parse_rules
from agents.core.schemas import first_error
from agents.core.stories import SAME_STORY, signature, similarity
from tests.conftest import SHARED

REUTERS = SHARED / "corpora" / "reuters-21578" / "reuters21578_lewis-test.jsonl"
STORY, OTHER_STORY = "reuters21578/14874", "reuters21578/14869"  # Japan and the US, both
OUTLETS = ["reuters.com", "wire.example", "daily.example", "herald.example", "times.example"]
HOUR = 3600.0
T0 = 1_700_000_000.0


@pytest.fixture(scope="module")
def wire() -> dict[str, str]:
    wanted = {STORY, OTHER_STORY}
    found = {}
    for line in REUTERS.read_bytes().splitlines():
        document = orjson.loads(line)
        if document["id"] in wanted:
            found[document["id"]] = document["text"]
    assert set(found) == wanted
    return found


def syndicated_copy(text: str, number: int) -> str:
    """What another site makes of a wire story: a dateline or byline, a few words changed,
    sometimes the last paragraph cut, its own footer."""
    paragraphs = text.split("\n    ")
    if number % 2:
        paragraphs = paragraphs[:-1]
    body = "\n    ".join(paragraphs).replace(" said", " stated", number % 3)
    header = ["TOKYO (Reuters) - ", "By our staff. ", ""][number % 3]
    return f"{header}{body}\nCopyright {OUTLETS[number % len(OUTLETS)]}, all rights reserved."


def _article(enricher, article_id: str, text: str, source: str, at: float) -> dict:
    ingested = iso_from_millis(int(at * 1000))
    return enricher.enrich(
        {"id": article_id, "text": text, "lang": "en", "source": source}, ingested
    )


def _local(kb, body: str) -> LocalAlerts:
    return LocalAlerts(Detector(parse_rules("r.yaml", "rules:\n" + body, kb)))


def test_copies_of_a_wire_story_are_similar_and_other_stories_are_not(wire) -> None:
    versions = [wire[STORY], *(syndicated_copy(wire[STORY], n) for n in range(1, 10))]
    signatures = [signature(text) for text in versions]
    pairs = [similarity(a, b) for i, a in enumerate(signatures) for b in signatures[i + 1 :]]
    assert min(pairs) >= SAME_STORY  # whichever copy arrives first, the others fold into it
    assert similarity(signatures[0], signature(wire[OTHER_STORY])) < 0.1


def test_ten_syndicated_copies_give_one_alert_with_count_ten(kb, enricher, wire) -> None:
    local = _local(kb, "  - id: japan-us\n    all_of: [Japan, United States]\n")
    alerts = []
    for n in range(10):
        text = wire[STORY] if n == 0 else syndicated_copy(wire[STORY], n)
        article = _article(enricher, f"copy-{n}", text, OUTLETS[n % 5], T0 + n * 60)
        alerts += local.alerts_for(article)
    alerts += local.alerts_for(_article(enricher, "other", wire[OTHER_STORY], "x.example", T0))
    new = [a for a in alerts if a["status"] == "new"]
    assert [a["article"]["id"] for a in new] == ["copy-0", "other"]
    story = [a for a in alerts if a["alert_id"] == new[0]["alert_id"]]
    assert [a["revision"] for a in story] == list(range(1, 11))
    last = story[-1]["story"]
    assert (last["copies"], last["outlets"], last["latest_article_id"]) == (10, 5, "copy-9")
    for alert in alerts:
        assert first_error("alert.v1", alert) is None


def test_an_alert_leaves_its_stored_story_unchanged(kb, enricher, wire) -> None:
    local = _local(kb, "  - id: japan-us\n    all_of: [Japan, United States]\n")
    first = local.alerts_for(_article(enricher, "a", wire[STORY], "reuters.com", T0))[0]
    stored = next(v for k, v in local.folder.store.items() if "|story|" in k)["alert"]
    before = orjson.dumps(stored)
    first["timestamps"]["alerted_at"] = "changed by a sink"
    first["story"]["copies"] = 99
    update = local.alerts_for(_article(enricher, "b", syndicated_copy(wire[STORY], 1), "x", T0))
    assert orjson.dumps(stored) == before
    assert "status" not in stored and "alerted_at" not in stored["timestamps"]
    assert update[0]["story"]["copies"] == 2
    assert update[0]["timestamps"]["alerted_at"] != "changed by a sink"


def test_a_replayed_article_is_not_counted_again(kb, enricher, wire) -> None:
    local = _local(kb, "  - id: japan-us\n    all_of: [Japan, United States]\n")
    article = _article(enricher, "a", wire[STORY], "reuters.com", T0)
    assert len(local.alerts_for(article)) == 1
    assert local.alerts_for(article) == []  # at-least-once delivery gave it twice


def test_a_story_expires_after_its_window(kb, enricher, wire) -> None:
    local = _local(kb, "  - id: r\n    all_of: [Japan, United States]\n    story_window: 1h\n")
    first = local.alerts_for(_article(enricher, "a", wire[STORY], "reuters.com", T0))
    late = _article(enricher, "b", syndicated_copy(wire[STORY], 1), "x.example", T0 + 2 * HOUR)
    again = local.alerts_for(late)
    assert [a["status"] for a in (*first, *again)] == ["new", "new"]
    assert first[0]["alert_id"] != again[0]["alert_id"]


def _match(article_id: str, at: float, source: str) -> dict:
    """A rule match as the detect stage sends it (only what the folder reads)."""
    return {
        "rule_id": "r",
        "event_time": at,
        "source": source,
        "signature": [0] * 64,
        "alert": {
            "article": {"id": article_id},
            "timestamps": {},
            "reason": "",
        },
    }


def test_a_window_threshold_fires_exactly_once(kb) -> None:
    rule = parse_rules(
        "r.yaml",
        "rules:\n  - id: r\n    all_of: [Taiwan]\n"
        "    threshold: {articles: 5, sources: 3, window: 1h}\n",
        kb,
    ).rules[0]
    folder = AlertFolder({})
    fired = []
    for n in range(12):  # 12 articles from 3 outlets within 22 minutes
        fired += folder.fold(_match(f"a{n}", T0 + n * 120, OUTLETS[n % 3]), rule)
    assert len(fired) == 1
    trigger = fired[0]["trigger"]
    assert (trigger["articles"], len(trigger["sources"])) == (5, 3)
    assert trigger["article_ids"] == ["a0", "a1", "a2", "a3", "a4"]
    assert "5 matching articles from 3 sources" in fired[0]["reason"]
    # one window later a new wave can fire again
    later = [
        folder.fold(_match(f"b{n}", T0 + 2 * HOUR + n, OUTLETS[n % 3]), rule) for n in range(5)
    ]
    assert sum(len(alerts) for alerts in later) == 1


def test_a_threshold_needs_its_distinct_sources(kb) -> None:
    rule = parse_rules(
        "r.yaml",
        "rules:\n  - id: r\n    all_of: [Taiwan]\n"
        "    threshold: {articles: 3, sources: 2, window: 1h}\n",
        kb,
    ).rules[0]
    folder = AlertFolder({})
    one_outlet = [folder.fold(_match(f"a{n}", T0 + n, "wire.example"), rule) for n in range(10)]
    assert not any(one_outlet)
    assert folder.fold(_match("x", T0 + 20, "other.example"), rule)


def test_a_spike_fires_on_a_burst_and_not_on_the_steady_rate(kb) -> None:
    rule = parse_rules(
        "r.yaml",
        "rules:\n  - id: r\n    all_of: [Iran]\n"
        "    spike: {window: 1h, baseline: 24h, factor: 3, min_articles: 5}\n",
        kb,
    ).rules[0]
    folder = AlertFolder({})
    steady = []
    for hour in range(30):  # two or three articles every hour for 30 hours
        for n in range(2 + hour % 2):
            steady += folder.fold(_match(f"s{hour}-{n}", T0 + hour * HOUR + n * 600, "x"), rule)
    assert steady == []
    burst_start = T0 + 30 * HOUR
    burst = []
    for n in range(12):  # twelve in the next hour: four times the usual rate
        burst += folder.fold(_match(f"b{n}", burst_start + n * 60, "x"), rule)
    assert len(burst) == 1
    trigger = burst[0]["trigger"]
    assert trigger["articles"] == 8  # it fires as soon as 8 >= 3 x 2.5 (the baseline mean)
    assert trigger["baseline_mean"] == 2.5
    assert trigger["baseline_windows"] == 24


def test_a_spike_waits_for_a_full_baseline(kb) -> None:
    rule = parse_rules(
        "r.yaml",
        "rules:\n  - id: r\n    all_of: [Iran]\n    spike: {window: 1h, baseline: 6h}\n",
        kb,
    ).rules[0]
    folder = AlertFolder({})
    first_hour = [folder.fold(_match(f"a{n}", T0 + n, "x"), rule) for n in range(20)]
    assert not any(first_hour)  # no history to compare with yet
