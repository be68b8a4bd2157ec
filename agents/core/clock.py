"""Timestamps in one format everywhere: ISO 8601, UTC, millisecond precision."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return iso_from_millis(int(datetime.now(UTC).timestamp() * 1000))


def iso_from_millis(millis: int) -> str:
    moment = datetime.fromtimestamp(millis / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
