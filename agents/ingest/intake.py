"""Checking a POST /ingest request, apart from the web server: the token, the size, the articles.

All or nothing: a batch with one bad article is refused whole (400, naming each bad item by
index and id, and what is wrong), so a client fixes it and sends the batch again without
working out which half went through.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

import orjson

from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.ingest.sink import Message

MAX_PROBLEMS = 20  # listed in a 400 answer; the count says how many there were in all


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 8_000_000
    max_items: int = 1000
    max_article_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Answer:
    """An HTTP answer that ends the request before anything is produced."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, **extra: Any) -> Answer:
    return Answer(status, {"error": code, "message": message, **extra})


def authorize(token: str | None, authorization: str | None) -> Answer | None:
    """None when the request may go on. Without a configured token the endpoint is closed:
    an ingest that anyone on the network can write to is never the default."""
    if not token:
        return error(503, "ingest_disabled", "ingest disabled: NEWSMON_INGEST_TOKEN is not set")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        answer = error(401, "unauthorized", "missing or wrong bearer token")
        return Answer(answer.status, answer.body, {"WWW-Authenticate": 'Bearer realm="newsmon"'})
    return None


def too_large(limits: Limits) -> Answer:
    return error(413, "too_large", f"request body over {limits.max_body_bytes} bytes")


def check_batch(body: bytes, limits: Limits) -> list[Message] | Answer:
    """The (key, value) messages to produce, or the 4xx answer saying what is wrong."""
    if len(body) > limits.max_body_bytes:
        return too_large(limits)
    if not body.strip():
        return error(400, "empty", "request body is empty")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return error(400, "not_json", f"request body is not JSON: {exc}")
    items = document if isinstance(document, list) else [document]
    if not isinstance(document, (list, dict)) or not items:
        return error(400, "not_articles", "expected an article object or a non-empty array")
    if len(items) > limits.max_items:
        count = f"{len(items)} articles; at most {limits.max_items} a request"
        return error(413, "too_many", count)
    return _articles(items, limits.max_article_bytes)


def _articles(items: list[Any], max_bytes: int) -> list[Message] | Answer:
    messages: list[Message] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        data = orjson.dumps(item)
        checked = decode_article(data, max_bytes=max_bytes)
        if isinstance(checked, Rejection):
            identity = item.get("id") if isinstance(item, dict) else None
            problem = {"index": index, "id": identity, "reason": checked.reason}
            problems.append({**problem, "message": checked.message})
        else:
            messages.append((str(checked["id"]).encode(), data))
    if problems:
        return error(
            400,
            "invalid_articles",
            f"{len(problems)} of {len(items)} articles invalid; none accepted",
            invalid=len(problems),
            problems=problems[:MAX_PROBLEMS],
        )
    return messages
