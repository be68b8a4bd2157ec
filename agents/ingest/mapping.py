"""A feed item (and its page's text) to a raw_article.v1 message, or a stated reason to skip it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agents.ingest.feeds import FeedItem
from agents.ingest.keys import article_id

# Below this many characters an extraction is a teaser or a cookie banner, not an article.
MIN_TEXT_CHARS = 200


@dataclass(frozen=True)
class Skip:
    reason: str  # stable code, counted per feed: no_link, no_text, page_unavailable, ...
    detail: str


@dataclass(frozen=True)
class Text:
    text: str
    origin: str  # "page" or "summary"


def choose_text(page_text: str | None, summary: str) -> Text | Skip:
    """The page's main text when there is enough of it, else a substantial feed summary."""
    if page_text and len(page_text) >= MIN_TEXT_CHARS:
        return Text(page_text, "page")
    if len(summary) >= MIN_TEXT_CHARS:
        return Text(summary, "summary")
    found = len(page_text or "")
    return Skip(
        "no_text", f"page text {found} chars, summary {len(summary)} chars (< {MIN_TEXT_CHARS})"
    )


def to_article(
    item: FeedItem, canonical: str, text: str, lang: str, source: str | None
) -> dict[str, Any]:
    """The raw article; its id derives from the canonical URL, so a re-poll gives the same id."""
    article: dict[str, Any] = {
        "id": article_id(canonical),
        "text": text,
        "title": item.title,
        "url": canonical,
        "source": source or urlsplit(canonical).hostname,
        "published_at": item.published_at,
        "lang": lang if lang != "und" else None,
    }
    return article
