"""The feed poller: each feed on its own schedule, each failure confined to its feed.

One poll of a feed: a conditional GET; the items not handled before (by canonical URL); their
pages fetched (a few at a time) and their main text extracted; texts already sent under another
URL dropped (content hash); the rest checked against raw_article.v1 and sent; and only once the
broker has acknowledged them, the URLs, hashes and the feed's ETag / Last-Modified remembered.
An item whose page failed transiently is not remembered, and the feed's validators are then
not saved either, so the next poll fetches the feed in full and tries that item again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import aiohttp
import orjson

from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.ingest.backoff import Schedule
from agents.ingest.extract import extract_main_text
from agents.ingest.feedconfig import FeedSpec
from agents.ingest.feeds import FeedItem, FeedParseError, ParsedFeed, parse_feed
from agents.ingest.fetch import USER_AGENT, Fetched, FetchError, fetch
from agents.ingest.keys import canonical_url, content_hash
from agents.ingest.mapping import Skip, choose_text, to_article
from agents.ingest.sink import Message, Sink
from agents.ingest.state import Handled, SeenStore

log = logging.getLogger(__name__)
Detect = Callable[[str, str | None], str]


def detect_lang(text: str, hint: str | None) -> str:
    from agents.core.langid import detect_language

    return detect_language(text, hint).lang


@dataclass
class FeedReport:
    feed: str
    status: str  # ok | not_modified | failed
    sent: int = 0
    from_summary: int = 0  # of those sent, how many carry the feed's summary, not the page's text
    seen: int = 0  # handled at an earlier poll (or by another feed)
    duplicates: int = 0  # the same text as an article already sent
    retry: int = 0  # page failed transiently: tried again at the next poll
    skipped: Counter[str] = field(default_factory=Counter)
    error: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.feed}: failed ({self.error})"
        if self.status == "not_modified":
            return f"{self.feed}: not modified"
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(self.skipped.items()))
        return (
            f"{self.feed}: sent {self.sent} (from summary {self.from_summary}), "
            f"already seen {self.seen}, duplicate text {self.duplicates}, "
            f"retry later {self.retry}, skipped {sum(self.skipped.values())}"
            + (f" ({skipped})" if skipped else "")
        )


@dataclass(frozen=True)
class _Candidate:
    item: FeedItem
    link: str  # absolute, as the feed gives it (fetched as is)
    canonical: str


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})


class FeedPoller:
    def __init__(
        self,
        store: SeenStore,
        sink: Sink,
        detect: Detect = detect_lang,
        max_article_bytes: int = DEFAULT_MAX_BYTES,
        page_concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.sink = sink
        self.detect = detect
        self.max_article_bytes = max_article_bytes
        self.page_concurrency = page_concurrency
        self.clock = clock
        self._claimed: set[str] = set()  # URLs and hashes a poll in progress is handling

    async def run_once(self, specs: Sequence[FeedSpec]) -> list[FeedReport]:
        async with new_session() as session:
            return list(await asyncio.gather(*(self.poll(session, spec) for spec in specs)))

    async def run(self, specs: Sequence[FeedSpec], stop: asyncio.Event) -> None:
        async with new_session() as session:
            await asyncio.gather(*(self._follow(session, spec, stop) for spec in specs))

    async def _follow(
        self, session: aiohttp.ClientSession, spec: FeedSpec, stop: asyncio.Event
    ) -> None:
        schedule = Schedule(spec.interval, spec.max_backoff)
        while not stop.is_set():
            report = await self.poll(session, spec)
            now = self.clock()
            due = schedule.failed(now) if report.status == "failed" else schedule.succeeded(now)
            log.info("feed polled %s; next in %.0fs", report.line(), due - now)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, due - self.clock()))

    async def poll(self, session: aiohttp.ClientSession, spec: FeedSpec) -> FeedReport:
        """Never raises: a failing feed is reported, and the other feeds go on."""
        try:
            return await self._poll(session, spec)
        except (FetchError, FeedParseError) as exc:
            log.warning("feed failed feed=%s url=%s reason=%s", spec.name, spec.url, exc)
            return FeedReport(spec.name, "failed", error=str(exc))
        except Exception as exc:  # the broker, or a bug: this feed fails, not the poller
            log.exception("feed failed feed=%s url=%s", spec.name, spec.url)
            return FeedReport(spec.name, "failed", error=f"{type(exc).__name__}: {exc}")

    async def _poll(self, session: aiohttp.ClientSession, spec: FeedSpec) -> FeedReport:
        etag, modified = self.store.validators(spec.url)
        response = await fetch(session, spec.url, spec.timeout, etag, modified)
        if response.status == 304:
            return FeedReport(spec.name, "not_modified")
        feed = parse_feed(response.body, response.url, response.content_type)
        if feed.malformed:
            log.warning("feed malformed feed=%s url=%s: %s", spec.name, spec.url, feed.malformed)
        report = FeedReport(spec.name, "ok")
        candidates = self._candidates(feed, response.url, report)
        hashes: set[str] = set()  # texts this poll sends, claimed against concurrent polls
        try:
            messages, handled = await self._articles(
                session, spec, feed, candidates, hashes, report
            )
            if messages:
                await asyncio.to_thread(self.sink.send, messages)
            self.store.remember(handled)
        finally:
            self._claimed.difference_update(c.canonical for c in candidates)
            self._claimed.difference_update(hashes)
        if report.retry == 0:
            self.store.save_validators(spec.url, response.etag, response.last_modified)
        return report

    def _candidates(self, feed: ParsedFeed, base: str, report: FeedReport) -> list[_Candidate]:
        fresh: list[_Candidate] = []
        for item in feed.items:
            link = urljoin(base, item.link) if item.link else None
            if link is None or urlsplit(link).scheme not in ("http", "https"):
                report.skipped["no_link"] += 1
                continue
            canonical = canonical_url(link)
            if canonical in self._claimed or self.store.seen_url(canonical):
                report.seen += 1
                continue
            self._claimed.add(canonical)
            fresh.append(_Candidate(item, link, canonical))
        return fresh

    async def _articles(
        self,
        session: aiohttp.ClientSession,
        spec: FeedSpec,
        feed: ParsedFeed,
        candidates: list[_Candidate],
        hashes: set[str],
        report: FeedReport,
    ) -> tuple[list[Message], list[Handled]]:
        gate = asyncio.Semaphore(self.page_concurrency)

        async def page(candidate: _Candidate) -> Fetched | FetchError:
            async with gate:
                try:
                    return await fetch(session, candidate.link, spec.timeout)
                except FetchError as exc:
                    return exc

        pages = await asyncio.gather(*(page(c) for c in candidates))
        messages: list[Message] = []
        handled: list[Handled] = []
        for candidate, fetched in zip(candidates, pages, strict=True):
            outcome = await self._article(spec, feed, candidate, fetched, hashes, report)
            if isinstance(outcome, Handled):
                handled.append(outcome)
            elif outcome is not None:
                messages.append(outcome[0])
                handled.append(outcome[1])
        return messages, handled

    async def _article(
        self,
        spec: FeedSpec,
        feed: ParsedFeed,
        candidate: _Candidate,
        fetched: Fetched | FetchError,
        hashes: set[str],
        report: FeedReport,
    ) -> tuple[Message, Handled] | Handled | None:
        """The message for one item, or what to remember of it (None: nothing, try again)."""
        url = candidate.canonical
        if isinstance(fetched, FetchError) and fetched.transient:
            report.retry += 1
            log.info("page failed feed=%s url=%s reason=%s (retry)", spec.name, url, fetched)
            return None
        page_text = None
        if isinstance(fetched, Fetched):
            page_text = await asyncio.to_thread(extract_main_text, fetched.body, fetched.url)
        choice = choose_text(page_text, candidate.item.summary)
        if isinstance(choice, Skip):
            reason = "page_unavailable" if isinstance(fetched, FetchError) else choice.reason
            detail = str(fetched) if isinstance(fetched, FetchError) else choice.detail
            return self._skip(spec, url, reason, detail, report)
        digest = content_hash(choice.text)
        if digest in self._claimed or self.store.seen_hash(digest):
            report.duplicates += 1
            log.info("item duplicate text feed=%s url=%s", spec.name, url)
            return Handled(url, digest, "duplicate_text")
        hint = spec.lang or candidate.item.lang or feed.lang
        lang = self.detect(choice.text, hint)
        article = to_article(candidate.item, url, choice.text, lang, spec.source or feed.title)
        data = orjson.dumps(article)
        checked = decode_article(data, max_bytes=self.max_article_bytes)
        if isinstance(checked, Rejection):
            return self._skip(spec, url, checked.reason, checked.message, report)
        hashes.add(digest)
        self._claimed.add(digest)
        report.sent += 1
        report.from_summary += choice.origin == "summary"
        return (article["id"].encode(), data), Handled(url, digest, "sent")

    def _skip(
        self, spec: FeedSpec, url: str, reason: str, detail: str, report: FeedReport
    ) -> Handled:
        report.skipped[reason] += 1
        log.info("item skipped feed=%s url=%s reason=%s detail=%s", spec.name, url, reason, detail)
        return Handled(url, None, reason)
