"""A small news site on a free local port, for the feed poller's tests (unit and integration).

Two outlets written for these tests: the "Calden Courier" (RSS 2.0, ETag) and the
"Rundschau Nord" (Atom, Last-Modified, relative links), plus the Hindi sample article
(config/samples) as a page; and the ways feeds go wrong: broken XML, a 404, a slow feed, a page
with no article text, a page that is gone, a copy of one story under another URL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import orjson
import pytest

from tests.conftest import HINDI_SAMPLE

SLOW_SECONDS = 12.0  # far past the 2 s timeout, so a loaded machine cannot blur the two
LAST_MODIFIED = formatdate(1_750_000_000, usegmt=True)

HARBOUR = [
    "The harbour of Port Calden reopened to shipping on Tuesday morning, four days after the "
    "storm that tore two cranes from their rails and sank a pilot boat at its mooring.",
    "Harbour master Ines Varga said divers had checked the approach channel overnight and found "
    "it clear to a depth of eleven metres, enough for the container feeders that call each week.",
    "Fishing crews, who had waited out the closure on the quay, were the first to leave. The "
    "town council has promised compensation for the lost days once the insurers have reported.",
]
GRAIN = [
    "Negotiators from Turkey, Ukraine and Russia met in Istanbul on Wednesday to revive the "
    "grain corridor across the Black Sea, the first such talks since the spring.",
    "Turkish officials said the sides discussed inspections of cargo ships and insurance for "
    "crews, while a Ukrainian delegate spoke of cautious progress on the list of ports.",
    "Wheat prices in Chicago fell slightly on the news. A second round is planned next month.",
]
WAHL = [
    "Bei der Bürgermeisterwahl in Nordhafen hat die amtierende Bürgermeisterin Katrin Albers "
    "am Sonntag knapp die Mehrheit verteidigt. Sie erhielt nach dem vorläufigen Ergebnis 50,8 "
    "Prozent der Stimmen, die Wahlbeteiligung lag bei 61 Prozent.",
    "Albers kündigte an, den Ausbau des Hafens und der Stadtbahn fortzusetzen. Ihr Herausforderer "
    "gratulierte noch am Abend und sprach von einem fairen Wahlkampf.",
]
REEF_SUMMARY = (
    "Marine biologists from the Calden institute have finished a three-week survey of the outer "
    "reef and counted fewer bleached corals than last year. The team credits a cooler summer and "
    "the new mooring buoys, which keep anchors off the reef; the full survey appears in October."
)


def hindi_sample() -> dict[str, str]:
    return orjson.loads(HINDI_SAMPLE.read_bytes().splitlines()[0])


def article_page(title: str, paragraphs: list[str], lang: str = "en") -> bytes:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/business">Business</a>
 | <a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{escape(title)}</h1><p class="byline">By our correspondent</p>
{body}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/x">Tide tables</a></li></ul></aside>
<footer><p>© Calden Media. All rights reserved.</p></footer>
</body></html>""".encode()


APP_SHELL = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Loading</title>
<script src="/static/app.js"></script></head>
<body><div id="root"></div><noscript>Enable JavaScript.</noscript></body></html>"""


def rss(base: str) -> bytes:
    hindi = hindi_sample()
    items = [
        (
            "Port Calden harbour reopens after storm",
            f"{base}/world/harbour-reopens?utm_source=rss",
            "Shipping resumes four days after the storm.",
            "Tue, 03 Jun 2025 07:30:00 GMT",
        ),
        (
            "Grain corridor talks resume in Istanbul",
            f"{base}/business/grain-corridor",
            "Negotiators meet on the Black Sea corridor.",
            "Wed, 04 Jun 2025 12:00:00 GMT",
        ),
        (
            "Reef survey finds less bleaching",
            f"{base}/science/reef-survey",
            f"<p>{REEF_SUMMARY}</p>",
            "Wed, 04 Jun 2025 15:00:00 GMT",
        ),
        (
            "New app for tide tables",
            f"{base}/tech/app-shell#comments",
            "Try our app.",
            "Thu, 05 Jun 2025 09:00:00 GMT",
        ),
        (hindi["title"], f"{base}/hi/wang-yi-lavrov", "", "Thu, 05 Jun 2025 10:00:00 GMT"),
    ]
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<description>{escape(d)}</description><pubDate>{p}</pubDate>"
        f"<guid>{escape(link)}</guid></item>\n"
        for t, link, d, p in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Calden Courier</title><link>{base}/</link>
<description>News from Port Calden</description><language>en-gb</language>
{entries}</channel></rss>""".encode()


def atom(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Rundschau Nord</title><id>urn:rundschau-nord</id><updated>2025-06-05T10:00:00Z</updated>
  <link href="{base}/atom.xml" rel="self"/>
  <entry><title>Albers bleibt Bürgermeisterin</title><id>urn:r:1</id>
    <link href="/de/wahl-ergebnis"/><updated>2025-06-02T20:00:00Z</updated>
    <summary>Knappe Mehrheit in Nordhafen.</summary></entry>
  <entry><title>Getreidekorridor: Gespräche in Istanbul</title><id>urn:r:2</id>
    <link href="{base}/mirror/grain-corridor-copy"/><updated>2025-06-04T13:00:00Z</updated>
    <summary>Übernommen.</summary></entry>
  <entry><title>Hafen Port Calden wieder offen</title><id>urn:r:3</id>
    <link href="{base.upper()}/world/harbour-reopens/?utm_medium=feed&amp;utm_source=atom#top"/>
    <updated>2025-06-03T08:00:00Z</updated><summary>Übernommen.</summary></entry>
</feed>""".encode()


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0


@dataclass
class NewsSite:
    """The site's routes (editable by a test) and every request it was sent."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    conditional: bool = True  # False: a server that ignores If-None-Match / If-Modified-Since

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def feed_specs_yaml(self, timeout: str = "2s") -> str:
        names = ("calden-courier", "rundschau-nord", "broken", "missing", "slow")
        paths = ("/rss.xml", "/atom.xml", "/broken.xml", "/missing.xml", "/slow.xml")
        lines = [f"defaults: {{timeout: {timeout}, interval: 1m}}", "feeds:"]
        lines += [
            f"  - {{name: {n}, url: '{self.base}{p}'}}" for n, p in zip(names, paths, strict=True)
        ]
        return "\n".join(lines) + "\n"


def build_routes(base: str) -> dict[str, Route]:
    hindi = hindi_sample()
    xml = "application/xml; charset=utf-8"
    return {
        "/rss.xml": Route(rss(base), "application/rss+xml; charset=utf-8", etag='"courier-1"'),
        # a little late, so that the Courier's copies of shared stories are the originals
        "/atom.xml": Route(
            atom(base), "application/atom+xml", last_modified=LAST_MODIFIED, delay=0.3
        ),
        "/broken.xml": Route(
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Half</title><item><ti', xml
        ),
        "/slow.xml": Route(rss(base), xml, delay=SLOW_SECONDS),
        "/world/harbour-reopens": Route(article_page("Harbour reopens", HARBOUR)),
        "/business/grain-corridor": Route(article_page("Grain corridor talks", GRAIN)),
        "/mirror/grain-corridor-copy": Route(article_page("Getreidekorridor", GRAIN)),
        "/tech/app-shell": Route(APP_SHELL),
        "/de/wahl-ergebnis": Route(article_page("Albers bleibt", WAHL, "de")),
        "/hi/wang-yi-lavrov": Route(article_page(hindi["title"], hindi["text"].split("\n"), "hi")),
        # /science/reef-survey and /missing.xml are not routed: 404
    }


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers.items())))
            route = site.routes.get(self.path.split("?")[0])
            if route is None:
                self._answer(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
                return
            time.sleep(route.delay)
            if site.conditional and self._unchanged(route):
                self._answer(304, b"", None, route)
                return
            self._answer(route.status, route.body, route.content_type, route)

        def _unchanged(self, route: Route) -> bool:
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                return True
            since = self.headers.get("If-Modified-Since")
            return bool(route.last_modified and since == route.last_modified)

        def _answer(
            self, status: int, body: bytes, ctype: str | None, route: Route | None = None
        ) -> None:
            try:
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                if route and route.etag:
                    self.send_header("ETag", route.etag)
                if route and route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the slow feed)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the poller opens many connections at once; 5 would refuse some


def serve_site() -> Iterator[NewsSite]:
    site = NewsSite()
    server = _Server(("127.0.0.1", 0), _handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.routes = build_routes(site.base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    yield from serve_site()


def test_the_test_feeds_are_valid_rss_and_atom() -> None:
    base = "http://example.test"
    courier, rundschau = feedparser.parse(rss(base)), feedparser.parse(atom(base))
    assert (courier.bozo, courier.version, len(courier.entries)) == (False, "rss20", 5)
    assert (rundschau.bozo, rundschau.version, len(rundschau.entries)) == (False, "atom10", 3)
    assert feedparser.parse(build_routes(base)["/broken.xml"].body).bozo
