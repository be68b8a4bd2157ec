"""The Faust application: agents that decode, call the core, send, and count.

raw --enrich (entities, topics, rules)--> news.articles.enriched  and  news.rule-matches
    (keyed by rule id) --alert (per-rule state in a changelogged table)--> news.alerts (+ a
    rule's own topic; + news.webhook.outbox for a rule with a webhook) --webhook--> its webhook;
    anything refused --> news.deadletter / news.webhook.deadletter

NLP is CPU-heavy, so each batch runs in a worker thread: Faust's event loop keeps heart-beating,
fetching and committing while spaCy works. Outputs are sent with ``force=True``; a source event
is acknowledged (its offset may commit) only once the broker has acknowledged every output made
from it, while the agent already works on the next batch (agents/inflight.py): a crash replays a
batch (at-least-once) but never drops one; alert ids are deterministic, so sinks can drop replays.

When a stage cannot deliver (a send refused) or the consumer stops making progress (a known Faust
rebalance hang), the worker does not limp on: ``on_fatal`` restarts it in place, and it resumes
from the last committed offsets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import aiohttp
import faust
import orjson
from faust.types import TP
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.core.deadletter import SourceRecord, dead_letter
from agents.core.detect import RuleBook
from agents.core.offsets import OffsetGuard
from agents.core.pipeline import (
    ALERTS,
    DEAD_LETTERS,
    ENRICHED,
    MATCHES,
    TOPIC_PREFIX,
    WEBHOOKS,
    AlertStage,
    EnrichStage,
    Output,
)
from agents.core.stall import StallWatch
from agents.inflight import Acknowledged, InFlight, Publisher, ready
from agents.ingest.web import register_ingest
from agents.kafka.admin import TOPIC_MAX_MESSAGE_BYTES
from agents.kafka.gaps import read_range
from agents.kafka.security import faust_credentials
from agents.metrics import PipelineMetrics, new_registry
from agents.settings import Settings

log = logging.getLogger(__name__)
METRICS_INTERVAL = 5.0  # seconds between samples of lag, table size and memory
WEBHOOK_DEAD = "webhook_dead_letters"
ALERT_BATCH = 64  # matches folded at a time: one producer request, not one per alert
ALERTS_IN_FLIGHT = 8  # batches of alerts awaiting the broker while the next batch is folded
DRAIN_SECONDS = 10.0  # on stop, for deliveries in flight to be acknowledged
RULE_STATE_HELP = "per-rule story, threshold and spike state (see agents/core/alerting.py)"

Fatal = Callable[[str], None]


def _raise(reason: str) -> None:
    raise RuntimeError(reason)


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
    publisher: Publisher | None = None,
    book: RuleBook | None = None,
    metrics: PipelineMetrics | None = None,
    on_fatal: Fatal = _raise,
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
        producer_max_request_size=TOPIC_MAX_MESSAGE_BYTES,
        broker_credentials=faust_credentials(settings.kafka),
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
    )
    topics = settings.topics

    def topic(name: str) -> faust.TopicT:
        return app.topic(
            name, key_serializer="raw", value_serializer="raw", partitions=settings.partitions
        )

    destinations = {
        ENRICHED: topic(topics.enriched),
        MATCHES: topic(topics.matches),
        ALERTS: topic(topics.alerts),
        DEAD_LETTERS: topic(topics.dead_letters),
        WEBHOOKS: topic(topics.webhook_outbox),
    }
    webhook_dead_letters = topic(topics.webhook_dead_letters)
    if book is None:
        if enrich_stage.detector is None:
            raise ValueError("create_app needs a rule book or an enrich stage with a detector")
        book = enrich_stage.detector.book
    alert_stage = AlertStage(book)
    rule_state = RuleState(
        app,
        name="newsmon-rule-state",
        default=None,
        partitions=settings.partitions,
        help=RULE_STATE_HELP,
        beacon=app.tables.beacon,
    )
    app.tables.add(rule_state)

    def destination(name: str) -> faust.TopicT:
        if name not in destinations and name.startswith(TOPIC_PREFIX):
            destinations[name] = topic(name.removeprefix(TOPIC_PREFIX))  # a rule's own topic
        return destinations[name]

    async def send_to_kafka(outputs: Sequence[Output]) -> Acknowledged:
        # straight to Faust's producer: the outputs are bytes already, and Topic.send's
        # serialisers, message objects and callbacks were over a third of a send's time
        producer = app.producer
        pending = [
            await producer.send(
                destination(out.destination).get_topic_name(), out.key, out.value, None, None, None
            )
            for out in outputs
        ]
        return asyncio.gather(*pending)  # done when the broker has acknowledged each

    publish = publisher or send_to_kafka
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-nlp")
    metrics = metrics or PipelineMetrics(new_registry())
    metrics.restarts.set(settings.restarts_in_place)
    # Fault injection for the stall scenario only: hang after this many batches, in the first
    # process (not after the restart in place that is supposed to cure it). 0: never.
    fault_hang_after = settings.fault_hang_after if settings.restarts_in_place == 0 else 0
    stream_topics = {topics.raw, topics.matches, topics.webhook_outbox}

    def failed(stage: str) -> Callable[[BaseException, int], None]:
        def report(exc: BaseException, inputs: int) -> None:
            # Faust would restart the agent, but the taken events are never handed to it
            # again and their offsets never commit: restart the whole worker instead.
            metrics.errors.labels(stage).inc()
            log.error("stage %s failed on %d input(s)", stage, inputs, exc_info=exc)
            on_fatal(f"stage {stage} failed: {exc!r}"[:500])

        return report

    def counted(stage: str, inputs: int) -> Callable[[Sequence[Output]], None]:
        return lambda outputs: metrics.count(stage, inputs, outputs)

    async def run_stage(stage: EnrichStage, stream: faust.StreamT) -> None:
        loop = asyncio.get_running_loop()
        batches = stream.take_events(settings.batch_size, within=settings.batch_seconds)  # type: ignore[attr-defined]
        # two batches: one in the NLP thread, the next queued behind it, so the thread never
        # waits for the broker's acknowledgements or for the next batch to be taken
        in_flight = InFlight(stream.ack, publish, failed(stage.name), limit=2)
        done = 0
        try:
            async for events in batches:
                if stage.name == "enrich" and 0 < fault_hang_after <= done:
                    log.warning(
                        "fault injection: the enrich agent hangs now (NEWSMON_FAULT_HANG_AFTER)"
                    )
                    await asyncio.Event().wait()  # a stuck consumer, as in faust-streaming #629
                done += 1
                records = await guard_offsets([to_record(event) for event in events])
                await in_flight.room()
                outputs = loop.run_in_executor(executor, stage.process, records)
                in_flight.deliver(events, outputs, counted(stage.name, len(records)))
        finally:
            await in_flight.drain(DRAIN_SECONDS)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; the exposition format is UTF-8 anyway
        content_type = CONTENT_TYPE_LATEST.split(";")[0] + "; version=0.0.4"
        return web.bytes(generate_latest(metrics.registry), content_type=content_type)

    stalls = StallWatch(settings.stall_seconds)
    offsets = OffsetGuard()

    async def guard_offsets(records: Sequence[SourceRecord]) -> list[SourceRecord]:
        """``records`` with the records the consumer skipped read in ahead of the record that
        revealed them (see agents/core/offsets.py)."""
        committed = getattr(app.consumer, "_committed_offset", {})
        complete: list[SourceRecord] = []
        for record in records:
            tp = TP(record.topic, record.partition)
            first = offsets.check(tp, record.offset, committed.get(tp))
            if first is not None:
                log.warning(
                    "records skipped topic=%s partition=%d: got offset %d, expected %d; "
                    "reading them in",
                    record.topic,
                    record.partition,
                    record.offset,
                    first,
                )
                try:
                    skipped = await asyncio.get_running_loop().run_in_executor(
                        None,
                        read_range,
                        settings.broker,
                        record.topic,
                        record.partition,
                        first,
                        record.offset,
                    )
                except Exception as exc:
                    # going on would lose them: start again from the last commit instead
                    log.exception("could not read the skipped records")
                    on_fatal(f"could not read skipped records: {exc!r}"[:500])
                    raise
                metrics.skipped.labels(record.topic).inc(len(skipped))
                complete.extend(skipped)
            complete.append(record)
        return complete

    @app.timer(interval=METRICS_INTERVAL)
    async def sample_metrics() -> None:
        positions = _positions(app, stream_topics)
        metrics.set_lag([(topic, partition, lag) for topic, partition, _, lag in positions])
        stalled = stalls.observe(loop_time(), positions) if settings.stall_seconds else []
        if stalled:
            metrics.stalls.inc()
            described = ", ".join(f"{t}[{p}] for {s:.0f}s" for (t, p), s in stalled)
            on_fatal(f"no progress with records waiting: {described}")
        metrics.table_keys.labels("newsmon-rule-state").set(len(rule_state))
        metrics.set_resident_memory()
        metrics.set_rules_version(book.current.version)
        metrics.prepare_rules(book.current.active())
        metrics.up.set(1)

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def on_assigned(app: faust.App, assigned: Any, **kwargs: Any) -> None:
        metrics.rebalances.inc()
        stalls.reset()
        offsets.forget()
        alert_stage.mirrors.forget()  # the rule state may have been written by another worker
        positions = _positions(app, stream_topics)  # drop the series of partitions given away
        metrics.set_lag([(topic, partition, lag) for topic, partition, _, lag in positions])

    @app.agent(topic(topics.raw), name="newsmon.enrich")
    async def enrich(stream: faust.StreamT) -> None:
        await run_stage(enrich_stage, stream)

    @app.agent(destinations[MATCHES], name="newsmon.alert")
    async def alert(stream: faust.StreamT) -> None:
        # Matches are folded a batch at a time, in order, each table write going to the changelog
        # partition of the match that caused it; the broker's acknowledgements of earlier alerts
        # are awaited in the background. The window is the enrich agent's: a shorter one wakes
        # the event loop more often than matches arrive (5 ms cost more than folding one match
        # at a time, docs/benchmarks.md), a longer one adds latency.
        batches = stream.take_events(ALERT_BATCH, within=settings.batch_seconds)  # type: ignore[attr-defined]
        in_flight = InFlight(stream.ack, publish, failed(alert_stage.name), limit=ALERTS_IN_FLIGHT)
        try:
            async for events in batches:
                records = await guard_offsets([to_record(event) for event in events])
                await in_flight.room()
                outputs = []
                for record in records:
                    with rule_state.written_for(record.partition):
                        outputs.extend(alert_stage.process(record, rule_state))
                in_flight.deliver(events, ready(outputs), counted(alert_stage.name, len(records)))
        finally:
            await in_flight.drain(DRAIN_SECONDS)

    # Only alerts of rules with a webhook come here (the alert stage puts them in an outbox), so
    # the worker does not read back every alert it wrote.
    @app.agent(destinations[WEBHOOKS], name="newsmon.webhook")
    async def webhook(stream: faust.StreamT) -> None:
        async with aiohttp.ClientSession() as session:
            async for event in stream.events():
                for record in await guard_offsets([to_record(event)]):
                    await deliver_one(session, record)

    async def deliver_one(session: aiohttp.ClientSession, record: SourceRecord) -> None:
        from agents.webhook import deliver

        metrics.consumed.labels("webhook").inc()
        try:
            alert = orjson.loads(record.value)
            rule = book.current.get(alert["rule"]["id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return  # not ours to judge: the outbox is written by the alert agent
        if rule is None or rule.delivery.webhook is None:
            return
        result = await deliver(
            session,
            rule.delivery.webhook,
            record.value,
            alert["alert_id"],
            int(alert.get("revision", 1)),
        )
        metrics.webhooks.labels("delivered" if result.delivered else "failed").inc()
        if not result.delivered:
            log.warning("webhook failed alert=%s: %s", alert["alert_id"], result.reason)
            letter = dead_letter(record, "webhook", "webhook_failed", result.reason)
            acknowledged = await publish(
                [Output(WEBHOOK_DEAD, record.key or b"", orjson.dumps(letter), letter)]
            )
            await acknowledged

    destinations[WEBHOOK_DEAD] = webhook_dead_letters
    register_ingest(app, settings, topic(topics.raw))
    return app


class RuleState(faust.Table):
    """The alert agent's per-rule state. Faust sends a table write to the changelog partition of
    the stream's current event; the agent folds a batch of matches at once, so it names the
    partition of the match being folded instead (the same one: the table is co-partitioned with
    the matches topic, which is what lets a worker that takes the partition over rebuild it)."""

    _source_partition: int | None = None

    @contextmanager
    def written_for(self, partition: int) -> Iterator[None]:
        self._source_partition = partition
        try:
            yield
        finally:
            self._source_partition = None

    def partition_for_key(self, key: Any) -> int | None:
        if self._source_partition is None:
            return super().partition_for_key(key)
        return self._source_partition


def loop_time() -> float:
    return asyncio.get_running_loop().time()


def _positions(app: faust.App, topics: set[str]) -> list[tuple[str, int, int | None, int]]:
    """(topic, partition, committed offset, lag) for the partitions of ``topics`` this worker
    owns now (Faust's changelog and assignor topics are read apart and never committed). Faust
    keeps the last committed offset per partition (private; None before the first commit)."""
    consumer = app.consumer
    committed = getattr(consumer, "_committed_offset", {})
    lags: list[tuple[str, int, int | None, int]] = []
    for tp in consumer.assignment():
        if tp.topic not in topics:
            continue
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # not fetched from yet
            continue
        if highwater is None:
            continue
        done = committed.get(tp)
        lags.append(
            (tp.topic, tp.partition, done, highwater - (done + 1 if done is not None else 0))
        )
    return lags
