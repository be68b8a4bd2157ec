"""Getting news in, on the real broker with the session's worker: feeds, HTTP ingest, replay."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.core.schemas import first_error
from agents.kafka.admin import consume
from tests.integration.conftest import INGEST_TOKEN, Worker
from tests.unit.test_feeds_site import NewsSite
from tests.unit.test_feeds_site import news_site as news_site  # the fixture

pytestmark = pytest.mark.integration


def newsmon(worker: Worker, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agents", *args],
        env=worker.env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def everything_on(worker: Worker, topic: str) -> list[dict[str, Any]]:
    """The JSON objects on the whole topic as it is now (read until three quiet seconds). The
    topics are the session worker's, shared with other tests: the fuzz test leaves raw bytes
    that are no JSON at all, which are not this file's business."""
    records = consume(worker.bootstrap, topic, from_beginning=True, idle_timeout_ms=3000)
    found = []
    for _, _, _, value in records:
        try:
            document = orjson.loads(value)
        except orjson.JSONDecodeError:
            continue
        if isinstance(document, dict):
            found.append(document)
    return found


def post(url: str, body: bytes, token: str | None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())


def ingest_url(worker: Worker) -> str:
    """The worker's /ingest, once its web server answers (the worker may still be starting)."""
    base = f"http://127.0.0.1:{worker.env['NEWSMON_WEB_PORT']}"
    deadline = time.monotonic() + 180
    while True:
        assert worker.process.poll() is None, "worker died:\n" + worker.log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(base + "/metrics", timeout=5):
                return base + "/ingest"
        except OSError:
            assert time.monotonic() < deadline, "worker web server never answered"
            time.sleep(0.5)


def test_feeds_poll_into_the_raw_topic_exactly_once(
    worker: Worker, news_site: NewsSite, tmp_path: Path
) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(news_site.feed_specs_yaml(), encoding="utf-8")
    state = tmp_path / "feeds.sqlite3"
    run = ("feeds", "run", "--once", "--config", str(config), "--state", str(state))

    first = newsmon(worker, tmp_path, *run)
    assert first.returncode == 1, first.stderr  # three of the five feeds fail, as they should
    assert "calden-courier: sent 4 (from summary 1)" in first.stdout
    assert "rundschau-nord: sent 1 " in first.stdout
    assert "missing: failed (HTTP 404)" in first.stdout
    assert "slow: failed (timed out after 2s)" in first.stdout
    assert f"sent 5 articles to {worker.topics.raw}" in first.stdout

    second = newsmon(worker, tmp_path, *run)  # a restart: the same state file
    assert "calden-courier: not modified" in second.stdout, second.stderr
    assert f"sent 0 articles to {worker.topics.raw}" in second.stdout

    ours = [a for a in everything_on(worker, worker.topics.raw) if _from(a, news_site)]
    assert len(ours) == 5
    assert all(first_error("raw_article.v1", a) is None for a in ours)
    assert {a["url"].removeprefix(news_site.base) for a in ours} == {
        "/world/harbour-reopens",
        "/business/grain-corridor",
        "/science/reef-survey",
        "/hi/wang-yi-lavrov",
        "/de/wahl-ergebnis",
    }
    ids = {a["id"] for a in ours}
    enriched = worker.collect(
        worker.topics.enriched, lambda docs: ids <= {d["id"] for d in docs}, timeout=180
    )
    languages = {d["id"]: d["lang"] for d in enriched if d["id"] in ids}
    assert sorted(languages.values()) == ["de", "en", "en", "en", "hi"]


def _from(article: dict[str, Any], site: NewsSite) -> bool:
    return str(article.get("url") or "").startswith(site.base)


def test_http_ingest_checks_the_token_and_the_articles_and_feeds_the_pipeline(
    worker: Worker,
) -> None:
    url = ingest_url(worker)
    run = uuid.uuid4().hex[:8]
    good = [
        {"id": f"ingest-{run}-1", "text": "China and Russia signed a trade deal in Beijing."},
        {"id": f"ingest-{run}-2", "text": "Le ministre a rencontré son homologue à Paris."},
    ]
    body = orjson.dumps(good)

    assert post(url, body, None)[0] == 401
    status, answer = post(url, body, "not-the-token")
    assert (status, answer["error"]) == (401, "unauthorized")

    never = {"id": f"ingest-{run}-never", "text": "valid, but in a refused batch"}
    status, answer = post(url, orjson.dumps([never, {"id": f"ingest-{run}-bad"}]), INGEST_TOKEN)
    assert status == 400 and answer["error"] == "invalid_articles"
    assert answer["problems"] == [
        {
            "index": 1,
            "id": f"ingest-{run}-bad",
            "reason": "schema_violation",
            "message": "(document): 'text' is a required property",
        }
    ]
    assert post(url, b"{not json", INGEST_TOKEN)[1]["error"] == "not_json"

    status, answer = post(url, body, INGEST_TOKEN)
    assert (status, answer) == (202, {"accepted": 2, "topic": worker.topics.raw})
    single = {"id": f"ingest-{run}-3", "text": "Iran and the IAEA resumed talks in Vienna."}
    assert post(url, orjson.dumps(single), INGEST_TOKEN)[0] == 202

    ids = {a["id"] for a in [*good, single]}
    enriched = worker.collect(worker.topics.enriched, lambda d: ids <= {x["id"] for x in d})
    ours = {d["id"]: d for d in enriched if d["id"] in ids}
    assert ours[f"ingest-{run}-2"]["lang"] == "fr"
    assert {e["name"] for e in ours[f"ingest-{run}-1"]["entities"]} >= {"China", "Russia"}
    raw_ids = [a.get("id") for a in everything_on(worker, worker.topics.raw)]
    assert sorted(i for i in raw_ids if str(i).startswith(f"ingest-{run}")) == sorted(ids)


def test_replay_sends_the_good_lines_and_reports_the_bad(worker: Worker, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    good = [orjson.dumps({"id": f"replay-{run}-{n}", "text": f"Story {n}."}) for n in range(3)]
    lines = [good[0], b"{oops", good[1], b'{"id": "no-text"}', b"", good[2]]
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    result = newsmon(worker, tmp_path, "replay", str(path), "--rate", "20")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{path}: read 5 lines, sent 3 to {worker.topics.raw}, rejected 2 "
        "(not_json 1, schema_violation 1)",
        f"  line 2: not_json: invalid JSON: {_json_error(b'{oops')}",
        "  line 4: schema_violation: (document): 'text' is a required property",
    ]
    raw_ids = [a.get("id") for a in everything_on(worker, worker.topics.raw)]
    assert sorted(i for i in raw_ids if str(i).startswith(f"replay-{run}")) == [
        f"replay-{run}-0",
        f"replay-{run}-1",
        f"replay-{run}-2",
    ]


def _json_error(data: bytes) -> str:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return str(exc)
    raise AssertionError("valid JSON")
