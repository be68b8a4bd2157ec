"""Turning the bytes of a raw-article message into an article, or into a stated rejection.

Bad input is data, not a crash: every way a message can be unusable has a stable reason code,
which the dead-letter record and the batch command's stderr both carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from agents.core.schemas import first_error

DEFAULT_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Rejection:
    reason: str
    message: str


def decode_json_object(
    data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any] | Rejection:
    if not data or not data.strip():
        return Rejection("empty", "message is empty")
    if len(data) > max_bytes:
        return Rejection("too_large", f"message is {len(data)} bytes, limit is {max_bytes}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Rejection("not_json", f"invalid JSON: {exc}")
    if not isinstance(document, dict):
        return Rejection("not_object", f"expected a JSON object, got {type(document).__name__}")
    return document


def decode_article(
    data: bytes, schema: str = "raw_article.v1", max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any] | Rejection:
    """Decode and validate one message against ``schema``."""
    document = decode_json_object(data, max_bytes)
    if isinstance(document, Rejection):
        return document
    problem = first_error(schema, document)
    if problem is not None:
        return Rejection("schema_violation", problem)
    return document
