"""Raw article in, alert out, on the real broker with a real worker process."""

from __future__ import annotations

import base64
import subprocess
import sys

import orjson
import pytest

from agents.core.schemas import first_error
from tests.conftest import HINDI_SAMPLE

pytestmark = pytest.mark.integration


def test_hindi_sample_gives_a_china_russia_alert(worker) -> None:
    hindi = HINDI_SAMPLE.read_bytes().splitlines()[0]
    worker.produce(worker.topics.raw, [hindi])

    def ours(alert: dict) -> bool:
        """This article's china-russia alert. The session's topics also carry other tests'
        alerts, and the feed test sends the same text from a page first: then this one is an
        update of that story, naming this article as the story's latest."""
        latest = (alert.get("story") or {}).get("latest_article_id", alert["article"]["id"])
        return alert["rule"]["id"] == "china-russia" and latest == "hi-wang-yi-lavrov-call"

    alerts = worker.collect(worker.topics.alerts, lambda seen: any(ours(a) for a in seen))
    alert = next(a for a in alerts if ours(a))
    assert first_error("alert.v1", alert) is None
    assert [e["name"] for e in alert["matched"]] == ["China", "Russia"]
    mentions = {m["text"] for e in alert["matched"] for m in e["mentions"]}
    assert {"चीन", "चीनी", "रूस", "रूसी"} <= mentions
    assert any({"Q148", "Q159"} <= set(s["entity_ids"]) for s in alert["evidence"])
    assert alert["timestamps"]["ingested_at"] is not None

    enriched = worker.collect(worker.topics.enriched, lambda docs: len(docs) >= 1)
    assert first_error("enriched_article.v1", enriched[0]) is None


def test_bad_messages_go_to_the_dead_letter_topic_and_the_worker_goes_on(worker) -> None:
    bad = [b"{not json", b"\xff\xfe\x00", b'{"id": "no-text"}', b""]
    good = orjson.dumps(
        {"id": "after-the-bad-ones", "text": "China and Russia held talks in Moscow."}
    )
    positions = worker.produce(worker.topics.raw, [*bad, good])

    letters = worker.collect(worker.topics.dead_letters, lambda docs: len(docs) >= len(bad))
    by_offset = {(d["source"]["partition"], d["source"]["offset"]): d for d in letters}
    reasons = []
    for value, position in zip(bad, positions[: len(bad)], strict=True):
        letter = by_offset[position]
        assert first_error("dead_letter.v1", letter) is None
        assert base64.b64decode(letter["original_base64"]) == value
        assert letter["source"]["topic"] == worker.topics.raw
        reasons.append(letter["reason"])
    assert reasons == ["not_json", "not_utf8", "schema_violation", "empty"]

    enriched = worker.collect(
        worker.topics.enriched, lambda docs: any(d["id"] == "after-the-bad-ones" for d in docs)
    )
    assert any(d["id"] == "after-the-bad-ones" for d in enriched)


def test_alerts_tail_prints_alerts_readably(worker) -> None:
    worker.collect(worker.topics.alerts, lambda alerts: len(alerts) >= 1)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "agents",
            "alerts",
            "tail",
            "--from-beginning",
            "--idle-exit",
            "5",
            "--rule",
            "china-russia",
        ],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "ALERT HIGH china-russia" in result.stdout
    assert "[चीनी]" in result.stdout or "[चीन]" in result.stdout


def test_kafka_status_reports_the_running_broker(broker) -> None:
    assert broker.status().startswith("ready: pid ")
