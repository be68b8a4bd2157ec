"""The feed poller's pure parts: canonical URLs, dedup keys, back-off, the feed file, mapping."""

from __future__ import annotations

import pytest

from agents.core.schemas import first_error
from agents.errors import ConfigError, ConfigErrors
from agents.ingest.backoff import Schedule, backoff_delay
from agents.ingest.feedconfig import DEFAULT_FEEDS, load_feeds, parse_feeds
from agents.ingest.feeds import FeedParseError, html_to_text, parse_feed
from agents.ingest.keys import article_id, canonical_url, content_hash
from agents.ingest.mapping import MIN_TEXT_CHARS, Skip, Text, choose_text, to_article
from tests.unit.test_feeds_site import atom, rss


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://News.Example.COM/a/b/", "https://news.example.com/a/b"),
        (
            "HTTPS://news.example.com:443/a?utm_source=rss&utm_medium=x",
            "https://news.example.com/a",
        ),
        ("http://news.example.com:8080/a#comments", "http://news.example.com:8080/a"),
        ("https://x.org/a?b=2&a=1&fbclid=zz&UTM_Campaign=q", "https://x.org/a?a=1&b=2"),
        ("https://x.org", "https://x.org/"),
        ("https://x.org/?", "https://x.org/"),
        ("https://x.org/search?q=", "https://x.org/search?q="),
        ("https://[2001:DB8::1]/a/", "https://[2001:db8::1]/a"),
        ("  https://x.org/Path/Case  ", "https://x.org/Path/Case"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_article_id_and_content_hash_are_stable_keys() -> None:
    a = canonical_url("https://x.org/story?utm_source=a")
    assert article_id(a) == article_id(canonical_url("https://X.org/story/#top"))
    assert article_id(a).startswith("url:") and len(article_id(a)) == 36
    assert content_hash("China and\n Russia  talk.") == content_hash("china AND russia talk.")
    assert content_hash("China and Russia talk.") != content_hash("China and Iran talk.")


def test_backoff_doubles_per_failure_up_to_the_cap_and_resets_on_success() -> None:
    assert [backoff_delay(60, n, 600) for n in range(6)] == [60, 120, 240, 480, 600, 600]
    assert backoff_delay(900, 3, 300) == 900  # a cap below the interval never polls sooner
    schedule = Schedule(interval=60, cap=600)
    assert schedule.failed(1000) == 1120
    assert schedule.failed(1120) == 1360
    assert schedule.succeeded(1400) == 1460 and schedule.failures == 0


def test_the_shipped_feed_file_is_valid() -> None:
    feeds = load_feeds(DEFAULT_FEEDS)
    assert feeds and all(f.url.startswith("https://") for f in feeds)
    assert "aljazeera" not in {f.name for f in feeds}  # enabled: false


def test_feed_file_defaults_and_overrides() -> None:
    text = """
defaults: {interval: 5m, timeout: 10s}
feeds:
  - {name: a, url: 'https://a.example/rss', lang: en, source: A News}
  - {name: b, url: 'https://b.example/atom', interval: 1h, timeout: 2.5}
"""
    a, b = parse_feeds("f.yaml", text)
    assert (a.interval, a.timeout, a.lang, a.source, a.line) == (300, 10, "en", "A News", 4)
    assert (b.interval, b.timeout, b.max_backoff) == (3600, 2.5, 21600)


def test_every_mistake_in_the_feed_file_is_reported_with_its_line() -> None:
    text = """defaults:
  interval: soon
feeds:
  - name: a
    url: ftp://a.example/rss
    colour: red
  - url: https://b.example/rss
  - name: a
    url: https://c.example/rss
    enabled: maybe
"""
    with pytest.raises(ConfigErrors) as caught:
        parse_feeds("feeds.yaml", text)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "feeds.yaml:2: [defaults field 'interval'] expected a positive duration "
        "(90s, 15m, 1h), got 'soon'",
        "feeds.yaml:6: [feed 'a'] unknown field 'colour'; known: ('name', 'url', 'source', "
        "'lang', 'enabled', 'interval', 'timeout', 'max_backoff')",
        "feeds.yaml:5: [feed 'a' field 'url'] not an http(s) URL: 'ftp://a.example/rss'",
        "feeds.yaml:7: [feed 2] missing required field 'name'",
        "feeds.yaml:10: [feed 'a' field 'enabled'] expected true or false",
        "feeds.yaml:8: [feed 'a'] duplicate feed name",
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("feeds: [{name: a, url: !!python/object:os.system x}]", "feeds.yaml:1: [yaml] tag"),
        ("feeds: [name: a\n", "feeds.yaml:2: [yaml]"),
        ("- just a list", "feeds.yaml:1: [file] expected a mapping"),
        ("defaults: {}", "feeds.yaml:1: [file] 'feeds' must be a list"),
    ],
)
def test_unsafe_or_malformed_yaml_stops_with_the_place(text: str, where: str) -> None:
    with pytest.raises((ConfigError, ConfigErrors)) as caught:
        parse_feeds("feeds.yaml", text)
    assert str(caught.value).startswith(where)


def test_rss_and_atom_become_feed_items() -> None:
    courier = parse_feed(rss("http://site.test"), "http://site.test/rss.xml")
    assert (courier.title, courier.lang, len(courier.items)) == ("Calden Courier", "en-gb", 5)
    first = courier.items[0]
    assert first.link == "http://site.test/world/harbour-reopens?utm_source=rss"
    assert first.published_at == "2025-06-03T07:30:00Z"
    assert courier.items[2].summary.startswith("Marine biologists")  # HTML stripped

    rundschau = parse_feed(atom("http://site.test"), "http://site.test/atom.xml")
    assert rundschau.lang == "de"
    assert rundschau.items[0].link == "http://site.test/de/wahl-ergebnis"  # resolved
    assert rundschau.items[0].published_at == "2025-06-02T20:00:00Z"


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Half',
        b"\x00\x01 not xml <<<",
        b"<html><body><p>A web page, not a feed</p></body></html>",
    ],
)
def test_what_is_no_feed_is_refused(document: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(document, "http://site.test/feed")


def test_html_to_text() -> None:
    assert (
        html_to_text("<p>Tom &amp; Jerry<br/>\n  met <b>today</b></p>") == "Tom & Jerry met today"
    )


def test_choose_text_prefers_the_page_then_a_substantial_summary() -> None:
    long_text, long_summary = "p" * MIN_TEXT_CHARS, "s" * MIN_TEXT_CHARS
    assert choose_text(long_text, long_summary) == Text(long_text, "page")
    assert choose_text("teaser", long_summary) == Text(long_summary, "summary")
    assert choose_text(None, long_summary) == Text(long_summary, "summary")
    skipped = choose_text("teaser", "short")
    assert isinstance(skipped, Skip) and skipped.reason == "no_text"
    assert "6 chars" in skipped.detail and "5 chars" in skipped.detail


def test_an_item_maps_to_a_valid_raw_article() -> None:
    item = parse_feed(rss("http://site.test"), "http://site.test/rss.xml").items[0]
    url = canonical_url(str(item.link))
    article = to_article(item, url, "The harbour reopened.", "en", "Calden Courier")
    assert first_error("raw_article.v1", article) is None
    assert article == {
        "id": article_id(url),
        "text": "The harbour reopened.",
        "title": "Port Calden harbour reopens after storm",
        "url": "http://site.test/world/harbour-reopens",
        "source": "Calden Courier",
        "published_at": "2025-06-03T07:30:00Z",
        "lang": "en",
    }
    unknown = to_article(item, url, "x", "und", None)
    assert unknown["lang"] is None and unknown["source"] == "site.test"
