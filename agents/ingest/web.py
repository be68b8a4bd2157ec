"""POST /ingest on the worker's web server: checked articles to the raw topic, 202 with counts.

The checks are in ``intake`` (no web server needed to test them); here the body is read with a
cap, and the accepted articles are produced and awaited until the broker acknowledges them, so
a 202 means they are in Kafka.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import faust
from faust.web import View

from agents.ingest.intake import Answer, Limits, authorize, check_batch, error, too_large
from agents.settings import Settings

log = logging.getLogger(__name__)
TOKEN_ENV = "NEWSMON_INGEST_TOKEN"
MAX_BODY_ENV = "NEWSMON_INGEST_MAX_BYTES"


def register_ingest(
    app: faust.App,
    settings: Settings,
    raw_topic: faust.TopicT,
    token: str | None = None,
    limits: Limits | None = None,
) -> None:
    """Add POST /ingest to ``app``; the token comes from NEWSMON_INGEST_TOKEN unless given."""
    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    checks = limits or Limits(
        max_body_bytes=int(os.environ.get(MAX_BODY_ENV) or Limits.max_body_bytes),
        max_article_bytes=settings.max_message_bytes,
    )
    if not token:
        log.info("ingest disabled: %s is not set", TOKEN_ENV)

    @app.page("/ingest", name="ingest")
    class Ingest(View):
        async def post(self, request: Any, **kwargs: Any) -> Any:
            denied = authorize(token, request.headers.get("Authorization"))
            if denied is not None:
                return _respond(self, denied)
            body = await _read(request, checks.max_body_bytes)
            checked = too_large(checks) if body is None else check_batch(body, checks)
            if isinstance(checked, Answer):
                return _respond(self, checked)
            try:
                pending = [
                    await raw_topic.send(key=key, value=value, force=True) for key, value in checked
                ]
                await asyncio.gather(*pending)
            except Exception as exc:
                log.exception("ingest produce failed topic=%s", raw_topic.get_topic_name())
                return _respond(self, error(503, "broker_unavailable", str(exc)))
            log.info("ingest accepted=%d topic=%s", len(checked), raw_topic.get_topic_name())
            return self.json(
                {"accepted": len(checked), "topic": raw_topic.get_topic_name()}, status=202
            )


def _respond(view: View, answer: Answer) -> Any:
    return view.json(answer.body, status=answer.status, headers=answer.headers or None)


async def _read(request: Any, limit: int) -> bytes | None:
    """The body, or None past ``limit`` bytes (read no further than that)."""
    if (request.content_length or 0) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(65536):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
