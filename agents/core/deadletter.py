"""Dead-letter records: the original bytes, where they came from, and why they were refused."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from agents.core.clock import iso_from_millis, now_iso

DEAD_LETTER_SCHEMA = "dead_letter.v1"
# Originals up to this size travel whole (base64 makes them 4/3 larger, which still fits the
# 64 MiB topics newsmon creates); a larger one keeps its head, its size and its SHA-256, and
# its source offset says where the whole of it is.
MAX_ORIGINAL_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class SourceRecord:
    """One consumed Kafka record, as the core sees it (no client types leak in)."""

    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None = None
    timestamp_ms: int | None = None

    @property
    def timestamp_iso(self) -> str | None:
        return iso_from_millis(self.timestamp_ms) if self.timestamp_ms else None


def dead_letter(
    record: SourceRecord,
    stage: str,
    reason: str,
    message: str,
    max_original: int = MAX_ORIGINAL_BYTES,
) -> dict[str, Any]:
    letter = {
        "schema": DEAD_LETTER_SCHEMA,
        "reason": reason,
        "message": message,
        "stage": stage,
        "source": {
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "timestamp": record.timestamp_iso,
            "key_base64": base64.b64encode(record.key).decode() if record.key is not None else None,
        },
        "original_base64": base64.b64encode(record.value[:max_original]).decode(),
        "failed_at": now_iso(),
    }
    if len(record.value) > max_original:
        letter["original_truncated"] = {
            "bytes": len(record.value),
            "sha256": hashlib.sha256(record.value).hexdigest(),
        }
    return letter
