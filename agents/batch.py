"""The batch commands: the same core as the agents, over JSONL files (``-`` = stdin/stdout).

Each valid input line gives exactly one output line with the same ``id``; each invalid line is
reported on stderr with its line number and reason, and the run goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import orjson

from agents.core.alerting import LocalAlerts
from agents.core.decode import DEFAULT_MAX_BYTES, Rejection, decode_article
from agents.core.detect import Detector
from agents.core.enrich import Enricher

BATCH = 64


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    rejected: int = 0

    def line(self, verb: str) -> str:
        return f"read {self.read} lines, {verb} {self.written}, rejected {self.rejected}"


@contextmanager
def open_binary(path: str, mode: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer if mode == "rb" else sys.stdout.buffer
        return
    with open(path, mode) as handle:
        yield handle


def _valid_lines(
    source: IO[bytes], schema: str, summary: Summary, errors: IO[str]
) -> Iterator[dict[str, Any]]:
    for number, raw in enumerate(source, 1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        summary.read += 1
        document = decode_article(line, schema, DEFAULT_MAX_BYTES)
        if isinstance(document, Rejection):
            summary.rejected += 1
            print(f"line {number}: {document.reason}: {document.message}", file=errors)
            continue
        yield document


def enrich_file(enricher: Enricher, source: IO[bytes], sink: IO[bytes], errors: IO[str]) -> Summary:
    summary = Summary()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        for enriched in enricher.enrich_many(batch):
            sink.write(orjson.dumps(enriched) + b"\n")
            summary.written += 1
        batch.clear()

    for article in _valid_lines(source, "raw_article.v1", summary, errors):
        batch.append(article)
        if len(batch) >= BATCH:
            flush()
    flush()
    return summary


def detect_file(detector: Detector, source: IO[bytes], sink: IO[bytes], errors: IO[str]) -> Summary:
    summary = Summary()
    local = LocalAlerts(detector)
    for article in _valid_lines(source, "enriched_article.v1", summary, errors):
        for alert in local.alerts_for(article):
            sink.write(orjson.dumps(alert) + b"\n")
            summary.written += 1
    return summary
