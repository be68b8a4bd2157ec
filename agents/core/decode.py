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
MAX_DEPTH = 64  # nesting deeper than this is no article; orjson cannot write it back past 255


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
    # a value nested past MAX_DEPTH sits inside MAX_DEPTH containers, each opened by a bracket
    # somewhere in the bytes: fewer brackets than that (rule matches, most articles) need no walk
    brackets = data.count(b"{") + data.count(b"[")
    if brackets >= MAX_DEPTH and _deeper_than(document, MAX_DEPTH):
        return Rejection("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels")
    return document


def _deeper_than(document: Any, limit: int) -> bool:
    """Level by level and iterative, so a hostile document cannot exhaust the Python stack
    either; only containers are queued, as scalars cannot nest (a rule match holds hundreds of
    scalars, and queueing each one made this check most of the alert stage's cost)."""
    level = [document] if isinstance(document, dict | list) else []
    for depth in range(1, limit + 1):  # ``level``: the containers at ``depth``
        below: list[Any] = []
        for container in level:
            children = container.values() if isinstance(container, dict) else container
            if depth == limit and children:
                return True  # a child at depth limit + 1
            below += [child for child in children if isinstance(child, dict | list)]
        if not below:
            return False
        level = below
    return False


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
