"""Webhook delivery against a real local HTTP server: signatures, retries, final failures."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from aiohttp import web

from agents.core.rules import Webhook
from agents.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify
from agents.webhook import deliver

SECRET = "s3cret"


def test_signature_verifies_and_rejects_tampering_and_staleness() -> None:
    body = b'{"alert_id": "x"}'
    headers = {TIMESTAMP_HEADER: "1700000000", SIGNATURE_HEADER: sign(b"k", body, 1700000000)}
    assert verify(b"k", body, headers, now=1700000100)
    assert not verify(b"k", body + b" ", headers, now=1700000100)
    assert not verify(b"other", body, headers, now=1700000100)
    assert not verify(b"k", body, headers, now=1700009999)  # replayed much later
    assert not verify(b"k", body, {}, now=1700000100)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve(statuses: list[int], seen: list[tuple[dict[str, str], bytes]]):
    async def handle(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.read()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/hook"


def test_delivery_retries_server_errors_and_signs_every_attempt(monkeypatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    seen: list[tuple[dict[str, str], bytes]] = []

    async def scenario():
        runner, url = await _serve([503, 500], seen)
        async with aiohttp.ClientSession() as session:
            result = await deliver(
                session, Webhook(url, "HOOK_SECRET"), b'{"a": 1}', "id1", 3, first_delay=0.01
            )
        await runner.cleanup()
        return result

    result = asyncio.run(scenario())
    assert (result.delivered, result.attempts) == (True, 3)
    assert len(seen) == 3
    for headers, body in seen:
        assert body == b'{"a": 1}'
        assert verify(SECRET.encode(), body, headers)
        assert headers["X-Newsmon-Alert-Id"] == "id1"
        assert headers["X-Newsmon-Revision"] == "3"


def test_client_errors_are_final_and_unreachable_hosts_give_up(monkeypatch) -> None:
    seen: list[tuple[dict[str, str], bytes]] = []

    async def scenario():
        runner, url = await _serve([410], seen)
        async with aiohttp.ClientSession() as session:
            gone = await deliver(session, Webhook(url), b"{}", "id", 1, first_delay=0.01)
            nobody = await deliver(
                session,
                Webhook(f"http://127.0.0.1:{_free_port()}/x"),
                b"{}",
                "id",
                1,
                attempts=3,
                first_delay=0.01,
            )
        await runner.cleanup()
        return gone, nobody

    gone, nobody = asyncio.run(scenario())
    assert (gone.delivered, gone.attempts, gone.reason) == (False, 1, "HTTP 410")
    assert (nobody.delivered, nobody.attempts) == (False, 3)
    assert "Connect" in nobody.reason


def test_a_missing_secret_is_a_failure_not_an_unsigned_post(monkeypatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)

    async def scenario():
        async with aiohttp.ClientSession() as session:
            return await deliver(
                session, Webhook("http://127.0.0.1:9/x", "NOT_SET_ANYWHERE"), b"{}", "i", 1
            )

    result = asyncio.run(scenario())
    assert not result.delivered and "NOT_SET_ANYWHERE" in result.reason


def test_only_alerts_of_webhook_rules_go_to_the_webhook_outbox(kb, enricher) -> None:
    """The webhook agent reads an outbox, not every alert: the alert stage writes an alert
    there only when its rule has a webhook."""
    from agents.core.deadletter import SourceRecord
    from agents.core.detect import Detector
    from agents.core.pipeline import ALERTS, MATCHES, WEBHOOKS, AlertStage, EnrichStage
    from agents.core.rules import parse_rules

    rules = parse_rules(
        "r.yaml",
        "rules:\n"
        "  - id: hooked\n    all_of: [Chile]\n"
        "    delivery: {webhook: {url: 'http://127.0.0.1:9/hook'}}\n"
        "  - id: plain\n    all_of: [Chile]\n",
        kb,
    )
    detector = Detector(rules)
    raw = b'{"id": "a1", "text": "Chile and Peru signed a fisheries agreement.", "lang": "en"}'
    matches = [
        o
        for o in EnrichStage(enricher, detector).process([SourceRecord("raw", 0, 0, raw)])
        if o.destination == MATCHES
    ]
    alert_stage, store = AlertStage(detector.book), {}
    routed = {
        match.key.decode(): sorted(
            o.destination
            for o in alert_stage.process(SourceRecord("matches", 0, n, match.value), store)
        )
        for n, match in enumerate(matches)
    }
    assert routed == {"hooked": [ALERTS, WEBHOOKS], "plain": [ALERTS]}
