"""The ``newsmon feeds`` and ``newsmon replay`` commands: parse arguments, build, hand off."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agents.errors import BrokerError
from agents.settings import Settings

if TYPE_CHECKING:
    from agents.ingest.feedconfig import FeedSpec
    from agents.ingest.poller import FeedPoller
    from agents.ingest.sink import KafkaSink


def feeds(args: argparse.Namespace, settings: Settings) -> int:
    from agents.ingest.feedconfig import feeds_path, load_feeds

    path = args.config or feeds_path()
    specs = load_feeds(path)  # a bad file stops here, naming file, line and field
    if args.feeds_command == "validate":
        for spec in specs:
            print(f"{spec.name}\t{spec.url}\tevery {spec.interval:g}s")
        print(f"{path}: {len(specs)} enabled feeds valid")
        return 0
    if not specs:
        print(f"newsmon: no enabled feeds in {path}", file=sys.stderr)
        return 1
    from agents.ingest.poller import FeedPoller
    from agents.ingest.state import SeenStore

    store = SeenStore(args.state or settings.home / "feeds.sqlite3")
    sink = _kafka_sink(settings)
    poller = FeedPoller(store, sink, max_article_bytes=settings.max_message_bytes)
    try:
        if args.once:
            reports = asyncio.run(poller.run_once(specs))
            for report in reports:
                print(report.line())
            print(f"sent {sum(r.sent for r in reports)} articles to {settings.topics.raw}")
            return 1 if any(r.status == "failed" for r in reports) else 0
        asyncio.run(_forever(poller, specs))
        return 0
    finally:
        sink.close()
        store.close()


async def _forever(poller: FeedPoller, specs: list[FeedSpec]) -> None:
    """Poll until SIGINT or SIGTERM; a poll in progress is let finish its feed."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await poller.run(specs, stop)


def replay(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from agents.ingest.replay import Pacer, replay

    path: Path = args.file
    if args.rate is not None and args.rate <= 0:
        print("newsmon: error: --rate must be positive", file=sys.stderr)
        return 2
    with open(path, "rb") as handle:
        total = sum(1 for _ in handle)
    sink = _kafka_sink(settings)
    try:
        with open(path, "rb") as handle, tqdm(total=total, unit="line", disable=None) as bar:
            summary = replay(
                handle, sink, Pacer(args.rate), settings.max_message_bytes, lambda: bar.update()
            )
    finally:
        sink.close()
    print(summary.report(str(path), settings.topics.raw))
    return 0


def _kafka_sink(settings: Settings) -> KafkaSink:
    from kafka.errors import KafkaError

    from agents.ingest.sink import KafkaSink
    from agents.kafka.admin import ensure_topics

    try:
        ensure_topics(settings.broker, [settings.topics.raw], settings.partitions)
        return KafkaSink(settings.broker, settings.topics.raw)
    except KafkaError as exc:
        raise BrokerError(f"cannot reach Kafka at {settings.broker}: {exc}") from exc
