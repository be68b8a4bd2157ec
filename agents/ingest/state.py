"""What the feed poller has already handled, kept in SQLite so a restart sends nothing twice.

Three facts: canonical URLs handled (sent, or skipped for good, with the outcome), content
hashes sent, and each feed's last ETag / Last-Modified for conditional GETs. Written only after
the broker acknowledged the articles (at-least-once, as the rest of the pipeline).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_urls (
    url TEXT PRIMARY KEY, content_hash TEXT, outcome TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen_hashes (content_hash TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (
    feed_url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT);
"""


@dataclass(frozen=True)
class Handled:
    url: str  # canonical
    content_hash: str | None
    outcome: str  # "sent" or the skip reason


class SeenStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript(_SCHEMA)

    def seen_url(self, url: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen_urls WHERE url = ?", (url,)).fetchone()
        return row is not None

    def seen_hash(self, content_hash: str) -> bool:
        query = "SELECT 1 FROM seen_hashes WHERE content_hash = ?"
        return self._db.execute(query, (content_hash,)).fetchone() is not None

    def remember(self, handled: Iterable[Handled]) -> None:
        now = time.time()
        with self._db:
            for entry in handled:
                self._db.execute(
                    "INSERT OR IGNORE INTO seen_urls VALUES (?, ?, ?, ?)",
                    (entry.url, entry.content_hash, entry.outcome, now),
                )
                if entry.outcome == "sent" and entry.content_hash:
                    self._db.execute(
                        "INSERT OR IGNORE INTO seen_hashes VALUES (?, ?)",
                        (entry.content_hash, entry.url),
                    )

    def validators(self, feed_url: str) -> tuple[str | None, str | None]:
        query = "SELECT etag, last_modified FROM validators WHERE feed_url = ?"
        row = self._db.execute(query, (feed_url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, feed_url: str, etag: str | None, last_modified: str | None) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
                (feed_url, etag, last_modified),
            )

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT outcome, COUNT(*) FROM seen_urls GROUP BY outcome")
        return {outcome: count for outcome, count in rows}

    def close(self) -> None:
        self._db.close()
