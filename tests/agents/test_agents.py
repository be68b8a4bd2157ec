"""The Faust agents, driven through ``agent.test_context()`` without a broker.

The agents' publisher is the one injection point: here it collects what would be sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import faust
import orjson
import pytest

from agents.app import create_app
from agents.core.pipeline import (
    ALERTS,
    DEAD_LETTERS,
    ENRICHED,
    MATCHES,
    EnrichStage,
    Output,
)
from agents.harness import free_port
from agents.inflight import Acknowledged
from agents.settings import Settings


class Collected:
    def __init__(self) -> None:
        self.outputs: list[Output] = []

    async def __call__(self, outputs: Sequence[Output]) -> Acknowledged:
        self.outputs.extend(outputs)
        return asyncio.sleep(0)  # acknowledged at once

    def to(self, destination: str) -> list[Output]:
        return [out for out in self.outputs if out.destination == destination]


def _app(settings: Settings, enricher, detector, publisher, **options) -> faust.App:
    app = create_app(settings, EnrichStage(enricher, detector), publisher=publisher, **options)
    app.finalize()
    app.conf.store = "memory://"
    return app


@pytest.fixture()
def app_and_sink(enricher, detector):
    sink = Collected()
    settings = Settings(app_id="newsmon-agent-test", batch_seconds=0.01)
    return _app(settings, enricher, detector, sink), sink


async def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "agent produced nothing in time"
        await asyncio.sleep(0.02)


def test_enrich_agent_enriches_and_dead_letters(app_and_sink, hindi_article) -> None:
    app, sink = app_and_sink
    enrich = app.agents["newsmon.enrich"]

    async def scenario() -> None:
        async with enrich.test_context() as agent:
            await agent.put(value=orjson.dumps(hindi_article), key=b"k1")
            await agent.put(value=b"{not json", key=b"k2")
            await agent.put(value=orjson.dumps({"id": "no-text"}), key=b"k3")
            await _wait_for(lambda: len(sink.outputs) >= 3)

    asyncio.run(scenario())
    enriched = sink.to(ENRICHED)
    assert [o.document["id"] for o in enriched] == ["hi-wang-yi-lavrov-call"]
    assert {"Q148", "Q159"} <= {e["id"] for e in enriched[0].document["entities"]}
    letters = sink.to(DEAD_LETTERS)
    assert sorted(o.document["reason"] for o in letters) == ["not_json", "schema_violation"]
    assert {o.document["original_base64"] for o in letters} == {
        "e25vdCBqc29u",
        "eyJpZCI6Im5vLXRleHQifQ==",
    }


def test_enrich_agent_sends_rule_matches_keyed_by_rule(app_and_sink, hindi_article) -> None:
    app, sink = app_and_sink
    enrich = app.agents["newsmon.enrich"]

    async def scenario() -> None:
        async with enrich.test_context() as agent:
            await agent.put(value=orjson.dumps(hindi_article), key=b"hi")
            await agent.put(value=b"\xff\xfe", key=b"bad")
            await _wait_for(lambda: len(sink.to(MATCHES)) >= 1 and len(sink.to(DEAD_LETTERS)))

    asyncio.run(scenario())
    assert "newsmon.detect" not in app.agents  # rules run in the enrich batch
    matches = {o.key: o.document for o in sink.to(MATCHES)}
    assert b"china-russia" in matches
    assert matches[b"china-russia"]["alert"]["article"]["id"] == "hi-wang-yi-lavrov-call"
    assert [o.document["reason"] for o in sink.to(DEAD_LETTERS)] == ["not_utf8"]
    # the enriched article is published before its matches
    kinds = [o.destination for o in sink.outputs if o.destination != DEAD_LETTERS]
    assert kinds[0] == ENRICHED and set(kinds[1:]) == {MATCHES}


def test_alert_agent_folds_a_repeated_story(app_and_sink, detector, enricher, hindi_article):
    """The alert agent keeps its state in a Faust table: the same story from a second outlet
    is an update of the first alert, not a second alert."""
    app, sink = app_and_sink
    alert = app.agents["newsmon.alert"]
    first = enricher.enrich(hindi_article)
    copy = {**first, "id": "hi-copy", "source": "another.example"}
    matches = [
        m
        for article in (first, copy)
        for m in detector.matches_for(article)
        if m["rule_id"] == "china-russia"
    ]

    async def scenario() -> None:
        async with alert.test_context() as agent:
            for match in matches:
                await agent.put(value=orjson.dumps(match), key=b"china-russia")
            await agent.put(value=b"[]", key=b"china-russia")
            await _wait_for(lambda: len(sink.outputs) >= 3)

    asyncio.run(scenario())
    alerts = [o.document for o in sink.to(ALERTS)]
    assert [(a["status"], a["revision"]) for a in alerts] == [("new", 1), ("update", 2)]
    assert alerts[0]["alert_id"] == alerts[1]["alert_id"]
    assert alerts[1]["story"]["outlets"] == 2
    assert [o.document["reason"] for o in sink.to(DEAD_LETTERS)] == ["not_object"]


def test_alert_agent_writes_each_state_change_to_its_matchs_partition(
    app_and_sink, detector, enricher, hindi_article
) -> None:
    """Matches are folded a batch at a time, and each table write must still go to the changelog
    partition of the match that caused it (not that of the batch's last event), or a worker
    taking that partition over would rebuild the wrong rule state."""
    app, sink = app_and_sink
    alert = app.agents["newsmon.alert"]
    table = app.tables["newsmon-rule-state"]
    written: list[tuple[int | None, str]] = []
    send_changelog = table.send_changelog

    def spy(partition, key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        written.append((partition, key))
        return send_changelog(partition, key, value, *args, **kwargs)

    table.send_changelog = spy
    article = enricher.enrich(hindi_article)
    matches = [m for m in detector.matches_for(article) if m["rule_id"] == "china-russia"]
    copies = []
    for n, match in enumerate(matches * 4):
        article_of_copy = {**match["alert"]["article"], "id": f"c{n}"}
        copies.append({**match, "alert": {**match["alert"], "article": article_of_copy}})

    async def scenario() -> None:
        async with alert.test_context() as agent:
            for n, match in enumerate(copies):  # put in one go: they are taken as one batch
                await agent.put(value=orjson.dumps(match), key=b"china-russia", partition=n % 4)
            await _wait_for(lambda: len(sink.to(ALERTS)) >= len(copies))

    asyncio.run(scenario())
    assert len(copies) == 4
    # the first match opens the story (the story, and the directory's header holding its id),
    # each copy updates it
    assert [p for p, _ in written] == [0, 0, 1, 2, 3]
    assert [a.document["status"] for a in sink.to(ALERTS)] == ["new", "update", "update", "update"]


def test_a_batch_that_cannot_be_delivered_restarts_the_worker(enricher, detector) -> None:
    """Faust would restart only the agent and never hand it the taken events again: the app
    asks for a whole-worker restart (``on_fatal``; the worker re-executes itself)."""
    reasons: list[str] = []

    async def refusing(outputs: Sequence[Output]) -> Acknowledged:
        raise RuntimeError("broker refused the record")

    settings = Settings(app_id="newsmon-agent-fatal", batch_seconds=0.01)
    app = _app(settings, enricher, detector, refusing, on_fatal=reasons.append)
    enrich = app.agents["newsmon.enrich"]

    async def scenario() -> None:
        async with enrich.test_context() as agent:
            await agent.put(value=orjson.dumps({"id": "a", "text": "Paris"}), key=b"k")
            await _wait_for(lambda: bool(reasons))

    asyncio.run(scenario())
    assert reasons and "stage enrich failed" in reasons[0]
    assert "broker refused the record" in reasons[0]


def test_skipped_records_that_cannot_be_read_restart_the_worker(enricher, detector) -> None:
    """A gap in a partition's offsets is read in from the broker; with no broker to read it
    from, going on would lose those records, so the worker asks to restart."""
    reasons: list[str] = []
    sink = Collected()
    closed = f"127.0.0.1:{free_port()}"  # nothing listens here
    settings = Settings(app_id="newsmon-agent-gap", batch_seconds=0.01, broker=closed)
    app = _app(settings, enricher, detector, sink, on_fatal=reasons.append)
    enrich = app.agents["newsmon.enrich"]

    async def scenario() -> None:
        async with enrich.test_context() as agent:
            await agent.put(value=orjson.dumps({"id": "a", "text": "Paris"}), key=b"k")
            await _wait_for(lambda: len(sink.outputs) >= 1)
            agent.sent_offset += 2  # offsets 1 and 2 never reach the agent
            await agent.put(value=orjson.dumps({"id": "b", "text": "Rome"}), key=b"k", wait=False)
            await _wait_for(lambda: bool(reasons), timeout=60)

    asyncio.run(scenario())
    assert "could not read skipped records" in reasons[0]
    assert [o.document["id"] for o in sink.to(ENRICHED)] == ["a"]  # b waits for the gap
