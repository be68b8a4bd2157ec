"""HTTP GET for feeds and pages (aiohttp): conditional requests, a timeout, a size cap.

Every way a fetch can fail becomes a FetchError that says whether trying again later can help
(a timeout, a 503) or not (a 404), so the poller knows whether to remember the item as done.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

USER_AGENT = "newsmon/0.1 (news monitor feed poller)"
MAX_BYTES = 10_000_000


class FetchError(Exception):
    def __init__(self, reason: str, transient: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class Fetched:
    status: int  # 200 or 304
    body: bytes
    url: str  # after redirects
    content_type: str | None
    etag: str | None
    last_modified: str | None


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    timeout: float,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(timeout):
            async with session.get(url, headers=headers, allow_redirects=True) as response:
                if response.status not in (200, 304):
                    raise FetchError(
                        f"HTTP {response.status}", _transient(response.status), response.status
                    )
                body = await _read(response, max_bytes) if response.status == 200 else b""
                return Fetched(
                    response.status,
                    body,
                    str(response.url),
                    response.headers.get("Content-Type"),
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
    except TimeoutError:
        raise FetchError(f"timed out after {timeout:g}s", transient=True) from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", transient=True) from None


def _transient(status: int) -> bool:
    return status >= 500 or status in (408, 429)


async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    if (response.content_length or 0) > max_bytes:
        raise FetchError(f"body over {max_bytes} bytes", transient=False)
    body = await response.content.read(max_bytes + 1)
    while len(body) <= max_bytes and not response.content.at_eof():
        body += await response.content.read(max_bytes + 1 - len(body))
    if len(body) > max_bytes:
        raise FetchError(f"body over {max_bytes} bytes", transient=False)
    return body
