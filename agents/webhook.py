"""Webhook delivery: POST the alert JSON, signed, with retries and back-off.

A receiver that answers 2xx has the alert. Network errors, timeouts, 408, 429 and 5xx are tried
again after 0.5 s, 1 s, 2 s, ... ; other 4xx answers are final. What still fails goes to the
webhook dead-letter topic with the alert's bytes and the last reason, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

import aiohttp

from agents.core.rules import Webhook
from agents.core.signing import signature_headers

log = logging.getLogger(__name__)
RETRYABLE = {408, 425, 429}


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    reason: str = ""


async def deliver(
    session: aiohttp.ClientSession,
    hook: Webhook,
    body: bytes,
    alert_id: str,
    revision: int,
    attempts: int = 5,
    first_delay: float = 0.5,
    timeout: float = 10.0,
) -> DeliveryResult:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "newsmon-webhook/1",
        "X-Newsmon-Alert-Id": alert_id,
        "X-Newsmon-Revision": str(revision),
    }
    if hook.secret_env:
        secret = os.environ.get(hook.secret_env)
        if not secret:
            return DeliveryResult(False, 0, f"environment variable {hook.secret_env} is not set")
    reason = ""
    for attempt in range(1, attempts + 1):
        if hook.secret_env:  # sign each attempt afresh: the timestamp is part of the signature
            headers.update(signature_headers(os.environ[hook.secret_env].encode(), body))
        try:
            async with session.post(
                hook.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                if 200 <= response.status < 300:
                    return DeliveryResult(True, attempt)
                reason = f"HTTP {response.status}"
                if response.status < 500 and response.status not in RETRYABLE:
                    return DeliveryResult(False, attempt, reason)
        except (aiohttp.ClientError, TimeoutError) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
        if attempt < attempts:
            log.info("webhook retry alert=%s attempt=%d reason=%s", alert_id, attempt, reason)
            await asyncio.sleep(first_delay * 2 ** (attempt - 1))
    return DeliveryResult(False, attempts, reason)
