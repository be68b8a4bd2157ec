"""Rules on the real broker: live reload, one alert per story, thresholds, spikes, delivery.

All tests share the session's worker. Each applies its rule set with `newsmon rules apply` (the
shipped rules plus test rules) and waits until the worker's log says it switched version.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from aiohttp import web
from kafka import KafkaProducer

from agents.core.schemas import first_error
from agents.core.signing import verify
from tests.conftest import DEFAULT_RULES, SHARED
from tests.integration.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_ENV, Worker, free_port

pytestmark = pytest.mark.integration
REUTERS = SHARED / "corpora" / "reuters-21578" / "reuters21578_lewis-test.jsonl"
HOUR_MS = 3_600_000
JAPAN_US = "\n  - id: it-japan-us\n    all_of: [Japan, United States]\n"


def apply_rules(worker: Worker, tmp_path: Path, extra: str) -> str:
    """Apply the shipped rules plus ``extra`` and wait until the worker runs that version."""
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "agents", "rules", "apply", str(path)],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    version = result.stdout.split("version ", 1)[1].split(",", 1)[0]
    deadline = time.monotonic() + 60
    while f"rules applied version={version}" not in worker.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "worker never applied version " + version
        time.sleep(0.2)
    return version


def send(worker: Worker, articles: list[dict], timestamps_ms: list[int] | None = None) -> None:
    producer = KafkaProducer(bootstrap_servers=worker.bootstrap, acks="all")
    for n, article in enumerate(articles):
        stamp = timestamps_ms[n] if timestamps_ms else None
        producer.send(
            worker.topics.raw,
            key=article["id"].encode(),
            value=orjson.dumps(article),
            timestamp_ms=stamp,
        )
    producer.flush()
    producer.close()


def alerts_of(worker: Worker, rule_id: str, done, timeout: float = 120.0) -> list[dict]:
    def mine(alerts: list[dict]) -> list[dict]:
        return [a for a in alerts if a["rule"]["id"] == rule_id]

    return mine(worker.collect(worker.topics.alerts, lambda seen: done(mine(seen)), timeout))


def everything(worker: Worker, topic: str, quiet: float = 3.0) -> list[dict]:
    """All records on ``topic`` once it has been quiet for ``quiet`` seconds."""
    consumer = worker.reader(topic)
    seen: list[dict] = []
    last = time.monotonic()
    try:
        while time.monotonic() - last < quiet:
            for records in consumer.poll(timeout_ms=300).values():
                seen.extend(orjson.loads(r.value) for r in records)
                last = time.monotonic()
    finally:
        consumer.close()
    return seen


def matched(rule_id: str, count: int):
    """A stop condition: ``count`` matches of the rule are on the rule-match topic."""
    return lambda matches: sum(m["rule_id"] == rule_id for m in matches) >= count


def all_alerts(worker: Worker, rule_id: str) -> list[dict]:
    return [a for a in everything(worker, worker.topics.alerts) if a["rule"]["id"] == rule_id]


def test_a_rule_applied_while_the_worker_runs_takes_effect(worker: Worker, tmp_path) -> None:
    before = {"id": "reload-0", "text": "Brazil and Argentina signed a beef accord.", "lang": "en"}
    send(worker, [before])
    worker.collect(worker.topics.enriched, lambda docs: any(d["id"] == "reload-0" for d in docs))

    rule = "\n  - id: brazil-argentina\n    owner: it\n    all_of: [Brazil, Argentina]\n"
    version = apply_rules(worker, tmp_path, rule)
    after = {"id": "reload-1", "text": "Argentina and Brazil met on tariffs.", "lang": "en"}
    send(worker, [after])
    [alert] = alerts_of(worker, "brazil-argentina", lambda alerts: len(alerts) >= 1)
    assert alert["article"]["id"] == "reload-1"  # the article before the rule gave nothing
    assert alert["rule"]["ruleset_version"] == version
    assert first_error("alert.v1", alert) is None
    listing = subprocess.run(
        [sys.executable, "-m", "agents", "rules", "list"],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert listing.startswith(f"rule set {version} from {worker.topics.rules}, applied ")
    assert "brazil-argentina" in listing

    disabled = rule + "    enabled: false\n"
    apply_rules(worker, tmp_path, disabled)
    send(worker, [{"id": "reload-2", "text": "Brazil and Argentina again.", "lang": "en"}])
    fence = {
        "id": "reload-fence",
        "text": "Russia and China opened a grain corridor through Kazakhstan, officials said.",
        "lang": "en",
    }
    send(worker, [fence])
    alerts_of(
        worker,
        "china-russia",
        lambda alerts: any(a["article"]["id"] == "reload-fence" for a in alerts),
    )
    ids = [a["article"]["id"] for a in all_alerts(worker, "brazil-argentina")]
    assert ids == ["reload-1"]


def _wire_story() -> tuple[str, str]:
    wanted = {"reuters21578/14874", "reuters21578/14869"}  # Japan and the US in both
    found = {}
    for line in REUTERS.read_bytes().splitlines():
        document = orjson.loads(line)
        if document["id"] in wanted:
            found[document["id"]] = document["text"]
    return found["reuters21578/14874"], found["reuters21578/14869"]


def test_ten_syndicated_copies_give_one_alert_with_count_ten(worker: Worker, tmp_path) -> None:
    from tests.unit.test_alerting import OUTLETS, syndicated_copy

    apply_rules(worker, tmp_path, JAPAN_US)
    story, other = _wire_story()
    copies = [
        {
            "id": f"syn-{n}",
            "lang": "en",
            "source": OUTLETS[n % 5],
            "text": story if n == 0 else syndicated_copy(story, n),
        }
        for n in range(10)
    ]
    send(worker, [*copies, {"id": "syn-other", "text": other, "lang": "en", "source": "x.example"}])

    def settled(alerts: list[dict]) -> bool:
        return len(alerts) >= 11

    worker.collect(worker.topics.matches, matched("it-japan-us", 11))
    alerts_of(worker, "it-japan-us", settled)
    alerts = all_alerts(worker, "it-japan-us")  # anything more would be a duplicate
    latest: dict[str, dict] = {}
    for alert in alerts:  # what a consumer of the compacted topic keeps: the last per key
        latest[alert["alert_id"]] = alert
    assert len(latest) == 2
    counts = sorted(a["story"]["copies"] for a in latest.values())
    assert counts == [1, 10]
    assert sum(a["status"] == "new" for a in alerts) == 2
    assert len(alerts) == 11


def test_a_window_threshold_fires_exactly_once(worker: Worker, tmp_path) -> None:
    rule = (
        "\n  - id: it-threshold\n    all_of: [Kenya, Uganda]\n"
        "    threshold: {articles: 4, sources: 2, window: 1h}\n"
    )
    apply_rules(worker, tmp_path, rule)
    articles = [
        {
            "id": f"thr-{n}",
            "lang": "en",
            "source": f"outlet{n % 2}.example",
            "text": f"Kenya and Uganda discussed the railway, report number {n} said.",
        }
        for n in range(9)
    ]
    send(worker, articles)
    worker.collect(
        worker.topics.enriched, lambda docs: sum(d["id"].startswith("thr-") for d in docs) >= 9
    )
    worker.collect(worker.topics.matches, matched("it-threshold", 9))
    alerts_of(worker, "it-threshold", lambda found: len(found) >= 1)
    alerts = all_alerts(worker, "it-threshold")
    assert len(alerts) == 1
    trigger = alerts[0]["trigger"]
    assert (trigger["kind"], len(trigger["sources"])) == ("threshold", 2)
    assert trigger["articles"] >= 4


def test_a_spike_fires_on_the_burst_and_not_on_the_steady_rate(worker: Worker, tmp_path) -> None:
    rule = (
        "\n  - id: it-spike\n    all_of: [Mongolia]\n"
        "    spike: {window: 1h, baseline: 6h, factor: 3, min_articles: 4}\n"
    )
    apply_rules(worker, tmp_path, rule)
    now_ms = int(time.time() * 1000)
    hour = now_ms // HOUR_MS * HOUR_MS
    stamps, articles = [], []
    for back in range(8, 0, -1):  # one article an hour for the last eight hours
        stamps.append(hour - back * HOUR_MS + 60_000)
        articles.append(
            {
                "id": f"spk-steady-{back}",
                "lang": "en",
                "text": f"Mongolia reported steady trade, bulletin {back}.",
            }
        )
    send(worker, articles, stamps)

    def steady_matched(matches: list[dict]) -> bool:
        return sum(m["rule_id"] == "it-spike" for m in matches) >= 8

    # the steady hours reach the alert stage first (one partition per rule, in order)
    worker.collect(worker.topics.matches, steady_matched)
    burst = [
        {
            "id": f"spk-burst-{n}",
            "lang": "en",
            "text": f"Mongolia declared an emergency, update {n}.",
        }
        for n in range(6)
    ]
    send(worker, burst, [min(now_ms, hour + n * 1000) for n in range(6)])
    alerts_of(worker, "it-spike", lambda found: len(found) >= 1)
    alerts = all_alerts(worker, "it-spike")
    assert len(alerts) == 1  # not on any steady hour, and once for the burst
    trigger = alerts[0]["trigger"]
    assert (trigger["articles"], trigger["baseline_mean"]) == (4, 1.0)
    assert trigger["window_start"].startswith(
        time.strftime("%Y-%m-%dT%H:00:00", time.gmtime(hour / 1000))
    )
    assert alerts[0]["article"]["id"].startswith("spk-burst-")


@pytest.fixture()
def receiver() -> Iterator[tuple[str, list[tuple[dict, bytes]]]]:
    """A real HTTP server in a thread: the first request gets a 503, the rest 200."""
    seen: list[tuple[dict, bytes]] = []
    statuses = [503]
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def handle(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.read()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/hook", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    def serve() -> None:
        asyncio.set_event_loop(loop)
        runner = loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield f"http://127.0.0.1:{port}/hook", seen
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_delivery_to_a_rule_topic_a_signed_webhook_and_its_dead_letters(
    worker: Worker, tmp_path, receiver
) -> None:
    url, seen = receiver
    dead_url = f"http://127.0.0.1:{free_port()}/nobody"
    rules = (
        f"\n  - id: it-webhook\n    all_of: [Chile, Peru]\n"
        f"    delivery: {{topic: {worker.topics.alerts}.it-webhook, "
        f"webhook: {{url: '{url}', secret_env: {WEBHOOK_SECRET_ENV}}}}}\n"
        f"  - id: it-webhook-dead\n    all_of: [Bolivia, Paraguay]\n"
        f"    delivery: {{webhook: {{url: '{dead_url}'}}}}\n"
    )
    apply_rules(worker, tmp_path, rules)
    send(
        worker,
        [
            {"id": "hook-1", "text": "Chile and Peru settled the border dispute.", "lang": "en"},
            {"id": "hook-2", "text": "Bolivia and Paraguay opened a river port.", "lang": "en"},
        ],
    )
    [own] = worker.collect(f"{worker.topics.alerts}.it-webhook", lambda found: len(found) >= 1)
    assert own["article"]["id"] == "hook-1"
    deadline = time.monotonic() + 60
    while len(seen) < 2:  # the 503, then the retry
        assert time.monotonic() < deadline, f"webhook got {len(seen)} requests"
        time.sleep(0.2)
    for headers, body in seen:
        assert verify(WEBHOOK_SECRET.encode(), body, headers)
        assert orjson.loads(body)["alert_id"] == own["alert_id"]
    [letter] = worker.collect(worker.topics.webhook_dead_letters, lambda found: len(found) >= 1)
    assert (letter["stage"], letter["reason"]) == ("webhook", "webhook_failed")
    assert first_error("dead_letter.v1", letter) is None
    import base64

    original = orjson.loads(base64.b64decode(letter["original_base64"]))
    assert original["rule"]["id"] == "it-webhook-dead"
    assert letter["source"]["topic"] == worker.topics.webhook_outbox


def test_story_state_survives_a_killed_worker(worker: Worker, tmp_path) -> None:
    """Runs last: the story of the syndication test is in the changelogged table, so a copy
    sent after a SIGKILL and restart updates that story instead of opening a new one."""
    from tests.unit.test_alerting import syndicated_copy

    story, _ = _wire_story()
    before = {a["alert_id"] for a in all_alerts(worker, "it-japan-us") if a["status"] == "new"}
    assert len(before) == 2, "run after the syndication test"
    apply_rules(worker, tmp_path, JAPAN_US)  # the same rule again, after other tests' sets
    worker.kill_and_restart()
    copy = {
        "id": "syn-after-crash",
        "lang": "en",
        "source": "late.example",
        "text": syndicated_copy(story, 11),
    }
    send(worker, [copy])

    def copy_folded(alerts: list[dict]) -> bool:
        return any(
            (a.get("story") or {}).get("latest_article_id") == "syn-after-crash"
            or a["article"]["id"] == "syn-after-crash"
            for a in alerts
        )

    [alert] = [
        a
        for a in alerts_of(worker, "it-japan-us", copy_folded, timeout=180)
        if (a.get("story") or {}).get("latest_article_id") == "syn-after-crash"
    ]
    assert alert["status"] == "update"
    assert alert["alert_id"] in before
    assert alert["story"]["copies"] == 11
