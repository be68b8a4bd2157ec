"""The Faust application: two agents that decode, call the core, send, and count.

raw bytes --enrich--> news.articles.enriched --detect--> news.alerts
                 \\______________________________\\____> news.deadletter

NLP is CPU-heavy, so each batch runs in a worker thread: Faust's event loop keeps heart-beating,
fetching and committing while spaCy works. Outputs are sent with ``force=True`` and awaited until
the broker acknowledges them, and only then is the source batch acknowledged: a crash replays a
batch (at-least-once) but never drops one; alert ids are deterministic, so sinks can drop replays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from agents.core.deadletter import SourceRecord
from agents.core.pipeline import ALERTS, DEAD_LETTERS, ENRICHED, DetectStage, EnrichStage, Output
from agents.settings import Settings

log = logging.getLogger(__name__)

Publisher = Callable[[Sequence[Output]], Awaitable[None]]


def to_record(event: Any) -> SourceRecord:
    message = event.message
    value = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
    timestamp = int(message.timestamp * 1000) if message.timestamp else None
    return SourceRecord(
        message.topic, message.partition, message.offset, value, message.key, timestamp
    )


def create_app(
    settings: Settings,
    enrich_stage: EnrichStage,
    detect_stage: DetectStage,
    publisher: Publisher | None = None,
) -> faust.App:
    app = faust.App(
        settings.app_id,
        broker=settings.broker_url,
        store="memory://",
        topic_partitions=settings.partitions,
        consumer_auto_offset_reset="earliest",
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        producer_acks=-1,
    )
    topics = settings.topics

    def topic(name: str) -> faust.TopicT:
        return app.topic(
            name, key_serializer="raw", value_serializer="raw", partitions=settings.partitions
        )

    destinations = {
        ENRICHED: topic(topics.enriched),
        ALERTS: topic(topics.alerts),
        DEAD_LETTERS: topic(topics.dead_letters),
    }

    async def send_to_kafka(outputs: Sequence[Output]) -> None:
        pending = [
            await destinations[out.destination].send(key=out.key, value=out.value, force=True)
            for out in outputs
        ]
        await asyncio.gather(*pending)  # wait for the broker's acknowledgement of each

    publish = publisher or send_to_kafka
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-nlp")

    async def run_stage(stage: EnrichStage | DetectStage, stream: faust.StreamT) -> None:
        loop = asyncio.get_running_loop()
        batches = stream.take_events(settings.batch_size, within=settings.batch_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            records = [to_record(event) for event in events]
            outputs = await loop.run_in_executor(executor, stage.process, records)
            await publish(outputs)

    @app.agent(topic(topics.raw), name="newsmon.enrich")
    async def enrich(stream: faust.StreamT) -> None:
        await run_stage(enrich_stage, stream)

    @app.agent(destinations[ENRICHED], name="newsmon.detect")
    async def detect(stream: faust.StreamT) -> None:
        await run_stage(detect_stage, stream)

    return app
