"""RSS and Atom documents to plain feed items (feedparser; no network: it is given the bytes).

feedparser forgives a lot, which is what readers want; a document from which no linked item can
be recovered is refused with the parser's complaint, so the poll counts as a failure.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

_TAG = re.compile(r"<[^>]+>")


class FeedParseError(Exception):
    """The document is not a usable RSS or Atom feed."""


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    title: str | None
    summary: str  # plain text ("" when the feed gives none)
    published_at: str | None  # RFC 3339, UTC
    lang: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    lang: str | None
    items: tuple[FeedItem, ...]
    malformed: str | None = None  # the parser's complaint when it recovered items anyway


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers)
    complaint = (str(parsed.get("bozo_exception", "")) or "malformed") if parsed.bozo else None
    items = tuple(_item(entry) for entry in parsed.entries)
    if complaint and not any(item.link for item in items):
        raise FeedParseError(f"malformed feed: {complaint}")
    if not parsed.version and not items:
        raise FeedParseError("not an RSS or Atom feed")
    feed = parsed.feed
    return ParsedFeed(_clean(feed.get("title")), _lang(feed.get("language")), items, complaint)


def _item(entry: Any) -> FeedItem:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    detail = entry.get("summary_detail") or {}
    return FeedItem(
        link=(entry.get("link") or "").strip() or None,
        title=_clean(entry.get("title")),
        summary=html_to_text(summary),
        published_at=_timestamp(entry.get("published_parsed") or entry.get("updated_parsed")),
        lang=_lang(detail.get("language")),
    )


def html_to_text(fragment: str) -> str:
    """Feed summaries are HTML fragments: drop the tags, resolve entities, fold whitespace."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _clean(value: Any) -> str | None:
    text = html_to_text(value) if isinstance(value, str) else ""
    return text or None


def _lang(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _timestamp(parsed: Any) -> str | None:
    if not parsed:
        return None
    moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
