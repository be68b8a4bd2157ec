"""The feed poller against a real local HTTP server (tests/unit/test_feeds_site.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest

from agents.core.schemas import first_error
from agents.ingest.feedconfig import FeedSpec, parse_feeds
from agents.ingest.keys import article_id
from agents.ingest.poller import FeedPoller, FeedReport
from agents.ingest.sink import ListSink
from agents.ingest.state import SeenStore
from tests.unit.test_feeds_site import GRAIN, HARBOUR, REEF_SUMMARY, SLOW_SECONDS, NewsSite
from tests.unit.test_feeds_site import news_site as news_site  # the fixture

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


GOOD_FEEDS = ("calden-courier", "rundschau-nord")


def specs(site: NewsSite, names: tuple[str, ...] = GOOD_FEEDS) -> list[FeedSpec]:
    feeds = parse_feeds("test-feeds.yaml", site.feed_specs_yaml())
    return [spec for spec in feeds if spec.name in names]


def poll(
    site: NewsSite, state: Path, sink: ListSink, names: tuple[str, ...] = GOOD_FEEDS
) -> dict[str, FeedReport]:
    store = SeenStore(state)
    chosen = specs(site, names)
    try:
        reports = asyncio.run(FeedPoller(store, sink).run_once(chosen))
    finally:
        store.close()
    return {report.feed: report for report in reports}


def by_path(sink: ListSink, site: NewsSite) -> dict[str, dict]:
    articles = [orjson.loads(value) for _, value in sink.messages]
    return {a["url"].removeprefix(site.base): a for a in articles}


def test_one_poll_sends_each_story_once_and_isolates_failing_feeds(
    news_site: NewsSite, tmp_path: Path
) -> None:
    sink = ListSink()
    started = time.monotonic()
    everything = (*GOOD_FEEDS, "broken", "missing", "slow")
    reports = poll(news_site, tmp_path / "seen.sqlite3", sink, everything)
    elapsed = time.monotonic() - started

    courier, rundschau = reports["calden-courier"], reports["rundschau-nord"]
    assert (courier.status, courier.sent, courier.from_summary) == ("ok", 4, 1)
    assert dict(courier.skipped) == {"no_text": 1}
    assert (rundschau.status, rundschau.sent, rundschau.duplicates) == ("ok", 1, 1)
    assert rundschau.seen == 1  # the harbour story, linked with tracking parameters
    assert reports["broken"].status == "failed" and "malformed" in str(reports["broken"].error)
    assert (reports["missing"].status, reports["missing"].error) == ("failed", "HTTP 404")
    assert reports["slow"].status == "failed" and "timed out" in str(reports["slow"].error)
    assert elapsed < SLOW_SECONDS  # the slow feed's timeout was honoured, nobody waited for it

    articles = by_path(sink, news_site)
    assert sorted(articles) == [
        "/business/grain-corridor",
        "/de/wahl-ergebnis",
        "/hi/wang-yi-lavrov",
        "/science/reef-survey",
        "/world/harbour-reopens",
    ]
    for key, value in sink.messages:
        article = orjson.loads(value)
        assert first_error("raw_article.v1", article) is None
        assert key == article["id"].encode() == article_id(article["url"]).encode()
    assert {a["lang"] for a in articles.values()} == {"en", "de", "hi"}
    assert articles["/de/wahl-ergebnis"]["lang"] == "de"
    assert articles["/hi/wang-yi-lavrov"]["lang"] == "hi"
    harbour = articles["/world/harbour-reopens"]
    assert HARBOUR[1] in harbour["text"] and "Subscribe" not in harbour["text"]
    assert harbour["source"] == "Calden Courier"
    assert harbour["published_at"] == "2025-06-03T07:30:00Z"
    assert articles["/science/reef-survey"]["text"] == REEF_SUMMARY  # the page is gone: summary
    assert articles["/business/grain-corridor"]["text"].startswith(GRAIN[0][:40])


def test_a_repoll_uses_etag_and_last_modified_and_sends_nothing(
    news_site: NewsSite, tmp_path: Path
) -> None:
    state = tmp_path / "seen.sqlite3"
    poll(news_site, state, ListSink())
    news_site.requests.clear()

    again = ListSink()
    reports = poll(news_site, state, again)
    assert again.messages == []
    assert reports["calden-courier"].status == "not_modified"
    assert reports["rundschau-nord"].status == "not_modified"
    headers = dict(news_site.requests)
    assert headers["/rss.xml"]["If-None-Match"] == '"courier-1"'
    assert "If-Modified-Since" in headers["/atom.xml"]
    assert news_site.hits("/world/harbour-reopens") == 0  # no page fetched again


def test_a_server_ignoring_conditional_get_still_gives_no_duplicates_after_restart(
    news_site: NewsSite, tmp_path: Path
) -> None:
    state = tmp_path / "seen.sqlite3"
    first = ListSink()
    poll(news_site, state, first)  # each poll opens the store anew, as a restarted poller does
    news_site.conditional = False
    news_site.requests.clear()

    again = ListSink()
    reports = poll(news_site, state, again)
    assert again.messages == []
    assert reports["calden-courier"].status == "ok"
    assert reports["calden-courier"].seen == 5  # four sent and the page without text
    assert reports["rundschau-nord"].seen == 3
    assert [path for path, _ in news_site.requests if not path.endswith(".xml")] == []


def test_a_new_item_in_a_known_feed_is_the_only_one_sent(
    news_site: NewsSite, tmp_path: Path
) -> None:
    state = tmp_path / "seen.sqlite3"
    poll(news_site, state, ListSink())
    courier = news_site.routes["/rss.xml"]
    extra = (
        "<item><title>Ferry timetable changes</title>"
        f"<link>{news_site.base}/world/ferry</link><description>Summer timetable.</description>"
        "</item>"
    )
    courier.body = courier.body.replace(b"</channel>", extra.encode() + b"</channel>")
    courier.etag = '"courier-2"'
    news_site.routes["/world/ferry"] = news_site.routes["/world/harbour-reopens"].__class__(
        news_site.routes["/world/harbour-reopens"].body.replace(b"Port Calden", b"the ferry port")
    )
    again = ListSink()
    reports = poll(news_site, state, again)
    assert reports["calden-courier"].sent == 1
    assert list(by_path(again, news_site)) == ["/world/ferry"]


def test_a_page_that_fails_transiently_is_tried_again_at_the_next_poll(
    news_site: NewsSite, tmp_path: Path
) -> None:
    state = tmp_path / "seen.sqlite3"
    grain = news_site.routes["/business/grain-corridor"]
    grain.status = 503
    first = ListSink()
    reports = poll(news_site, state, first, ("calden-courier",))
    assert reports["calden-courier"].retry == 1
    assert "/business/grain-corridor" not in by_path(first, news_site)

    grain.status = 200
    again = ListSink()
    reports = poll(news_site, state, again, ("calden-courier",))  # no ETag kept: all read
    assert reports["calden-courier"].status == "ok"
    assert list(by_path(again, news_site)) == ["/business/grain-corridor"]


def test_a_failing_sink_remembers_nothing(news_site: NewsSite, tmp_path: Path) -> None:
    class Down:
        def send(self, messages: object) -> None:
            raise ConnectionError("broker down")

    state = tmp_path / "seen.sqlite3"
    store = SeenStore(state)
    reports = asyncio.run(FeedPoller(store, Down()).run_once(specs(news_site)))
    store.close()
    assert reports[0].status == "failed" and "broker down" in str(reports[0].error)
    retry = ListSink()
    assert poll(news_site, state, retry)["calden-courier"].sent == 4
